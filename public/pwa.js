// The installable app, on the page: an "Install Hush" button where the browser offers it,
// `data-standalone` on <html> when running installed, and the service worker that keeps the
// shell for offline use, whose new builds wait as "Update available" until the user reloads
// into them (a new build never takes over an open page by itself). Plain JS, loaded with the
// page: this glue costs the wasm nothing.
(() => {
  // Running as the installed app (its own window): the page can tell, and stops offering it.
  const standalone = matchMedia('(display-mode: standalone)');
  const mark = () => {
    document.documentElement.dataset.standalone = String(standalone.matches || navigator.standalone === true);
  };
  mark();
  standalone.addEventListener('change', mark);

  // "Install Hush" where the browser offers to install it, until it is installed.
  let offered = null;
  addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    offered = event;
    if (document.querySelector('.install')) return;
    const install = document.createElement('button');
    install.type = 'button';
    install.className = 'install';
    install.textContent = 'Install Hush';
    install.addEventListener('click', async () => {
      if (!offered) return;
      offered.prompt();
      const { outcome } = await offered.userChoice;
      if (outcome === 'accepted') install.remove();
      offered = null;
    });
    document.body.append(install);
  });
  addEventListener('appinstalled', () => document.querySelector('.install')?.remove());

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
