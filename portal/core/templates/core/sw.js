{% autoescape off %}"use strict";
// Mijn HartingBank's service worker. It keeps only static files (style sheet, script,
// icons) and the offline page, never a page of the portal: pages carry personal data
// and always come from the server.
const CACHE = "{{ cache_name }}";
const PRECACHE = {{ precache }};
const OFFLINE_URL = {{ offline_url }};
const STATIC_PREFIX = {{ static_prefix }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      // Without cookies: what is kept is the same for everyone.
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { credentials: "omit" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // A page: from the network, never from or into the cache; without a connection,
    // the offline page.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
    return;
  }
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    // A static file: the kept copy if there is one (nothing new is kept).
    event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
  }
});
{% endautoescape %}
