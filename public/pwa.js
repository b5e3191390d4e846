// The installable app, on the page: registers the service worker that keeps the shell for
// offline use, and offers a new build it has installed as "Update available" until the user
// reloads into it (a new build never takes over an open page by itself). Plain JS, loaded
// with the page: this glue costs the wasm nothing.
(() => {
  if (!('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;

  function offer(registration) {
    if (document.querySelector('.update')) return;
    const banner = document.createElement('div');
    banner.className = 'update';
    banner.setAttribute('role', 'alert');
    const text = document.createElement('span');
    text.textContent = 'Update available';
    const reload = document.createElement('button');
    reload.type = 'button';
    reload.textContent = 'Reload';
    reload.addEventListener('click', () => {
      container.addEventListener('controllerchange', () => location.reload());
      if (registration.waiting) registration.waiting.postMessage('hush-update');
      else location.reload();
    });
    banner.append(text, reload);
    document.body.append(banner);
  }

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

  container.register('/sw.js').then(watch, (error) => console.warn('Hush works without offline support here:', error));
})();
