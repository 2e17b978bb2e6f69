/* A <select data-autosubmit> submits its form when changed (language, milestone and kind pickers).
   In a file rather than an onchange="" attribute, so the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { if (select.form) { select.form.submit(); } });
  });
})();
