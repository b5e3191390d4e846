// Profile (issue 22), in real Chromium against a real hush-server: the display name, the About
// line and the photo a user sets in Settings reach a contact, the photo encrypted end to end
// (decrypted on the contact's side, in the chat list and the header); avatars are decoration.
import assert from 'node:assert/strict';
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

/** Waits until `img` shows a decoded picture. */
async function decoded(img) {
  await img.waitFor({ timeout: 30_000 });
  await img.evaluate((el) => el.decode());
  assert.ok(await img.evaluate((el) => el.naturalWidth > 0));
}

test('a contact sees the name, About line and photo set in Settings', { timeout: 120_000 }, async () => {
  const rita = await browser.newPage();
  const sam = await browser.newPage();
  const errors = [rita, sam].map(watchErrors);
  await registerAt(rita, server.url, 'rita');
  await registerAt(sam, server.url, 'sam');

  const settings = await openSettings(rita);
  await settings.getByRole('textbox', { name: 'Display name' }).fill('Rita R.');
  await settings.getByRole('button', { name: 'Save name' }).click();
  await settings.getByRole('textbox', { name: 'About' }).fill('مرحبا from Rita');
  await settings.getByRole('button', { name: 'Save about' }).click();
  await settings.getByRole('button', { name: 'Save about' }).and(rita.locator('[disabled]')).waitFor();
  assert.equal(await settings.getByRole('button', { name: 'Change photo' }).count(), 1);
  await settings.getByLabel('Photo file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
  // Her own avatar shows the photo, as decoration of the Profile button.
  await decoded(rita.getByRole('button', { name: 'Profile', exact: true }).locator('img.avatar'));
  await decoded(settings.locator('.profile-photo img.avatar'));

  await openChat(rita, 'sam');
  await rita.getByRole('textbox', { name: 'Message' }).fill('hi sam');
  await rita.getByRole('button', { name: 'Send', exact: true }).click();

  // Sam's list names her and shows her photo; the row's name still starts with hers.
  const row = sam.getByRole('navigation', { name: 'Chats' }).locator('button.chat', { hasText: 'Rita R.' });
  await row.waitFor({ timeout: 30_000 });
  await decoded(row.locator('img.avatar'));
  assert.match(await row.innerText(), /^Rita R\./);
  assert.equal(await row.locator('img.avatar').getAttribute('alt'), '');
  await row.click();
  await decoded(sam.locator('.conversation-head img.avatar'));
  assert.equal(await sam.getByRole('log').getByRole('img').count(), 0, 'no avatar is taken for a photo in the log');
  await sam.getByRole('button', { name: 'Contact info' }).click();
  const about = sam.locator('.contact-about');
  await about.waitFor();
  assert.equal(await about.innerText(), 'مرحبا from Rita');
  assert.equal(await about.getAttribute('dir'), 'auto');

  // Remove photo: Sam sees her initial again.
  await settings.getByRole('button', { name: 'Remove photo' }).click();
  await settings.getByRole('button', { name: 'Remove photo' }).waitFor({ state: 'detached' });
  await row.locator('img.avatar').waitFor({ state: 'detached', timeout: 30_000 });
  assert.equal(await row.locator('span.avatar').innerText(), 'R');
  assert.deepEqual(errors.flat(), []);
});
