// BASE feedback in family mode: one question at a time (DESIGN.md "Family mode"), so a young
// person on the sofa sees one thing to think about. Without this script every question shows on
// one page and the form still works; the server checks every question was answered.
(function () {
  "use strict";

  function makeButton(text, secondary) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (secondary) b.className = "secondary";
    return b;
  }

  function setUp(form) {
    var list = form.querySelector(".feedback-questions");
    var items = Array.prototype.slice.call(list.children);
    var save = form.querySelector("[data-save]");
    if (items.length < 2 || !save) return;
    var index = 0;
    var count = document.createElement("p");
    count.className = "question-count";
    count.setAttribute("aria-live", "polite");
    var nav = document.createElement("div");
    nav.className = "actions question-nav";
    // A family screen passes its own words, in its language (data-t-*); English otherwise.
    var t = form.dataset;
    var back = makeButton(t.tBack || "Back", true);
    var next = makeButton(t.tNext || "Next question", false);
    nav.appendChild(back);
    nav.appendChild(next);
    list.parentNode.insertBefore(count, list);
    list.parentNode.insertBefore(nav, list.nextSibling);
    list.classList.add("one-at-a-time"); // "Question 11 of 11" says it: no list number beside it

    function show(i, moveFocus) {
      index = i;
      items.forEach(function (item, n) { item.hidden = n !== i; });
      count.textContent = (t.tCount || "Question {number} of {total}").replace("{number}", i + 1).replace("{total}", items.length);
      back.hidden = i === 0;
      next.hidden = i === items.length - 1;
      save.hidden = i !== items.length - 1;
      if (moveFocus) {
        var first = items[i].querySelector("input:checked") || items[i].querySelector("input");
        if (first) first.focus();
      }
    }
    back.addEventListener("click", function () { show(index - 1, true); });
    next.addEventListener("click", function () { show(index + 1, true); });
    // After a refused save, start at the first question that still needs an answer.
    var firstError = items.findIndex(function (item) { return item.querySelector(".field-error"); });
    show(firstError >= 0 ? firstError : 0, false);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-one-at-a-time]").forEach(setUp);
  });
})();
