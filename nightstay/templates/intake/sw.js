// The intake service worker (version {{ assets.version }}). It keeps, for use with no signal,
// the intake page without its waiting list (the phone holds no guest's data in its cache) and
// the page's own css and scripts. Registrations made meanwhile wait in IndexedDB, encrypted,
// sent by intake.js. Nothing else passes through here.
var CACHE = "nightstay-intake-{{ assets.version }}";
var ASSETS = {{ assets.urls|safe }};
var PAGE = /^\/intake\/[-\w]+\/$/;
var FRESH_MS = 10 * 60 * 1000;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

// The page without its list, fetched again at most every ten minutes while the signal is good.
function keepShell(path) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(path).then(function (kept) {
      var at = kept && Date.parse(kept.headers.get("Date"));
      if (at && Date.now() - at < FRESH_MS) return;
      return fetch(path + "?shell=1", { credentials: "same-origin", redirect: "error" }).then(function (response) {
        if (response.ok) return cache.put(path, response);
      });
    });
  }).catch(function () {});
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && PAGE.test(url.pathname)) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) event.waitUntil(keepShell(url.pathname));
      return response;
    }, function () {
      return caches.match(url.pathname, { cacheName: CACHE }).then(function (kept) { return kept || Response.error(); });
    }));
  } else if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then(function (kept) {
      return kept || fetch(request);
    }));
  }
});
