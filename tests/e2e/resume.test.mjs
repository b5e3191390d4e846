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

test('a reload in the middle of an upload resumes it and the file arrives intact', { timeout: 180_000 }, async () => {
  const context = await browser.newContext();
  const alice = await context.newPage();
  const bob = await browser.newPage();
  const errors = [watchErrors(bob)];
  await registerAt(alice, server.url, 'rita');
  await registerAt(bob, server.url, 'sam');
  await openChat(alice, 'sam');

  // The first two pieces go; every later one is held until the page goes away.
  let passed = 0;
  const held = [];
  let twoPassed;
  const twoDone = new Promise((resolve) => { twoPassed = resolve; });
  await alice.route('**/uploads/*', async (route) => {
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

  const bytes = randomBytes(12 * 1024 * 1024 + 5);
  await alice.getByLabel('Files to send').setInputFiles({ name: 'resumed.bin', mimeType: 'application/octet-stream', buffer: bytes });
  const dialog = alice.getByRole('dialog', { name: 'Send files' });
  await dialog.getByRole('textbox', { name: 'Caption' }).fill('after the reload');
  await dialog.getByRole('button', { name: 'Send files' }).click();
  await twoDone;
  const kept = await alice.evaluate(() => window.hushPending.all().then((all) => all.length));
  assert.equal(kept, 1, 'the upload under way is kept for a reload');

  await alice.unroute('**/uploads/*');
  for (const route of held) await route.abort().catch(() => {});
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
