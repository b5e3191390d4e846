// Delete my account (issue 22), in real Chromium against a real hush-server: the confirmation
// names the account; the relay keeps its name and nothing else (checked on its SQLite store and
// blob directory); the browser wipes its data and starts over; a contact sees it gone; nobody
// can register the name again.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register as registerAt, watchErrors } from './support/browser.mjs';
import { openSettings } from './support/menu.mjs';
import { PNG } from './support/files.mjs';
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

/** What the relay's store answers to `sql` (Debian's sqlite3, read only). */
function relayQuery(sql) {
  return execFileSync('sqlite3', ['-readonly', join(server.data, 'hush.db'), sql], { encoding: 'utf8' }).trim();
}

/** Reads until `done` holds (at most 10 s), then returns the last reading. */
async function until(read, done) {
  const deadline = Date.now() + 10_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/** How many rows of each table the relay keeps for `name`. */
function relayRows(name) {
  const tables = [
    ['devices', 'account'], ['signed_prekeys', 'account'], ['one_time_prekeys', 'account'],
    ['envelopes', 'recipient'], ['push_subscriptions', 'account'], ['blobs', 'account'],
    ['presence_settings', 'account'], ['accounts', 'name'],
  ];
  return Object.fromEntries(tables.map(([table, column]) => [
    table, Number(relayQuery(`SELECT count(*) FROM ${table} WHERE ${column} = '${name}'`)),
  ]));
}

test('deleting an account leaves only its name on the relay, wipes the browser, and its contact sees it gone', { timeout: 150_000 }, async () => {
  const rita = await browser.newPage();
  const sam = await browser.newPage();
  const errors = [rita, sam].map(watchErrors);
  await registerAt(rita, server.url, 'rita');
  await registerAt(sam, server.url, 'sam');

  // Sam sends Rita a photo (a blob on the relay); a message for him waits there too.
  await openChat(sam, 'rita');
  await sam.getByLabel('Files to send').setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: PNG });
  await sam.getByRole('dialog', { name: 'Send files' }).getByRole('button', { name: 'Send files' }).click();
  await sam.getByRole('img', { name: 'Photo' }).waitFor({ timeout: 30_000 });
  await rita.getByRole('button', { name: /^sam/ }).click({ timeout: 30_000 });
  await rita.getByRole('img', { name: 'Photo' }).waitFor({ timeout: 30_000 });
  const blobs = relayQuery("SELECT hex(id) FROM blobs WHERE account = 'sam'").split('\n').filter(Boolean);
  assert.equal(blobs.length, 1);
  const blobFile = join(server.data, 'blobs', blobs[0].toLowerCase());
  const before = relayRows('sam');
  assert.ok(before.devices === 1 && before.blobs === 1 && before.one_time_prekeys > 0, JSON.stringify(before));
  // (The relay keeps push subscriptions too, but a real one needs a push service: the store's
  // conformance suite checks those rows go.)

  // A choice kept in this browser, to be wiped with the rest, and one the relay keeps.
  const settings = await openSettings(sam);
  await settings.getByRole('combobox', { name: 'Last seen and online' }).selectOption('nobody');
  assert.equal(await until(() => relayRows('sam').presence_settings, (rows) => rows === 1), 1);
  await settings.getByRole('combobox', { name: 'Theme' }).selectOption({ label: 'Dark' });
  assert.equal(await sam.evaluate(() => localStorage.getItem('hush-theme')), 'dark');

  // The confirmation names the account; Cancel keeps it.
  await settings.getByRole('button', { name: 'Delete my account' }).click();
  const confirm = sam.getByRole('dialog', { name: 'Delete the account sam?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await settings.getByRole('button', { name: 'Delete my account' }).click();
  await confirm.getByRole('button', { name: 'Delete account' }).click();

  // Sam's browser starts over with nothing of Hush left.
  await sam.getByRole('button', { name: 'Create account' }).waitFor({ timeout: 20_000 });
  // (The fresh start opens an empty store again; the kept photo and choices are gone.)
  const left = await sam.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name),
    prefs: Object.keys(localStorage).filter((name) => name.startsWith('hush-')),
  }));
  assert.ok(!left.databases.includes('hush-media'), JSON.stringify(left));
  assert.deepEqual(left.prefs, []);

  // The relay keeps the name, and nothing else of Sam's.
  assert.deepEqual(relayRows('sam'), {
    devices: 0, signed_prekeys: 0, one_time_prekeys: 0, envelopes: 0, push_subscriptions: 0,
    blobs: 0, presence_settings: 0, accounts: 1,
  });
  assert.equal(existsSync(blobFile), false, 'the photo blob file is gone');
  assert.equal((await fetch(new URL(`blobs/${blobs[0].toLowerCase()}`, server.url))).status, 404);

  // Rita writes to Sam: it fails, and the chat says why.
  await rita.getByRole('textbox', { name: 'Message' }).fill('still there?');
  await rita.getByRole('button', { name: 'Send', exact: true }).click();
  await rita.getByRole('log').getByText('sam deleted their account. Messages to them cannot be sent.').waitFor({ timeout: 20_000 });
  await rita.getByRole('log').locator('li', { hasText: 'still there?' }).getByText('Failed', { exact: true }).waitFor();

  // Nobody can take the name.
  await sam.getByRole('textbox', { name: 'Username' }).fill('sam');
  await sam.getByRole('button', { name: 'Create account' }).click();
  await sam.getByText('That username is taken. Try another one.').waitFor();
  assert.deepEqual(errors.flat(), []);
});
