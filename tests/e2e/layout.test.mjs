// Issue 22's layout in real Chromium against the real relay: an empty state while no chat is
// open; Contact info as a panel beside the conversation (the whole screen on a phone) closed by
// Close or Escape, the focus back on its button; on a phone one pane at a time, with
// `Back to chats`; bubbles as wide as their text, grouped in runs, each script in its own
// direction; the unread count in the tab's title and on the app badge; a chat opens at its
// `N unread messages` divider, and `Jump to newest` counts what came in while scrolled up.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register, watchErrors } from './support/browser.mjs';
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

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** A page for `name`, registered, at `viewport`. */
async function person(name, viewport) {
  const page = await (await browser.newContext({ viewport })).newPage();
  const errors = watchErrors(page);
  await register(page, server.url, name);
  return { page, errors };
}

/** `who` sends `text` in the open chat and waits until it is delivered. */
async function send(page, text) {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await page.getByRole('log').locator('li.bubble', { hasText: text }).getByText(/^(Delivered|Read)$/).waitFor({ timeout: 30_000 });
}

const box = (locator) => locator.evaluate((e) => {
  const r = e.getBoundingClientRect();
  return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
});

const focused = (locator) => locator.evaluate((e) => e === document.activeElement);

test('desktop: the empty state, then Contact info beside the conversation, closed by Close or Escape', { timeout: 120_000 }, async () => {
  const { page: alice, errors } = await person('lena', DESKTOP);
  await person('milo', DESKTOP);
  const pane = alice.getByRole('region', { name: 'Conversation' });
  await pane.getByText('No chat open').waitFor();
  // Both panes show; the phone's back button is not there.
  assert.ok(await alice.getByRole('navigation', { name: 'Chats' }).isVisible());
  assert.equal(await alice.getByRole('button', { name: 'Back to chats' }).count(), 0);

  await openChat(alice, 'milo');
  await send(alice, 'hello milo');
  assert.equal(await pane.getByText('No chat open').count(), 0);
  const log = alice.getByRole('log');
  const before = await box(log);
  const opener = alice.getByRole('button', { name: 'Contact info' });
  await opener.click();
  const panel = alice.getByRole('region', { name: 'Contact info' });
  await panel.locator('.safety-number').waitFor();
  assert.equal(await opener.getAttribute('aria-expanded'), 'true');
  // Beside the log, which keeps its top (nothing pushed down) and gives up width.
  const [side, after] = [await box(panel), await box(log)];
  assert.equal(after.top, before.top);
  assert.ok(side.left >= after.right, `the panel (${side.left}) is right of the log (${after.right})`);
  assert.ok(after.width < before.width);

  await panel.getByRole('button', { name: 'Close' }).click();
  await panel.waitFor({ state: 'detached' });
  await alice.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Contact info');
  assert.equal(await opener.getAttribute('aria-expanded'), 'false');

  await opener.click();
  await panel.getByRole('button', { name: 'Mark as verified' }).focus();
  await alice.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  await alice.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Contact info');
  assert.ok(await focused(opener));
  assert.deepEqual(errors, []);
  await alice.context().close();
});

test('phone: one pane at a time, Back to chats, Contact info over the whole screen', { timeout: 120_000 }, async () => {
  const { page: nina, errors } = await person('nina', PHONE);
  await person('omar', PHONE);
  const list = nina.getByRole('navigation', { name: 'Chats' });
  assert.ok(await list.isVisible());
  assert.equal(await nina.getByRole('region', { name: 'Conversation' }).isVisible(), false);

  await openChat(nina, 'omar');
  await send(nina, 'hello omar');
  assert.equal(await list.isVisible(), false, 'the chat list gives way to the chat');
  const back = nina.getByRole('button', { name: 'Back to chats' });
  assert.ok(await back.isVisible());

  await nina.getByRole('button', { name: 'Contact info' }).click();
  const panel = nina.getByRole('region', { name: 'Contact info' });
  await panel.locator('.safety-number').waitFor();
  assert.deepEqual(
    await box(panel),
    { left: 0, right: PHONE.width, top: 0, bottom: PHONE.height, width: PHONE.width, height: PHONE.height },
  );
  await panel.getByRole('button', { name: 'Close' }).click();
  await panel.waitFor({ state: 'detached' });

  await back.click();
  await list.waitFor();
  assert.equal(await nina.getByRole('region', { name: 'Conversation' }).isVisible(), false);
  await list.getByRole('button', { name: /^omar/ }).waitFor();
  assert.deepEqual(errors, []);
  await nina.context().close();
});

test('bubbles fit their text, one sender\'s run is grouped, Arabic runs right to left', { timeout: 120_000 }, async () => {
  const { page: pia, errors } = await person('pia', DESKTOP);
  const { page: quinn, errors: quinnErrors } = await person('quinn', DESKTOP);
  await openChat(pia, 'quinn');
  const arabic = 'مرحبا بالعالم';
  // The composer takes the direction of what is typed in it.
  const composer = pia.getByRole('textbox', { name: 'Message' });
  await composer.fill(arabic);
  assert.equal(await composer.evaluate((e) => e.matches(':dir(rtl)')), true);
  await composer.fill('');
  for (const text of ['ok', 'two', arabic]) await send(pia, text);

  await quinn.getByRole('button', { name: /^pia/ }).click({ timeout: 30_000 });
  const log = quinn.getByRole('log');
  const bubble = (text) => log.locator('li.bubble', { has: quinn.locator('p.body').getByText(text, { exact: true }) });
  await bubble(arabic).waitFor({ timeout: 30_000 });
  // A short received message is as wide as its text, not half the window.
  const [short, all] = [await box(bubble('ok')), await box(log)];
  assert.ok(short.width < all.width / 4, `"ok" is ${short.width}px wide in a ${all.width}px log`);
  // Each message keeps its own item and its own actions; the later ones continue the run.
  assert.equal(await log.getByRole('listitem').filter({ has: quinn.locator('p.body') }).count(), 3);
  for (const text of ['ok', 'two', arabic]) {
    assert.equal(await bubble(text).getByRole('button', { name: 'Message actions' }).count(), 1);
  }
  const runs = await Promise.all(['ok', 'two', arabic].map((t) => bubble(t).evaluate((e) => e.classList.contains('continued'))));
  assert.deepEqual(runs, [false, true, true]);
  // The Arabic text runs right to left, the English left to right.
  const direction = (text) => bubble(text).locator('p.body').evaluate((e) => getComputedStyle(e).direction);
  assert.equal(await direction(arabic), 'rtl');
  assert.equal(await direction('two'), 'ltr');
  assert.deepEqual([...errors, ...quinnErrors], []);
  await pia.context().close();
  await quinn.context().close();
});

test('the tab title and the app badge show the unread count, cleared once the chat is read', { timeout: 120_000 }, async () => {
  const { page: rae, errors } = await person('rae', DESKTOP);
  const context = await browser.newContext({ viewport: DESKTOP });
  // The Badging API as an installed app has it, recording what Hush asks of it.
  await context.addInitScript(() => {
    window.badges = [];
    navigator.setAppBadge = async (count) => { window.badges.push(count); };
    navigator.clearAppBadge = async () => { window.badges.push(0); };
  });
  const sam = await context.newPage();
  const samErrors = watchErrors(sam);
  await register(sam, server.url, 'sam');
  assert.equal(await sam.title(), 'Hush');

  await openChat(rae, 'sam');
  await send(rae, 'one');
  await send(rae, 'two');
  await sam.waitForFunction(() => document.title === '(2) Hush', null, { timeout: 30_000 });
  await sam.waitForFunction(() => window.badges.at(-1) === 2);

  await sam.getByRole('button', { name: /^rae/ }).click();
  await sam.waitForFunction(() => document.title === 'Hush', null, { timeout: 30_000 });
  await sam.waitForFunction(() => window.badges.at(-1) === 0);
  assert.deepEqual([...errors, ...samErrors], []);
  await rae.context().close();
  await context.close();
});

test('a chat opens at its unread divider; scrolled up, Jump to newest counts what came in', { timeout: 180_000 }, async () => {
  const { page: ivy, errors } = await person('ivy', DESKTOP);
  const { page: ned, errors: nedErrors } = await person('ned', DESKTOP);
  await openChat(ivy, 'ned');
  await send(ivy, 'read already');
  await ned.getByRole('button', { name: /^ivy/ }).click();
  const log = ned.getByRole('log', { name: 'Messages' });
  await log.locator('li.bubble', { hasText: 'read already' }).waitFor({ timeout: 30_000 });
  // Read, and the chat closed: a reload opens no chat.
  await ned.reload();
  await ned.getByRole('region', { name: 'Conversation' }).getByText('No chat open').waitFor({ timeout: 30_000 });
  const UNREAD = 24;
  for (let n = 1; n <= UNREAD; n += 1) {
    await send(ivy, `unread ${n}`);
  }
  await ned.waitForFunction((n) => document.title === `(${n}) Hush`, UNREAD, { timeout: 30_000 });

  await ned.getByRole('button', { name: /^ivy/ }).click();
  const divider = log.locator('li.unread-divider');
  await divider.waitFor({ timeout: 30_000 });
  assert.equal((await divider.textContent()).trim(), `${UNREAD} unread messages`);
  // Between the message read before and the first unread one.
  const around = await divider.evaluate((d) => [d.previousElementSibling, d.nextElementSibling]
    .map((row) => row?.querySelector('p.body')?.textContent));
  assert.deepEqual(around, ['read already', 'unread 1']);
  // The chat starts there: the divider in view, the newest below it out of view.
  await ned.waitForFunction(() => {
    const d = document.querySelector('li.unread-divider').getBoundingClientRect();
    const l = document.querySelector('[role=log]').getBoundingClientRect();
    return d.top >= l.top - 1 && d.bottom <= l.bottom;
  }, null, { timeout: 10_000 });
  assert.ok(!(await log.locator('li.bubble', { hasText: `unread ${UNREAD}` }).evaluate((e) => {
    const r = e.getBoundingClientRect();
    return r.top < document.querySelector('[role=log]').getBoundingClientRect().bottom;
  })), 'the newest is below the view');

  // Scrolled up, two come in: Jump to newest says so, and goes there.
  await log.evaluate((l) => { l.scrollTop = 0; });
  const jump = ned.getByRole('button', { name: 'Jump to newest' });
  await jump.waitFor();
  await send(ivy, 'later one');
  await send(ivy, 'later two');
  await log.locator('li.bubble', { hasText: 'later two' }).waitFor({ timeout: 30_000 });
  await ned.waitForFunction(() => document.getElementById('jump-newest-count')?.textContent === '2 new messages', null, { timeout: 10_000 });
  assert.equal(await jump.getAttribute('aria-describedby'), 'jump-newest-count');
  await jump.click();
  await jump.waitFor({ state: 'detached' });
  await ned.waitForFunction(() => {
    const last = [...document.querySelectorAll('[role=log] li.bubble')].at(-1).getBoundingClientRect();
    return last.bottom <= document.querySelector('[role=log]').getBoundingClientRect().bottom + 1;
  }, null, { timeout: 10_000 });
  assert.deepEqual([...errors, ...nedErrors], []);
  await ivy.context().close();
  await ned.context().close();
});
