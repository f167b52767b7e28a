// Family mode in the browser (DESIGN.md "Family mode"): the server enforces the lock online; this
// keeps it when the connection drops. At hand-over the server gave the page salted PBKDF2 checks of
// the worker's PIN (never the PIN). Offline, a typed PIN is checked here with WebCrypto; the right
// PIN also derives a hand-back token, sent when the connection returns so the server ends family
// mode exactly once. Five wrong tries lock the tablet, as on the server.
(function () {
  "use strict";
  var KEY = "homeward.family";
  var PENDING = "homeward.family.handback";
  var MAX_TRIES = 5;

  function load() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function save(state) { sessionStorage.setItem(KEY, JSON.stringify(state)); }

  function remember(root) {
    var d = root.dataset;
    var state = load();
    if (d.pinSalt && (!state || state.pinSalt !== d.pinSalt)) {
      state = { caseId: d["case"], pinSalt: d.pinSalt, pinCheck: d.pinCheck, tokenSalt: d.tokenSalt, iterations: +d.iterations, failures: 0 };
      save(state);
    }
    return state;
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function unhex(text) {
    var bytes = new Uint8Array(text.length / 2);
    for (var i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.substr(i * 2, 2), 16);
    return bytes;
  }
  function pbkdf2(secret, saltHex, iterations) {
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) return Promise.reject(new Error("WebCrypto unavailable"));
    return subtle.importKey("raw", new TextEncoder().encode(secret), "PBKDF2", false, ["deriveBits"]).then(function (key) {
      return subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: unhex(saltHex), iterations: iterations }, key, 256);
    }).then(hex);
  }

  function showError(form, message) {
    var box = form.querySelector("[data-pin-error]");
    var input = form.querySelector("input[name=pin]");
    if (box) { box.querySelector("[data-pin-message]").textContent = message; box.hidden = false; }
    if (input) { input.setAttribute("aria-invalid", "true"); input.value = ""; input.focus(); }
  }

  function lockTablet() {
    sessionStorage.removeItem(KEY);
    sessionStorage.setItem(KEY + ".locked", "1");
    var main = document.getElementById("main");
    if (main) main.innerHTML = '<section class="narrow card"><h1>The tablet is locked</h1><p role="alert">Too many wrong tries. For safety, your worker must log in again.</p></section>';
    sendLock();
  }

  function sendLock() {
    if (!navigator.onLine || !sessionStorage.getItem(KEY + ".locked")) return;
    fetch("/family/lock", { method: "POST", credentials: "same-origin" }).then(function (r) {
      if (r.ok || r.status === 401 || r.redirected) sessionStorage.removeItem(KEY + ".locked");
    }).catch(function () {});
  }

  // The hand-back worked out offline is finished by the server when the connection returns.
  function sendPending() {
    var token = sessionStorage.getItem(PENDING);
    if (!token || !navigator.onLine) return;
    var body = new URLSearchParams({ handback_token: token });
    fetch("/family/hand-back", { method: "POST", body: body, credentials: "same-origin" }).then(function (r) {
      if (r.ok && r.url.indexOf("/family") === -1) {
        sessionStorage.removeItem(PENDING);
        sessionStorage.removeItem(KEY);
        window.location.assign(r.url);
      } else if (r.status === 422 || r.status === 403) {
        sessionStorage.removeItem(PENDING);
      }
    }).catch(function () {});
  }

  function handBackOffline(form, state) {
    var input = form.querySelector("input[name=pin]");
    var typed = input ? input.value.trim() : "";
    if (!typed) { showError(form, "Please type the Worker PIN."); return; }
    pbkdf2(typed, state.pinSalt, state.iterations).then(function (check) {
      if (check !== state.pinCheck) {
        state.failures += 1;
        save(state);
        var left = MAX_TRIES - state.failures;
        if (left <= 0) { lockTablet(); return; }
        showError(form, "That is not the right PIN. " + left + (left === 1 ? " try" : " tries") + " left.");
        return;
      }
      return pbkdf2(typed, state.tokenSalt, state.iterations).then(function (token) {
        sessionStorage.setItem(PENDING, token);
        input.value = "";
        var note = document.querySelector("[data-offline-note]");
        if (note) note.hidden = false;
        form.hidden = true;
        document.body.classList.remove("family-mode");
      });
    }).catch(function () { showError(form, "This tablet cannot check the PIN offline. Please wait for a connection."); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-family-lock]");
    if (sessionStorage.getItem(KEY + ".locked")) { lockTablet(); return; }
    if (!root) return;
    var state = remember(root);

    // The back button stays on the family screens: every "back" lands on this page again.
    history.pushState({ family: true }, "", location.href);
    window.addEventListener("popstate", function () { history.pushState({ family: true }, "", location.href); });

    var form = document.querySelector("form[data-hand-back]");
    if (form) {
      form.addEventListener("submit", function (event) {
        if (navigator.onLine || !state) return;
        event.preventDefault();
        handBackOffline(form, state);
      });
    }
    sendPending();
    sendLock();
  });
  window.addEventListener("online", function () { sendPending(); sendLock(); });
})();
