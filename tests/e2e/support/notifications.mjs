// Notifications as a test sees them: a Hush account in a persistent profile whose tab is
// closed, the service worker handed pushes through DevTools, and its notifications listed from
// another page of the same origin (shared by push.test.mjs and notifications.test.mjs).
import { register } from './browser.mjs';

/** Sends `texts` in the open chat and waits until the relay has them all. */
export async function send(page, texts, state = 'Sent') {
  for (const text of texts) {
    await page.getByRole('textbox', { name: 'Message' }).fill(text);
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  }
  const log = page.getByRole('log');
  for (const text of texts) {
    await log.getByRole('listitem').filter({ hasText: text }).getByText(state, { exact: true }).waitFor();
  }
}

/**
 * Bob's Hush in a persistent profile, his tab then closed. Another page of the same origin (one
 * the service worker leaves alone) stays open: through it the test pushes and lists
 * notifications. `before(page)` runs in Hush's tab before it closes.
 */
export async function bobWithTabClosed(url, context, name, before = async () => {}) {
  // What the service worker says and does, told when a notification does not come.
  const trace = [];
  const start = Date.now();
  const note = (line) => trace.push(`${((Date.now() - start) / 1000).toFixed(1)}s ${line}`);
  let woken = 0;
  context.on('serviceworker', (worker) => {
    note(`worker started: ${worker.url()}`);
    worker.on('console', (message) => {
      note(`worker ${message.type()}: ${message.text()}`);
      if (message.text().startsWith('Hush: woken by a push')) woken += 1;
    });
  });
  const hush = await context.newPage();
  await register(hush, url, name);
  await hush.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await before(hush);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const registered = new Promise((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const mine = registrations.find((r) => r.scopeURL.startsWith(url) && !r.isDeleted);
      if (mine) resolve(mine.registrationId);
    });
  });
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) note(`version ${v.versionId}: ${v.status}, ${v.runningStatus}`);
  });
  cdp.on('ServiceWorker.workerErrorReported', ({ errorMessage }) =>
    note(`worker error: ${errorMessage.errorMessage} at ${errorMessage.sourceURL}:${errorMessage.lineNumber}`));
  await cdp.send('ServiceWorker.enable');
  await page.goto(new URL('/healthz', url).href);
  const registrationId = await registered;
  await hush.close();
  return {
    /** Opens Hush in a new tab. */
    open: async () => {
      const tab = await context.newPage();
      await tab.goto(url);
      return tab;
    },
    /**
     * Hands the worker a push, as the browser's push service would. DevTools' delivery has
     * been seen to be lost (no push event in the worker at all): a push the worker has not
     * received within 10 s is delivered once more, and the trace says so.
     */
    push: async (data = '{"t":"wake","h":"test"}') => {
      const deliver = () =>
        cdp.send('ServiceWorker.deliverPushMessage', { origin: new URL(url).origin, registrationId, data });
      const before = woken;
      note('push delivered');
      await deliver();
      if (await until(() => woken, (count) => count > before, 10_000) > before) return;
      note('the worker never received that push: delivered again');
      console.log('push.test: DevTools lost a push; delivering it again');
      await deliver();
    },
    /** The worker's trace so far (`traced` adds it to a failed assertion's report). */
    trace: () => `service worker trace:\n${trace.join('\n')}`,
    notifications: () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.getRegistration()).getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
        })),
      ),
    /** Each notification's icon (a contact's photo as a data: URL, or Hush's own). */
    icons: () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.getRegistration()).getNotifications()).map((n) => n.icon)),
    /** Whether each notification shown is silent (Settings' Notification sound off). */
    silent: () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.getRegistration()).getNotifications()).map((n) => n.silent)),
  };
}

/** Runs the assertion `check`; a failure also says what the service worker did. */
export function traced(bob, check) {
  try {
    check();
  } catch (error) {
    // The report prints the stack, made when the error was.
    error.stack += `\n${bob.trace()}`;
    throw error;
  }
}

/** Reads until `done` holds (or `limit` ms pass), then returns the last reading. */
export async function until(read, done, limit = 30_000) {
  const deadline = Date.now() + limit;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
