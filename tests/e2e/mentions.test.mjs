// Issue 21: mentions in a group, in real Chromium against the real relay. Typing `@` in a
// group's composer offers the members in a listbox named `Mention` (arrow keys and Enter, or a
// click); the message shows the mention marked on every side; a mention of Carol notifies her
// although she muted the group, where a message that does not mention her stays silent. The
// composer with the list open passes axe. A reply mentions as well, and an edit keeps (or
// changes) whom its message mentions.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, launchPersistent, openChat, register, waitForStatus } from './support/browser.mjs';
import { violations } from './support/axe.mjs';
import { startServer } from './support/server.mjs';
import { fromMenu } from './support/menu.mjs';

let server;
let browser;
const cleanup = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const undo of cleanup.reverse()) await undo();
  await server?.stop();
});

/** The chat line whose own text is exactly `text`. */
function line(page, text) {
  const body = page.locator('p.body').filter({ hasText: new RegExp(`^${text}$`) });
  return page.getByRole('log').locator('li', { has: body });
}

/** Reads until `done` holds (or 30 s pass), then returns the last reading. */
async function until(read, done) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('@ offers the members, the mention is marked, and it notifies in a muted group', { timeout: 240_000 }, async () => {
  // bypassCSP: axe is injected to check the list.
  const alice = await (await browser.newContext({ bypassCSP: true })).newPage();
  const bob = await browser.newPage();
  // Carol's notifications are on, in a profile whose service worker can show them.
  const { context, close } = await launchPersistent();
  cleanup.push(close);
  await context.grantPermissions(['notifications'], { origin: server.url });
  await context.addInitScript(() => localStorage.setItem('hush-notifications', 'on'));
  const carol = await context.newPage();
  await register(alice, server.url, 'alice');
  await register(bob, server.url, 'bob');
  await register(carol, server.url, 'carol');
  await carol.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });

  await fromMenu(alice, 'New group');
  await alice.getByRole('textbox', { name: 'Group name' }).fill('Lunch');
  for (const member of ['bob', 'carol']) {
    await alice.getByRole('textbox', { name: 'Add member' }).fill(member);
    await alice.getByRole('textbox', { name: 'Add member' }).press('Enter');
  }
  await alice.getByRole('button', { name: 'Create group' }).click();
  await alice.getByRole('heading', { name: 'Lunch' }).waitFor();

  // Carol mutes the group, then looks at another chat.
  await carol.getByRole('button', { name: /^Lunch/ }).click({ timeout: 20_000 });
  await carol.getByRole('button', { name: 'Mute' }).click();
  await carol.getByRole('button', { name: 'Mute', pressed: true }).waitFor();
  await openChat(carol, 'alice');
  await waitForStatus(carol, 'Connected');
  const notifications = () =>
    carol.evaluate(async () =>
      (await (await navigator.serviceWorker.getRegistration()).getNotifications()).map((n) => n.body));

  // Not mentioned: the muted group stays silent.
  const composer = alice.getByRole('textbox', { name: 'Message' });
  await composer.fill('who is in?');
  await composer.press('Enter');
  await line(alice, 'who is in\\?').getByText(/^(Sent|Delivered|Read)$/).waitFor({ timeout: 20_000 });

  // `@` offers both members; the arrow key and Enter pick Carol.
  await composer.fill('@');
  const list = alice.getByRole('listbox', { name: 'Mention' });
  await list.waitFor();
  assert.deepEqual(await list.getByRole('option').allTextContents(), ['bob', 'carol']);
  assert.deepEqual(await violations(alice), []);
  await composer.press('ArrowDown');
  await list.getByRole('option', { name: 'carol', selected: true }).waitFor();
  await composer.press('Enter');
  await list.waitFor({ state: 'detached' });
  assert.equal(await composer.inputValue(), '@carol ');
  await composer.pressSequentially('are you in?');
  await composer.press('Enter');
  await line(alice, '@carol are you in\\?').getByText(/^(Sent|Delivered|Read)$/).waitFor({ timeout: 20_000 });

  // Typing narrows the list; a click picks.
  await composer.fill('and @b');
  assert.deepEqual(await list.getByRole('option').allTextContents(), ['bob']);
  await list.getByRole('option', { name: 'bob' }).click();
  assert.equal(await composer.inputValue(), 'and @bob ');
  await composer.press('End');
  await composer.pressSequentially('too');
  await composer.press('Enter');

  // Every side marks the mention.
  await bob.getByRole('button', { name: /^Lunch/ }).click({ timeout: 20_000 });
  for (const [page, text] of [[bob, '@carol are you in\\?'], [bob, 'and @bob too'], [alice, 'and @bob too']]) {
    const mark = line(page, text).locator('mark');
    await mark.waitFor({ timeout: 20_000 });
  }
  assert.equal(await line(bob, 'and @bob too').locator('mark').textContent(), '@bob');

  // Carol's device: one notification, for the mention of her only.
  const shown = await until(notifications, (list) => list.length > 0);
  assert.deepEqual(shown, ['@carol are you in?']);
  await carol.getByRole('button', { name: /^Lunch/ }).click();
  assert.equal(await line(carol, '@carol are you in\\?').locator('mark').textContent(), '@carol');

  // A reply mentions too: Alice answers her own question naming Bob.
  await line(alice, 'who is in\\?').getByRole('button', { name: 'Message actions' }).click();
  await alice.getByRole('menuitem', { name: 'Reply' }).click();
  await alice.getByRole('group', { name: 'Reply' }).waitFor();
  await composer.fill('@');
  await list.getByRole('option', { name: 'bob' }).click();
  await composer.pressSequentially('drives');
  await composer.press('Enter');
  const reply = line(bob, '@bob drives');
  await reply.locator('mark').waitFor({ timeout: 20_000 });
  await reply.getByRole('button', { name: /^Quote of alice: who is in\?$/ }).waitFor();

  // Editing keeps whom it mentions while the name stays, and adds Carol.
  await line(alice, '@bob drives').getByRole('button', { name: 'Message actions' }).click();
  await alice.getByRole('menuitem', { name: 'Edit' }).click();
  assert.equal(await composer.inputValue(), '@bob drives');
  await composer.fill('@bob drives, @');
  await list.getByRole('option', { name: 'carol' }).click();
  await composer.pressSequentially('rides');
  await alice.getByRole('button', { name: 'Save edit' }).click();
  const edited = line(bob, '@bob drives, @carol rides');
  await edited.getByText('Edited', { exact: true }).waitFor({ timeout: 20_000 });
  assert.deepEqual(await edited.locator('mark').allTextContents(), ['@bob', '@carol']);
});
