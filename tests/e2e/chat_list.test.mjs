// Issue 21 in the web app: the chat list's `Chat actions` menu (by button, right-click and
// keyboard): pinning (pinned chats first, a fourth pin refused with a message), archiving
// (found under `Archived`, unarchived from there), marking unread (opening clears the mark),
// clearing and deleting a chat (each confirmed first; a new message brings a deleted chat
// back); the open menu and the Archived view pass axe in both themes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register } from './support/browser.mjs';
import { violations } from './support/axe.mjs';
import { startServer } from './support/server.mjs';
import { bubble, send } from './support/messages.mjs';

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

/** The chat list. */
function list(page) {
  return page.getByRole('navigation', { name: 'Chats' });
}

/** The chat list's row of the chat with `name`. */
function row(page, name) {
  return list(page).locator('li.chat-row', { has: page.locator(`[data-chat="${name}"]`) });
}

/** The chats listed, top to bottom. */
function order(page) {
  return list(page).locator('ul.chats button.chat').evaluateAll((rows) => rows.map((r) => r.dataset.chat));
}

/** Chooses `item` from the chat's `Chat actions` menu, with the mouse. */
async function choose(page, name, item) {
  await row(page, name).getByRole('button', { name: 'Chat actions' }).click();
  await page.getByRole('menu', { name: 'Chat actions' }).getByRole('menuitem', { name: item, exact: true }).click();
}

/** A new account in its own browser context. */
async function person(name, options = {}) {
  const page = await (await browser.newContext(options)).newPage();
  await register(page, server.url, name);
  return page;
}

test('pin, archive, mark unread, clear and delete chats', { timeout: 240_000 }, async () => {
  const alice = await person('cla');
  const peers = ['clb', 'clc', 'cld', 'cle'];
  const pages = [];
  for (const peer of peers) pages.push(await person(peer));
  for (const peer of peers) {
    await openChat(alice, peer);
    await send(alice, `hi ${peer}`);
  }
  assert.deepEqual(await order(alice), ['cle', 'cld', 'clc', 'clb']);

  // Pinned chats go first; a fourth pin is refused, and says why.
  await choose(alice, 'clb', 'Pin chat');
  await alice.waitForFunction(() => document.querySelector('ul.chats button.chat')?.dataset.chat === 'clb');
  await row(alice, 'clb').getByRole('img', { name: 'Pinned' }).waitFor();
  await choose(alice, 'clc', 'Pin chat');
  await choose(alice, 'cld', 'Pin chat');
  await row(alice, 'cld').getByRole('img', { name: 'Pinned' }).waitFor();
  assert.deepEqual(await order(alice), ['cld', 'clc', 'clb', 'cle']);
  await choose(alice, 'cle', 'Pin chat');
  await alice.getByRole('alert').filter({ hasText: 'you can pin up to 3 chats' }).waitFor();
  await choose(alice, 'clb', 'Unpin chat');
  await row(alice, 'clb').getByRole('img', { name: 'Pinned' }).waitFor({ state: 'detached' });

  // Archived from a right-click: found under Archived, unarchived from there.
  await row(alice, 'cle').locator('button.chat').click({ button: 'right' });
  await alice.getByRole('menu', { name: 'Chat actions' }).getByRole('menuitem', { name: 'Archive chat' }).click();
  await row(alice, 'cle').waitFor({ state: 'detached' });
  await list(alice).getByRole('button', { name: 'Archived', exact: true }).click();
  await row(alice, 'cle').waitFor();
  assert.deepEqual(await order(alice), ['cle']);
  await choose(alice, 'cle', 'Unarchive chat');
  await row(alice, 'cle').waitFor({ state: 'detached' });
  await list(alice).getByRole('button', { name: 'Back to chats' }).click();
  await row(alice, 'cle').waitFor();
  assert.equal(await list(alice).getByRole('button', { name: 'Archived', exact: true }).count(), 0);

  // From the keyboard: the menu opens on its first item, arrows move, Escape gives focus back.
  const actions = row(alice, 'clb').getByRole('button', { name: 'Chat actions' });
  await actions.focus();
  await alice.keyboard.press('Enter');
  const menu = alice.getByRole('menu', { name: 'Chat actions' });
  await menu.getByRole('menuitem', { name: 'Pin chat' }).waitFor();
  await alice.waitForFunction(() => document.activeElement?.textContent === 'Pin chat');
  await alice.keyboard.press('ArrowDown');
  await alice.keyboard.press('ArrowDown');
  await alice.waitForFunction(() => document.activeElement?.textContent === 'Mark as unread');
  await alice.keyboard.press('Escape');
  await alice.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Chat actions');

  // Marked unread until opened.
  await choose(alice, 'clb', 'Mark as unread');
  const mark = row(alice, 'clb').getByRole('img', { name: 'Marked unread' });
  await mark.waitFor();
  await row(alice, 'clb').locator('button.chat').click();
  await mark.waitFor({ state: 'detached' });

  // Cleared (after asking): the chat stays, its messages go.
  await bubble(alice, 'hi clb').waitFor();
  await choose(alice, 'clb', 'Clear chat');
  const confirm = alice.getByRole('dialog');
  await confirm.getByRole('button', { name: 'Clear chat' }).click();
  await bubble(alice, 'hi clb').waitFor({ state: 'detached' });
  await row(alice, 'clb').waitFor();

  // Deleted (after asking, once cancelled): gone until the peer writes again.
  await choose(alice, 'clc', 'Delete chat');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await row(alice, 'clc').waitFor();
  await choose(alice, 'clc', 'Delete chat');
  await confirm.getByRole('button', { name: 'Delete chat' }).click();
  await row(alice, 'clc').waitFor({ state: 'detached' });
  const carol = pages[1];
  await list(carol).getByRole('button', { name: /^cla/ }).click({ timeout: 30_000 });
  await send(carol, 'are you there?');
  await row(alice, 'clc').waitFor({ timeout: 30_000 });
  await row(alice, 'clc').locator('button.chat').click();
  await bubble(alice, 'are you there?').waitFor();
  assert.equal(await bubble(alice, 'hi clc').count(), 0);

  await alice.context().close();
  for (const page of pages) await page.context().close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`the chat menu and the Archived view pass axe (${colorScheme})`, { timeout: 120_000 }, async () => {
    // The test injects axe, which the app's content security policy would (rightly) refuse.
    const options = { colorScheme, bypassCSP: true };
    const [a, b, c] = ['x', 'y', 'z'].map((l) => `${l}${colorScheme}`);
    const alice = await person(a, options);
    const others = [await person(b, options), await person(c, options)];
    for (const peer of [b, c]) {
      await openChat(alice, peer);
      await send(alice, `hello ${peer}`);
    }
    await choose(alice, b, 'Pin chat');
    await choose(alice, c, 'Mark as unread');
    await row(alice, c).getByRole('img', { name: 'Marked unread' }).waitFor();
    await row(alice, b).getByRole('button', { name: 'Chat actions' }).click();
    await alice.getByRole('menu', { name: 'Chat actions' }).waitFor();
    const found = await violations(alice, 'chat menu open');
    await alice.keyboard.press('Escape');
    await choose(alice, c, 'Archive chat');
    await list(alice).getByRole('button', { name: 'Archived', exact: true }).click();
    await row(alice, c).waitFor();
    found.push(...await violations(alice, 'archived view'));
    await choose(alice, c, 'Clear chat');
    await alice.getByRole('dialog').getByRole('button', { name: 'Clear chat' }).waitFor();
    found.push(...await violations(alice, 'clear dialog'));
    assert.deepEqual(found, []);
    await alice.context().close();
    for (const page of others) await page.context().close();
  });
}
