// Hush's service worker: the app shell, cached under a name that is the build's, served
// offline. A new build installs beside the old one and waits: the page offers "Update
// available, reload", and only on that (or once no Hush tab is left) does it take over.
// `cargo xtask` fills in BUILD and SHELL when it builds the app.
const BUILD = '__HUSH_BUILD__';
const SHELL = __HUSH_SHELL__;
const CACHE = `hush-shell-${BUILD}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('hush-shell-') && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// The page asks a waiting build to take over when the user accepts the update.
self.addEventListener('message', (event) => {
  if (event.data === 'hush-update') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The relay's own endpoints are never cached.
  if (url.pathname === '/ws' || url.pathname.startsWith('/blobs/') || url.pathname === '/healthz'
    || url.pathname === '/metrics' || url.pathname === '/vapid-public-key') return;
  if (request.mode === 'navigate') {
    // This build's page, from the cache: the page and its code always match (the server may
    // already run a newer build, which arrives as an update).
    event.respondWith(caches.match('/', { cacheName: CACHE }).then((hit) => hit || fetch(request)));
    return;
  }
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
});
