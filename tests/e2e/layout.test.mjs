// Issue 22's layout in real Chromium against the real relay: an empty state while no chat is
// open; Contact info as a panel beside the conversation (the whole screen on a phone) closed by
// Close or Escape, the focus back on its button; on a phone one pane at a time, with
// `Back to chats`.
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
