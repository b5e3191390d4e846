// Notifications with the tab closed, in real Chromium against the real relay: the service
// worker, woken by a push, runs Hush's engine to receive and decrypt what waits, and notifies
// with the sender and the text; it stays silent when the chat is on screen or muted. End to end,
// the relay's pushes go to npm's web-push-testing (a push service on loopback that checks VAPID
// and decrypts the payload): one push for a burst, and nothing readable in it. An open tab on
// another chat notifies into the same notification.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';

import { launchBrowser, launchPersistent, openChat, register, waitForStatus } from './support/browser.mjs';
import { bobWithTabClosed, send, traced, until } from './support/notifications.mjs';
import { PNG } from './support/files.mjs';
import { startServer } from './support/server.mjs';
import { openSettings } from './support/menu.mjs';

let browser;
const cleanup = [];

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const undo of cleanup.reverse()) await undo();
});

/** A persistent profile (the service worker and its notifications outlive the tab). */
async function persistentContext(url) {
  const { context, close } = await launchPersistent();
  cleanup.push(close);
  await context.grantPermissions(['notifications'], { origin: url });
  return context;
}

test('a push with no Hush tab open notifies with the decrypted message; an open chat or a muted one stays silent', { timeout: 180_000 }, async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const context = await persistentContext(server.url);
  const bob = await bobWithTabClosed(server.url, context, 'bob');

  const alice = await browser.newPage();
  await register(alice, server.url, 'alice');
  await openChat(alice, 'bob');
  await send(alice, ['first, while bob is away']);
  assert.deepEqual(await bob.notifications(), []);

  // The push carries nothing: the worker fetches, decrypts and stores, and Alice sees it
  // delivered although Bob has no tab open.
  await bob.push();
  let shown = await until(bob.notifications, (list) => list.length > 0);
  traced(bob, () => assert.deepEqual(shown, [{ title: 'alice', body: 'first, while bob is away', tag: 'chat:alice' }]));
  await alice.getByRole('log').getByText('Delivered', { exact: true }).waitFor();

  // More from the same chat: still one notification, counting.
  await send(alice, ['second', 'third']);
  await bob.push();
  shown = await until(bob.notifications, (list) => /3 new messages/.test(list[0]?.body));
  traced(bob, () => assert.deepEqual(shown, [{ title: 'alice', body: 'third\n3 new messages', tag: 'chat:alice' }]));

  // Bob opens Hush on that chat: its notification goes, and while it is on screen a push
  // (the tab owns Hush) shows nothing.
  const tab = await bob.open();
  await tab.getByRole('button', { name: /alice/ }).click();
  await tab.getByRole('log').getByText('third', { exact: true }).waitFor();
  await waitForStatus(tab, 'Connected');
  assert.deepEqual(await until(bob.notifications, (list) => list.length === 0), []);
  await send(alice, ['while bob looks'], 'Read');
  await bob.push();
  await tab.getByRole('log').getByText('while bob looks', { exact: true }).waitFor();
  assert.deepEqual(await bob.notifications(), []);

  // Muted: the worker still receives (Alice sees it delivered) but says nothing.
  await tab.getByRole('button', { name: 'Mute' }).click();
  await tab.getByRole('button', { name: 'Mute', pressed: true }).waitFor();
  await tab.close();
  await send(alice, ['muted message']);
  await bob.push();
  await alice.getByRole('log').getByRole('listitem').filter({ hasText: 'muted message' })
    .getByText('Delivered', { exact: true }).waitFor({ timeout: 30_000 });
  assert.deepEqual(await bob.notifications(), []);
  await alice.close();
});

test('Message preview and Notification sound off: a notification names the chat, not the words, silently', { timeout: 180_000 }, async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const context = await persistentContext(server.url);
  const bob = await bobWithTabClosed(server.url, context, 'bob', async (page) => {
    const settings = await openSettings(page);
    for (const name of ['Message preview', 'Notification sound']) {
      await settings.getByRole('switch', { name, checked: true }).click();
      await settings.getByRole('switch', { name, checked: false }).waitFor();
    }
    // Kept where the worker reads it before the tab goes.
    await page.waitForFunction(async () => {
      const kept = await (await caches.open('hush-prefs')).match('/hush-prefs/notices');
      return kept && (await kept.json()).sound === 'off';
    });
  });

  const alice = await browser.newPage();
  await register(alice, server.url, 'alice');
  await openChat(alice, 'bob');
  await send(alice, ['the secret plan']);
  await bob.push();
  let shown = await until(bob.notifications, (list) => list.length > 0);
  traced(bob, () => assert.deepEqual(shown, [{ title: 'alice', body: 'New message', tag: 'chat:alice' }]));
  assert.deepEqual(await bob.silent(), [true]);
  await send(alice, ['and another']);
  await bob.push();
  shown = await until(bob.notifications, (list) => /2 new messages/.test(list[0]?.body));
  traced(bob, () => assert.deepEqual(shown, [{ title: 'alice', body: '2 new messages', tag: 'chat:alice' }]));
  await alice.close();
});

test("a contact's profile photo is their notification's icon", { timeout: 180_000 }, async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const context = await persistentContext(server.url);
  const alice = await browser.newPage();
  const bob = await bobWithTabClosed(server.url, context, 'bob', async (page) => {
    // While Bob's tab is open, Alice (with a photo) writes: his tab fetches and keeps it.
    await register(alice, server.url, 'alice');
    const settings = await openSettings(alice);
    await settings.getByLabel('Photo file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
    await alice.getByRole('button', { name: 'Profile', exact: true }).locator('img.avatar').waitFor();
    await openChat(alice, 'bob');
    await send(alice, ['hello bob'], 'Delivered');
    await page.getByRole('navigation', { name: 'Chats' }).locator('button.chat img.avatar').waitFor({ timeout: 30_000 });
  });

  await send(alice, ['while you were away']);
  await bob.push();
  await until(bob.notifications, (list) => list.length > 0);
  const icons = await bob.icons();
  traced(bob, () => assert.equal(icons.length, 1));
  traced(bob, () => assert.match(icons[0], /^data:image\/jpeg;base64,/));
  await alice.close();
});

/** npm web-push-testing on loopback, in this process. */
async function startPushService() {
  const require = createRequire(import.meta.url);
  const Service = require('web-push-testing/src/server.js');
  const { PushApiModel } = require('web-push-testing/src/PushApiModel.js');
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const model = new PushApiModel();
  const service = new Service(model, port);
  model.notifyUrl = `http://127.0.0.1:${port}/notify/`;
  service._server = service._app.listen(port, '127.0.0.1');
  service.setRequestHandlers();
  await new Promise((resolve) => service._server.once('listening', resolve));
  cleanup.push(() => new Promise((resolve) => service._server.close(resolve)));
  const base = `http://127.0.0.1:${port}`;
  const post = async (path, body) => (await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })).json();
  return {
    subscribe: async (applicationServerKey) =>
      (await post('/subscribe', { userVisibleOnly: 'true', applicationServerKey })).data,
    messages: async (clientHash) => (await post('/get-notifications', { clientHash })).data.messages,
  };
}

test('end to end: a burst to a closed tab makes one push, with nothing readable in it', { timeout: 180_000 }, async () => {
  const pushService = await startPushService();
  const server = await startServer({ args: ['--push-allow-private-endpoints'] });
  cleanup.push(() => server.stop());
  const vapid = (await (await fetch(new URL('/vapid-public-key', server.url))).text()).trim();
  const subscription = await pushService.subscribe(vapid);
  assert.ok(subscription?.endpoint, 'the push service issued a subscription');

  const context = await persistentContext(server.url);
  // Chromium's own push service is out of reach here: the browser subscribes at the local one.
  await context.addInitScript((sub) => {
    const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer;
    const local = { endpoint: sub.endpoint, getKey: (name) => bytes(sub.keys[name]), unsubscribe: async () => true };
    PushManager.prototype.subscribe = async () => local;
    PushManager.prototype.getSubscription = async () => (localStorage.getItem('hush-notifications') === 'on' ? local : null);
  }, subscription);

  const bob = await bobWithTabClosed(server.url, context, 'bob', async (page) => {
    const settings = await openSettings(page);
    await settings.getByRole('switch', { name: 'Notifications', checked: false }).click();
    await settings.getByRole('switch', { name: 'Notifications', checked: true }).waitFor();
    // The next connection sends the subscription again: by then the relay has the first one.
    await page.reload();
    await waitForStatus(page, 'Connected');
  });

  const alice = await browser.newPage();
  await register(alice, server.url, 'alice');
  await openChat(alice, 'bob');
  const burst = ['one secret', 'two secrets', 'three secrets', 'four secrets', 'five secrets'];
  await send(alice, burst);

  let pushes = await until(() => pushService.messages(subscription.clientHash), (list) => list.length > 0);
  assert.equal(pushes.length, 1, 'one push for the burst');
  const payload = JSON.parse(pushes[0]);
  assert.equal(payload.t, 'wake');
  for (const secret of [...burst, 'alice', 'bob']) assert.ok(!pushes[0].includes(secret), `"${secret}" is not in the push`);

  // That push, handed to Bob's worker as the browser would: it reads everything and notifies.
  await bob.push(pushes[0]);
  const shown = await until(bob.notifications, (list) => list.length > 0);
  traced(bob, () => assert.deepEqual(shown, [{ title: 'alice', body: 'five secrets\n5 new messages', tag: 'chat:alice' }]));
  // Nothing was queued after the burst, so nothing more was pushed.
  pushes = await pushService.messages(subscription.clientHash);
  assert.equal(pushes.length, 1);

  // With Hush open on another chat, the tab itself notifies (the relay does not push to a
  // connected device), into the same notification; opening the chat clears it.
  const tab = await bob.open();
  await waitForStatus(tab, 'Connected');
  await send(alice, ['six, with the tab open'], 'Delivered');
  const updated = await until(bob.notifications, (list) => /6 new messages/.test(list[0]?.body));
  traced(bob, () => assert.deepEqual(updated, [{ title: 'alice', body: 'six, with the tab open\n6 new messages', tag: 'chat:alice' }]));
  await tab.getByRole('button', { name: /alice/ }).click();
  assert.deepEqual(await until(bob.notifications, (list) => list.length === 0), []);
  assert.equal((await pushService.messages(subscription.clientHash)).length, 1);
  await alice.close();
});
