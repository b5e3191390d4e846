// The app shell in real Chromium against a real hush-server: it loads without errors, connects,
// and reconnects by itself when the server is killed and restarted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, register, waitForStatus, watchErrors } from './support/browser.mjs';
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

test('the shell loads without console errors and shows Connected', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  const response = await page.goto(server.url);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  await page.getByRole('heading', { name: 'Hush' }).waitFor();
  await waitForStatus(page, 'Connected');
  // The wasm came optimised and hashed, with a long-lived cache policy.
  const wasm = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => e.name).find((n) => n.endsWith('.wasm')));
  assert.match(wasm, /hush-[0-9a-f]{8,16}_bg\.wasm$/);
  const asset = await page.request.get(wasm);
  assert.equal(asset.headers()['cache-control'], 'public, max-age=31536000, immutable');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the status follows a server kill and restart by itself', { timeout: 90_000 }, async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url);
  await waitForStatus(page, 'Connected');

  await server.kill('SIGKILL');
  await page
    .getByRole('status')
    .filter({ hasText: /^(Offline|Connecting…)$/ })
    .waitFor({ timeout: 20_000 });

  await server.restart();
  await waitForStatus(page, 'Connected', 30_000);

  // While the server was down Chromium logs the refused connections (as a WebSocket failure
  // or a refused resource load, depending on timing); nothing else may appear.
  const refused = /WebSocket connection to .* failed|net::ERR_CONNECTION_REFUSED/;
  const unexpected = errors.filter((e) => !refused.test(e));
  assert.deepEqual(unexpected, []);
  await page.close();
});

test('the sidebar header: Profile opens Settings, Menu is a disclosure of plain buttons', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await register(page, server.url, 'hedy');
  const head = page.getByRole('navigation', { name: 'Chats' });
  // The search field is there from the start, with no button to open it.
  await head.getByRole('searchbox', { name: 'Search messages' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Search', exact: true }).count(), 0);
  // Notifications moved into Settings.
  assert.equal(await page.getByRole('button', { name: 'Notifications' }).count(), 0);

  const profile = head.getByRole('button', { name: 'Profile', exact: true });
  await profile.click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.waitFor();
  await settings.getByRole('switch', { name: 'Notifications' }).waitFor();
  await profile.click();
  await settings.waitFor({ state: 'detached' });

  const menu = head.getByRole('button', { name: 'Menu', exact: true });
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  const entries = page.locator(`#${await menu.getAttribute('aria-controls')}`);
  assert.equal(await entries.isVisible(), false);
  await menu.click();
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  assert.deepEqual(
    await entries.getByRole('button').allTextContents(),
    ['New group', 'Linked devices', 'Starred messages', 'Settings', 'Keyboard shortcuts'],
  );
  assert.equal(await page.getByRole('menu').count(), 0, 'no ARIA menu');
  // Escape closes it and gives the focus back to Menu.
  await entries.getByRole('button', { name: 'Linked devices' }).focus();
  await page.keyboard.press('Escape');
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  assert.equal(await entries.isVisible(), false);
  assert.ok(await menu.evaluate((button) => button === document.activeElement), 'Menu has the focus');
  // Choosing an entry closes it and opens what it names.
  await menu.click();
  await entries.getByRole('button', { name: 'Settings' }).click();
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  await settings.waitFor();
  await menu.click();
  await entries.getByRole('button', { name: 'New group' }).click();
  await page.getByRole('textbox', { name: 'Group name' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});
