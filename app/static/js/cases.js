// Cases: small conveniences on forms that already work without JavaScript (the server checks
// everything again). Loaded with `defer` from the case forms only.
(function () {
  "use strict";

  // Contact form: a missed visit ("no access") has nobody present and no direct time, so those
  // fields are set aside while "Missed" is chosen; the server clears them anyway.
  function syncMissed(form) {
    var missed = form.querySelector("#outcome-missed");
    if (!missed) return;
    var off = missed.checked;
    form.querySelectorAll("#present input, #young_person_seen, #seen_alone, #direct_minutes").forEach(function (el) {
      el.disabled = off;
    });
  }

  // Step form: show only the destination list for the chosen direction.
  function syncDirection(form) {
    var up = form.querySelector("#direction-up");
    var down = form.querySelector("#direction-down");
    if (!up || !down || (!up.checked && !down.checked)) return;
    var upField = form.querySelector("#destination_up");
    var downField = form.querySelector("#destination_down");
    if (upField) upField.closest(".field").hidden = !up.checked;
    if (downField) downField.closest(".field").hidden = !down.checked;
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || !form.classList.contains("case-form")) return;
    syncMissed(form);
    syncDirection(form);
  });
  // Case page "Needs doing": how many items for this case wait in this device's outbox (kept by
  // offline.js; only op targets and user ids are read, never the sealed fields). Opening an outbox
  // that does not exist yet is aborted, so offline.js still creates it as its own.
  function countWaiting(el) {
    if (!window.indexedDB) return;
    var req = indexedDB.open("homeward");
    req.onupgradeneeded = function () { req.transaction.abort(); };
    req.onsuccess = function () {
      var db = req.result;
      if (!db.objectStoreNames.contains("outbox")) return db.close();
      var all = db.transaction("outbox").objectStore("outbox").getAll();
      all.onsuccess = function () {
        var me = document.body.dataset.userId, prefix = el.dataset.caseWaiting;
        var n = all.result.filter(function (op) {
          return String(op.user_id) === me && op.target && op.target.indexOf(prefix) === 0;
        }).length;
        db.close();
        el.textContent = n + (n === 1 ? " item" : " items") + " for this case saved on this device, waiting to sync.";
        el.hidden = !n;
      };
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.case-form").forEach(function (form) {
      syncMissed(form);
      syncDirection(form);
    });
    document.querySelectorAll("[data-case-waiting]").forEach(countWaiting);
  });
})();
