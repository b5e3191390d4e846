// Issue 20: forwarding older media. A blob expires 30 days after its upload unless its
// uploader renews it, so a forward made more than 15 days after a file was sent must not point
// at the old blob: the uploader renews it (a RenewBlob frame, nothing uploaded again); anyone
// else uploads the file again under a fresh key. Either way the third person opens the same
// bytes. The pages' clocks are moved on 16 days (Playwright's clock), not the relay's.
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

const SIXTEEN_DAYS = 16 * 24 * 60 * 60 * 1000;

/** The message whose own text is exactly `text`. */
function bubble(page, text) {
  const body = page.locator('p.body').getByText(text, { exact: true });
  return page.getByRole('log').locator('li.bubble', { has: body });
}

/** Forwards the message `text` on `page` to the chat named `to`. */
async function forward(page, text, to) {
  await bubble(page, text).getByRole('button', { name: 'Message actions' }).click();
  await page.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'Forward', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Forward to' });
  await dialog.getByRole('checkbox', { name: to }).check();
  await dialog.getByRole('button', { name: 'Forward', exact: true }).click();
}

/** Counts the uploads `page` makes, and the blob renewals it asks the relay for. */
function watchTraffic(page) {
  const seen = { uploads: 0, renewals: 0 };
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/uploads/')) seen.uploads += 1;
  });
  page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => {
    // A RenewBlob frame: the wire version, 0x34, the request (4 bytes) and the blob id (32).
    if (typeof payload !== 'string' && payload.length === 38 && payload[1] === 0x34) seen.renewals += 1;
  }));
  return seen;
}

/** Downloads the file of the message `text` on `page`: its bytes. */
async function downloaded(page, text, name) {
  const download = page.waitForEvent('download');
  await bubble(page, text).getByRole('button', { name: `Download ${name}` }).click();
  return (await import('node:fs/promises')).readFile(await (await download).path());
}

test('a file forwarded 16 days on is renewed by its uploader, uploaded again by anyone else, and opens the same', { timeout: 180_000 }, async () => {
  const [alice, bob, carol] = [await browser.newPage(), await browser.newPage(), await browser.newPage()];
  const errors = [alice, bob, carol].map(watchErrors);
  // Watched from the start: the relay's WebSocket opens as the page does.
  const alicesTraffic = watchTraffic(alice);
  const bobsTraffic = watchTraffic(bob);
  await register(alice, server.url, 'amos');
  await register(bob, server.url, 'bess');
  await register(carol, server.url, 'cody');
  // Both know Carol.
  for (const [page, text] of [[alice, 'hi cody from amos'], [bob, 'hi cody from bess']]) {
    await openChat(page, 'cody');
    await page.getByRole('textbox', { name: 'Message' }).fill(text);
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  }
  await openChat(alice, 'bess');
  const bytes = Buffer.from('the minutes of a meeting long ago\n'.repeat(100));
  await alice.getByLabel('Files to send').setInputFiles({ name: 'minutes.txt', mimeType: 'text/plain', buffer: bytes });
  const dialog = alice.getByRole('dialog', { name: 'Send files' });
  await dialog.getByRole('textbox', { name: 'Caption' }).fill('old minutes');
  await dialog.getByRole('button', { name: 'Send files' }).click();
  await bubble(alice, 'old minutes').getByText(/^(Sent|Delivered|Read)$/).waitFor({ timeout: 30_000 });
  await bob.getByRole('button', { name: /^amos/ }).click({ timeout: 30_000 });
  await bubble(bob, 'old minutes').waitFor({ timeout: 30_000 });
  assert.equal(alicesTraffic.uploads > 0, true, 'the file was uploaded once');
  const uploadsBefore = { alice: alicesTraffic.uploads, bob: bobsTraffic.uploads };

  // Sixteen days on, Bob (not the uploader) forwards it: he uploads it again.
  await bob.clock.setFixedTime(Date.now() + SIXTEEN_DAYS);
  await forward(bob, 'old minutes', 'cody');
  await carol.getByRole('button', { name: /^bess/ }).click({ timeout: 30_000 });
  const fromBob = bubble(carol, 'old minutes');
  await fromBob.getByText('Forwarded', { exact: true }).waitFor({ timeout: 30_000 });
  assert.ok(bobsTraffic.uploads > uploadsBefore.bob, 'Bob uploaded the file again');
  assert.equal(bobsTraffic.renewals, 0, 'Bob cannot renew what Alice uploaded');
  assert.ok((await downloaded(carol, 'old minutes', 'minutes.txt')).equals(bytes));

  // Alice, its uploader, forwards it too: the relay renews her blob; nothing is uploaded.
  await alice.clock.setFixedTime(Date.now() + SIXTEEN_DAYS);
  await forward(alice, 'old minutes', 'cody');
  await carol.getByRole('button', { name: /^amos/ }).click({ timeout: 30_000 });
  await bubble(carol, 'old minutes').getByText('Forwarded', { exact: true }).waitFor({ timeout: 30_000 });
  assert.equal(alicesTraffic.renewals, 1, 'Alice renewed her blob');
  assert.equal(alicesTraffic.uploads, uploadsBefore.alice, 'and uploaded nothing again');
  assert.ok((await downloaded(carol, 'old minutes', 'minutes.txt')).equals(bytes));
  assert.deepEqual(errors.flat(), []);
});
