// The installable app in real Chromium (persistent profiles, as an installed app has): Chrome's
// own installability verdict, the service worker serving the shell and stored chats offline,
// and an update that waits for the user and keeps everything stored.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser, launchPersistent, openChat, register, waitForStatus, watchErrors } from './support/browser.mjs';
import { startServer } from './support/server.mjs';

let browser;
const cleanup = [];

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const undo of cleanup.reverse()) await undo();
});

/** A persistent Chromium profile (installability is only judged in one). */
async function persistentContext() {
  const { context, close } = await launchPersistent();
  cleanup.push(close);
  return context;
}

async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
}

/** Alice (in `page`) writes to a new user `to` in the plain browser, who replies. */
async function chat(page, url, to) {
  const other = await browser.newPage();
  await register(other, url, to);
  await openChat(page, to);
  await page.getByRole('textbox', { name: 'Message' }).fill(`hello ${to}`);
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  await page.getByRole('log').getByText('Delivered', { exact: true }).waitFor();
  await other.close();
}

test('Chrome finds Hush installable, and the shell and stored chats open offline', { timeout: 120_000 }, async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const context = await persistentContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await register(page, server.url, 'olive');
  await controlled(page);

  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  const manifest = await page.evaluate(async () => (await fetch('/manifest.webmanifest')).json());
  assert.equal(manifest.display, 'standalone');
  // The browser offers installation, so the app does; in a tab it knows it is not installed.
  await page.getByRole('button', { name: 'Install Hush' }).waitFor({ timeout: 20_000 });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.standalone), 'false');

  await chat(page, server.url, 'pat');
  // No network at all, and no server either: the page, its code and the chats still open.
  await context.setOffline(true);
  await server.kill();
  await page.reload();
  await page.getByRole('button', { name: /pat/ }).click();
  await page.getByRole('log').getByText('hello pat', { exact: true }).waitFor();
  await waitForStatus(page, 'Offline').catch(() => waitForStatus(page, 'Connecting…'));
  // Back online, it reconnects by itself.
  await server.restart();
  await context.setOffline(false);
  await waitForStatus(page, 'Connected', 30_000);
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_REFUSED|WebSocket/.test(e)), []);
});

test('a new build waits for "Reload", then runs with everything stored kept', { timeout: 120_000 }, async () => {
  // The server serves its own copy of the app, which the test then changes.
  const app = mkdtempSync(join(tmpdir(), 'hush-app-'));
  cpSync(process.env.HUSH_DIST, app, { recursive: true });
  cleanup.push(() => rmSync(app, { recursive: true, force: true }));
  const server = await startServer({ dist: app });
  cleanup.push(() => server.stop());
  const context = await persistentContext();
  const page = await context.newPage();
  await register(page, server.url, 'quinn');
  await controlled(page);
  await chat(page, server.url, 'remy');
  const first = await page.evaluate(() => navigator.serviceWorker.controller.scriptURL);

  // Deploy: a changed worker (a new build name), with its compressed copies gone.
  const worker = join(app, 'sw.js');
  const source = readFileSync(worker, 'utf8');
  const changed = source.replace(/const BUILD = '([0-9a-f]+)'/, "const BUILD = '$1-next'");
  assert.notEqual(changed, source);
  writeFileSync(worker, changed);
  rmSync(`${worker}.br`, { force: true });
  rmSync(`${worker}.gz`, { force: true });
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());

  // The tab offers the update and nothing changes until the user accepts it.
  const banner = page.getByRole('alert').filter({ hasText: 'Update available' });
  await banner.waitFor({ timeout: 20_000 });
  const caches = await page.evaluate(() => caches.keys());
  assert.equal(caches.filter((name) => name.startsWith('hush-shell-')).length, 2, `${caches}`);
  await Promise.all([
    page.waitForEvent('load', { timeout: 20_000 }),
    banner.getByRole('button', { name: 'Reload' }).click(),
  ]);
  await waitForStatus(page, 'Connected');
  const build = await page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith('hush-shell-')));
  assert.equal(build.length, 1);
  assert.match(build[0], /-next$/);
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller.scriptURL), first);
  // Everything stored is still there.
  await page.getByRole('button', { name: /remy/ }).click();
  await page.getByRole('log').getByText('hello remy', { exact: true }).waitFor();
});
