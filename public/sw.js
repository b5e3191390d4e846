// Hush's service worker: the app shell, cached under a name that is the build's, served
// offline. A new build installs beside the old one and waits: the page offers "Update
// available, reload", and only on that (or once no Hush tab is left) does it take over.
//
// Woken by a push (which says only "wake up"), it does what a tab would: under the tabs' Web
// Lock it runs Hush's engine (its own wasm, never loaded by the page) to receive, store and
// acknowledge what waits on the relay, then notifies, one notification per chat.
// `cargo xtask` fills in BUILD, SHELL and the engine's file names when it builds the app.
const BUILD = '__HUSH_BUILD__';
const SHELL = __HUSH_SHELL__;
const CACHE = `hush-shell-${BUILD}`;

importScripts('__HUSH_WORKER_JS__');

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

// The page asks a waiting build to take over when the user accepts the update; the tab that
// owns the engine hands over notices (and says which chat was read).
self.addEventListener('message', (event) => {
  const data = event.data;
  if (data === 'hush-update') self.skipWaiting();
  else if (data?.type === 'hush-notify') event.waitUntil(show(data.notices));
  else if (data?.type === 'hush-read') event.waitUntil(clear(data.chat));
  else if (data?.type === 'hush-withdraw') event.waitUntil(withdraw(data.chat, data.ids));
});

self.addEventListener('push', (event) => event.waitUntil(woken()));

async function woken() {
  console.info('Hush: woken by a push');
  let notices;
  try {
    // A tab that owns Hush is connected (the relay pushes only to a device without a socket,
    // so this is a race) and notifies by itself: nothing to do here.
    notices = self.navigator.locks
      ? await self.navigator.locks.request('hush-owner', { ifAvailable: true }, (lock) =>
          // `hush-worker` tells a tab opening meanwhile to wait for the lock, not offer "Use here".
          lock ? self.navigator.locks.request('hush-worker', wake) : null,
        )
      : await wake();
  } catch (error) {
    // Nothing could be read (the relay unreachable, storage refused): say only that
    // something came.
    console.warn('Hush could not read the new messages:', error);
    await self.registration.showNotification('Hush', { body: (await texts()).one, tag: 'hush-new', icon: '/icons/icon-192.png' });
    return;
  }
  if (notices === null) {
    console.info('Hush: a tab owns the engine and notifies by itself');
    return;
  }
  // What the wake-up found deleted or expired takes its notification first.
  for (const { chat, ids } of notices.withdrawn) await withdraw(chat, ids);
  if (notices.notices.length === 0) console.info('Hush: woken, but nothing new to notify');
  else {
    await show(notices.notices);
    console.info(`Hush: notified (${notices.notices.length} chats)`);
  }
}

let engine = null;
async function wake() {
  if (!engine) {
    console.info('Hush: wake: loading the engine');
    // From this build's cache (the worker's own fetches skip its fetch handler).
    const code = '__HUSH_WORKER_WASM__';
    await wasm_bindgen({ module_or_path: caches.match(code, { cacheName: CACHE }).then((hit) => hit ?? fetch(code)) });
    engine = wasm_bindgen;
  }
  const relay = new URL('/ws', self.location.href);
  relay.protocol = relay.protocol === 'https:' ? 'wss:' : 'ws:';
  return engine.wake(relay.href);
}

// The most message ids one notification remembers (to withdraw it when they go).
const MAX_IDS = 100;

// One notification per chat (its tag), counting what it has announced until the chat is read,
// and listing the ids of the messages it announces.
async function show(notices) {
  const style = await noticeStyle();
  const words = await texts();
  for (const notice of notices) {
    const tag = `chat:${notice.chat}`;
    const [earlier] = await self.registration.getNotifications({ tag });
    const count = (earlier?.data?.count ?? 0) + notice.count;
    const ids = [...(earlier?.data?.ids ?? []), ...(notice.ids ?? [])].slice(-MAX_IDS);
    // Without the preview, the words stay out (as when a notification is withdrawn).
    const shown = style.preview ? notice.body : words.one;
    const body = count > 1 ? (style.preview ? `${shown}\n${many(words, count)}` : many(words, count)) : shown;
    await self.registration.showNotification(notice.title, {
      tag,
      renotify: true,
      silent: !style.sound,
      body,
      icon: (await avatar(notice.chat)) ?? '/icons/icon-192.png',
      data: { chat: notice.chat, count, ids },
    });
  }
}

// A contact's profile photo as the page kept it (decrypted and checked) in `hush-media`, as a
// data: URL (a worker has no blob: URLs); null for a group, or a contact without one.
async function avatar(chat) {
  try {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open('hush-media', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('media');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const blob = await new Promise((resolve, reject) => {
      const request = db.transaction('media').objectStore('media').get(`avatar:${chat}`);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    if (!(blob instanceof Blob)) return null;
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
    return `data:${blob.type};base64,${btoa(binary)}`;
  } catch {
    return null;
  }
}

// Settings' Message preview and Notification sound, as the page left them in the
// `hush-prefs` cache; both on when nothing (or something unreadable) is there.
async function noticeStyle() {
  try {
    const kept = await (await caches.open('hush-prefs')).match('/hush-prefs/notices');
    const { preview, sound } = kept ? await kept.json() : {};
    return { preview: preview !== 'off', sound: sound !== 'off' };
  } catch {
    return { preview: true, sound: true };
  }
}

// The words for a notification without a message's, as the page kept them in its language
// (src/text, through `hushPrefs.texts`); English only if Cache Storage kept nothing.
async function texts() {
  try {
    const kept = await (await caches.open('hush-prefs')).match('/hush-prefs/texts');
    const { one, many } = kept ? await kept.json() : {};
    if (typeof one === 'string' && typeof many === 'string') return { one, many };
  } catch {
    // Unreadable: the defaults below.
  }
  return { one: 'New message', many: '{count} new messages' };
}

const many = (words, count) => words.many.replace('{count}', String(count));

// Messages `ids` of `chat` were deleted or expired: a notification announcing only them
// closes; one announcing others too is shown again, quietly, without any message's words
// (the words it showed may be the gone message's).
async function withdraw(chat, ids) {
  const gone = new Set(ids ?? []);
  const words = await texts();
  for (const notification of await self.registration.getNotifications({ tag: `chat:${chat}` })) {
    const announced = notification.data?.ids ?? [];
    const left = announced.filter((id) => !gone.has(id));
    if (left.length === announced.length) continue;
    const count = Math.max(0, (notification.data?.count ?? announced.length) - (announced.length - left.length));
    if (left.length === 0 || count === 0) {
      notification.close();
      continue;
    }
    await self.registration.showNotification(notification.title, {
      tag: notification.tag,
      renotify: false,
      silent: true,
      body: count > 1 ? many(words, count) : words.one,
      icon: '/icons/icon-192.png',
      data: { chat, count, ids: left },
    });
  }
}

async function clear(chat) {
  for (const notification of await self.registration.getNotifications({ tag: `chat:${chat}` })) {
    notification.close();
  }
}

// A click opens that chat: in a Hush tab if one is open, else in a new one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const chat = event.notification.data?.chat;
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const tab = tabs.find((t) => t.visibilityState === 'visible') ?? tabs[0];
      if (tab) {
        await tab.focus();
        if (chat) tab.postMessage({ type: 'hush-open', chat });
      } else {
        await self.clients.openWindow(chat ? `/?chat=${encodeURIComponent(chat)}` : '/');
      }
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The relay's own endpoints are never cached.
  if (url.pathname === '/ws' || url.pathname.startsWith('/blobs/') || url.pathname === '/healthz'
    || url.pathname === '/vapid-public-key') return;
  if (request.mode === 'navigate') {
    // This build's page, from the cache: the page and its code always match (the server may
    // already run a newer build, which arrives as an update).
    event.respondWith(caches.match('/', { cacheName: CACHE }).then((hit) => hit || fetch(request)));
    return;
  }
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
});
