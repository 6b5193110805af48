// The messaging service worker: it shows a message pushed to this phone and opens its link on
// a tap. It keeps nothing and controls no page (its scope, /m/push/, holds none); the payload
// is what nightstay.messaging.channels.push sends: {title, body, url, tag}.
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function ownLink(url) {  // only ever open a page of this site
  try {
    var link = new URL(url, self.location.origin);
    return link.origin === self.location.origin ? link.href : self.location.origin + "/";
  } catch (e) {
    return self.location.origin + "/";
  }
}

self.addEventListener("push", function (event) {
  var data = {};
  if (event.data) {
    try { data = event.data.json(); } catch (e) { data = { body: event.data.text() }; }
  }
  event.waitUntil(self.registration.showNotification(data.title || "nightstay", {
    body: data.body || "", tag: data.tag || "", renotify: !!data.tag, data: { url: ownLink(data.url || "/") }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || self.location.origin + "/";
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (open) {
    for (var i = 0; i < open.length; i++) {
      if (open[i].url === url && "focus" in open[i]) return open[i].focus();
    }
    return self.clients.openWindow(url);
  }));
});
