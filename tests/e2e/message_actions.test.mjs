// Issue 21 in the browser, the actions that change messages: two people reply (the quote leads
// to the original), edit ("Edited"), delete for everyone (after a confirming dialog), star
// (and unstar), delete for me (gone here only) and forward to a third chat ("Forwarded"); the
// dialogs pass axe.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register, watchErrors } from './support/browser.mjs';
import { violations } from './support/axe.mjs';
import { startServer } from './support/server.mjs';
import { fromMenu } from './support/menu.mjs';

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

/** The message whose own text (not a quote of it) is exactly `text`. */
function bubble(page, text) {
  const body = page.locator('p.body').getByText(text, { exact: true });
  return page.getByRole('log').locator('li.bubble', { has: body });
}

async function send(page, text) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await bubble(page, text).getByText(/^(Sent|Delivered|Read)$/).waitFor({ timeout: 20_000 });
}

async function user(name) {
  // bypassCSP: axe is injected to check the dialogs.
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await register(page, server.url, name);
  return page;
}

/** Chooses `item` from the menu of the message whose text is `text`. */
async function act(page, text, item) {
  await bubble(page, text).getByRole('button', { name: 'Message actions' }).click();
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await menu.getByRole('menuitem', { name: item, exact: true }).click();
}

/** The names of the items the message's menu offers (closed again with Escape). */
async function offered(page, text) {
  await bubble(page, text).getByRole('button', { name: 'Message actions' }).click();
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await menu.waitFor();
  const items = await menu.getByRole('menuitem').allTextContents();
  await page.keyboard.press('Escape');
  return items.map((item) => item.trim());
}

test('reply, edit, delete for everyone, star, delete for me and forward', { timeout: 180_000 }, async () => {
  const alice = await user('rhea');
  const bob = await user('seth');
  const carol = await user('tess');
  const errors = [alice, bob].map(watchErrors);
  await openChat(alice, 'seth');
  await send(alice, 'lunch at noon?');
  await bob.getByRole('button', { name: /^rhea/ }).click({ timeout: 30_000 });
  await bubble(bob, 'lunch at noon?').waitFor({ timeout: 20_000 });

  // Only what each may do is offered: Bob cannot edit or delete Alice's message for everyone.
  const theirs = await offered(bob, 'lunch at noon?');
  assert.ok(theirs.includes('Reply') && theirs.includes('Star') && theirs.includes('Forward'));
  assert.ok(!theirs.includes('Edit') && !theirs.includes('Delete for everyone'));
  assert.ok(theirs.includes('Delete for me'));
  const mine = await offered(alice, 'lunch at noon?');
  assert.ok(mine.includes('Edit') && mine.includes('Delete for everyone'));

  // Bob replies: the composer says to whom; the reply carries the quote on both sides.
  await act(bob, 'lunch at noon?', 'Reply');
  const replying = bob.getByRole('group', { name: 'Reply' });
  await replying.getByText('Replying to rhea').waitFor();
  await bob.getByRole('textbox', { name: 'Message' }).fill('yes, at the usual place');
  await bob.getByRole('button', { name: 'Send', exact: true }).click();
  await replying.waitFor({ state: 'detached' });
  const quote = bubble(alice, 'yes, at the usual place').getByRole('button', { name: /^Quote of You: lunch at noon\?$/ });
  await quote.waitFor({ timeout: 20_000 });
  await quote.click();
  await alice.waitForFunction(() => document.querySelector('li.bubble.highlight') !== null);

  // Alice edits hers: the composer holds its text; both sides show the new text and "Edited".
  await act(alice, 'lunch at noon?', 'Edit');
  const box = alice.getByRole('textbox', { name: 'Message' });
  assert.equal(await box.inputValue(), 'lunch at noon?');
  await box.fill('lunch at 12:30?');
  await alice.getByRole('button', { name: 'Save edit' }).click();
  for (const page of [alice, bob]) {
    await bubble(page, 'lunch at 12:30?').getByText('Edited', { exact: true }).waitFor({ timeout: 20_000 });
  }

  // Bob stars it, and sees Unstar offered after.
  await act(bob, 'lunch at 12:30?', 'Star');
  await bubble(bob, 'lunch at 12:30?').getByText('Starred', { exact: true }).waitFor();
  assert.ok((await offered(bob, 'lunch at 12:30?')).includes('Unstar'));
  // And finds it in Starred messages, which opens its chat.
  await fromMenu(bob, 'Starred messages');
  const starred = bob.getByRole('list', { name: 'Starred' });
  await starred.getByRole('button', { name: /lunch at 12:30\?/ }).click();
  await fromMenu(bob, 'Starred messages');

  // Bob forwards it to Carol: a dialog with a checkbox per chat.
  await openChat(bob, 'tess');
  await send(bob, 'hi tess');
  await bob.getByRole('button', { name: /^rhea/ }).click();
  await act(bob, 'lunch at 12:30?', 'Forward');
  const forward = bob.getByRole('dialog', { name: 'Forward to' });
  await forward.getByRole('checkbox', { name: 'tess' }).check();
  assert.deepEqual(await violations(bob), []);
  await forward.getByRole('button', { name: 'Forward', exact: true }).click();
  await carol.getByRole('button', { name: /^seth/ }).click({ timeout: 30_000 });
  await bubble(carol, 'lunch at 12:30?').getByText('Forwarded', { exact: true }).waitFor({ timeout: 20_000 });

  // Alice deletes her message for everyone, after confirming.
  await act(alice, 'lunch at 12:30?', 'Delete for everyone');
  const confirm = alice.getByRole('dialog', { name: 'Delete message?' });
  assert.deepEqual(await violations(alice), []);
  await confirm.getByRole('button', { name: 'Delete for everyone' }).click();
  for (const page of [alice, bob]) {
    await page.getByRole('log').getByText('This message was deleted').waitFor({ timeout: 20_000 });
    assert.equal(await bubble(page, 'lunch at 12:30?').count(), 0);
  }

  // Bob deletes the reply for himself: gone on his side only.
  await act(bob, 'yes, at the usual place', 'Delete for me');
  await bubble(bob, 'yes, at the usual place').waitFor({ state: 'detached' });
  assert.equal(await bubble(alice, 'yes, at the usual place').count(), 1);
  assert.deepEqual(errors.flat(), []);
});
