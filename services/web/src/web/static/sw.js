// Cerchia's service worker: shows web push notifications and opens the right page on click.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: event.data && event.data.text() }; }
  var title = data.title || "Cerchia";
  var options = { body: data.body || "", tag: data.tag || undefined, data: { url: data.url || data.link || "/notifications" } };
  event.waitUntil(self.registration.showNotification(title, options));
});
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL(event.notification.data && event.notification.data.url || "/notifications", self.location.origin);
  if (target.origin !== self.location.origin) { target = new URL("/notifications", self.location.origin); }
  event.waitUntil(clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (open) {
    for (var i = 0; i < open.length; i++) {
      if (open[i].url === target.href && "focus" in open[i]) { return open[i].focus(); }
    }
    return clients.openWindow(target.href);
  }));
});
