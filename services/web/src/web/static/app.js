// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Sign-up and profile forms: preselect the browser's time zone unless one was chosen.
  function preselectZone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    document.querySelectorAll("select[data-browser-zone]:not([data-chosen])").forEach(function (select) {
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === zone) { select.selectedIndex = i; break; }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", preselectZone);
})();
