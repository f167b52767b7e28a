// Homeward service worker: hand-written, no build step (see docs/offline.md).
// app/pwa/routes.py serves this file at /sw.js and fills in the three constants below; the
// version changes whenever a shell file changes, which makes the browser install this worker
// again (it compares the script byte for byte on every navigation, since /sw.js is no-cache).
"use strict";

var VERSION = "__VERSION__";
var SHELL = ["__SHELL__"];
var MAX_AGE_HOURS = "__MAX_AGE_HOURS__";
var IDLE_MS = "__IDLE_MINUTES__" * 60000;
var HEADERS = {"__HEADERS__": ""}; // Homeward's security headers (app/pwa/routes.py)

var SHELL_CACHE = "homeward-shell-" + VERSION; // layout, CSS, JS, icons, offline page
var PAGES_CACHE = "homeward-pages"; // pages of cases taken offline; emptied at logout
var NAVIGATION_TIMEOUT_MS = 3000; // a page with a kept copy to show instead
var UNKEPT_TIMEOUT_MS = 15000; // a page with nothing kept: only the offline page to show instead

// Kept pages are encrypted (AES-GCM) under the worker's device key. The key lives only here, in
// memory, handed over by a page (offline.js: from Homeward online, or unwrapped with the Worker
// PIN). It goes when the browser stops this worker (every tab closed), on logout, or after
// IDLE_MS without use; offline, a kept page then shows the PIN screen (/unlock).
var deviceKey = null, lastUsed = 0;
// While the family has the tablet, family.js names their screens ("/family/<case>/"): a kept page
// elsewhere (the worker's own, which may hold a young person's private words) is not opened.
// Kept in Cache Storage, not in memory: the browser stops an idle worker (the tablet asleep on the
// sofa) and starts a fresh one, which must still know.
var FAMILY_CACHE = "homeward-family", FAMILY_LOCK = "/family-lock";
function familyOnly() {
  return caches.match(FAMILY_LOCK, { cacheName: FAMILY_CACHE }).then(function (lock) { return lock ? lock.text() : ""; });
}
function setFamily(prefix) {
  return caches.open(FAMILY_CACHE).then(function (c) { return prefix ? c.put(FAMILY_LOCK, new Response(prefix)) : c.delete(FAMILY_LOCK); });
}
// Forgotten after the idle time it is `false`, not null (never given, or this worker restarted):
// offline.js then takes an open page off the screen online too.
function key() {
  if (deviceKey && Date.now() - lastUsed > IDLE_MS) deviceKey = false;
  return deviceKey;
}
self.addEventListener("message", function (event) {
  var d = event.data || {};
  if (d.key) { deviceKey = d.key; lastUsed = Date.now(); }
  if (d.lock) deviceKey = null;
  if (d.active && key()) lastUsed = Date.now();
  // The answer waits until the family lock is stored: family.js navigates once it has it.
  var answer = function () { if (event.ports[0]) event.ports[0].postMessage(key()); };
  if (typeof d.family === "string") event.waitUntil(setFamily(d.family).then(answer, answer));
  else answer();
});
function aad(request) { return new TextEncoder().encode(new URL(request.url).pathname + new URL(request.url).search); }
function unb64(text) { return Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); }); }
// A kept copy as the browser can show it: decrypted, or the PIN screen while locked.
function open(request, kept) {
  return familyOnly().then(function (only) {
    return only && new URL(request.url).pathname.indexOf(only) !== 0 ? offlinePage() : unseal(request, kept);
  });
}
function unseal(request, kept) {
  var iv = kept.headers.get("X-Sealed");
  // The Outbox's copy is not sealed; it is marked kept all the same (with no time: its lists are
  // filled in here), or family.js would take it for a page Homeward has just sent.
  if (!iv) return kept.text().then(function (html) { return new Response(html.replace(/<body\b/, '<body data-kept-at=""'), { headers: kept.headers }); });
  if (!key()) return caches.match("/unlock", { cacheName: SHELL_CACHE, ignoreVary: true });
  return kept.arrayBuffer().then(function (data) {
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(iv), additionalData: aad(request) }, deviceKey, data);
  }).then(function (html) {
    var date = kept.headers.get("Date");
    var headers = Object.assign({ "Content-Type": "text/html; charset=utf-8", "Date": date }, HEADERS);
    // Served instead of Homeward (no signal, slow, or failing): the page says it is the kept
    // copy and when it was taken (offline.js), even while the header says "Online".
    html = new TextDecoder().decode(html).replace(/<body\b/, '<body data-kept-at="' + date + '"');
    return new Response(html, { headers: headers });
  }, function () { return caches.match("/unlock", { cacheName: SHELL_CACHE, ignoreVary: true }); });
}
// A fresh page to keep, encrypted; without the key it is not kept (the old copy stays).
function sealPage(request, response) {
  if (!key()) return Promise.resolve(null);
  var iv = crypto.getRandomValues(new Uint8Array(12));
  return response.arrayBuffer().then(function (html) {
    return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: aad(request) }, deviceKey, html);
  }).then(function (data) {
    return new Response(data, { headers: { "X-Sealed": btoa(String.fromCharCode.apply(null, iv)), "Date": response.headers.get("Date") || new Date().toUTCString() } });
  });
}

self.addEventListener("install", function (event) {
  // cache: "reload" skips the HTTP cache, so a new version never precaches an old file.
  var requests = SHELL.map(function (url) { return new Request(url, { cache: "reload" }); });
  event.waitUntil(
    caches.open(SHELL_CACHE)
      // A release installed again (a rollback) is current, not retired.
      .then(function (cache) { return cache.delete(RETIRED).then(function () { return cache.addAll(requests); }); })
      // A new worker normally waits until every tab of the old one closes; the shell files
      // are versioned by URL, so taking over at once cannot mix old and new files.
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    // Pages wait for activation, so the Outbox's new copy gets a few seconds at most, and nothing
    // that fails here keeps the worker from taking over.
    Promise.race([refreshOutbox(), timeout(NAVIGATION_TIMEOUT_MS)])
      .catch(function () { return null; })
      .then(sweep)
      .catch(function () { return null; })
      // Without claim() the page that registered the worker stays uncontrolled until reload.
      .then(function () { return self.clients.claim(); })
  );
});

// An older version's shell: a case page kept under it links that version's files (their URLs
// carry its hashes), and offline nothing else holds them; so it stays until no such page can be
// opened, that is until the longest a case copy is kept has passed since a newer version took
// over (RETIRED records when), and goes at once when no case is kept. Run on activation and with
// every sweep.
var RETIRED = "/retired-shell";
function retireOldShells() {
  return caches.keys().then(function (names) {
    var old = names.filter(function (name) { return name.indexOf("homeward-shell-") === 0 && name !== SHELL_CACHE; });
    // Most navigations find none: the kept pages are read only when there is a shell to keep.
    return old.length ? keptUnderOldShell().then(function (needed) { return Promise.all(old.map(function (name) { return retire(name, needed); })); }) : null;
  });
}
function retire(name, needed) {
  if (!needed) return caches.delete(name);
  // Opened only if still there: a sweep running alongside may have just deleted it.
  return caches.has(name).then(function (has) { return has && caches.open(name); }).then(function (shell) {
    if (!shell) return null;
    return shell.match(RETIRED).then(function (since) {
      if (!since) return shell.put(RETIRED, new Response("", { headers: { "Date": new Date().toUTCString() } }));
      if (!isFresh(since)) return caches.delete(name);
    });
  });
}
// Whether a kept page may link an older shell: any case copy, or an Outbox copy this version has
// not fetched again (its copy is not sealed, so its links can be read).
function keptUnderOldShell() {
  return caches.has(PAGES_CACHE).then(function (has) {
    if (!has) return false; // opening would re-create the cache logging out deleted
    return caches.open(PAGES_CACHE).then(function (pages) {
      return pages.keys().then(function (requests) {
        var outbox = requests.filter(function (request) { return new URL(request.url).pathname === "/outbox"; });
        if (outbox.length < requests.length) return true;
        if (!outbox.length) return false;
        return pages.match(outbox[0]).then(function (page) { return page ? page.text() : ""; }).then(function (html) {
          return SHELL.some(function (url) { return url.indexOf("/static/css/") === 0 && html.indexOf(url) < 0; });
        });
      });
    });
  });
}
// The Outbox page is kept with no age limit, so a new version fetches it again at once (online:
// it has just fetched its shell) instead of keeping a copy that links the old version's files.
function refreshOutbox() {
  return caches.match("/outbox", { cacheName: PAGES_CACHE, ignoreVary: true }).then(function (old) {
    if (!old) return null;
    return fetch("/outbox", { credentials: "same-origin", headers: { "X-Homeward-Refresh": "1" } }).then(function (response) {
      if (!response.ok || response.redirected) return null;
      // Still kept? Logging out meanwhile deleted the pages cache, which must not come back.
      return caches.has(PAGES_CACHE).then(function (has) { return has && keepOutbox("/outbox", response); });
    }).catch(function () { return null; });
  });
}
// The Outbox page opens even while locked, so its copy keeps no one's details: its lists are
// filled in on the device, and the server's conflict lists are left out.
function keepOutbox(request, response) {
  return response.text().then(function (html) {
    var page = new Response(html.replace(/<!--private-->[\s\S]*?<!--\/private-->/g, ""), { headers: response.headers });
    return caches.open(PAGES_CACHE).then(function (pages) { return pages.put(request, page); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  // Only our own GETs. Form posts go to the network as they are: when they fail, the page's
  // offline script keeps them in the outbox, which is the only place a change may wait.
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // htmx fragments are parts of pages: storing one as a page would show half a page offline.
  if (request.headers.get("HX-Request")) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    if (key()) lastUsed = Date.now();
    event.respondWith(networkFirst(request));
    event.waitUntil(sweep());
  }
});

// Static URLs carry a hash of their content (?v=...), so a cached copy is never out of date.
function cacheFirst(request) {
  return caches.match(request).then(function (cached) {
    if (cached) return cached;
    return fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(SHELL_CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

function timeout(ms) {
  return new Promise(function (resolve, reject) {
    setTimeout(function () { reject(new Error("timeout")); }, ms);
  });
}

// Case copies past their age are deleted whether or not anyone opens them: on activation and on
// every page opened (a worker has no timers it can rely on: the browser stops it when idle). The
// Outbox page is never deleted: it must open offline.
function sweep() {
  return caches.has(PAGES_CACHE).then(function (has) {
    if (!has) return null; // opening would re-create the cache logging out deleted
    return caches.open(PAGES_CACHE).then(function (pages) {
      return pages.keys().then(function (requests) {
        return Promise.all(requests.map(function (request) {
          if (new URL(request.url).pathname === "/outbox") return null;
          return pages.match(request).then(function (page) { if (page && !isFresh(page)) return pages.delete(request); });
        }));
      });
    });
  }).then(retireOldShells);
}

function isFresh(response) {
  var date = Date.parse(response.headers.get("date") || "");
  return !isNaN(date) && Date.now() - date < MAX_AGE_HOURS * 3600 * 1000;
}

// Pages: the network when it answers within a few seconds (a weak signal in a living room
// should not leave the worker staring at a spinner), else the copy kept on the device, else
// the offline page. Only pages already kept (cases taken offline, the Outbox) are refreshed.
// A page with no kept copy to show waits longer (a manager's scorecard on a busy server takes
// more than a few seconds, and the offline page would tell them they are offline); a file to
// download (a scorecard's PDF, a CSV) is never kept and waits for Homeward as long as it takes.
var DOWNLOAD = /\.(pdf|csv|zip)$/;
function networkFirst(request) {
  // caches.match with cacheName, not caches.open: opening would re-create the pages cache that
  // logging out has just deleted.
  var kept = caches.match(request, { cacheName: PAGES_CACHE, ignoreVary: true }); // Vary: Cookie is invisible here
  var path = new URL(request.url).pathname, network = fetch(request);
  return kept.then(function (old) {
    if (DOWNLOAD.test(path)) return network;
    return Promise.race([network, timeout(showable(old, path) ? NAVIGATION_TIMEOUT_MS : UNKEPT_TIMEOUT_MS)]);
  }).then(function (response) {
    return kept.then(function (old) {
      if (response.status >= 500 && old && isFresh(old)) return open(request, old); // Homeward is failing: the kept copy
      var outbox = path === "/outbox";
      // X-Device-Keep: never: a page only its reader may see (a young person's private words).
      if (response.ok && !response.redirected && (old || outbox) && response.headers.get("X-Device-Keep") !== "never") {
        var copy = response.clone();
        if (outbox) keepOutbox(request, copy);
        else sealPage(request, copy).then(function (page) {
          if (page) return caches.open(PAGES_CACHE).then(function (pages) { return pages.put(request, page); });
        });
      }
      return response;
    });
  }).catch(function () {
    return kept.then(function (old) {
      if (showable(old, path)) return open(request, old);
      if (old) caches.open(PAGES_CACHE).then(function (pages) { pages.delete(request); }); // past the limit
      // The PIN screen, asked for by name (the locked Outbox links it), is in the shell.
      if (path === "/unlock") return caches.match("/unlock", { cacheName: SHELL_CACHE, ignoreVary: true }).then(function (page) { return page || offlinePage(); });
      return offlinePage();
    });
  });
}
// A kept copy shown in Homeward's place: within its age limit (the Outbox's has none).
function showable(old, path) {
  return old && (isFresh(old) || path === "/outbox");
}
function offlinePage() {
  return caches.match("/offline", { cacheName: SHELL_CACHE, ignoreVary: true }).then(function (page) {
    return page || new Response("You are offline.", { status: 503, headers: { "Content-Type": "text/plain" } });
  });
}
