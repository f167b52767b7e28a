// Homeward offline: the outbox, replay, "Take offline" and the header's connection status.
// Plain script, no build step; how the pieces fit is in docs/offline.md.
//
// A form with data-offline is sent with fetch and an Idempotency-Key header (the operation id).
// When that cannot reach Homeward (no signal, a timeout, a server error) the operation is kept
// in IndexedDB and replayed later in order; the server's ledger applies each id exactly once.
(function () {
  "use strict";
  var DB = "homeward", OUTBOX = "outbox", CASES = "cases", PAGES_CACHE = "homeward-pages";
  var SEND_TIMEOUT_MS = 10000, SYNC_EVERY_MS = 60000, MAX_PAGES = 120, LANES = 4;
  var syncing = false, paused = false, sent = false;
  // A create form's hidden `id` is the new record's id; edit forms have base_version instead.
  var NEW_ID = "[data-new-id], input[type=hidden][name=id]";

  // ---- IndexedDB, as promises -------------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(OUTBOX, { keyPath: "id" });
        req.result.createObjectStore(CASES, { keyPath: "url" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function store(name, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(name, mode), req = work(t.objectStore(name));
        t.oncomplete = function () { db.close(); resolve(req && req.result); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }
  function all(name) { return store(name, "readonly", function (s) { return s.getAll(); }); }
  function save(name, value) { return store(name, "readwrite", function (s) { return s.put(value); }); }
  function remove(name, key) { return store(name, "readwrite", function (s) { return s.delete(key); }); }

  // ---- Who and what ------------------------------------------------------------------------
  // Offline work needs the service worker, so a secure context, where randomUUID always exists.
  function uuid() { return crypto.randomUUID(); }
  // The offline page is the same for everyone, so the last user is remembered on the device.
  // Another worker logging in on a shared tablet must not open the first one's kept pages: they
  // go (the first worker's outbox stays, and is only ever sent by them).
  // Written once, by a page Homeward has just sent (not a kept copy): a tab left open by the first
  // worker must not name them again while the second is logged in (it would clear the second's kept cases).
  var USER = "homeward.user", body = document.body.dataset, last = localStorage.getItem(USER), switched = body.userId && last && last !== body.userId;
  if (body.userId && !("keptAt" in body)) localStorage.setItem(USER, body.userId);
  function me() { return body.userId || localStorage.getItem(USER) || ""; }
  // Queued work is only ever sent by the person who saved it (DESIGN.md "Offline").
  function myOps() {
    return all(OUTBOX).then(function (ops) {
      ops = ops.filter(function (op) { return op.user_id === me(); }).sort(function (a, b) { return a.time < b.time ? -1 : 1; });
      return Promise.all(ops.map(function (op) {
        return op.box && unlock(op.box, op.id).then(function (t) { if (t) Object.assign(op, JSON.parse(t)); });
      })).then(function () { return ops; });
    });
  }
  // An item goes back to storage without what its box holds.
  function saveOp(op) { return save(OUTBOX, op.box ? Object.assign({}, op, { label: "Saved item", summary: "", show: null }) : op); }

  // ---- The header's status -----------------------------------------------------------------
  function refresh() {
    return myOps().then(function (ops) {
      var waiting = ops.filter(function (op) { return op.status === "waiting"; }).length;
      var attention = ops.length - waiting;
      var text = navigator.onLine ? "Online" : "Offline";
      if (syncing) text = "Syncing";
      else if (attention) text = attention + " need attention";
      else if (waiting) text = waiting + " waiting";
      document.querySelectorAll("[data-connection]").forEach(function (el) {
        el.dataset.outbox = "busy"; // app.js leaves the wording to this script, and the look
        if (el.textContent !== text) el.textContent = text;
        el.dataset.state = attention && !syncing ? "attention" : navigator.onLine ? "online" : "offline";
      });
      document.dispatchEvent(new CustomEvent("homeward:outbox", { detail: ops }));
      return ops;
    });
  }

  // Every tab of this browser shares the Outbox: a tab that changes it says so, and the others
  // redraw their header (a storage event reaches every other tab of the origin, never the writer).
  var CHANGED = "homeward.outbox.changed";
  function changed() { try { localStorage.setItem(CHANGED, String(Date.now())); } catch (e) { /* private mode */ } }
  window.addEventListener("storage", function (event) { if (event.key === CHANGED) refresh(); });

  // ---- Sending -----------------------------------------------------------------------------
  function send(op) {
    var control = new AbortController();
    var timer = setTimeout(function () { control.abort(); }, SEND_TIMEOUT_MS);
    // redirect "manual": a 303 after a save comes back as an opaque redirect, which is success,
    // without fetching the next page (and spending its one-time flash message) in the background.
    var request = { method: op.method, redirect: "manual", credentials: "same-origin", signal: control.signal };
    var url = op.target;
    if (op.sealed) {
      // Sealed on this device: the server opens it and hands it to the same route (sealing.py).
      url = "/sync/sealed";
      request.method = "POST";
      request.body = JSON.stringify({ id: op.id, target: op.target, method: op.method, user_id: op.user_id, base_version: op.base_version, label: labelOf(op), sealed: op.sealed });
      request.headers = Object.assign({}, JSON_HEADERS);
    } else {
      request.body = new URLSearchParams();
      op.fields.forEach(function (pair) { request.body.append(pair[0], pair[1]); });
      // Its author, so a tab left open by a worker whose session ended cannot send it as whoever
      // is logged in now (app/sync/ledger.py refuses it, as a sealed item of another worker's).
      request.headers = { "Idempotency-Key": op.id, "Accept": "application/json", "X-Homeward-Author": op.user_id };
    }
    // This device's clock as the item leaves: Homeward reads the form's stamp (data-stamp) by
    // it, so a tablet whose clock runs a day behind still orders its items rightly (app/forms.py).
    request.headers["X-Homeward-Sent-At"] = new Date().toISOString();
    return fetch(url, request).finally(function () { clearTimeout(timer); });
  }

  // ---- Sealing (app/sync/sealing.py) -------------------------------------------------------
  // What waits on the device is sealed to Homeward's public key: ECDH P-256 with a fresh key per
  // item, HKDF-SHA256, AES-GCM. Only the server can open it; id, target, label and base version
  // stay readable because replay needs them. Without WebCrypto or a key, an item is kept as typed.
  var KEY_ITEM = "homeward.outboxKey", SUMMARY = "homeward.summary.", JSON_HEADERS = { "Content-Type": "application/json", "Accept": "application/json" };
  function outboxKey() {
    try { return JSON.parse(localStorage.getItem(KEY_ITEM) || "null"); } catch (e) { return null; }
  }
  function fetchOutboxKey() {
    // The page names the key in use: fetched only when the one kept here is not that one.
    var kept = outboxKey();
    if (!navigator.onLine || (kept && kept.kid === document.body.dataset.outboxKid)) return;
    fetch("/sync/outbox-key", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (key) { if (key && key.kid) localStorage.setItem(KEY_ITEM, JSON.stringify(key)); }, function () {});
  }
  function b64(buffer) { return btoa(String.fromCharCode.apply(null, new Uint8Array(buffer))); }
  function seal(op) {
    var key = outboxKey(), subtle = window.crypto && window.crypto.subtle, enc = new TextEncoder();
    if (!key || !subtle) return Promise.resolve(op);
    var curve = { name: "ECDH", namedCurve: "P-256" }, mine;
    return Promise.all([subtle.importKey("jwk", key.jwk, curve, false, []), subtle.generateKey(curve, true, ["deriveBits"])])
      .then(function (keys) {
        mine = keys[1];
        return subtle.deriveBits({ name: "ECDH", public: keys[0] }, mine.privateKey, 256);
      })
      .then(function (shared) { return subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]); })
      .then(function (hkdf) {
        return subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: enc.encode("homeward outbox v1") },
          hkdf, { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
      })
      .then(function (aes) {
        var iv = crypto.getRandomValues(new Uint8Array(12));
        var aad = enc.encode(op.id + "\n" + op.target + "\n" + op.user_id);
        return Promise.all([
          subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: aad }, aes, enc.encode(JSON.stringify(op.fields))),
          subtle.exportKey("raw", mine.publicKey)
        ]).then(function (out) {
          op.sealed = { kid: key.kid, epk: b64(out[1]), iv: b64(iv), data: b64(out[0]) };
          // Its label (a page title) and the few words shown in "waiting to sync" are boxed under
          // the device key; without one they are not kept at all (a neutral label instead, below).
          var shown = { label: op.label, summary: op.summary, show: op.show };
          op.label = "Saved item";
          delete op.fields;
          delete op.summary;
          delete op.show; // without a device key, pages do without it rather than keep it in clear
          return getKey().then(function (k) {
            if (k) return lock(JSON.stringify(shown), op.id).then(function (box) { op.box = box; return op; });
            // No device key (locked, or no PIN): nothing readable is kept, not even in this tab;
            // the item is known by its case's reference alone (docs/offline.md "Locked at rest").
            var ref = document.title.match(/\bHW-\d{4}-\d+\b/);
            op.label = ref ? "Saved item for case " + ref[0] : "Saved item";
            return op;
          });
        });
      })
      .catch(function () { return op; });
  }
  // ---- Locked at rest (docs/offline.md) ---------------------------------------------------
  // Kept pages, the cases list and outbox labels are encrypted (AES-GCM) under the worker's
  // device key. The key is held in memory only: in this page and in the service worker, which
  // serves kept pages decrypted and forgets the key when stopped, at logout or after the idle
  // time. Online, Homeward gives it to a logged-in page; offline, the Worker PIN unwraps the copy
  // kept here (PBKDF2 in WebCrypto), so a lost tablet's storage shows no family's details.
  var LOCK = "homeward.lock", TRIES = LOCK + ".tries", deviceKey = null, unlocking = Promise.resolve(null), lastInput = Date.now();
  function unb64(text) { return Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); }); }
  function toWorker(message) {
    var sw = navigator.serviceWorker;
    return new Promise(function (resolve) {
      setTimeout(resolve, 2000, null);
      if (sw) sw.ready.then(function (reg) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (e) { resolve(e.data); };
        reg.active.postMessage(message, [channel.port2]);
      });
    });
  }
  function useKey(raw) {
    return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]).then(function (k) {
      deviceKey = k;
      return toWorker({ key: k }).then(function () { return k; }); // the worker holds it before a reload
    });
  }
  function getKey() {
    return unlocking.then(function () { return deviceKey || toWorker({}); }).then(function (k) { return deviceKey = k || null; });
  }
  function unlockOnline() {
    return fetch("/sync/device-key", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
      if (!d) return null;
      // Only the Worker PIN opens the stored copy; without a PIN kept pages open only online.
      localStorage.removeItem(TRIES); // wrong PINs typed offline count until the next unlock
      if (d.wrap) localStorage.setItem(LOCK, JSON.stringify(Object.assign({ user: d.user }, d.wrap))); else localStorage.removeItem(LOCK);
      return useKey(unb64(d.key));
    }).catch(function () { return null; });
  }
  function unlockWithPin(pin) {
    var w = JSON.parse(localStorage.getItem(LOCK) || "null"), subtle = crypto.subtle;
    if (!w) return Promise.reject(new Error("no key"));
    return subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveKey"]).then(function (k) {
      var salt = new Uint8Array(w.salt.match(/../g).map(function (h) { return parseInt(h, 16); }));
      return subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: w.iterations }, k, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    }).then(function (kek) {
      return subtle.decrypt({ name: "AES-GCM", iv: unb64(w.iv), additionalData: new TextEncoder().encode(w.user) }, kek, unb64(w.data));
    }).then(useKey);
  }
  // A box: bytes or text encrypted under the device key, bound to what it belongs to (`about`).
  function lock(bytes, about) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    if (typeof bytes === "string") bytes = new TextEncoder().encode(bytes);
    return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: new TextEncoder().encode(about) }, deviceKey, bytes)
      .then(function (data) { return { iv: b64(iv), data: b64(data) }; });
  }
  function unlock(box, about) {
    return getKey().then(function (k) {
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(box.iv), additionalData: new TextEncoder().encode(about) }, k, unb64(box.data));
    }).then(function (b) { return new TextDecoder().decode(b); }, function () { return null; });
  }

  function summaryOf(op) { return op.summary || ""; }
  function labelOf(op) { return op.label; }
  // The fields of an item, opened by the server when sealed (only for the account that made it).
  function fieldsOf(op) {
    if (!op.sealed) return Promise.resolve(op.fields);
    return fetch("/sync/sealed/open", {
      method: "POST", credentials: "same-origin", headers: JSON_HEADERS,
      body: JSON.stringify({ id: op.id, target: op.target, user_id: op.user_id, sealed: op.sealed })
    }).then(function (r) { return r.ok ? r.json() : { fields: [] }; }).then(function (d) { return d.fields || []; });
  }

  function messageFrom(response) {
    var type = response.headers.get("content-type") || "";
    if (type.indexOf("json") >= 0) {
      return response.json().then(function (d) { return d.detail || d.error || "Homeward refused this."; });
    }
    return response.text().then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html"), parts = [];
      doc.querySelectorAll(".field-error").forEach(function (error) {
        // A group of radio buttons is named by its legend, not by its first button's label.
        var field = error.closest(".field"), label = field && (field.querySelector("legend") || field.querySelector("label"));
        var text = error.textContent.replace("⚠", "").trim();
        parts.push(label ? label.textContent.replace("(required)", "").trim() + ": " + text : text);
      });
      // A refusal of the whole form (a rule, not one field) is the error summary's paragraph.
      var refusal = doc.querySelector(".error-summary p"), heading = doc.querySelector("h1");
      return parts.join(" ") || (refusal && refusal.textContent.trim()) || (heading && heading.textContent.trim()) || "Homeward refused this.";
    });
  }

  function localDay() {
    var d = new Date();
    return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
  }

  function operationFrom(form, submitter) {
    var idField = form.querySelector(NEW_ID);
    // A new record's id is the operation's id, so a replay can never create it twice. An edit
    // form (data-offline="edit") keeps its id, which names the record being changed, and gets an
    // operation id of its own.
    var edit = form.dataset.offline === "edit";
    var id = form.dataset.retry || (!edit && idField && idField.value) || uuid();
    if (idField && !edit) idField.value = id;
    var fields = [];
    // The button pressed is part of the form's data ("Next", "Finish", "Save draft"...).
    var data = submitter && submitter.name ? new FormData(form, submitter) : new FormData(form);
    data.forEach(function (value, key) { if (typeof value === "string") fields.push([key, value]); });
    // A rating made here keeps the day it was made, not the day it syncs (docs/offline.md).
    var madeOn = Array.prototype.map.call(form.querySelectorAll("[data-made-on]"), function (el) { return el.name; });
    fields.forEach(function (pair) { if (!pair[1] && madeOn.indexOf(pair[0]) >= 0) pair[1] = localDay(); });
    // data-offline-show: fields a page shows of its waiting items (the map's, the scales'). Boxed
    // with the label below, never kept in clear outside the outbox.
    var show = {};
    (form.getAttribute("data-offline-show") || "").split(" ").forEach(function (n) { if (n) show[n] = data.get(n) || ""; });
    // data-offline-draft: the form writes into a draft, whose version does not move with each
    // write, so later items keep the version they were made from (no follow-on, below).
    var action = new URL(form.action, location.href), base = !form.hasAttribute("data-offline-draft") && form.elements.base_version;
    // On the family's screens nothing of what was typed is kept beside the item: the next person
    // to pick a name on this tablet would read it (a young person's private words). The label is
    // the screen's alone (in English: the worker's Outbox reads it), never who answered or what.
    var family = document.querySelector("[data-family-lock]");
    return {
      id: id, target: action.pathname + action.search, method: (form.getAttribute("method") || "post").toUpperCase(),
      fields: fields, base_version: base ? base.value : null, time: new Date().toISOString(), user_id: me(),
      label: family ? form.dataset.offlineLabel || "An answer from the family screens" : form.dataset.offlineLabel || document.title.replace(" · Homeward", ""),
      page: location.pathname, status: "waiting", message: "", summary: family ? "" : summary(form), show: family ? {} : show
    };
  }

  // A few words of what was typed or chosen, so the worker can tell waiting items apart.
  // Fields the worker changed come first: on a long form (a checklist) they tell items apart.
  function summary(form) {
    var changed = [], rest = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || /^(hidden|submit|button|password|file)$/.test(el.type)) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      var value = el.tagName === "SELECT" ? (el.selectedOptions[0] || {}).text : el.value;
      if (el.type === "radio" || el.type === "checkbox") value = el.labels && el.labels[0] ? el.labels[0].textContent : el.value;
      value = (value || "").replace(/\s+/g, " ").trim();
      if (!value) return;
      var moved = el.tagName === "SELECT" ? !(el.selectedOptions[0] || {}).defaultSelected
        : (el.type === "radio" || el.type === "checkbox") ? !el.defaultChecked : el.value !== el.defaultValue;
      (moved ? changed : rest).push(value.length > 60 ? value.slice(0, 59) + "…" : value);
    });
    return changed.concat(rest).slice(0, 3).join(" · ");
  }

  // After a create is kept on the device the form is ready for the next record, which needs an id
  // of its own; an edit form keeps the id of the record it changes.
  function freshId(form) {
    var idField = form.querySelector(NEW_ID);
    if (idField && form.dataset.offline !== "edit") idField.value = uuid();
  }

  // An edit sends what its page showed (`shown`), so the server merges it field by field with
  // the record as it is then: a kept page hours old changes only what the worker changed.
  function markShown(form) {
    var shown = {}, input = form.elements.shown || form.appendChild(Object.assign(document.createElement("input"), { type: "hidden", name: "shown" }));
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || /^(hidden|submit|button|file|reset)$/.test(el.type)) return;
      if (el.type === "checkbox" || el.type === "radio") shown[el.name] = el.defaultChecked ? el.value : shown[el.name] || "";
      else if (el.tagName === "SELECT") shown[el.name] = (Array.prototype.find.call(el.options, function (o) { return o.defaultSelected; }) || el.options[0] || {}).value || "";
      else shown[el.name] = el.defaultValue;
    });
    input.value = JSON.stringify(shown);
  }
  // An edit kept on the device: the form now shows the record as the worker left it, so a
  // correction made from it next changes only what it corrects.
  function nowShows(form) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.type === "checkbox" || el.type === "radio") el.defaultChecked = el.checked;
      else if (el.tagName === "SELECT") Array.prototype.forEach.call(el.options, function (o) { o.defaultSelected = o.selected; });
      else if (el.type !== "hidden") el.defaultValue = el.value;
    });
    markShown(form);
  }

  function note(form, text, kind) {
    var p = form.parentNode.querySelector("[data-offline-note]") || document.createElement("p");
    p.className = "flash flash-" + (kind || "success");
    p.setAttribute("role", kind === "warning" ? "alert" : "status");
    p.setAttribute("data-offline-note", "");
    p.textContent = text;
    form.parentNode.insertBefore(p, form);
  }

  // The refused item an "Edit and retry" under a new id replaces (restoreRetry), once it is kept.
  // Refused again online, the corrected item goes as an ordinary post and comes back with its
  // errors under its new id: this tab remembers which item it replaces until it is saved.
  var REPLACES = "homeward.replaces.";
  function newIdOf(form) { var field = form.querySelector(NEW_ID); return field ? field.value : ""; }
  function dropReplaced(form) {
    var id = form.dataset.replaces;
    delete form.dataset.replaces;
    try { sessionStorage.removeItem(REPLACES + newIdOf(form)); } catch (e) { /* private mode */ }
    return id ? remove(OUTBOX, id) : Promise.resolve();
  }
  document.querySelectorAll("form[data-offline]").forEach(function (form) {
    var id = newIdOf(form), replaces = null;
    try { replaces = id && sessionStorage.getItem(REPLACES + id); } catch (e) { /* private mode */ }
    if (replaces) form.dataset.replaces = replaces;
  });

  function keep(form, op) {
    return seal(op).then(function (sealed) { return save(OUTBOX, sealed); }).then(function () { return dropReplaced(form); }).then(function () {
      persist();
      note(form, "Saved on this device — will sync when online");
      delete form.dataset.retry;
      if (form.dataset.offline === "edit") nowShows(form); else form.reset();
      freshId(form);
      changed();
      return refresh();
    }).then(function () {
      // A screen in a series (the family's questions) goes on to the next one, kept on the device.
      if (form.dataset.offlineNext) location.assign(form.dataset.offlineNext);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-offline]") || event.defaultPrevented) return;
    event.preventDefault();
    var submitter = event.submitter;
    var op = operationFrom(form, submitter);
    if (!navigator.onLine) { keep(form, op); return; }
    send(op).then(function (response) {
      if (response.type === "opaqueredirect" || response.ok) {
        // Off the device before the page is left: a delete still in flight at unload can be lost,
        // and the item sent would stay "need attention" (seen once in CI under load).
        return remove(OUTBOX, op.id).then(function () { return dropReplaced(form); }).then(changed).then(function () { return fetch("/sync/ops/" + op.id, { headers: { Accept: "application/json" } }); })
          .then(function (r) { return r.json(); })
          .then(function (d) { location.assign(d.location || location.href); }, function () { location.reload(); });
      }
      if (response.status === 409 && response.headers.get("location")) { location.assign(response.headers.get("location")); return; }
      if (response.status === 401) { paused = true; return keep(form, op).then(function () { return messageFrom(response); }).then(askToLogIn); }
      if (response.status >= 500) return keep(form, op);
      // A family answer on the tablet's person's screen while Homeward holds another turn (changed
      // without a signal): kept, to go after the hand-back, not lost on "hand the tablet back".
      if (response.headers.get("x-homeward-not-their-turn")) return keep(form, op);
      // Refused (validation, permission): the ordinary post shows each error beside its field.
      if (form.dataset.replaces) try { sessionStorage.setItem(REPLACES + newIdOf(form), form.dataset.replaces); } catch (e) { /* private mode */ }
      if (submitter && submitter.name) {
        var pressed = document.createElement("input");
        pressed.type = "hidden"; pressed.name = submitter.name; pressed.value = submitter.value;
        form.appendChild(pressed);
      }
      HTMLFormElement.prototype.submit.call(form);
    }, function () { return keep(form, op); });
  });

  // ---- Replay ------------------------------------------------------------------------------
  var running = null; // the sync in progress: a second call waits for it instead of overlapping
  function sync() {
    if (running) return running;
    // Only a logged-in page sends: the login and offline pages have no session to send with, and
    // while the tablet is with the family (family mode) the worker's items wait for the hand-back.
    var body = document.body.dataset;
    if (paused || !navigator.onLine || !body.userId || "familyMode" in body) return refresh();
    running = myOps().then(function (ops) { return report(ops).then(function () { return ops; }); }).then(function (ops) {
      var queue = paused ? [] : ops.filter(function (op) { return op.status === "waiting"; });
      if (!queue.length) return refresh();
      syncing = true;
      sent = true;
      refresh();
      var next = function (i) {
        if (i >= queue.length) return null;
        var op = queue[i];
        return send(op).then(function (response) {
          if (response.type === "opaqueredirect" || response.ok) {
            return remove(OUTBOX, op.id).then(function () { return followOn(op, queue.slice(i + 1)); }).then(function () { return next(i + 1); });
          }
          if (response.status === 401) { paused = true; return messageFrom(response).then(askToLogIn).then(function () { return null; }); }
          // The family has the tablet (a worker's page left open in another tab): wait, as the
          // family-mode page itself does, and send after the hand-back.
          if (response.status === 403 && response.headers.get("x-homeward-family-mode")) return null;
          // Homeward is down or busy: stop, keep the rest in order, and try again later.
          if (response.status >= 500 || response.status === 408 || response.status === 429) return null;
          // A 409 with a Location is a conflict the server kept for the worker to settle.
          if (response.status === 409 && response.headers.get("location")) {
            op.status = "conflict";
            op.message = "Changed on Homeward as well: choose what to keep.";
            op.link = response.headers.get("location");
            return saveOp(op).then(function () { return next(i + 1); });
          }
          // Refused: set aside with its message, so it cannot block what comes after it.
          return messageFrom(response).then(function (message) {
            op.status = "quarantined";
            op.message = message;
            // Its id was used for another form (a device that reused an id): sent again under it,
            // it would be refused for ever, so Edit and retry gives it an id of its own.
            if (response.headers.get("x-homeward-id-used")) op.idUsed = true;
            return saveOp(op);
          }).then(function () { return next(i + 1); });
        }, function () { return null; }); // no connection after all
      };
      return next(0);
    }).catch(function () { return null; }) // storage unavailable: nothing sent, nothing lost
      .finally(function () { syncing = false; running = null; if (sent) changed(); sent = false; return refresh(); });
    return running;
  }

  // Homeward remembers which items this device said it holds, so an item lost with the browser's
  // storage (site data cleared, or evicted for space) is named instead of vanishing unnoticed.
  // Sent when what this worker's device holds has changed since it last said so: storage lost with
  // the items takes this note with it, so the report after a loss is always sent.
  // Discards are noted per worker: a tablet handed over before one worker's discard was reported
  // must not have it reported (and forgotten) by the next, or the first would be told it was lost.
  var GONE = "homeward.discarded", SAID = "homeward.reported";
  function discards() { return GONE + "." + document.body.dataset.userId; }
  function report(ops) {
    var key = discards(), gone = JSON.parse(localStorage.getItem(key) || "[]"), ids = ops.map(function (op) { return op.id; }).sort();
    // Said again at least once a day, so a report another tab overtook is put right.
    var said = JSON.stringify([document.body.dataset.userId, ids, localDay()]);
    if (!gone.length && localStorage.getItem(SAID) === said) return Promise.resolve();
    return fetch("/sync/device-items", {
      method: "POST", credentials: "same-origin", headers: JSON_HEADERS,
      body: JSON.stringify({ user_id: document.body.dataset.userId, holding: ops.map(function (op) { return { id: op.id, target: op.target, time: op.time }; }), discarded: gone })
    }).then(function (r) {
      // Another account is logged in (a tab left open by a worker whose session ended): send nothing.
      if (r.status === 409) { paused = true; askToLogIn(); }
      if (!r.ok) return null;
      // Forget the discards this report carried; one made while it was on its way waits for the next.
      var later = JSON.parse(localStorage.getItem(key) || "[]").filter(function (id) { return gone.indexOf(id) < 0; });
      if (later.length) localStorage.setItem(key, JSON.stringify(later)); else localStorage.removeItem(key);
      localStorage.setItem(SAID, said);
      return r.json();
    }).then(function (d) {
      if (!d) return;
      var times = function (items) { return " (" + items.map(function (l) { return when(l.saved_at); }).join(", ") + ")"; };
      if (d.lost.length) warn(d.lost.length + " saved on this device" + times(d.lost) +
        " never reached Homeward: this browser's storage was cleared before they could be sent, and they are lost. Please enter them again.");
      // Told of by another device, heard by a browser reporting for the first time: Homeward
      // cannot tell a worker's other tablet from this browser with its site data cleared.
      var n = (d.elsewhere || []).length, one = n === 1, it = one ? "it" : "them", was = one ? "it was" : "they were";
      if (n) warn(n + (one ? " item" : " items") + " saved on a device" + times(d.elsewhere) + (one ? " has" : " have") +
        " not reached Homeward. If " + was + " saved in this browser, its data was cleared and " + (one ? "it is" : "they are") +
        " lost: please enter " + it + " again. If " + was + " saved on another tablet or phone, open Homeward there with a signal to send " + it + ".");
    }, function () {});
  }

  // Each applied edit makes one new version, so a later edit of the same record, made on this
  // device from the same version, follows on from it instead of conflicting with it.
  function followOn(done, later) {
    if (done.base_version === null || done.base_version === "") return null;
    var version = String(Number(done.base_version) + 1);
    return Promise.all(later.filter(function (op) {
      return op.target === done.target && op.base_version === done.base_version;
    }).map(function (op) {
      op.base_version = version;
      // A sealed item carries its base version beside the seal; the server puts it in the form.
      if (op.fields) op.fields = op.fields.map(function (pair) { return pair[0] === "base_version" ? [pair[0], version] : pair; });
      return saveOp(op);
    }));
  }

  // A warning at the top of the page, read out at once.
  function warn(text) {
    var p = Object.assign(document.createElement("p"), { className: "flash flash-warning", textContent: text });
    p.setAttribute("role", "alert");
    document.getElementById("main").prepend(p);
    return p;
  }

  function askToLogIn(why) {
    if (document.querySelector("[data-login-again]")) return;
    var p = warn((typeof why === "string" && why.indexOf("author") > 0 ? why : "Your session has ended, so syncing is paused.") + " Nothing is lost. ");
    var a = document.createElement("a");
    p.setAttribute("data-login-again", "");
    a.href = "/login?next=" + encodeURIComponent(location.pathname);
    a.textContent = "Log in again to send what is waiting";
    p.appendChild(a);
  }

  // ---- Logging out -------------------------------------------------------------------------
  // Everything kept for offline use goes, except the outbox: unsent work is never dropped.
  function clearDevice() {
    localStorage.removeItem(LOCK);
    deviceKey = null;
    toWorker({ lock: 1 });
    Object.keys(sessionStorage).forEach(function (k) { if (k.indexOf(SUMMARY) === 0) sessionStorage.removeItem(k); });
    return caches.delete(PAGES_CACHE).then(openDb).then(function (db) {
      var names = Array.prototype.filter.call(db.objectStoreNames, function (n) { return n !== OUTBOX; });
      db.close();
      return Promise.all(names.map(function (n) { return store(n, "readwrite", function (s) { return s.clear(); }); }));
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-logout]") || form.dataset.cleared) return;
    event.preventDefault();
    if (!navigator.onLine) {
      // Logging out needs Homeward to end the session; clearing the device first would leave the
      // worker in a home with no cases and still logged in.
      window.alert("You are offline. Log out when you have a signal; until then your cases stay on this device.");
      return;
    }
    var waiting = function () {
      return myOps().then(function (ops) { return ops.filter(function (op) { return op.status === "waiting"; }).length; });
    };
    waiting().then(function (n) {
      if (n && navigator.onLine && window.confirm(n + " waiting to sync. Sync now, before logging out?")) return sync().then(waiting);
      return n;
    }).then(function (n) {
      return !n || window.confirm(n + " still waiting. Log out anyway? They stay on this device and are sent when you log in again.");
    }).then(function (go) {
      if (!go) return;
      return clearDevice().then(function () { form.dataset.cleared = "1"; HTMLFormElement.prototype.submit.call(form); });
    });
  });

  // ---- Take offline ------------------------------------------------------------------------
  // Keeps the case page, the pages each feature lists for it (GET /cases/<id>/offline-pages:
  // framework screens, family screens) and the pages reachable from them within the case, in the
  // pages cache the service worker reads when there is no signal. Pages are fetched in the order a
  // visit uses them (rank below); the essentials are always kept, the rest up to MAX_PAGES, and
  // the case page says exactly how many were kept and how many not.
  var ESSENTIAL = [/^$/, /^\/contacts\/new/, /^\/people\//, /^\/consent/, /^\/(end|reactivate|dormant-review)(\?|$)/];
  function rank(rest, listed) {
    for (var i = 0; i < ESSENTIAL.length; i++) if (ESSENTIAL[i].test(rest)) return i;
    return listed ? 10 : /version|history|\/meetings\/|letter|print/.test(rest) ? 30 : 20;
  }
  function takeOffline(section) {
    var base = "/cases/" + section.dataset.offlineCase, queue = [], seen = {}, kept = [], missed = [], skipped = 0, order = 0;
    // What this run stores, so a run that fails part-way takes it away again: a page left kept
    // outside the case's list would open offline while the case page says it is not kept.
    var stored = [], failed = null, before = store(CASES, "readonly", function (s) { return s.get(base); });
    function add(path, listed) {
      if (seen[path]) return;
      seen[path] = true;
      queue.push({ url: path, listed: listed, rank: rank(path.slice(base.length), listed), n: order++ });
    }
    // A download (a family letter's PDF) is no page to read: fetching it would build the file
    // and audit an export the worker never made.
    function collect(doc) {
      doc.querySelectorAll("main a[href]:not([download])").forEach(function (a) {
        var u = new URL(a.getAttribute("href"), location.href);
        if (u.origin === location.origin && (u.pathname + "/").indexOf(base + "/") === 0) add(u.pathname + u.search, false);
      });
    }
    add(base, true);
    return getKey().then(function (k) {
      if (!k) throw new Error("locked");
      return fetch(base + "/offline-pages", { credentials: "same-origin", headers: { Accept: "application/json" } });
    })
      // Without the case's list its family screens cannot be found: the take fails (and keeps
      // what an earlier take listed) rather than take them off the device.
      .then(function (r) { if (!r.ok || r.redirected) throw new Error("list"); return r.json(); })
      .then(function (d) { (d.pages || []).forEach(function (p) { add(p, true); }); })
      .then(function () { return caches.open(PAGES_CACHE); })
      .then(function (cache) {
        // LANES pages on their way at once: on a phone signal each request waits a round trip
        // (about 70 pages: 12 s one at a time at 150 ms, a quarter of that four at a time). A
        // page counts against MAX_PAGES from when it is asked for until it is kept or not.
        var deciding = 0, active = 0, lanes = [];
        var fetchNext = function () {
          if (failed || !queue.length) return null;
          queue.sort(function (a, b) { return a.rank - b.rank || a.n - b.n; });
          var page = queue.shift(), counts = page.rank >= ESSENTIAL.length;
          if (counts && kept.length + deciding >= MAX_PAGES) { skipped++; return fetchNext(); }
          if (counts) deciding++;
          var decided = function () { if (counts) { deciding--; counts = false; } };
          return fetch(page.url, { credentials: "same-origin" }).then(function (r) {
            // Signed out part-way: the take fails. A bad answer on a weak signal (5xx, 408, 429)
            // keeps the earlier copy; a page Homeward no longer gives (403, 404) goes.
            if (r.redirected && /\/login/.test(r.url)) throw new Error("login");
            if (!r.ok || r.redirected || !/^text\/html/.test(r.headers.get("Content-Type"))) { if (r.status >= 500 || r.status === 408 || r.status === 429) missed.push(page.url); return decided(); }
            return r.clone().text().then(function (html) {
              var doc = new DOMParser().parseFromString(html, "text/html");
              collect(doc);
              pump();  // the links just found, to lanes that had run out of pages
              // Keep pages to read, offline-capable forms and the pages a feature listed; a
              // form that needs the server (screening, status changes) would only fail offline.
              var keep = page.listed || !doc.querySelector("main form[method=post]:not([data-offline])");
              if (keep) kept.push(page.url);
              decided();
              if (keep) {
                // Encrypted: the service worker decrypts it with the key it holds (sw.js).
                return r.arrayBuffer().then(function (html) { return lock(html, page.url); }).then(function (box) {
                  stored.push(page.url);
                  return cache.put(page.url, new Response(unb64(box.data), { headers: { "X-Sealed": box.iv, "Date": r.headers.get("Date") } }));
                });
              }
            });
          }, function (error) { decided(); throw error; }).then(fetchNext, function (error) { failed = failed || error; throw error; });
        };
        var pump = function () {
          while (active < LANES && queue.length) {
            active++;
            var lane = Promise.resolve(fetchNext()).finally(function () { active--; });
            lane.catch(function () {});  // a failure is told once, by allDone, however many lanes fail
            lanes.push(lane);
          }
        };
        var allDone = function () {  // lanes started while others ran are waited for too, failed or not
          var started = lanes.length;
          return Promise.all(lanes.map(function (l) { return l.catch(function () {}); })).then(function () {
            if (lanes.length > started) return allDone();
            if (failed) throw failed;
          });
        };
        pump();
        // The Outbox page, without the server's conflict lists (they name people; sw.js too).
        return allDone().then(function () {
          return fetch("/outbox", { credentials: "same-origin" }).then(function (r) {
            return r.ok && r.text().then(function (html) { return cache.put("/outbox", new Response(html.replace(/<!--private-->[\s\S]*?<!--\/private-->/g, ""), { headers: r.headers })); });
          }).catch(function () {});
        });
      }).then(function () {
        persist();
        return lock(section.dataset.caseName, base);
      }).then(function (name) {
        // What an earlier take kept and this one no longer finds (an ending once the case is
        // dormant, a screen no longer offered) goes: it would open offline as if still current.
        // A page this take could not fetch (a bad answer on a weak signal) keeps its earlier copy.
        return before.then(function (entry) {
          var earlier = (entry && entry.urls) || [], gone = [];
          earlier.forEach(function (u) { if (kept.indexOf(u) < 0) (missed.indexOf(u) < 0 ? gone : kept).push(u); });
          return save(CASES, { url: base, name: name, urls: kept, skipped: skipped, taken_at: new Date().toISOString() }).then(function () {
            return caches.open(PAGES_CACHE);
          }).then(function (cache) { return Promise.all(gone.map(function (u) { return cache.delete(u); })); });
        });
      }).then(function () { return showCase(section); }, function (error) {
        // Pages an earlier take listed stay (this run only refreshed them); the rest go.
        return before.then(function (entry) {
          var listed = (entry && entry.urls) || [];
          return caches.open(PAGES_CACHE).then(function (cache) {
            return Promise.all(stored.filter(function (u) { return listed.indexOf(u) < 0; }).map(function (u) { return cache.delete(u); }));
          });
        }).then(function () { throw error; });
      });
  }

  // Every page kept of the case goes, listed or not (an older take's pages it no longer lists):
  // its own pages and its family screens.
  function removeFromDevice(url) {
    var family = url.replace("/cases/", "/family/") + "/";
    return caches.open(PAGES_CACHE).then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.map(function (request) {
          var path = new URL(request.url).pathname;
          if (path === url || path.indexOf(url + "/") === 0 || path.indexOf(family) === 0) return cache.delete(request);
        }));
      });
    }).then(function () { return remove(CASES, url); });
  }

  function when(iso) {
    return new Date(iso).toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  function showCase(section) {
    var url = "/cases/" + section.dataset.offlineCase;
    return store(CASES, "readonly", function (s) { return s.get(url); }).then(function (entry) {
      section.hidden = false;
      section.querySelector("[data-offline-state]").textContent = entry
        ? "Kept on this device since " + when(entry.taken_at) + ". Kept: " + entry.urls.length + " pages; not kept: " +
          (entry.skipped ? entry.skipped + " older pages (records, versions and letters past the first " + MAX_PAGES + " pages)." : "none.") +
          (localStorage.getItem(LOCK) ? "" : " Without a Worker PIN they cannot open once the device locks: set one on your profile page.")
        : "Not kept on this device.";
      section.querySelector("[data-remove-offline]").hidden = !entry;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-take-offline], [data-remove-offline], [data-sync-now], [data-discard], [data-remove-case]");
    if (!button) return;
    var section = button.closest("[data-offline-case]");
    if (button.matches("[data-take-offline]")) {
      button.disabled = true;
      takeOffline(section).catch(function () {
        section.querySelector("[data-offline-state]").textContent = "Could not keep this case on the device. Try again with a signal.";
      }).finally(function () { button.disabled = false; });
      return;
    }
    if (button.matches("[data-sync-now]")) {
      paused = false;
      sync();
      return;
    }
    // The Outbox opens while the device is locked: whoever holds the tablet then may not throw
    // away a worker's refused items or kept cases (docs/offline.md "Locked at rest").
    getKey().then(function (k) {
      if (!k) { warn("Unlock with your PIN first."); return; }
      if (button.matches("[data-discard]")) {
        if (!window.confirm("Discard this item? It will not be saved anywhere.")) return;
        localStorage.setItem(discards(), JSON.stringify(JSON.parse(localStorage.getItem(discards()) || "[]").concat(button.dataset.discard)));
        return remove(OUTBOX, button.dataset.discard).then(changed).then(refresh);
      }
      var url = button.dataset.removeCase || "/cases/" + section.dataset.offlineCase;
      // Items saved for the case stay in the outbox, but the pages to correct them go with it.
      return myOps().then(function (ops) {
        var n = ops.filter(function (op) { return op.target.indexOf(url + "/") === 0; }).length;
        if (n && !window.confirm(n + " saved for this case still waiting to sync. They stay on this device, but you will not be able to open this case's pages offline. Remove it anyway?")) return;
        return removeFromDevice(url).then(function () { if (section) showCase(section); else renderOutbox(); });
      });
    });
  });

  // ---- What waits on this page ------------------------------------------------------------
  // Offline, a saved form leaves no trace on the pages kept on the device (they were rendered by
  // the server before). Each page lists what was saved from it, and a case page everything
  // saved for that case, until it syncs.
  document.addEventListener("homeward:outbox", function (event) {
    var main = document.getElementById("main");
    // Not on the family's screens either: whoever picks a name there would read what others
    // saved (the header's "N waiting", in their language, is all they are told).
    if (!main || document.querySelector("[data-outbox-list], [data-unlock], [data-family-lock]")) return; // not on the PIN screen
    var path = location.pathname, c = path.match(/^\/cases\/\d+$/);
    var here = event.detail.filter(function (op) {
      return op.status === "waiting" && (op.page === path || (c && op.target.indexOf(path + "/") === 0));
    });
    var box = document.querySelector("[data-waiting-here]");
    if (!here.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("section");
      box.className = "card waiting-here";
      box.setAttribute("data-waiting-here", "");
      box.setAttribute("aria-label", "Saved on this device");
      var heading = main.querySelector("h1");
      if (heading && heading.parentNode === main) heading.after(box); else main.prepend(box);
    }
    var title = Object.assign(document.createElement("h2"), { textContent: "Saved on this device, waiting to sync (" + here.length + ")" });
    var list = document.createElement("ul");
    here.forEach(function (op) {
      var li = document.createElement("li");
      li.appendChild(Object.assign(document.createElement("strong"), { textContent: labelOf(op) }));
      li.appendChild(document.createTextNode((summaryOf(op) ? ": " + summaryOf(op) : "") + " · saved " + when(op.time)));
      list.appendChild(li);
    });
    box.replaceChildren(title, list);
  });

  // ---- The Outbox page ---------------------------------------------------------------------
  // Locked, the Outbox offers the PIN screen instead of Discard and Remove from device.
  function unlockFirst() { return link("/unlock", "Unlock with your PIN first"); }
  function item(op, open) {
    var li = document.createElement("li"), title = document.createElement("strong");
    title.textContent = labelOf(op);
    li.appendChild(title);
    li.appendChild(document.createTextNode(" · saved " + when(op.time)));
    if (op.message) {
      var p = document.createElement("p");
      p.className = "field-error";
      p.textContent = op.message;
      li.appendChild(p);
    }
    if (op.status === "conflict") {
      li.appendChild(link(op.link, "Settle the conflict"));
    } else if (op.status === "quarantined") {
      li.appendChild(link(op.page + "?retry=" + op.id, "Edit and retry"));
      if (!open) { li.appendChild(unlockFirst()); return li; }
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "secondary";
      discard.dataset.discard = op.id;
      discard.textContent = "Discard";
      li.appendChild(discard);
    }
    return li;
  }
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.className = "button button-secondary";
    a.textContent = text;
    return a;
  }
  function fill(list, nodes, empty) {
    if (!list) return;
    list.replaceChildren.apply(list, nodes.length ? nodes : [Object.assign(document.createElement("li"), { className: "empty", textContent: empty })]);
  }
  function renderOutbox(ops) {
    if (!document.querySelector("[data-outbox-list]")) return;
    var now = ops && ops.detail;
    var open = getKey();
    Promise.all([now ? Promise.resolve(now) : myOps(), open]).then(function (r) {
      var list = r[0], show = function (o) { return item(o, r[1]); };
      fill(document.querySelector("[data-outbox-list=waiting]"), list.filter(function (o) { return o.status === "waiting"; }).map(show), "Nothing waiting.");
      fill(document.querySelector("[data-outbox-list=attention]"), list.filter(function (o) { return o.status !== "waiting"; }).map(show), "Nothing needs attention.");
    });
    var list = document.querySelector("[data-offline-cases]");
    var hours = list ? Number(list.dataset.offlineHours) : 0;
    all(CASES).then(function (cases) {
      return Promise.all(cases.map(function (c) {
        return unlock(c.name, c.url).then(function (name) { c.name = name || "A case kept on this device (locked: open it to unlock)"; return c; });
      }));
    }).then(function (cases) {
      return open.then(function (k) { return [cases, k]; });
    }).then(function (r) {
      var cases = r[0];
      fill(list, cases.map(function (c) {
        var li = document.createElement("li"), remove = document.createElement("button");
        var expired = Date.now() - Date.parse(c.taken_at) > hours * 3600 * 1000;
        li.appendChild(Object.assign(document.createElement("a"), { href: c.url, textContent: c.name }));
        li.appendChild(document.createTextNode(" · taken " + when(c.taken_at) + (expired ? " · expired, take it offline again " : " ")));
        remove.type = "button";
        remove.className = "secondary";
        remove.dataset.removeCase = c.url;
        remove.textContent = "Remove from device";
        remove.setAttribute("aria-label", "Remove from device: " + c.name);
        li.appendChild(r[1] ? remove : unlockFirst());
        return li;
      }), "No cases are kept on this device.");
    });
    var syncButton = document.querySelector("[data-sync-now]");
    if (syncButton) syncButton.hidden = false;
  }
  document.addEventListener("homeward:outbox", renderOutbox);

  // ---- Storage that may be lost ------------------------------------------------------------
  // Unless the browser grants persistent storage it may clear Homeward's storage, waiting items
  // included, when the device runs short of space. The Outbox and the case page say so.
  function persist() {
    var st = navigator.storage;
    if (!st || !st.persist) return;
    st.persist().then(function (granted) { localStorage.setItem("homeward.persisted", granted ? "1" : "0"); warnStorage(); }, function () {});
  }
  function warnStorage() {
    var warnings = document.querySelectorAll("[data-storage-warning]"), st = navigator.storage;
    if (!warnings.length || !st || !st.estimate) return;
    st.estimate().then(function (e) {
      var text = [];
      if (localStorage.getItem("homeward.persisted") === "0") text.push("This browser has not agreed to keep Homeward's storage: if the device runs short of space it may delete the cases kept offline and items waiting to sync. Sync as soon as you have a signal.");
      if (e.quota && e.usage / e.quota > 0.9) text.push("This device is nearly out of space for Homeward. Sync, and remove cases you no longer need from the device.");
      warnings.forEach(function (w) { w.textContent = text.join(" "); w.hidden = !text.length; });
    });
  }

  // The service worker served the copy kept here (sw.js open()): say so, and when it was kept.
  function keptCopy() {
    var at = new Date(document.body.dataset.keptAt || NaN), main = document.getElementById("main");
    // Not on the family's screens: they are for the family, in their own language.
    if (isNaN(at) || !main || document.querySelector("[data-family-lock]")) return;
    var time = at.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    var p = Object.assign(document.createElement("p"), { className: "flash flash-warning", textContent: "This is the copy kept on this device at " +
      (at.toDateString() === new Date().toDateString() ? time : when(at)) + "; it may be out of date." });
    p.setAttribute("role", "status");
    main.prepend(p);
  }

  // "Edit and retry": the form opens with the refused item's values and its id, so the
  // corrected item replaces it instead of becoming a second one.
  function restoreRetry() {
    var id = new URLSearchParams(location.search).get("retry");
    var forms = document.querySelectorAll("form[data-offline]");
    if (!id || !forms.length) return;
    var op;
    store(OUTBOX, "readonly", function (s) { return s.get(id); }).then(function (found) {
      op = found;
      return op ? fieldsOf(op) : null;
    }).then(function (fields) {
      if (!fields) return;
      // A page may hold several forms (a stage page: add, judge, finalise): reopen the one sent.
      var form = Array.prototype.find.call(forms, function (f) {
        var action = new URL(f.action, location.href);
        return action.pathname + action.search === op.target;
      }) || forms[0];
      // The corrected item takes the refused one's place: under its id, or, when that id was used
      // for another form, under a new one (the refused item goes once the new one is kept or sent).
      if (op.idUsed) form.dataset.replaces = op.id; else form.dataset.retry = op.id;
      fields.forEach(function (pair) {
        // The page just came from Homeward with the record's current version: the worker sees
        // their values and the reason beside them, so sending again must not clash a second time.
        var field = pair[0] === "base_version" || (op.idUsed && form.elements[pair[0]] === form.querySelector(NEW_ID)) ? null : form.elements[pair[0]];
        if (!field) return;
        if (field.length && !field.tagName) {
          Array.prototype.forEach.call(field, function (f) { if (f.type === "checkbox" || f.type === "radio") f.checked = f.value === pair[1]; });
        } else if (field.type === "checkbox") field.checked = true;
        else field.value = pair[1];
      });
      note(form, "This was not saved: " + op.message, "warning");
    });
  }

  // A conflict settled (or about to be) no longer needs attention on this device.
  document.addEventListener("submit", function (event) {
    var id = event.target.dataset && event.target.dataset.settles;
    if (id) remove(OUTBOX, id).then(changed);
  });
  document.querySelectorAll("[data-conflict-settled]").forEach(function (el) {
    remove(OUTBOX, el.dataset.conflictSettled).then(changed).then(refresh);
  });

  // ---- Start -------------------------------------------------------------------------------
  // Without a worker (a private window, an old browser) pages still work online.
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(function () {});
  // A logged-in page online gets the key (after a second user's arrival has cleared the first's).
  if (document.body.dataset.userId && navigator.onLine) unlocking = (switched ? clearDevice() : Promise.resolve()).then(unlockOnline);
  else if (switched) clearDevice();
  // Use keeps the key; after the idle time the service worker forgets it, and a page showing
  // kept details offline makes way for the PIN screen; online, for what Homeward sends then (the
  // login page once the session has ended too), except on the family's screens, whose turn goes on.
  // Online, a page with a form typed into stays: Save then keeps what was typed in the Outbox
  // until the worker logs in again (a reload would lose it).
  // Checked every third of the idle time at most (20 s for the usual half hour), and use counts
  // for half of it at most (30 s): a short idle time is noticed as soon as it passes.
  var IDLE_MS = +body.idleMs || 1800000, IDLE_CHECK_MS = Math.min(20000, Math.max(1000, IDLE_MS / 3)), IN_USE_MS = Math.min(30000, IDLE_MS / 2);
  ["keydown", "pointerdown"].forEach(function (type) { document.addEventListener(type, function () { lastInput = Date.now(); }, true); });
  function typed() {
    return Array.prototype.some.call(document.querySelectorAll("form[data-offline] :is(input:not([type=hidden]), textarea, select)"), function (el) {
      return /^(checkbox|radio)$/.test(el.type) ? el.checked !== el.defaultChecked
        : el.tagName === "SELECT" ? Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; }) : el.value !== el.defaultValue;
    });
  }
  setInterval(function () {
    toWorker({ active: Date.now() - lastInput < IN_USE_MS }).then(function (k) {
      if (!k && deviceKey && (!navigator.onLine || (k === false && !typed() && !("familyMode" in body)))) { deviceKey = null; location.reload(); }
    });
  }, IDLE_CHECK_MS);
  document.addEventListener("submit", function (event) {
    var form = event.target, error = form.querySelector("[data-unlock-error]");
    if (!form.matches("form[data-unlock]")) return;
    event.preventDefault();
    unlockWithPin(form.elements.pin.value).then(function () {
      localStorage.removeItem(TRIES);
      if (location.pathname === "/unlock") location.assign("/outbox"); else location.reload();
    }, function () {
      var none = !localStorage.getItem(LOCK), tries = none ? 5 : +localStorage.getItem(TRIES) + 1;
      localStorage.setItem(TRIES, tries);
      // Five wrong PINs: what the key opened goes (the outbox stays, sealed for Homeward).
      if (tries >= 5) { localStorage.removeItem(LOCK); caches.delete(PAGES_CACHE); }
      error.textContent = tries >= 5
        ? "This device holds no key your PIN can open, so kept pages cannot open without a signal. Items waiting in the Outbox are safe."
        : "That is not your Worker PIN. " + (5 - tries) + " tries left.";
      error.hidden = false;
      form.elements.pin.setAttribute("aria-invalid", "true");
      form.elements.pin.value = "";
    });
  });
  document.querySelectorAll("form[data-offline]").forEach(function (form) {
    // A page kept on the device is the same every time it opens: each new record needs its own
    // id. A form re-shown with errors keeps its id, so correcting it cannot make a duplicate.
    // A form re-shown with errors shows what was sent, not what Homeward holds: it goes without
    // `shown`, and the server falls back on its base_version.
    // data-offline-shown: a new record's form that also changes others (a review's earlier tasks).
    if (!form.querySelector(".field-error")) { freshId(form); if (form.dataset.offline === "edit" || form.hasAttribute("data-offline-shown")) markShown(form); }
  });
  // A date defaulting to today on a page kept on the device and opened on a later day.
  document.querySelectorAll("input[data-today]").forEach(function (el) { if (el.value < localDay()) el.value = el.max = localDay(); });
  document.querySelectorAll("[data-offline-case]").forEach(showCase);
  keptCopy();
  restoreRetry();
  warnStorage();
  if (document.body.dataset.userId) fetchOutboxKey();
  window.addEventListener("online", sync);
  window.addEventListener("offline", refresh);
  setInterval(sync, SYNC_EVERY_MS);
  sync();
  // forget: what logging out clears (kept pages, the key; never the outbox), for family.js when
  // the family's wrong PINs end the worker's session.
  window.HomewardOffline = { sync: sync, refresh: refresh, unlock: unlockWithPin, forget: clearDevice };
})();
