// Two people chatting in real Chromium (one browser context each) through a real hush-server:
// registration, a chat both ways, ticks up to Read, HTML shown as text, history after reload.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register as registerAt, waitForStatus, watchErrors } from './support/browser.mjs';
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

function register(page, name, displayName) {
  return registerAt(page, server.url, name, displayName);
}

/** Whether a message is inside the visible part of the scrolled log. */
function inView(item) {
  return item.evaluate((element) => {
    const [shown, list] = [element.getBoundingClientRect(), element.closest('ol').getBoundingClientRect()];
    return shown.bottom > list.top && shown.top < list.bottom;
  });
}

/** Polls `check` (async, truthy when done) for a few seconds. */
async function waitUntil(check, what, timeout = 5_000) {
  const until = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The message whose text is exactly `text`. */
function bubble(page, text) {
  return page.getByRole('log').locator('li', { has: page.getByText(text, { exact: true }) });
}

test('two people register and chat both ways, with ticks up to Read', { timeout: 120_000 }, async () => {
  const alice = await browser.newPage();
  const bob = await browser.newPage();
  const errors = [...[alice, bob].map(watchErrors)];
  await register(alice, 'alice', 'Alice Liddell');
  await register(bob, 'bob');

  await openChat(alice, 'bob');
  await alice.getByRole('textbox', { name: 'Message' }).fill('hello bob');
  await alice.getByRole('button', { name: 'Send', exact: true }).click();
  await bubble(alice, 'hello bob').getByText(/^(Sending|Sent|Delivered)$/).waitFor();
  await bubble(alice, 'hello bob').getByText('Delivered', { exact: true }).waitFor();

  // Bob's chat list shows Alice by the name she chose; opening it shows the message and tells
  // Alice it was read.
  await bob.getByRole('button', { name: /Alice Liddell/ }).click();
  await bob.getByRole('heading', { name: /Alice Liddell/ }).waitFor();
  await bubble(bob, 'hello bob').waitFor();
  await bubble(alice, 'hello bob').getByText('Read', { exact: true }).waitFor();

  // Both sides see the same safety number; Alice marks Bob verified.
  await alice.getByRole('button', { name: 'Contact info' }).click();
  await bob.getByRole('button', { name: 'Contact info' }).click();
  const number = (page) => page.getByRole('region', { name: 'Contact info' }).locator('.safety-number');
  await number(alice).waitFor();
  await number(bob).waitFor();
  const digits = await number(alice).textContent();
  assert.match(digits, /^(\d{5} ){11}\d{5}$/);
  assert.equal(await number(bob).textContent(), digits);
  // The same number as a QR code to scan.
  for (const page of [alice, bob]) {
    await page.getByRole('img', { name: 'Safety number QR code' }).waitFor();
  }
  await alice.getByRole('button', { name: 'Mark as verified' }).click();
  await alice.getByText('Verified', { exact: true }).waitFor();

  // Typing shows on the other side, and presence in the header.
  await alice.getByText('online', { exact: true }).waitFor();
  await alice.getByRole('textbox', { name: 'Message' }).fill('typing th');
  await bob.getByText('typing…', { exact: true }).waitFor();
  await alice.getByRole('textbox', { name: 'Message' }).fill('');

  // Enter sends; what looks like HTML is shown as text and runs nothing.
  const html = '<img src=x onerror="window.pwned=1"><b>hi</b>';
  await bob.getByRole('textbox', { name: 'Message' }).fill(html);
  await bob.getByRole('textbox', { name: 'Message' }).press('Enter');
  await bubble(alice, html).waitFor();
  await bubble(bob, html).getByText('Read', { exact: true }).waitFor();
  assert.equal(await alice.evaluate(() => window.pwned), undefined);
  assert.equal(await alice.getByRole('log').locator('img, b').count(), 0);

  // A reload keeps the history (IndexedDB) and the conversation goes on.
  await alice.reload();
  await waitForStatus(alice, 'Connected');
  await alice.getByRole('button', { name: /bob/ }).click();
  await bubble(alice, 'hello bob').getByText('Read', { exact: true }).waitFor();
  await bubble(alice, html).waitFor();
  await alice.getByRole('textbox', { name: 'Message' }).fill('after reload');
  await alice.getByRole('button', { name: 'Send', exact: true }).click();
  await bubble(bob, 'after reload').waitFor();

  assert.deepEqual(errors.flat(), []);
  await alice.close();
  await bob.close();
});

/** Makes the page report itself hidden (or visible again), as switching tabs would. */
async function setHidden(page, hidden) {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
    Object.defineProperty(document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test('a message into a chat open in a hidden tab is read only once the tab shows again', { timeout: 120_000 }, async () => {
  const hana = await browser.newPage();
  const ivan = await browser.newPage();
  await register(hana, 'hana');
  await register(ivan, 'ivan');
  await openChat(hana, 'ivan');
  await hana.getByRole('textbox', { name: 'Message' }).fill('are you there?');
  await hana.getByRole('textbox', { name: 'Message' }).press('Enter');
  await ivan.getByRole('button', { name: /hana/ }).click();
  await bubble(hana, 'are you there?').getByText('Read', { exact: true }).waitFor();

  // Ivan switches away with the chat open: the next message arrives, unread.
  await setHidden(ivan, true);
  await hana.getByRole('textbox', { name: 'Message' }).fill('while you were away');
  await hana.getByRole('textbox', { name: 'Message' }).press('Enter');
  await bubble(ivan, 'while you were away').waitFor();
  await ivan.getByLabel('1 unread').waitFor();
  await bubble(hana, 'while you were away').getByText('Delivered', { exact: true }).waitFor();
  assert.equal(await ivan.getByLabel('1 unread').count(), 1, 'still unread while hidden');

  // Back on the tab: now it is read.
  await setHidden(ivan, false);
  await bubble(hana, 'while you were away').getByText('Read', { exact: true }).waitFor();
  await ivan.getByLabel('1 unread').waitFor({ state: 'detached' });
  await hana.close();
  await ivan.close();
});

test('a recipient whose tab was closed gets everything on return, in order', { timeout: 120_000 }, async () => {
  const carol = await browser.newPage();
  const dave = await browser.newPage();
  const errors = [...[carol, dave].map(watchErrors)];
  await register(carol, 'carol');
  await register(dave, 'dave');
  // Dave closes Hush (the page leaves; its IndexedDB stays with the browser profile).
  await dave.goto('about:blank');

  await openChat(carol, 'dave');
  const notes = ['one', 'two', 'three'];
  for (const note of notes) {
    await carol.getByRole('textbox', { name: 'Message' }).fill(note);
    await carol.getByRole('button', { name: 'Send', exact: true }).click();
  }
  for (const note of notes) {
    await bubble(carol, note).getByText('Sent', { exact: true }).waitFor();
  }

  await dave.goto(server.url);
  await dave.getByRole('button', { name: /carol.*3 unread/ }).click();
  await bubble(dave, 'three').waitFor();
  const shown = await dave.getByRole('log').locator('li .body').allTextContents();
  assert.deepEqual(shown, notes);
  for (const note of notes) {
    await bubble(carol, note).getByText('Read', { exact: true }).waitFor();
  }
  assert.deepEqual(errors.flat(), []);
  await carol.close();
  await dave.close();
});

test('starting a chat with an unknown name says so; a failed message can be retried', { timeout: 120_000 }, async () => {
  const erin = await browser.newPage();
  const errors = watchErrors(erin);
  await register(erin, 'erin');
  await openChat(erin, 'frank');
  await erin.getByRole('alert').filter({ hasText: 'There is no one called frank on Hush.' }).waitFor();
  await erin.getByRole('textbox', { name: 'Message' }).fill('are you there?');
  await erin.getByRole('button', { name: 'Send', exact: true }).click();
  await bubble(erin, 'are you there?').getByText('Failed', { exact: true }).waitFor();

  const frank = await browser.newPage();
  await register(frank, 'frank');
  await bubble(erin, 'are you there?').getByRole('button', { name: 'Retry' }).click();
  await bubble(erin, 'are you there?').getByText('Delivered', { exact: true }).waitFor();
  await frank.getByRole('button', { name: /erin/ }).click();
  await bubble(frank, 'are you there?').waitFor();
  assert.deepEqual(errors, []);
  await erin.close();
  await frank.close();
});

test('the server killed in the middle of a burst loses nothing and duplicates nothing', { timeout: 180_000 }, async () => {
  const gina = await browser.newPage();
  const hank = await browser.newPage();
  await register(gina, 'gina');
  await register(hank, 'hank');
  await openChat(gina, 'hank');

  const burst = Array.from({ length: 12 }, (_, i) => `burst ${i + 1}`);
  const composer = gina.getByRole('textbox', { name: 'Message' });
  for (const [i, text] of burst.entries()) {
    await composer.fill(text);
    await composer.press('Enter');
    if (i === 5) await server.kill('SIGKILL');
  }
  await server.restart();
  await waitForStatus(gina, 'Connected', 30_000);

  await hank.getByRole('button', { name: /gina/ }).click({ timeout: 30_000 });
  await bubble(hank, 'burst 12').waitFor({ timeout: 30_000 });
  // Give any duplicate the time to show up before counting.
  await hank.waitForTimeout(1000);
  const shown = await hank.getByRole('log').locator('li .body').allTextContents();
  assert.deepEqual(shown, burst);
  for (const text of burst) {
    await bubble(gina, text).getByText('Read', { exact: true }).waitFor();
  }
  await gina.close();
  await hank.close();
});

test('one tab owns Hush; another offers "Use here" and takes over', { timeout: 120_000 }, async () => {
  const context = await browser.newContext();
  const first = await context.newPage();
  await register(first, 'ivy');
  const second = await context.newPage();
  await second.goto(server.url);
  await second.getByRole('heading', { name: 'Hush is open in another tab' }).waitFor();
  await second.getByRole('button', { name: 'Use here' }).click();
  await second.getByRole('button', { name: 'New chat' }).waitFor();
  await waitForStatus(second, 'Connected');
  // The first tab gave up its engine, socket and database, and offers to take them back.
  await first.getByRole('heading', { name: 'Hush is open in another tab' }).waitFor();
  await context.close();
});

test('a long chat opens at its newest page and loads earlier messages on scroll', { timeout: 180_000 }, async () => {
  const june = await browser.newPage();
  const kim = await browser.newPage();
  const errors = [...[june, kim].map(watchErrors)];
  await register(june, 'june');
  await register(kim, 'kim');
  await openChat(june, 'kim');
  // More than one page (the app shows 200 at first), read as they come: a chat opened with
  // unread messages starts at the first of them (layout.test.mjs), a read one at its newest.
  const total = 230;
  const composer = june.getByRole('textbox', { name: 'Message' });
  await composer.fill('note 0');
  await composer.press('Enter');
  await kim.getByRole('button', { name: /^june/ }).click({ timeout: 60_000 });
  await bubble(kim, 'note 0').waitFor();
  for (let i = 1; i < total; i += 1) {
    await composer.fill(`note ${i}`);
    await composer.press('Enter');
  }
  await bubble(kim, `note ${total - 1}`).waitFor({ timeout: 60_000 });
  // Everything was read: June's newest message says so.
  await bubble(june, `note ${total - 1}`).getByText('Read', { exact: true }).waitFor({ timeout: 60_000 });

  await kim.reload();
  await kim.getByRole('button', { name: /^june/ }).click({ timeout: 60_000 });
  await bubble(kim, `note ${total - 1}`).waitFor();
  await waitUntil(() => inView(bubble(kim, `note ${total - 1}`)), 'the chat opens at its newest message');
  const log = kim.getByRole('log');
  assert.equal(await log.locator('li .body').count(), 200);
  const earlier = kim.getByRole('button', { name: 'Load earlier messages' });
  await earlier.waitFor();

  // Scrolling to the top brings the rest, above what was being read.
  const reading = bubble(kim, 'note 30');
  await log.evaluate((list) => { list.scrollTop = 0; });
  await bubble(kim, 'note 0').waitFor();
  assert.equal(await log.locator('li .body').count(), total);
  await earlier.waitFor({ state: 'detached' });
  const shown = await log.locator('li .body').allTextContents();
  assert.deepEqual(shown, Array.from({ length: total }, (_, i) => `note ${i}`));
  assert.ok(await inView(reading), 'the message at the top before loading stays in view');

  assert.deepEqual(errors.flat(), []);
  await june.close();
  await kim.close();
});
