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
    var start = area.selectionStart || 0;
    var end = area.selectionEnd || start;
    var before = area.value.slice(0, start);
    var spacer = before && !/\s$/.test(before) ? " " : "";
    var mention = spacer + "@" + handle + " ";
    area.value = before + mention + area.value.slice(end);
    var caret = start + mention.length;
    area.focus();
    area.setSelectionRange(caret, caret);
    picker.value = "";
  }
  function enhance() {
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
