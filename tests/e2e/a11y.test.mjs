// Issue 20's accessibility goal: the conversation with its media (a photo, a file, an upload
// under way, the "Send files" dialog, the photo viewer) passes axe-core's WCAG 2.1 A/AA rules
// with no serious or critical violation, in the light and dark themes, at phone and desktop
// widths; and issue 22's shell too (the empty state, Menu open, Settings, Contact info as a
// side panel).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register } from './support/browser.mjs';
import { violations } from './support/axe.mjs';
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

// A 2×2 red PNG.
for (const colorScheme of ['light', 'dark']) {
  for (const [form, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
    test(`the shell and the conversation with media pass axe (${colorScheme}, ${form})`, { timeout: 120_000 }, async () => {
      // The test injects axe, which the app's content security policy would (rightly) refuse.
      const options = { colorScheme, viewport, bypassCSP: true };
      const alice = await (await browser.newContext(options)).newPage();
      const bob = await (await browser.newContext(options)).newPage();
      const [a, b] = [`a${colorScheme[0]}${form[0]}`, `b${colorScheme[0]}${form[0]}`];
      await register(alice, server.url, a);
      await register(bob, server.url, b);
      // The shell (issue 22): the empty state (on a phone, the chat list), Menu open, Settings.
      const found = await violations(alice, 'empty state');
      const menu = alice.getByRole('button', { name: 'Menu', exact: true });
      await menu.click();
      found.push(...await violations(alice, 'menu open'));
      await alice.keyboard.press('Escape');
      await openSettings(alice);
      found.push(...await violations(alice, 'settings'));
      await alice.getByRole('button', { name: 'Profile', exact: true }).click();
      await openChat(alice, b);
      await alice.getByLabel('Files to send').setInputFiles([
        { name: 'red.png', mimeType: 'image/png', buffer: PNG },
        { name: 'notes.bin', mimeType: 'application/octet-stream', buffer: randomBytes(1000) },
      ]);
      const dialog = alice.getByRole('dialog', { name: 'Send files' });
      await dialog.getByRole('textbox', { name: 'Caption' }).fill('a red square');
      found.push(...await violations(alice, 'Send files'));
      await dialog.getByRole('button', { name: 'Send files' }).click();
      await alice.getByRole('log').getByRole('button', { name: 'Download notes.bin' }).waitFor({ timeout: 30_000 });

      // An upload under way (its pieces held back) beside the sent ones.
      await alice.route('**/uploads/*', () => {});
      await alice.getByLabel('Files to send').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: randomBytes(3 * 1024 * 1024) });
      await dialog.getByRole('button', { name: 'Send files' }).click();
      await alice.getByRole('progressbar', { name: 'Uploading big.bin' }).waitFor({ timeout: 30_000 });
      found.push(...await violations(alice, 'sender'));

      await bob.getByRole('button', { name: new RegExp(`^${a}`) }).click({ timeout: 30_000 });
      await bob.getByRole('log').getByRole('img', { name: 'a red square' }).waitFor({ timeout: 30_000 });
      found.push(...await violations(bob, 'receiver'));
      await bob.getByRole('log').getByRole('img', { name: 'a red square' }).click();
      await bob.getByRole('dialog', { name: 'Photo viewer' }).waitFor();
      found.push(...await violations(bob, 'viewer'));
      await bob.keyboard.press('Escape');
      await bob.getByRole('button', { name: 'Contact info' }).click();
      await bob.getByRole('list', { name: 'Media' }).getByRole('img', { name: 'a red square' }).waitFor();
      found.push(...await violations(bob, 'contact info with media'));
      await bob.getByRole('region', { name: 'Contact info' }).getByRole('button', { name: 'Close' }).click();
      assert.deepEqual(found, []);
      await alice.context().close();
      await bob.context().close();
    });
  }
}
