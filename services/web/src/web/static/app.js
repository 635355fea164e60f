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

// Web push on the preferences page: register the service worker, subscribe with the platform's
// VAPID key and hand the subscription to the server (which passes it to the platform).
(function () {
  "use strict";
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"]; } catch (e) { return ""; }
  }
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  function post(path, body) {
    return fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body)
    });
  }
  function setUp() {
    var section = document.getElementById("push");
    if (!section || !("serviceWorker" in navigator) || !("PushManager" in window) || !section.dataset.vapidKey) { return; }
    var state = document.getElementById("push-state");
    section.hidden = false;
    function show(message) { state.textContent = section.dataset[message]; }
    navigator.serviceWorker.register("/sw.js").then(function (registration) {
      return registration.pushManager.getSubscription().then(function (current) { show(current ? "on" : "off"); return registration; });
    }).then(function (registration) {
      document.getElementById("push-on").addEventListener("click", function () {
        Notification.requestPermission().then(function (permission) {
          if (permission !== "granted") { show("denied"); return; }
          return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(section.dataset.vapidKey) })
            .then(function (subscription) { return post("/notifications/push/subscribe", subscription.toJSON()); })
            .then(function (response) { show(response.ok ? "on" : "failed"); });
        }).catch(function () { show("failed"); });
      });
      document.getElementById("push-off").addEventListener("click", function () {
        registration.pushManager.getSubscription().then(function (subscription) {
          if (!subscription) { show("off"); return; }
          return post("/notifications/push/unsubscribe", { endpoint: subscription.endpoint })
            .then(function () { return subscription.unsubscribe(); })
            .then(function () { show("off"); });
        }).catch(function () { show("failed"); });
      });
    }).catch(function () { show("failed"); });
  }
  document.addEventListener("DOMContentLoaded", setUp);
  // The service worker on every page: it keeps the offline page, which makes the app installable.
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js").catch(function () {}); });
  }
})();

// Copy buttons (`data-copy` names the readonly input to copy): shown only where the clipboard
// works; without them the input's text is selected and copied by hand.
(function () {
  "use strict";
  function setUp() {
    if (!navigator.clipboard) { return; }
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var input = document.getElementById(button.dataset.copy);
      if (!input) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        input.select();
        navigator.clipboard.writeText(input.value).then(function () {
          if (button.dataset.copied) { button.textContent = button.dataset.copied; }
        }).catch(function () {});
      });
    });
  }
  document.addEventListener("DOMContentLoaded", setUp);
})();
