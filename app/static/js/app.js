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
  // The offline page (the service worker's stand-in for a page not kept on the device) says
  // "You are offline"; with a connection, Homeward did not answer in time, and it says so instead.
  function showNoAnswer() {
    var offline = document.querySelector("[data-no-signal]"), late = document.querySelector("[data-no-answer]");
    if (!offline || !late) return;
    offline.hidden = navigator.onLine;
    late.hidden = !navigator.onLine;
    document.title = (navigator.onLine ? "Homeward did not answer" : "Offline") + " · Homeward";
  }
  [showConnection, showNoAnswer].forEach(function (show) {
    window.addEventListener("online", show);
    window.addEventListener("offline", show);
    document.addEventListener("DOMContentLoaded", show);
  });

  // Elements with data-confirm ask before submitting (e.g. disabling an account).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  // Forms marked data-stamp (Signs of Safety ratings and three houses, Diamond ratings) carry the
  // moment they were given, so one queued offline and sent hours or days later still shows on the
  // day of the visit, and does not undo a correction made since. Capture phase: before the outbox.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute || !form.hasAttribute("data-stamp")) return;
    var field = form.querySelector("input[name=recorded_at]");
    if (field && !field.value) field.value = new Date().toISOString();
  }, true);
  document.addEventListener("reset", function (event) {
    var form = event.target, field = form.hasAttribute && form.hasAttribute("data-stamp") && form.querySelector("input[name=recorded_at]");
    if (field) field.value = "";
  }, true);

  // No page discards typed text without asking: submitting one form, or following a link,
  // while another form on the page holds typed text that is not saved asks first.
  function changed(form) {
    // A filter or search (method GET) keeps nothing; only forms that save can lose typed text.
    if (!form.isConnected || form.hasAttribute("data-no-guard") || form.method !== "post") return false;
    return Array.prototype.some.call(form.elements, function (el) {
      if (el.type === "hidden" || el.type === "submit" || el.disabled) return false;
      if (el.type === "radio" || el.type === "checkbox") return el.checked !== el.defaultChecked;
      if (el.tagName === "SELECT") {
        var first = Array.prototype.findIndex.call(el.options, function (o) { return o.defaultSelected; });
        return el.selectedIndex !== Math.max(first, 0) && el.value !== "";
      }
      return el.value !== el.defaultValue && el.value.trim() !== "";
    });
  }
  function name(form) {
    var h = form.querySelector("h2, h3, legend, button[type=submit]");
    return h ? h.textContent.trim() : "another form";
  }
  function unsaved(except) {
    return Array.prototype.filter.call(document.forms, function (f) { return f !== except && !f.contains(except) && changed(f); });
  }
  function ask(forms) {
    var ok = window.confirm("What you typed in \u201c" + name(forms[0]) + "\u201d is not saved yet. Leave it unsaved and go on?");
    if (!ok) { var el = forms[0].querySelector("input:not([type=hidden]), textarea, select"); if (el) el.focus(); }
    return ok;
  }
  window.addEventListener("submit", function (event) {
    var forms = unsaved(event.target);
    if (forms.length && !ask(forms)) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);
  window.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.target || link.getAttribute("href").charAt(0) === "#" || event.defaultPrevented) return;
    var forms = unsaved(link);
    if (forms.length && !ask(forms)) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);
})();
