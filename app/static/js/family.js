// Family mode in the browser (docs/family-mode.md). Online the server enforces the lock; this keeps
// it without a signal. The state in localStorage (it outlives closing the app) says the family has
// the tablet: which case, who is rating, the salted PBKDF2 check of the Worker PIN (never the PIN)
// and the wrong tries so far.
// - Hand-over without a signal: the hand-over page carries the worker's offline PIN check; the
//   family screens were kept on the device by "Take offline". The lock then lives here only.
// - Hand-over online: the server's family screens carry the hand-over's checks; offline, the right
//   PIN also derives a hand-back token, sent when the connection returns, so the server ends
//   family mode exactly once.
// While the state is set, any other page goes back to the family screens. Five wrong PINs lock
// the tablet and end the session, as on the server.
(function () {
  "use strict";
  var KEY = "homeward.family", PENDING = KEY + ".handback", LOCKED = KEY + ".locked", MAX_TRIES = 5;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function save(state) { localStorage.setItem(KEY, JSON.stringify(state)); }
  function home(s) { return "/family/" + s.caseId + "/" + (s.personId || "who"); }
  function hideMain() { var m = document.getElementById("main"); if (m) m.hidden = true; }
  function kit(d, extra) {
    var s = { caseId: d["case"], pinSalt: d.pinSalt, pinCheck: d.pinCheck, tokenSalt: d.tokenSalt, iterations: +d.iterations, failures: 0 };
    for (var k in extra) s[k] = extra[k];
    return s;
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
  function hideNav() {
    document.body.classList.add("family-mode");
    document.querySelectorAll(".site-nav, .session-box").forEach(function (el) { el.hidden = true; });
  }

  // The worker's session is over (five wrong PINs, or it ended while the family had the tablet):
  // nothing of the worker's stays readable here, as after logging out. The outbox stays.
  function forgetWorker() {
    localStorage.removeItem(KEY);
    localStorage.removeItem(PENDING);
    var offline = window.HomewardOffline;
    if (offline && offline.forget) offline.forget().catch(function () {});
  }

  // sw.js opens no page kept on the device outside the family's screens while they have the
  // tablet (the worker's own pages may hold a young person's private words); "" lifts it.
  // Resolves once the service worker has it (it answers on the channel), or after 1 s regardless.
  function tellWorker(prefix) {
    if (!navigator.serviceWorker) return Promise.resolve();
    var told = navigator.serviceWorker.ready.then(function (reg) {
      if (!reg.active) return null;
      return new Promise(function (done) {
        var channel = new MessageChannel();
        channel.port1.onmessage = done;
        reg.active.postMessage({ family: prefix }, [channel.port2]);
      });
    });
    return Promise.race([told, new Promise(function (done) { setTimeout(done, 1000); })]);
  }

  function lockTablet() {
    forgetWorker();
    localStorage.setItem(LOCKED, String(MAX_TRIES));
    hideNav();
    var main = document.getElementById("main");
    if (main) main.innerHTML = '<section class="narrow card"><h1>The tablet is locked</h1><p role="alert">Too many wrong tries. For safety, your worker must log in again.</p></section>';
    sendLock();
  }

  function sendLock() {
    if (!navigator.onLine || !localStorage.getItem(LOCKED)) return;
    var body = new URLSearchParams({ offline_failures: localStorage.getItem(LOCKED) });
    fetch("/family/lock", { method: "POST", body: body, credentials: "same-origin" }).then(function (r) {
      if (r.ok || r.status === 401 || r.redirected) localStorage.removeItem(LOCKED);
    }).catch(function () {});
  }

  // The hand-back worked out offline is finished by the server when the connection returns.
  function sendPending() {
    var pending = load() && localStorage.getItem(PENDING);
    if (!pending || !navigator.onLine) return;
    // The wrong PINs typed offline count on Homeward too (and are shown to the supervisor).
    var body = new URLSearchParams({ handback_token: pending, offline_failures: load().failures || 0 });
    fetch("/family/" + load().caseId + "/hand-back", { method: "POST", body: body, credentials: "same-origin" }).then(function (r) {
      if (r.ok && r.url.indexOf("/family") === -1) {
        localStorage.removeItem(PENDING);
        localStorage.removeItem(KEY);
        tellWorker("").then(function () { window.location.assign(r.url); });
      } else if (r.status >= 400 && r.status < 500) {
        localStorage.removeItem(PENDING);
      }
    }).catch(function () {});
  }

  // A turn changed with no signal after a hand-over made online: Homeward still holds the turn
  // before it (its who screen and "That's me" never ran), and would open that person's screens,
  // private words and all, to whoever has the tablet now, and refuse their answers. Told as soon
  // as there is a signal: the turn ended ("-") or the person picked since.
  function sendTurn() {
    var state = load();
    if (!state || state.local || !state.pendingTurn || !navigator.onLine) return;
    var who = "/family/" + state.caseId + "/who", picked = state.pendingTurn !== "-";
    var told = picked
      ? fetch(who, { method: "POST", body: new URLSearchParams({ person: state.pendingTurn }), credentials: "same-origin", redirect: "manual" })
      : fetch(who, { credentials: "same-origin", redirect: "manual" });
    told.then(function (r) {
      if (!(r.ok || r.type === "opaqueredirect")) return;
      var now = load();
      if (!now || now.pendingTurn !== state.pendingTurn) return; // changed again meanwhile: that is sent next
      delete now.pendingTurn;
      save(now);
    }).catch(function () {});
  }

  // Checks a typed PIN against the state's salted check; counts wrong tries and locks after five.
  function checkPin(form, state, done) {
    var input = form.querySelector("input[name=pin]");
    var typed = input ? input.value.trim() : "";
    if (!state.pinCheck) { showError(form, "This hand-over was confirmed with your password, which this tablet does not keep. Hand back when you have a signal."); return; }
    if (!typed) { showError(form, "Please type the Worker PIN."); return; }
    pbkdf2(typed, state.pinSalt, state.iterations).then(function (check) {
      if (check === state.pinCheck) return done(typed);
      state.failures += 1;
      save(state);
      var left = MAX_TRIES - state.failures;
      if (left <= 0) { lockTablet(); return; }
      showError(form, "That is not the right PIN. " + left + (left === 1 ? " try" : " tries") + " left.");
    }).catch(function () { showError(form, "This tablet cannot check the PIN offline. Please wait for a connection."); });
  }

  function handBack(form, state) {
    checkPin(form, state, function (typed) {
      if (state.local) {
        // The hand-over never reached Homeward: ending it here is all there is to do (the service
        // worker told first, so the worker's kept page opens).
        localStorage.removeItem(KEY);
        tellWorker("").then(function () { window.location.assign(state.back || "/cases/" + state.caseId + "/diamond"); });
        return;
      }
      return pbkdf2(typed, state.tokenSalt, state.iterations).then(function (token) {
        localStorage.setItem(PENDING, token);
        form.querySelector("input[name=pin]").value = "";
        var note = document.querySelector("[data-offline-note]");
        if (note) note.hidden = false;
        form.hidden = true;
        document.body.classList.remove("family-mode");
      });
    });
  }

  // Without a signal the worker's PIN is checked here, and the family screens kept on the device open.
  function handOver(form) {
    var d = form.dataset, person = form.querySelector("input[name=person]:checked");
    if (!person) return;
    if (!d.pinCheck) { showError(form, "Without a signal, this tablet cannot check your PIN. Set your Worker PIN again on your profile page while online."); return; }
    var typed = form.querySelector("input[name=pin]").value.trim();
    pbkdf2(typed, d.pinSalt, +d.iterations).then(function (check) {
      if (check !== d.pinCheck) { showError(form, "That is not your Worker PIN. Without a signal, only the PIN works."); return; }
      var state = kit(d, { local: true, personId: person.value, back: d.back, ratedOn: form.elements.rated_on ? form.elements.rated_on.value : "" });
      save(state);
      window.location.assign(home(state));
    }).catch(function () { showError(form, "This tablet cannot check the PIN offline. Please wait for a connection."); });
  }

  function familyScreen(root, state) {
    // A hand-over confirmed with the password ships no check (no password guessing offline): the
    // lock still holds without a signal, and the hand-back waits for one.
    if (!state && (root.dataset.pinSalt || "noOfflineCheck" in root.dataset)) { state = kit(root.dataset, {}); save(state); }
    if (!state) return; // the worker looking at the screens kept on the device
    if (root.dataset["case"] !== String(state.caseId)) { window.location.replace(home(state)); return; }
    // One person at a time: another person's screen kept on the device goes back to the current
    // person's, until "Someone else's turn" (the who form) changes it.
    // A page Homeward itself sent for the person picked: it has heard of the turn.
    if (state.pendingTurn && state.pendingTurn === root.dataset.person && !document.body.hasAttribute("data-kept-at")) { delete state.pendingTurn; save(state); }
    // Hidden first: a page Homeward sent for the turn before (one it has not heard has ended) stays unread.
    if (root.dataset.person && state.personId && root.dataset.person !== state.personId) { hideMain(); window.location.replace(home(state)); return; }
    // The who screen ends the turn (as Homeward does): no one's screens open until a name is picked.
    // A copy kept on the device ends it here only: Homeward is told when there is a signal (sendTurn).
    if (root.querySelector("[data-family-who]")) {
      state.personId = ""; state.turnEnded = true;
      if (document.body.hasAttribute("data-kept-at") || !navigator.onLine) state.pendingTurn = "-"; else delete state.pendingTurn;
      save(state);
    }
    else if (root.dataset.person && !state.personId) {
      if (state.turnEnded) { hideMain(); window.location.replace(home(state)); return; }
      state.personId = root.dataset.person; save(state);
    }
    // "Not yet" on the hand-back screen goes back to whoever has the turn (the who screen ends it).
    document.querySelectorAll("a[data-not-yet]").forEach(function (a) { a.href = home(state); });
    // The day the worker gave for the family's ratings when handing over without a signal.
    document.querySelectorAll("input[data-made-on]").forEach(function (el) { if (!el.value && state.ratedOn) el.value = state.ratedOn; });
    // The back button stays on the family screens: every "back" lands on this page again.
    history.pushState({ family: true }, "", location.href);
    window.addEventListener("popstate", function () { history.pushState({ family: true }, "", location.href); });
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.matches("[data-hand-back]") && (state.local || !navigator.onLine)) {
        event.preventDefault();
        handBack(form, state);
      } else if (form.matches("[data-family-who]")) {
        var person = form.querySelector("input[name=person]:checked");
        // Noted until Homeward's own page for that person arrives (below) or sendTurn is answered:
        // on a weak signal the browser says online and the post is lost all the same.
        if (person) { state.personId = person.value; state.turnEnded = false; state.pendingTurn = person.value; save(state); }
        if (!navigator.onLine) { event.preventDefault(); if (person) window.location.assign(home(state)); }
      }
    });
  }

  // Any other page while the family has the tablet: back to their screens, unless Homeward
  // (which enforces a hand-over made online) says family mode has ended.
  function elsewhere(state) {
    hideNav();
    // A family screen not kept on the device shows the offline page: going "back" would loop.
    if (location.pathname.indexOf("/family/" + state.caseId + "/") === 0) return;
    // Going back hides the page first: a worker's page stays unreadable if the way back is stopped.
    var body = document.body, back = function () { hideMain(); window.location.replace(home(state)); };
    var main = body.hasAttribute("data-kept-at") && document.getElementById("main");
    var over = function (sessionEnded) {
      if (sessionEnded) forgetWorker(); else localStorage.removeItem(KEY);
      if (main) main.hidden = false;
      document.querySelectorAll(".site-nav, .session-box").forEach(function (el) { el.hidden = false; });
      body.classList.remove("family-mode");
      return tellWorker("");
    };
    // A worker's page Homeward has just sent (not a copy kept on the device, not the offline page)
    // says it itself: Homeward marks every page of a session in family mode (data-family-mode) and
    // sends no worker's page then. So an online hand-back on a weak signal is over at once.
    if (!state.local && body.dataset.userId && !body.hasAttribute("data-kept-at")) {
      if ("familyMode" in body.dataset) back(); else over(false);
      return;
    }
    // A hand-over made offline ends only with the PIN, or with the worker's session on Homeward:
    // a page of no one's (the login page once that session has ended) asks, or it would send the
    // tablet round between the login page and the family's screens for ever.
    if (!navigator.onLine || (state.local && (body.dataset.userId || main))) { back(); return; }
    // A copy kept on the device (sw.js marks it data-kept-at) stays hidden until Homeward answers:
    // only its word ends the lock here. A failing server, or a signal too weak to answer in 3 s,
    // keeps it; a session that has ended takes the worker's pages with it.
    // The offline page (Homeward too slow for the service worker, as after an online hand-back on
    // a weak signal) shows nothing of the worker's: it waits for that word however long it takes,
    // then opens the page asked for, and without it stays (never back to the family's screens).
    var control = new AbortController();
    if (main) { main.hidden = true; setTimeout(function () { control.abort(); }, 3000); }
    fetch("/family/status", { credentials: "same-origin", headers: { Accept: "application/json" }, signal: control.signal }).then(function (r) {
      if (r.status === 401 || (r.redirected && r.url.indexOf("/login") >= 0)) return { ended: true };
      return r.ok && !r.redirected ? r.json() : null;
    }).then(function (d) {
      if (d && !d.family_case_id && (d.ended || !state.local)) over(d.ended).then(function () { if (!main) location.reload(); });
      else if (main || d) back();
    }, function () { if (main) back(); });
  }

  // "Read this to me": the screen read aloud by the tablet's own voices (Web Speech API), in the
  // screen's language; nothing leaves the device. Without a voice for it, it says so plainly.
  function readAloud(box) {
    var synth = window.speechSynthesis, button = box.querySelector("[data-read-button]");
    var status = box.querySelector("[data-read-status]"), label = button.textContent, want = box.dataset.lang.toLowerCase();
    box.hidden = false;
    function voice() {
      var voices = synth ? synth.getVoices() : [];
      var same = function (v, n) { return v.lang.toLowerCase().replace("_", "-").split("-").slice(0, n).join("-") === want.split("-").slice(0, n).join("-"); };
      return voices.filter(function (v) { return same(v, 2); })[0] || voices.filter(function (v) { return same(v, 1); })[0];
    }
    button.addEventListener("click", function () {
      if (synth && synth.speaking) { synth.cancel(); return; }
      var v = window.SpeechSynthesisUtterance && voice();
      if (!v) { status.textContent = box.dataset.noVoice; return; }
      var parts = document.querySelectorAll(".family-screen :is(h1, h2, .big-words, legend, .scale-ends, .sos-anchors p, .field > label, .choice, summary, .feedback-lead)");
      var text = Array.prototype.filter.call(parts, function (el) { return el.offsetParent !== null; })
        .map(function (el) { return el.innerText.trim(); }).join(". ");
      var say = new SpeechSynthesisUtterance(text);
      say.voice = v; say.lang = v.lang;
      say.onend = say.onerror = function () { button.textContent = label; status.textContent = ""; };
      button.textContent = box.dataset.stop;
      status.textContent = "";
      synth.speak(say);
    });
  }

  // The header's connection label is written in English by app.js and offline.js; on a family
  // screen it is put in the screen's language (its words come with the page, data-t-*).
  function translateConnection(el) {
    var t = el.dataset, words = { Online: t.tOnline, Offline: t.tOffline, Syncing: t.tSyncing };
    var fix = function () {
      var text = el.textContent, waiting = /^(\d+) waiting$/.exec(text);
      var said = words[text] || (waiting && t.tWaiting.replace("{count}", waiting[1]));
      if (said && said !== text) el.textContent = said;
    };
    new MutationObserver(fix).observe(el, { childList: true, characterData: true, subtree: true });
    fix();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var label = document.querySelector("[data-connection][data-t-online]");
    if (label) translateConnection(label);
    var reader = document.querySelector("[data-read-aloud]");
    if (reader) readAloud(reader);
    if (localStorage.getItem(LOCKED)) { lockTablet(); return; }
    // Homeward locked the tablet (the fifth wrong PIN typed online): its page says so.
    if (document.querySelector("[data-family-locked]")) { forgetWorker(); return; }
    var state = load(), root = document.querySelector("[data-family-lock]");
    if (root) familyScreen(root, state);
    else if (state) elsewhere(state);
    else {
      var form = document.querySelector("form[data-hand-over]");
      if (form) form.addEventListener("submit", function (event) {
        if (navigator.onLine) return;
        event.preventDefault();
        handOver(form);
      });
    }
    // A page load lifts the service worker's lock only where Homeward itself says no family has the
    // tablet: a worker's page it has just sent outside family mode (not a kept copy, nor the offline
    // page, which any page may be answered with). Until December 2026 every page without the state
    // here lifted it, so clearing it, or the offline page itself, opened the worker's kept pages.
    var now = load(), body = document.body;
    if (now) tellWorker("/family/" + now.caseId + "/");
    else if (body.dataset.userId && !("familyMode" in body.dataset) && !body.hasAttribute("data-kept-at")) tellWorker("");
    sendTurn();
    sendPending();
    sendLock();
  });
  window.addEventListener("online", function () { sendTurn(); sendPending(); sendLock(); });
})();
