// Homeward core script: small enhancements on top of pages that already work without it.
// Loaded with `defer`, never inline (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  // The header's role="status" element says whether we are connected. The offline module
  // (offline.js) refines this with the outbox count; here we only track the browser's view.
  function showConnection() {
    var el = document.querySelector("[data-connection]");
    if (!el || el.dataset.outbox === "busy") return;
    el.textContent = navigator.onLine ? "Online" : "Offline";
    el.dataset.state = navigator.onLine ? "online" : "offline";
  }
  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);
  document.addEventListener("DOMContentLoaded", showConnection);

  // Elements with data-confirm ask before submitting (e.g. disabling an account).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);
})();
