// Cerchia's service worker: shows web push notifications and opens the right page on click,
// and shows the offline page when a page cannot be reached. Pages are never cached: they are
// personal; only the offline page (anonymous) and its assets are kept.
var OFFLINE_URLS = [];
var CACHE = "cerchia-offline " + OFFLINE_URLS.join(" ");
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(OFFLINE_URLS); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return caches.match("/offline"); }));
  } else if (OFFLINE_URLS.indexOf(new URL(request.url).pathname) > 0) {
    event.respondWith(caches.match(request).then(function (kept) { return kept || fetch(request); }));
  }
});
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
