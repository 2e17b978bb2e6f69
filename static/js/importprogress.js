/* The batch page while a job checks or writes the file: asks the status endpoint every second, moves the
   progress bar and its "x / y dòng", and reloads the page once the job is done (to show the preview or the
   outcome). A file rather than inline script: the Content-Security-Policy allows scripts from this site only. */
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-import-status");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var step = box.querySelector("[data-progress-step]");
  var delay = 1000;

  function show(state) {
    if (state.total) {
      bar.max = state.total;
      bar.value = state.done;
    } else {
      bar.removeAttribute("value"); /* queued: an indeterminate bar */
    }
    text.textContent = state.text;
    step.textContent = state.step;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        if (!state.running) {
          window.location.reload();
          return;
        }
        delay = 1000;
        show(state);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        /* the server or the network is away for a moment: ask again, less often */
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
