// Issue 21: a message deleted for everyone takes its notification with it, in real Chromium
// against the real relay: whether the service worker (woken by a push, the tab closed) or an
// open tab learns of the delete. A notification that announced other messages too stays,
// without the deleted message's words; one that announced only it closes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, launchPersistent, openChat, register, waitForStatus } from './support/browser.mjs';
import { bobWithTabClosed, send, traced, until } from './support/notifications.mjs';
import { startServer } from './support/server.mjs';

let browser;
const cleanup = [];

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const undo of cleanup.reverse()) await undo();
});

/**
 * A relay and a persistent profile allowed to notify, with notifications on in its tabs too
 * (no push subscription is needed for a tab to notify); both go after the tests.
 */
async function notifyingProfile() {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const { context, close } = await launchPersistent();
  cleanup.push(close);
  await context.grantPermissions(['notifications'], { origin: server.url });
  await context.addInitScript(() => localStorage.setItem('hush-notifications', 'on'));
  return { server, context };
}

/** Alice deletes her message `text` for everyone, confirming. */
async function deleteForEveryone(page, text) {
  const body = page.locator('p.body').getByText(text, { exact: true });
  const bubble = page.getByRole('log').locator('li.bubble', { has: body });
  await bubble.getByRole('button', { name: 'Message actions' }).click();
  await page.getByRole('menu', { name: 'Message actions' })
    .getByRole('menuitem', { name: 'Delete for everyone', exact: true }).click();
  await page.getByRole('dialog', { name: 'Delete message?' })
    .getByRole('button', { name: 'Delete for everyone' }).click();
  await bubble.waitFor({ state: 'detached' });
}

test('a message deleted for everyone withdraws its notification, from the worker and from a tab', { timeout: 180_000 }, async () => {
  const { server, context } = await notifyingProfile();
  const bob = await bobWithTabClosed(server.url, context, 'bob');

  const alice = await browser.newPage();
  await register(alice, server.url, 'alice');
  await openChat(alice, 'bob');

  // The worker announces two messages, then hears one was deleted: the notification stays
  // for the other, without the deleted words.
  await send(alice, ['keep this', 'oops, wrong chat']);
  await bob.push();
  let shown = await until(bob.notifications, (list) => /2 new messages/.test(list[0]?.body));
  traced(bob, () => assert.deepEqual(shown, [{ title: 'alice', body: 'oops, wrong chat\n2 new messages', tag: 'chat:alice' }]));
  await deleteForEveryone(alice, 'oops, wrong chat');
  await bob.push();
  shown = await until(bob.notifications, (list) => list[0]?.body === 'New message');
  traced(bob, () => assert.deepEqual(shown, [{ title: 'alice', body: 'New message', tag: 'chat:alice' }]));

  // A message announced alone and deleted: the notification closes. This time Bob's tab is
  // open (on no chat), so the tab notifies and withdraws.
  const tab = await bob.open();
  await waitForStatus(tab, 'Connected');
  await send(alice, ['a second mistake'], 'Delivered');
  shown = await until(bob.notifications, (list) => /a second mistake/.test(list[0]?.body));
  traced(bob, () => assert.deepEqual(shown, [{ title: 'alice', body: 'a second mistake\n2 new messages', tag: 'chat:alice' }]));
  await deleteForEveryone(alice, 'a second mistake');
  shown = await until(bob.notifications, (list) => list[0]?.body === 'New message');
  traced(bob, () => assert.deepEqual(shown, [{ title: 'alice', body: 'New message', tag: 'chat:alice' }]));
  await deleteForEveryone(alice, 'keep this');
  shown = await until(bob.notifications, (list) => list.length === 0);
  traced(bob, () => assert.deepEqual(shown, []));
  await alice.close();
});

// Issue 22: the service worker has no words of its own. The page keeps the catalogue's (the
// app's language) where the worker reads them, and a worker woken with the tab closed words
// its count and its no-preview notice with those: here a kept French pair stands in for a
// translation.
test('the worker words notifications with the texts the page kept', { timeout: 180_000 }, async () => {
  const { server, context } = await notifyingProfile();
  const keep = ([name, value]) => caches.open('hush-prefs')
    .then((cache) => cache.put(name, new Response(JSON.stringify(value))));
  const bob = await bobWithTabClosed(server.url, context, 'bob', async (hush) => {
    const kept = await hush.waitForFunction(async () => {
      const found = await (await caches.open('hush-prefs')).match('/hush-prefs/texts');
      return found ? found.json() : null;
    }, null, { timeout: 10_000 });
    assert.deepEqual(await kept.jsonValue(), { one: 'New message', many: '{count} new messages' });
    await hush.evaluate(keep, ['/hush-prefs/texts', { one: 'Nouveau message', many: '{count} nouveaux messages' }]);
  });

  const alice = await browser.newPage();
  await register(alice, server.url, 'alice');
  await openChat(alice, 'bob');
  await send(alice, ['bonjour', 'ça va ?']);
  await bob.push();
  let shown = await until(bob.notifications, (list) => /nouveaux messages/.test(list[0]?.body));
  traced(bob, () => assert.deepEqual(shown, [{ title: 'alice', body: 'ça va ?\n2 nouveaux messages', tag: 'chat:alice' }]));

  // Without previews, a deleted message's notification is worded anew from the kept texts too.
  await deleteForEveryone(alice, 'ça va ?');
  await bob.push();
  shown = await until(bob.notifications, (list) => list[0]?.body === 'Nouveau message');
  traced(bob, () => assert.deepEqual(shown, [{ title: 'alice', body: 'Nouveau message', tag: 'chat:alice' }]));
  await alice.close();
});
