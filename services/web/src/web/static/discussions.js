// Discussions, progressive enhancement only: the member picker inserts "@handle " where the
// cursor is. Without JavaScript the picked handle is posted in its own field and the server adds it.
(function () {
  "use strict";
  function insertMention(button) {
    var id = button.getAttribute("data-insert-mention");
    var area = document.getElementById(id);
    var picker = document.getElementById(id + "-mention");
    if (!area || !picker) { return; }
    var handle = picker.value.trim().replace(/^@+/, "");
    if (!handle) { picker.focus(); return; }
    // Where the writer left the cursor (kept when focus moved to the picker), else the end.
    var start = area.dataset.caret ? Number(area.dataset.caret) : area.value.length;
    var end = area.dataset.caretEnd ? Number(area.dataset.caretEnd) : start;
    start = Math.min(start, area.value.length);
    end = Math.min(Math.max(end, start), area.value.length);
    var before = area.value.slice(0, start);
    var spacer = before && !/\s$/.test(before) ? " " : "";
    var mention = spacer + "@" + handle + " ";
    area.value = before + mention + area.value.slice(end);
    var caret = start + mention.length;
    area.focus();
    area.setSelectionRange(caret, caret);
    remember(area);
    picker.value = "";
  }
  function remember(area) {
    area.dataset.caret = String(area.selectionStart);
    area.dataset.caretEnd = String(area.selectionEnd);
  }
  function enhance() {
    document.querySelectorAll("textarea[name=body]").forEach(function (area) {
      ["blur", "keyup", "click", "input"].forEach(function (name) {
        area.addEventListener(name, function () { remember(area); });
      });
    });
    document.querySelectorAll("button[data-insert-mention]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { insertMention(button); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
