// Issue 21's disappearing messages in the browser: Contact info's `Disappearing messages` set to
// 24 hours shows a notice on both sides, and a message sent after it disappears from both once
// the clock passes a day (Playwright's clock moves the page's time; the app removes what ran
// out every minute and at start). Turning it off keeps messages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register, watchErrors } from './support/browser.mjs';
import { violations } from './support/axe.mjs';
import { startServer } from './support/server.mjs';
import { fromMenu, openSettings } from './support/menu.mjs';

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

const DAY_MS = 24 * 60 * 60 * 1000;

/** A page whose clock the test moves (installed before the app loads, so its timers are fake). */
async function userWithClock(name) {
  // bypassCSP: axe is injected to check the timer's screen.
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await page.clock.install();
  await register(page, server.url, name);
  return page;
}

function bubble(page, text) {
  return page.getByRole('log').locator('li', { has: page.getByText(text, { exact: true }) });
}

async function send(page, text) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

test('a 24-hour timer makes later messages disappear on both sides', { timeout: 120_000 }, async () => {
  const alice = await userWithClock('dora');
  const bob = await userWithClock('eli');
  const errors = watchErrors(alice);
  await openChat(alice, 'eli');
  await send(alice, 'before the timer');
  await bob.getByRole('button', { name: /dora/ }).click();
  await bubble(bob, 'before the timer').waitFor({ timeout: 20_000 });

  await alice.getByRole('button', { name: 'Contact info' }).click();
  const info = alice.getByRole('region', { name: 'Contact info' });
  const timer = info.getByRole('combobox', { name: 'Disappearing messages' });
  // Contact info shows once its safety number is read.
  await timer.waitFor();
  assert.deepEqual(
    await timer.locator('option').allTextContents(),
    ['Off', '24 hours', '7 days', '90 days'],
  );
  assert.equal(await timer.inputValue(), '0');
  await timer.selectOption({ label: '24 hours' });
  await alice.getByRole('log').getByText('You set disappearing messages to 24 hours').waitFor();
  await bob
    .getByRole('log')
    .getByText('dora set disappearing messages to 24 hours')
    .waitFor({ timeout: 20_000 });
  assert.deepEqual(await violations(alice), []);

  await send(alice, 'gone tomorrow');
  await bubble(bob, 'gone tomorrow').waitFor({ timeout: 20_000 });
  // An hour on: still there.
  for (const page of [alice, bob]) await page.clock.fastForward(60 * 60 * 1000);
  await alice.waitForTimeout(500);
  assert.equal(await bubble(bob, 'gone tomorrow').count(), 1);
  // A day on: gone from both, while what came before the timer stays.
  for (const page of [alice, bob]) await page.clock.fastForward(DAY_MS);
  await bubble(alice, 'gone tomorrow').waitFor({ state: 'detached', timeout: 20_000 });
  await bubble(bob, 'gone tomorrow').waitFor({ state: 'detached', timeout: 20_000 });
  assert.equal(await bubble(bob, 'before the timer').count(), 1);
  // Gone from storage too: a reload does not bring it back.
  await bob.reload();
  await bob.getByRole('button', { name: 'New chat' }).waitFor({ timeout: 20_000 });
  await bob.getByRole('button', { name: /dora/ }).click();
  await bubble(bob, 'before the timer').waitFor();
  assert.equal(await bubble(bob, 'gone tomorrow').count(), 0);

  await timer.selectOption({ label: 'Off' });
  await alice.getByRole('log').getByText('You turned off disappearing messages').waitFor();
  assert.deepEqual(errors, []);
});

test('a default message timer from Settings starts each new chat with it', { timeout: 120_000 }, async () => {
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await register(page, server.url, 'fay');
  const other = await (await browser.newContext()).newPage();
  await register(other, server.url, 'gus');
  await openSettings(page);
  const settings = page.getByRole('dialog', { name: 'Settings' });
  const choice = settings.getByRole('combobox', { name: 'Default message timer' });
  assert.equal(await choice.inputValue(), '0');
  await choice.selectOption({ label: '7 days' });
  assert.deepEqual(await violations(page, 'settings'), []);
  await fromMenu(page, 'Settings');
  await openChat(page, 'gus');
  await page.getByRole('log').getByText('You set disappearing messages to 7 days').waitFor();
  await other.getByRole('button', { name: /^fay/ }).click({ timeout: 30_000 });
  await other.getByRole('log').getByText('fay set disappearing messages to 7 days').waitFor();
  // Kept for the next start.
  await page.reload();
  await openSettings(page);
  assert.equal(await choice.inputValue(), String(7 * DAY_MS));
});
