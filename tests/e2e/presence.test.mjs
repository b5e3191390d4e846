// Issue 19, finding 11: "Last seen and online" in Settings is enforced by the relay. Bob
// choosing Nobody hides his presence from Alice and hers from him; Everyone shows both again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register as registerAt, waitForStatus, watchErrors } from './support/browser.mjs';
import { startServer } from './support/server.mjs';
import { openSettings } from './support/menu.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The open chat's header line when it says the other is online. */
const online = (page) => page.getByText('online', { exact: true });
/** The open chat's header line when it says when the other was last seen. */
const lastSeen = (page) => page.getByText(/^last seen /);

/** Opens Settings (if closed) and chooses who sees our last seen and online. */
async function choose(page, option) {
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await openSettings(page);
  await dialog.getByRole('combobox', { name: 'Last seen and online' }).selectOption(option);
}

test('Nobody hides last seen and online both ways; Everyone shows them again', { timeout: 120_000 }, async () => {
  const alice = await browser.newPage();
  let bob = await browser.newPage();
  const errors = [...[alice, bob].map(watchErrors)];
  await registerAt(alice, server.url, 'alice');
  await registerAt(bob, server.url, 'bob');

  // A chat both ways: each follows the other's presence.
  await openChat(alice, 'bob');
  await alice.getByRole('textbox', { name: 'Message' }).fill('hi bob');
  await alice.getByRole('button', { name: 'Send', exact: true }).click();
  await bob.getByRole('button', { name: /^alice/ }).click();
  await online(alice).waitFor();
  await online(bob).waitFor();

  // The setting defaults to Everyone.
  await openSettings(bob);
  const select = bob.getByRole('dialog', { name: 'Settings' }).getByRole('combobox', { name: 'Last seen and online' });
  assert.equal(await select.inputValue(), 'everyone');

  // Nobody: Alice no longer sees Bob online, and Bob no longer sees Alice.
  await choose(bob, 'Nobody');
  await online(alice).waitFor({ state: 'detached' });
  await online(bob).waitFor({ state: 'detached' });

  // Bob leaves and comes back (the setting is his account's, kept by the relay and by his
  // browser): Alice still sees neither online nor last seen, and Bob still sees nothing.
  await bob.reload();
  await waitForStatus(bob, 'Connected');
  await bob.getByRole('button', { name: /^alice/ }).click();
  await openSettings(bob);
  assert.equal(await select.inputValue(), 'nobody');
  assert.equal(await online(alice).count(), 0);
  assert.equal(await lastSeen(alice).count(), 0);
  assert.equal(await online(bob).count(), 0);

  // Everyone again: both see each other online, and Alice sees when Bob was last seen.
  await choose(bob, 'Everyone');
  await online(alice).waitFor();
  await online(bob).waitFor();
  await bob.close();
  await lastSeen(alice).waitFor();

  assert.deepEqual(errors.flat(), []);
});
