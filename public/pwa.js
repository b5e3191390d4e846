// The installable app, on the page: the browser's install offer (the app shows "Install
// Hush"), `data-standalone` on <html> when running installed, and the service worker that
// keeps the shell for offline use, whose new builds wait (the app shows "Update available")
// until the user reloads into them (a new build never takes over an open page by itself).
// Plain JS, loaded with the page: this glue costs the wasm nothing. It has no words of its
// own: it reports codes and events, and the app words them from its catalogue (src/text),
// which `cargo xtask test lint` checks.
(() => {
  // Running as the installed app (its own window): the page can tell, and stops offering it.
  const standalone = matchMedia('(display-mode: standalone)');
  const mark = () => {
    document.documentElement.dataset.standalone = String(standalone.matches || navigator.standalone === true);
  };
  mark();
  standalone.addEventListener('change', mark);

  // The browser's offer to install Hush (`beforeinstallprompt`), kept for the app's "Install
  // Hush" button (src/ui/pwa.rs), which `hush-install` tells when it comes or goes.
  let offered = null;
  const told = (name) => dispatchEvent(new Event(name));
  addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    offered = event;
    told('hush-install');
  });
  addEventListener('appinstalled', () => {
    offered = null;
    told('hush-install');
  });
  window.hushInstall = {
    offered: () => offered !== null,
    // Shows the browser's own dialog: true once accepted (the offer is then used up).
    async prompt() {
      const offer = offered;
      if (!offer) return false;
      offer.prompt();
      const { outcome } = await offer.userChoice;
      if (outcome === 'accepted') offered = null;
      told('hush-install');
      return outcome === 'accepted';
    },
  };

  // One owner per browser (src/owner.rs): only the tab holding the `hush-owner` Web Lock runs
  // Hush. `claim(false)` takes it if free, or waits while the service worker has it (it holds
  // `hush-worker` meanwhile, for seconds); `claim(true)` steals it ("Use here"). A tab whose
  // lock is stolen reloads, into "Use here". Without Web Locks a tab is alone.
  window.hushOwner = {
    async claim(steal) {
      const locks = navigator.locks;
      if (!locks) return true;
      const ask = (options) =>
        new Promise((granted) => {
          locks
            .request('hush-owner', options, (lock) => {
              granted(lock !== null);
              // Held for the life of the page.
              return lock && new Promise(() => {});
            })
            .catch(() => location.reload());
        });
      try {
        if (steal) return await ask({ steal: true });
        if (await ask({ ifAvailable: true })) return true;
        const { held } = await locks.query();
        return held.some((lock) => lock.name === 'hush-worker') && (await ask({}));
      } catch {
        return true;
      }
    },
  };

  // Media once downloaded and checked, kept as Blobs by message id in a database of their own
  // (`hush-media`), so they open offline and at once; Settings' "Clear media" empties it.
  // Plain bytes, as the messages themselves are in Hush's own database.
  const media = (() => {
    let opened = null;
    const open = () => (opened ??= new Promise((resolve, reject) => {
      const request = indexedDB.open('hush-media', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('media');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => { opened = null; reject(request.error); };
    }));
    const run = async (mode, work) => {
      const tx = (await open()).transaction('media', mode);
      const result = await new Promise((resolve, reject) => {
        const request = work(tx.objectStore('media'));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = tx.onabort = () => reject(tx.error);
      });
      return result;
    };
    return {
      put: ([id, type, blob]) => run('readwrite', (store) => store.put(new Blob([blob], { type }), id)).then(() => true),
      // A blob: URL of the kept file (the caller revokes it), or null.
      async url(id) {
        const blob = await run('readonly', (store) => store.get(id));
        return blob ? URL.createObjectURL(blob) : null;
      },
      blob: (id) => run('readonly', (store) => store.get(id)).then((blob) => blob ?? null),
      async size() {
        const blobs = await run('readonly', (store) => store.getAll());
        return blobs.reduce((sum, blob) => sum + blob.size, 0);
      },
      clear: () => run('readwrite', (store) => store.clear()).then(() => true),
      // Each kept file's size, by key: [[key, bytes], ...] (Settings' storage per chat), read
      // by one cursor (keys and sizes from the same moment).
      async sizes() {
        const tx = (await open()).transaction('media', 'readonly');
        const sizes = [];
        await new Promise((resolve, reject) => {
          const request = tx.objectStore('media').openCursor();
          request.onsuccess = () => {
            const cursor = request.result;
            if (!cursor) return resolve();
            sizes.push([String(cursor.key), cursor.value?.size ?? 0]);
            cursor.continue();
          };
          request.onerror = () => reject(request.error);
        });
        return sizes;
      },
      // A message deleted or expired takes its kept file with it.
      forget: (id) => run('readwrite', (store) => store.delete(id)).then(() => true),
      // Gone with the account (unlinked): the database itself.
      async remove() {
        if (opened) (await opened).close();
        opened = null;
        await new Promise((resolve) => {
          const request = indexedDB.deleteDatabase('hush-media');
          request.onsuccess = request.onerror = request.onblocked = resolve;
        });
        return true;
      },
    };
  })();
  window.hushMedia = media;

  // Uploads under way (`hush-pending`): [chat, key, file, name, type, caption, width, height,
  // thumbnail, duration, waveform, forwarded message, its chats] by upload id, so a reload
  // resumes them. The file is the
  // picked File itself (IndexedDB keeps Blobs).
  const pending = (() => {
    let opened = null;
    const open = () => (opened ??= new Promise((resolve, reject) => {
      const request = indexedDB.open('hush-pending', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('uploads');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => { opened = null; reject(request.error); };
    }));
    const run = async (mode, work) => {
      const tx = (await open()).transaction('uploads', mode);
      const result = await new Promise((resolve, reject) => {
        const request = work(tx.objectStore('uploads'));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = tx.onabort = () => reject(tx.error);
      });
      return result;
    };
    return {
      put: ([id, record]) => run('readwrite', (store) => store.put([id, record], id)).then(() => true),
      // Every [id, record].
      all: () => run('readonly', (store) => store.getAll()),
      remove: (id) => run('readwrite', (store) => store.delete(id)).then(() => true),
      // Gone with the account (unlinked): the database itself.
      async remove_all() {
        if (opened) (await opened).close();
        opened = null;
        await new Promise((resolve) => {
          const request = indexedDB.deleteDatabase('hush-pending');
          request.onsuccess = request.onerror = request.onblocked = resolve;
        });
        return true;
      },
    };
  })();
  window.hushPending = pending;

  // 'light' or 'dark' on the root (the stylesheet's light-dark() follows it); anything else
  // is the system's.
  function applyTheme(value) {
    const root = document.documentElement;
    if (value === 'light' || value === 'dark') root.dataset.theme = value;
    else delete root.dataset.theme;
  }

  // This device's choices (Settings), as strings.
  window.hushPrefs = {
    get: (name) => { try { return localStorage.getItem(name); } catch { return null; } },
    set([name, value]) { try { localStorage.setItem(name, value); return true; } catch { return false; } },
    // Settings' Theme, kept and applied.
    theme(value) {
      applyTheme(value);
      return window.hushPrefs.set(['hush-theme', value]);
    },
  };
  // How notifications look ('on'/'off' each: the message's words, a sound), kept also where
  // the service worker reads it (it has no localStorage): a small cache of its own.
  window.hushPrefs.notices = async ([preview, sound]) => {
    window.hushPrefs.set(['hush-notice-preview', preview]);
    window.hushPrefs.set(['hush-notice-sound', sound]);
    try {
      const cache = await caches.open('hush-prefs');
      await cache.put('/hush-prefs/notices', new Response(JSON.stringify({ preview, sound })));
      return true;
    } catch (error) {
      // No Cache Storage (a private window may refuse it): the worker keeps its default.
      console.warn('Hush could not keep the notification settings for the service worker:', error);
      return false;
    }
  };
  // The words a notification uses without a message's ([one, many], `{count}` in many), in
  // the app's language, kept where the service worker reads them.
  window.hushPrefs.texts = async ([one, many]) => {
    try {
      const cache = await caches.open('hush-prefs');
      await cache.put('/hush-prefs/texts', new Response(JSON.stringify({ one, many })));
      return true;
    } catch {
      return false;
    }
  };
  // This browser's choices go with its data (unlinked, or the account deleted).
  window.hushPrefs.clear = async () => {
    try {
      for (const name of Object.keys(localStorage)) if (name.startsWith('hush-')) localStorage.removeItem(name);
      await caches.delete('hush-prefs');
    } catch (error) {
      console.warn('Hush could not clear its settings:', error);
    }
    applyTheme(null);
    return true;
  };
  // Before the app draws, so a chosen theme never flashes the system's first.
  applyTheme(window.hushPrefs.get('hush-theme'));

  // Asks the browser not to evict Hush's data under pressure (the app shows a refusal).
  window.hushStorage = { persist: async () => (await navigator.storage?.persist?.()) ?? null };

  // A message's text onto the clipboard (from its menu's Copy).
  window.hushClipboard = { write: (text) => navigator.clipboard.writeText(text) };

  // A long press on a message opens its menu: the app listens for `contextmenu`, which some
  // touch browsers (iOS Safari) never send for one. Scrolling cancels the press.
  let press = null;
  const unpress = () => clearTimeout(press);
  addEventListener('pointerdown', (event) => {
    unpress();
    if (event.pointerType !== 'touch' || !event.target.closest?.('.bubble')) return;
    const opened = new MouseEvent('contextmenu', { bubbles: true, cancelable: true });
    press = setTimeout(() => event.target.dispatchEvent(opened), 500);
  });
  for (const end of ['pointerup', 'pointercancel']) addEventListener(end, unpress);

  // The history a device sends to one it links: an encrypted blob through the relay.
  // Progress shows in the page's <progress class="transfer"> while one is on screen.
  const progress = (done, total) => {
    const bar = document.querySelector('progress.transfer');
    if (bar && total > 0) bar.value = Math.min(1, done / total);
  };
  window.hushBlobs = {
    put([id, bytes]) {
      return new Promise((resolve) => {
        const request = new XMLHttpRequest();
        request.open('PUT', `/blobs/${id}`);
        request.upload.onprogress = (event) => progress(event.loaded, event.total);
        request.onload = () => resolve(request.status >= 200 && request.status < 300);
        request.onerror = () => resolve(false);
        request.send(bytes);
      });
    },
    // At most `max` bytes: a relay that says or sends more is refused before it is all read.
    async get([id, max]) {
      const response = await fetch(`/blobs/${id}`);
      if (!response.ok) throw new Error(`blob: ${response.status}`);
      const total = Number(response.headers.get('content-length')) || 0;
      if (total > max) throw new Error('blob: larger than announced');
      const reader = response.body.getReader();
      const chunks = [];
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        if (received > max) {
          await reader.cancel();
          throw new Error('blob: larger than announced');
        }
        progress(received, total);
      }
      const bytes = new Uint8Array(received);
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
      return bytes;
    },
  };

  // An attachment's upload in pieces (the relay's resumable uploads): each call is one
  // request; the app decides what comes next (and whether the user cancelled).
  window.hushUploads = {
    // Appends `bytes` at `offset`; resolves to the relay's offset after it (also when the
    // relay holds another offset than asked: 409 says which).
    async patch([id, offset, bytes]) {
      const response = await fetch(`/uploads/${id}`, {
        method: 'PATCH',
        headers: { 'upload-offset': String(offset) },
        // As a Blob: Chromium hands a Blob body to its network service by reference, where
        // an ArrayBuffer body is copied on the page's thread first.
        body: new Blob([bytes]),
      });
      const held = Number(response.headers.get('upload-offset'));
      if ((response.ok || response.status === 409) && Number.isSafeInteger(held)) return held;
      throw new Error(`upload: ${response.status}`);
    },
    // How many bytes the relay holds of the upload.
    async held(id) {
      const response = await fetch(`/uploads/${id}`, { method: 'HEAD' });
      const held = Number(response.headers.get('upload-offset'));
      if (response.ok && Number.isSafeInteger(held)) return held;
      throw new Error(`upload: ${response.status}`);
    },
    // Ends the upload at `length` bytes: the blob is kept.
    async commit([id, length]) {
      const response = await fetch(`/uploads/${id}/commit`, {
        method: 'POST',
        headers: { 'upload-length': String(length) },
      });
      return response.ok;
    },
  };

  // Attachments downloaded a range at a time; the app opens each and hands back the file's
  // bytes as Blob parts (which the browser may keep on disk), joined once the whole file is
  // checked.
  window.hushDownloads = {
    // Bytes `start` to `end` of blob `id`; null if the relay has no such blob. Another length
    // than asked is refused before the body is read.
    async range([id, start, end]) {
      const response = await fetch(`/blobs/${id}`, { headers: { range: `bytes=${start}-${end - 1}` } });
      if (response.status === 404) return null;
      const whole = response.status === 200 && start === 0;
      if (response.status !== 206 && !whole) throw new Error(`download: ${response.status}`);
      if (Number(response.headers.get('content-length')) !== end - start) {
        await response.body?.cancel();
        throw new Error('download: another length than asked');
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length !== end - start) throw new Error('download: another length than asked');
      return bytes;
    },
    part: (bytes) => new Blob([bytes]),
    join: ([parts, type]) => new Blob(parts, { type: type || 'application/octet-stream' }),
  };

  // Attachments: the files picked in the composer's file input, and a downloaded file saved
  // as an ordinary browser download (an <a download> of a blob: URL, revoked after).
  window.hushFiles = {
    choose(inputId) {
      document.getElementById(inputId)?.click();
      return true;
    },
    async read(inputId) {
      const input = document.getElementById(inputId);
      if (!input) return [];
      const files = Array.from(input.files || []);
      input.value = '';
      // The File itself: its bytes are read a slice at a time as they are sent.
      return files.map((file) => [file.name, file.type, file]);
    },
    blob: ([type, bytes]) => new Blob([bytes], { type }),
    // Bytes `start` to `end` of `blob` (the app copies them into a buffer it reuses).
    async slice([blob, start, end]) {
      return new Uint8Array(await blob.slice(start, end).arrayBuffer());
    },
    // A photo as it is sent: decoded (turned upright as its EXIF says), scaled to at most
    // `longest` px, drawn on white and encoded again as JPEG, which leaves every byte of
    // metadata (the place it was taken) behind; with a thumbnail of at most 48 px. Null if
    // the browser cannot decode it (it then goes as a file).
    async photo([type, file, longest]) {
      let bitmap;
      try {
        bitmap = await createImageBitmap(file.type ? file : new Blob([file], { type }));
      } catch {
        return null;
      }
      const draw = async (edge, quality) => {
        const scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
        const width = Math.max(1, Math.round(bitmap.width * scale));
        const height = Math.max(1, Math.round(bitmap.height * scale));
        const canvas = new OffscreenCanvas(width, height);
        const context = canvas.getContext('2d');
        context.fillStyle = '#fff';
        context.fillRect(0, 0, width, height);
        context.drawImage(bitmap, 0, 0, width, height);
        return [width, height, await canvas.convertToBlob({ type: 'image/jpeg', quality })];
      };
      try {
        const [width, height, full] = await draw(longest, 0.85);
        const [, , thumbnail] = await draw(48, 0.5);
        return [full, width, height, new Uint8Array(await thumbnail.arrayBuffer())];
      } finally {
        bitmap.close();
      }
    },
    revoke(url) {
      URL.revokeObjectURL(url);
      return true;
    },
    url([type, bytes]) {
      return URL.createObjectURL(new Blob([bytes], { type }));
    },
    saveUrl([url, name]) {
      const link = document.createElement('a');
      link.href = url;
      link.download = name || 'file';
      document.body.appendChild(link);
      link.click();
      link.remove();
      return true;
    },
    save([name, type, bytes]) {
      const url = URL.createObjectURL(new Blob([bytes], { type: type || 'application/octet-stream' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = name || 'file';
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      return true;
    },
  };

  // Files dropped on the open chat, or pasted into it, go where Attach's picker puts them:
  // into the file input "Files to send", which then opens the "Send files" dialog.
  const attachFiles = (files) => {
    const input = document.getElementById('files-to-send');
    if (!input || !files?.length) return false;
    const transfer = new DataTransfer();
    for (const file of files) transfer.items.add(file);
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    return true;
  };
  const chatUnder = (event) => event.target instanceof Element && event.target.closest('.conversation');
  const carriesFiles = (event) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
  document.addEventListener('dragover', (event) => {
    const chat = chatUnder(event);
    if (!chat || !carriesFiles(event) || !document.getElementById('files-to-send')) return;
    event.preventDefault();
    chat.classList.add('dropping');
  });
  document.addEventListener('dragleave', (event) => chatUnder(event)?.classList.remove('dropping'));
  document.addEventListener('drop', (event) => {
    const chat = chatUnder(event);
    if (!chat) return;
    chat.classList.remove('dropping');
    if (attachFiles(event.dataTransfer?.files)) event.preventDefault();
  });
  document.addEventListener('paste', (event) => {
    if (attachFiles(event.clipboardData?.files)) event.preventDefault();
  });

  // Scripts only some users need (the voice-note recorder, `voice.js`; the video poster, `video.js`), loaded on first use so
  // they are no part of the first load; the service worker keeps them with the shell.
  const scripts = new Map();
  window.hushLoad = {
    script(name) {
      if (!/^[a-z]+\.js$/.test(name)) return Promise.reject(new Error(`no script ${name}`));
      if (!scripts.has(name)) {
        scripts.set(name, new Promise((resolve, reject) => {
          const script = document.createElement('script');
          script.src = `/${name}`;
          script.onload = () => resolve(true);
          script.onerror = () => {
            scripts.delete(name);
            script.remove();
            reject(new Error(`${name} did not load`));
          };
          document.head.append(script);
        }));
      }
      return scripts.get(name);
    },
  };

  // Scanning a link code's QR code with the camera, where the browser can detect QR codes.
  window.hushScan = {
    available: () => 'BarcodeDetector' in window && !!navigator.mediaDevices?.getUserMedia,
    async scan(video) {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      try {
        video.srcObject = stream;
        await video.play();
        const detector = new BarcodeDetector({ formats: ['qr_code'] });
        // Until a code with a link is seen, or the video is taken off the page (Cancel).
        while (video.isConnected) {
          const values = (await detector.detect(video)).map((code) => code.rawValue);
          const link = values.find((value) => value.includes('link='));
          if (link) return new URL(link, location.href).searchParams.get('link');
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        return null;
      } finally {
        stream.getTracks().forEach((track) => track.stop());
      }
    },
  };

  // What this browser is called in the account's device list: its browser and system, as
  // names the user agent gives (null where unknown); the app words it ("Chrome on Linux").
  window.hushDevice = {
    name() {
      const ua = navigator.userAgent;
      const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox'
        : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : null;
      const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS'
        : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS'
        : /CrOS/.test(ua) ? 'ChromeOS' : /Linux/.test(ua) ? 'Linux' : null;
      return [browser, os];
    },
  };

  // Messages that came into the open chat while the page was hidden are unread until it shows
  // again: then the chat is opened anew, which marks them read.
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) document.querySelector('button.chat[aria-current="true"]:has(.unread)')?.click();
  });

  notifications();
  if (!('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;

  // A new build waiting to take over: the app shows "Update available" with "Reload"
  // (src/ui/pwa.rs), told by `hush-update`; `apply()` is that button.
  let waiting = null;
  function offer(registration) {
    waiting = registration;
    told('hush-update');
  }
  window.hushUpdate = {
    waiting: () => waiting !== null,
    apply() {
      container.addEventListener('controllerchange', () => location.reload());
      if (waiting?.waiting) waiting.waiting.postMessage('hush-update');
      else location.reload();
    },
  };

  // Only a build that replaces another waits; the first one just starts.
  function watch(registration) {
    if (registration.waiting && container.controller) offer(registration);
    registration.addEventListener('updatefound', () => {
      const installing = registration.installing;
      installing?.addEventListener('statechange', () => {
        if (installing.state === 'installed' && container.controller) offer(registration);
      });
    });
  }

  // A click on a notification: the worker asks this tab to open that chat.
  container.addEventListener('message', (event) => {
    if (event.data?.type === 'hush-open') openChat(event.data.chat);
  });
  const asked = new URLSearchParams(location.search).get('chat');
  if (asked) {
    history.replaceState(null, '', '/');
    openChat(asked);
  }

  container.register('/sw.js').then(watch, (error) => console.warn('Hush works without offline support here:', error));

  // Opens a chat as a click in the list would, once the list shows it (the app may still be
  // starting).
  function openChat(chat) {
    const started = Date.now();
    const attempt = () => {
      const button = [...document.querySelectorAll('button[data-chat]')].find((b) => b.dataset.chat === chat);
      if (button) button.click();
      else if (Date.now() - started < 15000) setTimeout(attempt, 100);
    };
    attempt();
  }

  // Notifications, for the app (`window.hushPush`): the setting, the permission, the push
  // subscription the relay wakes this device with, and showing notices (the service worker
  // shows them all, so one chat keeps one notification whoever notifies).
  function notifications() {
    const SETTING = 'hush-notifications';
    const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
    // 'on', 'off', or why notifications are unavailable: 'unsupported' or 'denied' (the app
    // words it, src/platform/push.rs).
    const state = () => {
      if (!supported) return 'unsupported';
      if (Notification.permission === 'denied') return 'denied';
      return Notification.permission === 'granted' && localStorage.getItem(SETTING) === 'on' ? 'on' : 'off';
    };
    const base64url = (text) => {
      const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
      return Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    };
    const plain = (sub) => ({
      endpoint: sub.endpoint,
      p256dh: new Uint8Array(sub.getKey('p256dh')),
      auth: new Uint8Array(sub.getKey('auth')),
    });
    async function subscription() {
      const registration = await navigator.serviceWorker.ready;
      const existing = await registration.pushManager.getSubscription();
      if (existing) return existing;
      const response = await fetch('/vapid-public-key');
      if (!response.ok) throw new Error('the relay offers no push key');
      const key = base64url((await response.text()).trim());
      // A browser whose push service is out of reach may never answer.
      return Promise.race([
        registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer from the push service')), 15000)),
      ]);
    }
    // A refusal the app words by its `code`; the message is for the console.
    const refused = (code, detail) => Object.assign(new Error(detail ?? code), { code });
    const worker = async (message) => (await navigator.serviceWorker.ready).active?.postMessage(message);
    window.hushPush = {
      state,
      async enable() {
        if (!supported) throw refused('unsupported');
        const permission = await Notification.requestPermission();
        if (permission === 'denied') throw refused('denied');
        if (permission !== 'granted') throw refused('dismissed');
        let sub;
        try {
          sub = await subscription();
        } catch (error) {
          console.warn('Hush could not subscribe to push messages:', error);
          throw refused('subscribe', error.message);
        }
        localStorage.setItem(SETTING, 'on');
        return plain(sub);
      },
      async current() {
        return state() === 'on' ? plain(await subscription()) : null;
      },
      async disable() {
        localStorage.setItem(SETTING, 'off');
        const registration = await navigator.serviceWorker.ready;
        await (await registration.pushManager.getSubscription())?.unsubscribe();
      },
      notify(notices) {
        if (state() === 'on') worker({ type: 'hush-notify', notices });
      },
      read(chat) {
        if (supported) worker({ type: 'hush-read', chat });
      },
      // Messages of a chat deleted or expired: their notification goes (whatever the setting:
      // one shown before it was turned off still goes).
      withdraw({ chat, ids }) {
        if (supported) worker({ type: 'hush-withdraw', chat, ids });
      },
    };
  }
})();
