// Signs of Safety screens: the drawing canvas for the three houses, and a gentle jargon hint
// beside statement fields. The pages work without this file; it only adds to them.
(function () {
  "use strict";

  function setUpDrawing(box) {
    var canvas = box.querySelector("[data-canvas]");
    var output = box.querySelector("[data-drawing-value]");
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    box.hidden = false;
    context.lineWidth = 5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1b2428";

    // Pointer events cover finger, stylus and mouse alike; the canvas is scaled by CSS, so
    // positions are mapped back to its own pixel grid.
    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: (event.clientX - rect.left) * canvas.width / rect.width, y: (event.clientY - rect.top) * canvas.height / rect.height };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      context.lineTo(p.x + 0.1, p.y + 0.1);
      context.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
    });
    function stop() {
      if (!drawing) return;
      drawing = false;
      output.value = drawn ? canvas.toDataURL("image/png") : "";
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    function clear() {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      output.value = "";
    }
    box.querySelector("[data-clear-drawing]").addEventListener("click", clear);
    // A form sent back with a problem beside another field keeps its drawing: drawn again here.
    if (output.value) {
      var kept = new Image();
      kept.onload = function () { context.drawImage(kept, 0, 0, canvas.width, canvas.height); drawn = true; };
      kept.src = output.value;
    }
    // Saved on the device, the form is reset for the next entry: a hidden field keeps its value
    // through a reset, so the drawing would otherwise go again with the next one.
    if (output.form) output.form.addEventListener("reset", clear);
  }

  // Labels that hide what happens; the server gives the same hint after saving (rules.JARGON).
  var JARGON = ["neglect", "domestic abuse", "domestic violence", "substance misuse", "mental health", "poor parenting", "risky behaviour", "disengaged", "volatile"];

  function setUpJargon(box) {
    var field = document.getElementById(box.getAttribute("data-jargon-for"));
    if (!field) return;
    var timer = null;
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = field.value.toLowerCase();
        var found = JARGON.filter(function (word) { return text.indexOf(word) !== -1; });
        box.textContent = "";
        if (found.length) {
          var p = document.createElement("p");
          p.className = "flash flash-warning";
          p.textContent = "\u201c" + found[0] + "\u201d is a label: try describing what actually happens instead.";
          box.appendChild(p);
        }
      }, 400);
    });
  }

  // What the map and the scales show of waiting items: the fields the form names in
  // data-offline-show, which offline.js keeps in the item's encrypted box (op.show), or the item's
  // own fields when it is not sealed. Nothing of it is kept in clear (docs/offline.md).
  var OLD = "homeward.summary.sos."; // where earlier versions noted them, in clear: removed
  Object.keys(sessionStorage).forEach(function (key) { if (key.indexOf(OLD) === 0) sessionStorage.removeItem(key); });
  function shown(op) {
    var values = {};
    if (op.fields) op.fields.forEach(function (pair) { values[pair[0]] = pair[1]; });
    return op.fields ? values : op.show || {};
  }
  function when(iso) {
    return new Date(iso).toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  document.addEventListener("homeward:outbox", function (event) {
    var waiting = event.detail.filter(function (op) { return op.status === "waiting"; });
    showRatings(waiting);
    showItems(waiting);
  });

  // Offline, the scales page was kept before the visit: the ratings saved on this device since are
  // shown in a table of their own, marked as waiting, until they sync and join the chart.
  function showRatings(waiting) {
    var box = document.querySelector("[data-waiting-ratings]");
    if (!box) return;
    var target = box.getAttribute("data-waiting-ratings"), body = box.querySelector("tbody");
    var rows = waiting.filter(function (op) { return op.target === target; }).map(function (op) {
      var values = shown(op), tr = document.createElement("tr");
      var rater = values.rater && document.querySelector("[data-rater=\"" + values.rater.replace(/["\\]/g, "") + "\"]");
      [rater ? rater.getAttribute("data-rater-name") : op.label, values["score-0"] || "Not shown", "Waiting to sync", when(op.time)].forEach(function (text, i) {
        var cell = document.createElement(i ? "td" : "th");
        if (!i) cell.scope = "row";
        cell.textContent = text;
        tr.appendChild(cell);
      });
      return tr;
    });
    body.replaceChildren.apply(body, rows);
    box.hidden = !rows.length;
  }

  // Offline, the map kept on the device shows the items added since under their headings, each
  // marked as waiting, until they reach Homeward.
  function showItems(waiting) {
    var map = document.querySelector("[data-sos-items]");
    if (!map) return;
    var target = map.getAttribute("data-sos-items");
    map.querySelectorAll("[data-waiting-item]").forEach(function (li) { li.remove(); });
    waiting.forEach(function (op) {
      var values = shown(op), category = (values.category || "").replace(/[^a-z_]/g, "");
      var list = op.target === target && category && document.querySelector("#" + category + " .sos-items");
      if (!list) return;
      var li = document.createElement("li");
      li.className = "sos-item";
      li.setAttribute("data-waiting-item", "");
      [values.text, values.goal, "Saved on this device, waiting to sync"].forEach(function (text, i) {
        if (text) li.appendChild(Object.assign(document.createElement("p"), { textContent: text, className: i === 2 ? "sos-meta" : "" }));
      });
      list.appendChild(li);
    });
    map.querySelectorAll(".sos-items").forEach(function (list) {
      var empty = list.querySelector(".sos-empty");
      if (empty) empty.hidden = !!list.querySelector("[data-waiting-item]");
    });
  }

  // The offline script sends text fields only, so a chosen photo travels as a data URL. It is put
  // in the form only while the form is being sent (capture phase, before the offline script reads
  // it): the ordinary post, used to show errors, carries the file itself.
  function setUpPhoto(input) {
    var output = input.form.querySelector("[data-photo-value]"), data = "";
    input.addEventListener("change", function () {
      data = "";
      var file = input.files && input.files[0], reader = new FileReader();
      if (!file) return;
      reader.onload = function () { data = String(reader.result); };
      reader.readAsDataURL(file);
    });
    input.form.addEventListener("submit", function () {
      output.value = data;
      setTimeout(function () { output.value = ""; }, 0);
    }, true);
    input.form.addEventListener("reset", function () { data = ""; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The offline script may have told the page what waits before this script was ready.
    if (window.HomewardOffline && document.querySelector("[data-sos-items], [data-waiting-ratings]")) window.HomewardOffline.refresh();
    Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-photo]"), setUpPhoto);
    Array.prototype.forEach.call(document.querySelectorAll("[data-drawing]"), setUpDrawing);
    Array.prototype.forEach.call(document.querySelectorAll("[data-jargon-for]"), setUpJargon);
  });
})();
