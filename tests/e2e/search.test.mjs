// Issue 21 in the browser, search: messages are found by their words (accents and case folded,
// the last word as a prefix) in every chat and within one; a result opens its chat at the
// message (one further back than the log with the stretch around it, and Jump to newest goes
// back); edits and deletes change what is found at once; the search views pass axe.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register, watchErrors } from './support/browser.mjs';
import { violations } from './support/axe.mjs';
import { startServer } from './support/server.mjs';

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

/** The message whose own text is exactly `text`. */
function bubble(page, text) {
  const body = page.locator('p.body').getByText(text, { exact: true });
  return page.getByRole('log').locator('li.bubble', { has: body });
}

async function user(name) {
  // bypassCSP: axe is injected to check the search views.
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await register(page, server.url, name);
  return page;
}

/** Sends `texts` one after another without waiting for each, then waits for the last. */
async function sendAll(page, texts) {
  const box = page.getByRole('textbox', { name: 'Message' });
  for (const text of texts) {
    await box.fill(text);
    await box.press('Enter');
  }
  const last = texts[texts.length - 1];
  await bubble(page, last).getByText(/^(Delivered|Read)$/).waitFor({ timeout: 60_000 });
}

/** Types `query` into the global search and gives the results list. */
async function searchEverywhere(page, query) {
  const field = page.getByRole('searchbox', { name: 'Search messages' });
  await field.fill(query);
  return page.getByRole('list', { name: 'Search results' });
}

/** The texts of the message results (their bodies), in order. */
async function found(results) {
  return (await results.locator('.starred-body').allTextContents()).filter((t) => t !== 'Chat');
}

test('global and in-chat search, through edits and deletes, on a long chat', { timeout: 240_000 }, async () => {
  const alice = await user('uma');
  const bob = await user('vic');
  const errors = [alice, bob].map(watchErrors);
  await openChat(alice, 'vic');
  // The first two are more than a page (200) behind the newest by the end.
  const filler = Array.from({ length: 210 }, (_, n) => `filler message ${n}`);
  await sendAll(alice, [
    'The Café opens at nine',
    'bring the umbrella',
    'note one',
    ...filler,
    'note two',
    'note three',
  ]);

  // Bob finds by a folded, partly typed word; the newest match first.
  await bob.getByRole('button', { name: /^uma/ }).click({ timeout: 30_000 });
  await bubble(bob, 'note three').waitFor({ timeout: 30_000 });
  // Opened unread, the chat read back to its first unread message; read now, it opens at its
  // newest page only (after a reload, which opens no chat).
  await bubble(bob, 'The Café opens at nine').waitFor({ timeout: 30_000 });
  assert.equal(await bob.locator('li.unread-divider + li p.body').textContent(), 'The Café opens at nine');
  // Marked read (the title counts no unread message) before the reload.
  await bob.waitForFunction(() => document.title === 'Hush', null, { timeout: 20_000 });
  await bob.reload();
  await bob.getByRole('button', { name: /^uma/ }).click({ timeout: 30_000 });
  await bubble(bob, 'note three').waitFor({ timeout: 30_000 });
  assert.equal(await bubble(bob, 'The Café opens at nine').count(), 0, 'only the newest page');
  await bob.getByRole('button', { name: 'Back to chats' }).click().catch(() => {});
  let results = await searchEverywhere(bob, 'CAFE op');
  await results.getByText('The Café opens at nine').waitFor({ timeout: 10_000 });
  assert.deepEqual(await found(results), ['The Café opens at nine']);
  results = await searchEverywhere(bob, 'note');
  await results.getByText('note one').waitFor({ timeout: 10_000 });
  assert.deepEqual(await found(results), ['note three', 'note two', 'note one']);
  // Chats are found by name too.
  results = await searchEverywhere(bob, 'um');
  await results.getByRole('button', { name: /^uma\s*Chat/ }).waitFor({ timeout: 10_000 });
  assert.deepEqual(await violations(bob, 'global search'), []);

  // A result more than a page back opens the chat at it, marked.
  results = await searchEverywhere(bob, 'umbrella');
  await results.getByRole('button', { name: /bring the umbrella/ }).click();
  const umbrella = bubble(bob, 'bring the umbrella');
  await umbrella.waitFor({ timeout: 20_000 });
  await bob.locator('li.bubble.highlight', { hasText: 'bring the umbrella' }).waitFor({ timeout: 10_000 });
  assert.ok(await umbrella.isVisible(), 'the found message is in view');

  // Alice edits it and deletes the café one for everyone: Bob finds the new words only.
  await bubble(alice, 'bring the umbrella').getByRole('button', { name: 'Message actions' }).click();
  await alice.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'Edit', exact: true }).click();
  await alice.getByRole('textbox', { name: 'Message' }).fill('bring the raincoat');
  await alice.getByRole('button', { name: 'Save edit' }).click();
  await bubble(alice, 'The Café opens at nine').getByRole('button', { name: 'Message actions' }).click();
  await alice.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'Delete for everyone', exact: true }).click();
  await alice.getByRole('dialog').getByRole('button', { name: 'Delete for everyone', exact: true }).click();
  await bubble(bob, 'bring the raincoat').waitFor({ timeout: 20_000 });
  await bob.getByText('This message was deleted').first().waitFor({ timeout: 20_000 });
  results = await searchEverywhere(bob, 'umbrella');
  await bob.getByText('No chats or messages found.').waitFor({ timeout: 10_000 });
  results = await searchEverywhere(bob, 'raincoat');
  await results.getByText('bring the raincoat').waitFor({ timeout: 10_000 });
  results = await searchEverywhere(bob, 'cafe');
  await bob.getByText('No chats or messages found.').waitFor({ timeout: 10_000 });

  // A result further back than the log opened the stretch around it: the newest messages are
  // not on screen, a new one waits in the chat list, newer pages load on the way down, and
  // Jump to newest brings back the newest (the new one with them).
  const log = bob.getByRole('log', { name: 'Messages' });
  assert.equal(await bubble(bob, 'note three').count(), 0, 'the newest are not on screen');
  await bob.getByRole('button', { name: 'Jump to newest' }).waitFor();
  await alice.getByRole('textbox', { name: 'Message' }).fill('fresh news');
  await alice.getByRole('textbox', { name: 'Message' }).press('Enter');
  await bob.getByRole('navigation', { name: 'Chats' }).getByText('fresh news').waitFor({ timeout: 20_000 });
  assert.equal(await bubble(bob, 'fresh news').count(), 0, 'a new message waits for the jump');
  const shownBefore = await log.locator('li.bubble').count();
  await log.getByRole('button', { name: 'Load newer messages' }).click();
  await bob.waitForFunction(
    (n) => document.querySelectorAll('[role=log] li.bubble').length > n,
    shownBefore,
  );
  await bob.getByRole('button', { name: 'Jump to newest' }).click();
  await bubble(bob, 'fresh news').waitFor({ timeout: 10_000 });
  await bubble(bob, 'note three').waitFor();
  await bob.getByRole('button', { name: 'Jump to newest' }).waitFor({ state: 'detached' });

  // In the chat: the newest match first, then older with Next result, back with Previous.
  await bob.getByRole('button', { name: 'Search in chat', exact: true }).click();
  const bar = bob.getByRole('search', { name: 'In this chat' });
  await bar.getByRole('searchbox', { name: 'Search in chat' }).fill('note');
  await bar.getByText('1 of 3').waitFor({ timeout: 10_000 });
  await bob.locator('li.bubble.highlight', { hasText: 'note three' }).waitFor({ timeout: 10_000 });
  await bar.getByRole('button', { name: 'Next result' }).click();
  await bar.getByText('2 of 3').waitFor();
  await bar.getByRole('button', { name: 'Next result' }).click();
  await bar.getByText('3 of 3').waitFor();
  await bob.locator('li.bubble.highlight', { hasText: 'note one' }).waitFor({ timeout: 10_000 });
  assert.ok(await bar.getByRole('button', { name: 'Next result' }).isDisabled(), 'no match older than the oldest');
  await bar.getByRole('button', { name: 'Previous result' }).click();
  await bar.getByText('2 of 3').waitFor();
  assert.deepEqual(await violations(bob, 'search in chat'), []);

  // Escape closes the chat's field and gives the focus back to the button that opened it.
  await bar.getByRole('searchbox', { name: 'Search in chat' }).press('Escape');
  await bar.waitFor({ state: 'detached' });
  const inChat = bob.getByRole('button', { name: 'Search in chat', exact: true });
  await bob.waitForFunction((name) => document.activeElement?.textContent?.trim() === name, 'Search in chat');
  assert.equal(await inChat.getAttribute('aria-expanded'), 'false');
  await bob.getByRole('button', { name: 'Back to chats' }).click().catch(() => {});
  await searchEverywhere(bob, 'note');
  // The field above the chat list stays: Escape empties it and takes its results away.
  const everywhere = bob.getByRole('searchbox', { name: 'Search messages' });
  await everywhere.press('Escape');
  await bob.getByRole('list', { name: 'Search results' }).waitFor({ state: 'detached' });
  assert.equal(await everywhere.inputValue(), '');
  assert.ok(await everywhere.evaluate((field) => field === document.activeElement), 'the field keeps the focus');

  for (const list of errors) assert.deepEqual(list, []);
});
