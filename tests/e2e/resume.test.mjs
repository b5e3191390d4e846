// Issue 20: an upload survives a reload. While a file goes, the page keeps it (the picked File,
// its key, the chat, the caption) in IndexedDB (`hush-pending`); reloaded mid-upload, the app
// asks the relay how much it holds, goes on from there, commits, and sends the message: the
// other side downloads the very bytes picked.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register as registerAt, watchErrors } from './support/browser.mjs';
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

/**
 * Lets `page`'s first two upload pieces through and holds every later one. `twoDone` resolves
 * once two went; `release()` stops holding and drops what was held (as a reload would).
 */
async function holdAfterTwoPieces(page) {
  let passed = 0;
  const held = [];
  let twoPassed;
  const twoDone = new Promise((resolve) => { twoPassed = resolve; });
  await page.route('**/uploads/*', async (route) => {
    if (route.request().method() !== 'PATCH') return route.continue().catch(() => {});
    if (passed < 2) {
      passed += 1;
      const response = await route.fetch().catch(() => null);
      if (response) await route.fulfill({ response }).catch(() => {});
      if (passed === 2) twoPassed();
      return undefined;
    }
    held.push(route);
    return undefined;
  });
  const release = async () => {
    await page.unroute('**/uploads/*');
    for (const route of held) await route.abort().catch(() => {});
  };
  return { twoDone, release };
}

test('a reload in the middle of an upload resumes it and the file arrives intact', { timeout: 180_000 }, async () => {
  const context = await browser.newContext();
  const alice = await context.newPage();
  const bob = await browser.newPage();
  const errors = [watchErrors(bob)];
  await registerAt(alice, server.url, 'rita');
  await registerAt(bob, server.url, 'sam');
  await openChat(alice, 'sam');

  // The first two pieces go; every later one is held until the page goes away.
  const { twoDone, release } = await holdAfterTwoPieces(alice);

  const bytes = randomBytes(12 * 1024 * 1024 + 5);
  await alice.getByLabel('Files to send').setInputFiles({ name: 'resumed.bin', mimeType: 'application/octet-stream', buffer: bytes });
  const dialog = alice.getByRole('dialog', { name: 'Send files' });
  await dialog.getByRole('textbox', { name: 'Caption' }).fill('after the reload');
  await dialog.getByRole('button', { name: 'Send files' }).click();
  await twoDone;
  const kept = await alice.evaluate(() => window.hushPending.all().then((all) => all.length));
  assert.equal(kept, 1, 'the upload under way is kept for a reload');

  await release();
  await alice.reload();
  // The upload shows again, and goes on. The chat, which holds no message yet, is listed once
  // the resumed upload's message is stored: 12 MiB through a debug relay, slow on a loaded
  // CI machine.
  await alice.getByRole('button', { name: /^sam/ }).click({ timeout: 90_000 });
  await alice.getByRole('log').getByText('after the reload').waitFor({ timeout: 60_000 });
  const left = await alice.evaluate(() => window.hushPending.all().then((all) => all.length));
  assert.equal(left, 0, 'a sent upload is no longer kept');

  await bob.getByRole('button', { name: /^rita/ }).click({ timeout: 30_000 });
  await bob.getByRole('log').getByText('after the reload').waitFor({ timeout: 30_000 });
  const download = bob.waitForEvent('download');
  await bob.getByRole('button', { name: 'Download resumed.bin' }).click();
  const saved = await download;
  const got = await readFile(await saved.path());
  assert.equal(got.length, bytes.length);
  assert.ok(got.equals(bytes), 'the bytes that arrive are the bytes picked');
  assert.deepEqual(errors.flat(), []);
  await context.close();
});

// A forward whose file must be uploaded again (older than half a blob's life, and not ours)
// keeps being that forward across a reload: the resumed copy arrives as "Forwarded" in every
// chat chosen, not as a new message to the first.
test('a forwarded copy interrupted by a reload still goes as the forward, to every chat chosen', { timeout: 240_000 }, async () => {
  const context = await browser.newContext();
  const [alice, carol, dave] = [await browser.newPage(), await browser.newPage(), await browser.newPage()];
  const bob = await context.newPage();
  const errors = [alice, carol, dave].map(watchErrors);
  await registerAt(alice, server.url, 'tara');
  await registerAt(bob, server.url, 'ulf');
  await registerAt(carol, server.url, 'vera');
  await registerAt(dave, server.url, 'walt');
  // Bob knows both chats he will forward to.
  for (const to of ['vera', 'walt']) {
    await openChat(bob, to);
    await bob.getByRole('textbox', { name: 'Message' }).fill(`hi ${to}`);
    await bob.getByRole('textbox', { name: 'Message' }).press('Enter');
  }
  await openChat(alice, 'ulf');
  const bytes = randomBytes(9 * 1024 * 1024 + 3);
  await alice.getByLabel('Files to send').setInputFiles({ name: 'report.bin', mimeType: 'application/octet-stream', buffer: bytes });
  const dialog = alice.getByRole('dialog', { name: 'Send files' });
  await dialog.getByRole('textbox', { name: 'Caption' }).fill('the old report');
  await dialog.getByRole('button', { name: 'Send files' }).click();
  await bob.getByRole('button', { name: /^tara/ }).click({ timeout: 60_000 });
  const original = bob.getByRole('log').locator('li.bubble', { hasText: 'the old report' });
  await original.waitFor({ timeout: 60_000 });

  // Sixteen days on, Bob forwards it to both; his copy's upload stops after two pieces.
  const { twoDone, release } = await holdAfterTwoPieces(bob);
  await bob.clock.setFixedTime(Date.now() + 16 * 24 * 60 * 60 * 1000);
  await original.getByRole('button', { name: 'Message actions' }).click();
  await bob.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'Forward', exact: true }).click();
  const to = bob.getByRole('dialog', { name: 'Forward to' });
  await to.getByRole('checkbox', { name: 'vera' }).check();
  await to.getByRole('checkbox', { name: 'walt' }).check();
  await to.getByRole('button', { name: 'Forward', exact: true }).click();
  await twoDone;
  const kept = await bob.evaluate(() => window.hushPending.all().then((all) => all.map(([, record]) => record[12])));
  assert.deepEqual(kept, [['vera', 'walt']], 'the pending copy keeps the forward');

  await release();
  await bob.reload();
  for (const [page, name] of [[carol, 'vera'], [dave, 'walt']]) {
    await page.getByRole('button', { name: /^ulf/ }).click({ timeout: 90_000 });
    const copy = page.getByRole('log').locator('li.bubble', { hasText: 'the old report' });
    await copy.getByText('Forwarded', { exact: true }).waitFor({ timeout: 90_000 });
    const download = page.waitForEvent('download');
    await copy.getByRole('button', { name: 'Download report.bin' }).click();
    const got = await readFile(await (await download).path());
    assert.ok(got.equals(bytes), `${name} gets the bytes Alice sent`);
  }
  const left = await bob.evaluate(() => window.hushPending.all().then((all) => all.length));
  assert.equal(left, 0, 'a sent copy is no longer kept');
  assert.deepEqual(errors.flat(), []);
  await context.close();
});
