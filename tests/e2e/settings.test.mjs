// Settings (issue 22) and keyboard shortcuts, in real Chromium against a real hush-server:
// read receipts off (mutual), the theme, Enter sends, About, and every shortcut.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register as registerAt, watchErrors } from './support/browser.mjs';
import { fromMenu, openSettings } from './support/menu.mjs';
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

function register(page, name) {
  return registerAt(page, server.url, name);
}

/** The message whose text is exactly `text`. */
function bubble(page, text) {
  return page.getByRole('log').locator('li', { has: page.getByText(text, { exact: true }) });
}

async function say(page, text) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

/** Opens the chat named `name` in the list. */
async function openListed(page, name) {
  await page.getByRole('navigation', { name: 'Chats' }).locator('button.chat', { hasText: name }).click();
  await page.getByRole('heading', { name }).waitFor();
}

test('read receipts off: neither side sees a Read tick, and on again both do', { timeout: 150_000 }, async () => {
  const rita = await browser.newPage();
  const sam = await browser.newPage();
  const errors = [rita, sam].map(watchErrors);
  await register(rita, 'rita');
  await register(sam, 'sam');
  const settings = await openSettings(sam);
  await settings.getByRole('switch', { name: 'Read receipts', checked: true }).click();
  await settings.getByRole('switch', { name: 'Read receipts', checked: false }).waitFor();
  await fromMenu(sam, 'Settings');
  await settings.waitFor({ state: 'detached' });

  // Sam reads Rita's message: she sees it delivered, never read, even after his answer (sent
  // after any receipt would have been) arrives.
  await openChat(rita, 'sam');
  await say(rita, 'lunch?');
  await bubble(rita, 'lunch?').getByText('Delivered', { exact: true }).waitFor();
  await openListed(sam, 'rita');
  await bubble(sam, 'lunch?').waitFor();
  await say(sam, 'sure');
  await bubble(rita, 'sure').waitFor();
  assert.equal(await bubble(rita, 'lunch?').getByText('Delivered', { exact: true }).count(), 1);

  // Rita reads Sam's answer (her chat is open) and tells him; he does not see it.
  await say(rita, 'noon then');
  await bubble(sam, 'noon then').waitFor();
  await bubble(sam, 'sure').getByText('Delivered', { exact: true }).waitFor();
  await say(rita, 'see you');
  await bubble(sam, 'see you').waitFor();
  assert.equal(await bubble(sam, 'sure').getByText('Read', { exact: true }).count(), 0);

  // The choice outlives a reload; on again, Sam sees Rita read his next message.
  await sam.reload();
  const again = await openSettings(sam);
  await again.getByRole('switch', { name: 'Read receipts', checked: false }).click();
  await again.getByRole('switch', { name: 'Read receipts', checked: true }).waitFor();
  await openListed(sam, 'rita');
  await say(sam, 'on again');
  await bubble(sam, 'on again').getByText('Read', { exact: true }).waitFor({ timeout: 20_000 });
  assert.deepEqual(errors.flat(), []);
});

test('the theme, Enter sends and About', { timeout: 120_000 }, async () => {
  const tess = await browser.newPage();
  await tess.emulateMedia({ colorScheme: 'light' });
  const errors = watchErrors(tess);
  await register(tess, 'tess');
  const background = () => tess.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();

  // Dark, whatever the system says, and still after a reload (applied before the app draws).
  let settings = await openSettings(tess);
  const theme = settings.getByRole('combobox', { name: 'Theme' });
  assert.equal(await theme.inputValue(), 'system');
  await theme.selectOption({ label: 'Dark' });
  await tess.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  const dark = await background();
  assert.notEqual(dark, light);
  await tess.reload();
  await tess.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  assert.equal(await background(), dark);
  settings = await openSettings(tess);
  assert.equal(await settings.getByRole('combobox', { name: 'Theme' }).inputValue(), 'dark');
  await settings.getByRole('combobox', { name: 'Theme' }).selectOption({ label: 'System' });
  await tess.waitForFunction(() => !('theme' in document.documentElement.dataset));
  assert.equal(await background(), light);

  // About: the version and the commit it was built from.
  assert.match(await settings.locator('.settings-about').innerText(), /^Hush \d+\.\d+\.\d+\s+Build ([0-9a-f]{12}|unknown)$/);

  // Enter sends off: Enter is a new line, Ctrl+Enter sends.
  await settings.getByRole('switch', { name: 'Enter sends', checked: true }).click();
  await settings.getByRole('switch', { name: 'Enter sends', checked: false }).waitFor();
  const uma = await browser.newPage();
  await register(uma, 'uma');
  await uma.close();
  await openChat(tess, 'uma');
  const composer = tess.getByRole('textbox', { name: 'Message' });
  await composer.click();
  await tess.keyboard.type('first line');
  await tess.keyboard.press('Enter');
  await tess.keyboard.type('second line');
  assert.equal(await composer.inputValue(), 'first line\nsecond line');
  await tess.keyboard.press('Control+Enter');
  await tess.getByRole('log').getByText(/first line\s+second line/).waitFor();
  assert.equal(await composer.inputValue(), '');
  // On again: Enter sends.
  await fromMenu(tess, 'Settings');
  settings = await openSettings(tess);
  await settings.getByRole('switch', { name: 'Enter sends', checked: false }).click();
  await settings.getByRole('switch', { name: 'Enter sends', checked: true }).waitFor();
  await composer.click();
  await tess.keyboard.type('one line');
  await tess.keyboard.press('Enter');
  await bubble(tess, 'one line').waitFor();
  assert.deepEqual(errors, []);
});

test('every keyboard shortcut, and the dialog that lists them', { timeout: 150_000 }, async () => {
  const kim = await browser.newPage();
  const errors = watchErrors(kim);
  await register(kim, 'kim');
  for (const other of ['lou', 'max']) {
    const page = await browser.newPage();
    await register(page, other);
    await openChat(page, 'kim');
    await say(page, `hi from ${other}`);
    await kim.getByRole('navigation', { name: 'Chats' }).getByText(`hi from ${other}`).waitFor({ timeout: 20_000 });
    await page.close();
  }
  const list = kim.getByRole('navigation', { name: 'Chats' });
  const rows = () => list.locator('button.chat').allTextContents();
  const [first, second] = (await rows()).map((text) => (text.includes('max') ? 'max' : 'lou'));
  assert.notEqual(first, second);
  await kim.locator('body').click();

  // Ctrl+K: the search field.
  await kim.keyboard.press('Control+k');
  await kim.waitForFunction(() => document.activeElement?.id === 'search-messages');
  // Ctrl+Alt+N: New chat, its Username field focused.
  await kim.keyboard.press('Control+Alt+n');
  await kim.waitForFunction(() => document.activeElement?.id === 'new-chat');
  await kim.keyboard.press('Escape');
  await kim.locator('body').click();

  // Alt+↓ from no chat opens the first, again the next; Alt+↑ goes back.
  const opened = (name) => list.locator('button.chat[aria-current="true"]', { hasText: name }).waitFor();
  await kim.keyboard.press('Alt+ArrowDown');
  await opened(first);
  await kim.keyboard.press('Alt+ArrowDown');
  await opened(second);
  await kim.keyboard.press('Alt+ArrowUp');
  await opened(first);
  await kim.getByRole('heading', { name: first }).waitFor();

  // Ctrl+Alt+Shift+U: the open chat is marked unread (and closed, so it stays so).
  await kim.keyboard.press('Control+Alt+Shift+U');
  await list.locator('li', { hasText: first }).getByRole('img', { name: 'Marked unread' }).waitFor();
  await kim.getByText('No chat open').waitFor();

  // Ctrl+/: the dialog listing them all; Escape closes it.
  await kim.keyboard.press('Control+/');
  const dialog = kim.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  const keys = await dialog.locator('kbd').allTextContents();
  for (const wanted of ['Ctrl+K', 'Ctrl+Alt+N', 'Alt+↑', 'Alt+↓', 'Ctrl+Alt+Shift+U', 'Escape']) {
    assert.ok(keys.includes(wanted), `${wanted} listed in ${keys}`);
  }
  await kim.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  // And from Menu.
  await fromMenu(kim, 'Keyboard shortcuts');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Close shortcuts' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

test('a display name changed in Settings reaches a contact', { timeout: 120_000 }, async () => {
  const pat = await browser.newPage();
  const quinn = await browser.newPage();
  const errors = [pat, quinn].map(watchErrors);
  await register(pat, 'pat');
  await register(quinn, 'quinn');
  await openChat(quinn, 'pat');
  await say(quinn, 'hi pat');
  await pat.getByRole('navigation', { name: 'Chats' }).getByText('hi pat').waitFor({ timeout: 20_000 });

  const settings = await openSettings(pat);
  const field = settings.getByRole('textbox', { name: 'Display name' });
  assert.equal(await field.inputValue(), '');
  const save = settings.getByRole('button', { name: 'Save name' });
  assert.ok(await save.isDisabled(), 'nothing to save yet');
  await field.fill('Pat Jones');
  await save.click();
  await quinn.getByRole('navigation', { name: 'Chats' }).locator('button.chat', { hasText: 'Pat Jones' }).waitFor({ timeout: 20_000 });
  await quinn.getByRole('heading', { name: /Pat Jones/ }).waitFor();
  // Kept: after a reload the field holds it.
  await pat.reload();
  const again = await openSettings(pat);
  assert.equal(await again.getByRole('textbox', { name: 'Display name' }).inputValue(), 'Pat Jones');
  assert.deepEqual(errors.flat(), []);
});
