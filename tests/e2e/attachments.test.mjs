// Issue 20: a file sent from the composer (Attach, the "Send files" dialog with its Caption) is
// encrypted in the page, uploaded, and reaches the other side, whose "Download <name>" saves
// the same bytes as an ordinary browser download.
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

test('a file sent with a caption downloads on the other side with identical bytes', { timeout: 120_000 }, async () => {
  const alice = await browser.newPage();
  const bob = await browser.newPage();
  const errors = [alice, bob].map(watchErrors);
  await registerAt(alice, server.url, 'alice');
  await registerAt(bob, server.url, 'bob');
  await openChat(alice, 'bob');

  const bytes = randomBytes(2 * 1024 * 1024 + 17);
  // "Attach" is the label of the file input "Files to send": the files go into that input.
  await alice.getByRole('button', { name: 'Attach', exact: true }).waitFor();
  await alice.getByLabel('Files to send').setInputFiles({ name: 'report.bin', mimeType: 'application/octet-stream', buffer: bytes });
  const dialog = alice.getByRole('dialog', { name: 'Send files' });
  await dialog.getByText('report.bin').waitFor();
  await dialog.getByRole('textbox', { name: 'Caption' }).fill('the numbers');
  await dialog.getByRole('button', { name: 'Send files' }).click();
  await dialog.waitFor({ state: 'detached' });
  await alice.getByRole('log').getByText('the numbers').waitFor({ timeout: 30_000 });

  await bob.getByRole('button', { name: /^alice/ }).click({ timeout: 30_000 });
  await bob.getByRole('log').getByText('the numbers').waitFor();
  const download = bob.waitForEvent('download');
  await bob.getByRole('button', { name: 'Download report.bin' }).click();
  const saved = await download;
  assert.equal(saved.suggestedFilename(), 'report.bin');
  const got = await readFile(await saved.path());
  assert.equal(got.length, bytes.length);
  assert.ok(got.equals(bytes), 'the downloaded bytes are the bytes sent');
  assert.deepEqual(errors.flat(), []);
});

// A 2×2 red PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==',
  'base64',
);

test('a photo shows in its bubble on both sides, named by its caption or "Photo"', { timeout: 120_000 }, async () => {
  const alice = await browser.newPage();
  const bob = await browser.newPage();
  const errors = [alice, bob].map(watchErrors);
  await registerAt(alice, server.url, 'carol');
  await registerAt(bob, server.url, 'dave');
  await openChat(alice, 'dave');

  await alice.getByLabel('Files to send').setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: PNG });
  await alice.getByRole('dialog', { name: 'Send files' }).getByRole('button', { name: 'Send files' }).click();
  const mine = alice.getByRole('img', { name: 'Photo' });
  await mine.waitFor({ timeout: 30_000 });

  await bob.getByRole('button', { name: /^carol/ }).click({ timeout: 30_000 });
  const theirs = bob.getByRole('img', { name: 'Photo' });
  await theirs.waitFor({ timeout: 30_000 });
  const width = await theirs.evaluate((img) => img.decode().then(() => img.naturalWidth));
  assert.equal(width, 2, 'the photo decodes as the picture sent');
  assert.deepEqual(errors.flat(), []);
});
