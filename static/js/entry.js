/* Data entry helpers (no framework): a form submits once — its buttons are disabled on the first submit —
   and ratio rows show the value on the metric's scale as numerator and denominator are typed (Vietnamese number habits). */
(function () {
  function parseVn(text) {
    var s = (text || "").trim().replace(/%$/, "").trim();
    if (/^[1-9]\d{0,2}(\.\d{3})+(,\d+)?$/.test(s)) s = s.replace(/\./g, "").replace(",", ".");
    else s = s.replace(",", ".");
    return /^\d+(\.\d+)?$/.test(s) ? parseFloat(s) : NaN;
  }
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      var clicked = event.submitter;
      if (clicked && clicked.name) {  // keep the pressed button's value once the buttons are disabled
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = clicked.name; hidden.value = clicked.value;
        form.appendChild(hidden);
      }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
  document.querySelectorAll("[data-ratio]").forEach(function (row) {
    var num = row.querySelector("[name$=-numerator]"), den = row.querySelector("[name$=-denominator]");
    var out = row.querySelector("[data-percent]");
    if (!num || !den || !out) return;  // a figure already sent is shown, not edited
    // the metric's own scale: ×100 for %, ×1 for "người/vạn dân" with the denominator in vạn người, ×1000 for ‰
    var scale = parseFloat(row.dataset.scale || "100"), unit = row.dataset.unit || "%";
    function update() {
      var n = parseVn(num.value), d = parseVn(den.value);
      if (!(n >= 0 && d > 0)) { out.textContent = ""; return; }
      var text = (scale * n / d).toFixed(2).replace(".", ",").replace(/\B(?=(\d{3})+(?!\d))/g, ".");
      out.textContent = "= " + text + (unit.charAt(0) === "%" ? unit : " " + unit);
    }
    num.addEventListener("input", update); den.addEventListener("input", update); update();
  });
  // Enter in a "reason" box returns that row, not the first button of the form.
  document.querySelectorAll(".returncell input").forEach(function (input) {
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); input.parentNode.querySelector("button").click(); }
    });
  });
  // A self-assessment that contradicts the computed status says so as it is chosen (the server renders the same).
  document.querySelectorAll("[data-disagree-for]").forEach(function (note) {
    var scope = note.closest("tr") || note.closest("form");
    var select = scope && scope.querySelector("select[name$=confidence], select[name=progress]");
    if (!select) return;
    var disagreeing = note.dataset.disagreeFor.split(" ");
    select.addEventListener("change", function () { note.hidden = disagreeing.indexOf(select.value) < 0; });
  });
  // The error summary takes the focus, so it is read first; its links open a folded field before going to it.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (!field) return;
        event.preventDefault();
        var fold = field.closest("details");
        if (fold) fold.open = true;
        field.scrollIntoView({ block: "center" });
        field.focus();
      });
    });
  }
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      box.closest("form").querySelectorAll("input[name=" + box.dataset.selectAll + "]")
        .forEach(function (c) { c.checked = box.checked; });
    });
  });
})();
