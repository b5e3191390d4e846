// Issue 22's keyboard audit: "every action reachable". On each screen of the app (the chat
// list, Menu, Settings, New chat, New group, Linked devices, Starred messages, Keyboard
// shortcuts, a one-to-one chat with a photo, a file, a link, a reply and a reaction, Contact
// info, a group and Group info, Send files, the photo viewer, Forward, Delete, Delete my
// account, search results), every visible control is reached by Tab, and every item of the
// `Message actions`, its reactions and `Chat actions` menus by the arrow keys once the menu is
// opened from the keyboard. At desktop and phone widths.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register } from './support/browser.mjs';
import { PNG } from './support/files.mjs';
import { menuUnreachable, untabbable } from './support/keyboard.mjs';
import { fromMenu, openSettings } from './support/menu.mjs';
import { startServer } from './support/server.mjs';
import { bubble, send } from './support/messages.mjs';

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

/** Opens the message's `Message actions` menu from the keyboard (Shift+F10 on the message). */
async function messageMenu(page, text) {
  await bubble(page, text).focus();
  await page.keyboard.press('Shift+F10');
  await page.getByRole('menu', { name: 'Message actions' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'menuitem');
}

/** Waits until the focus is in the composer. */
async function typingIn(page) {
  await page.waitForFunction(() => document.activeElement?.id === 'composer');
}

/** A chat between `a` and `b`, with text, a link, a photo, a file, a reply and a reaction. */
async function conversation(options, [a, b]) {
  const alice = await (await browser.newContext(options)).newPage();
  const bob = await (await browser.newContext(options)).newPage();
  await register(alice, server.url, a);
  await register(bob, server.url, b);
  await openChat(bob, a);
  await send(bob, 'see https://example.com/route');
  await alice.getByRole('button', { name: new RegExp(`^${b}`) }).click({ timeout: 30_000 });
  await bubble(alice, 'see https://example.com/route').waitFor({ timeout: 20_000 });
  await send(alice, 'on my way');
  await alice.getByLabel('Files to send').setInputFiles([
    { name: 'red.png', mimeType: 'image/png', buffer: PNG },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('notes') },
  ]);
  await alice.getByRole('dialog', { name: 'Send files' }).getByRole('button', { name: 'Send files' }).click();
  await alice.getByRole('log').getByRole('button', { name: 'Download notes.txt' }).waitFor({ timeout: 30_000 });
  // A reply and a reaction, both from the keyboard.
  await messageMenu(alice, 'see https://example.com/route');
  await alice.keyboard.press('Enter');
  await typingIn(alice);
  await alice.keyboard.type('that one');
  await alice.keyboard.press('Enter');
  await bubble(alice, 'that one').getByText(/^(Sent|Delivered|Read)$/).waitFor({ timeout: 20_000 });
  await messageMenu(alice, 'on my way');
  await alice.keyboard.press('ArrowDown');
  await alice.keyboard.press('Enter');
  await alice.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'React 👍');
  await alice.keyboard.press('Enter');
  await bubble(alice, 'on my way').getByRole('group', { name: 'Reactions' }).waitFor({ timeout: 20_000 });
  return [alice, bob];
}

for (const [form, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
  test(`every control is reached from the keyboard on every screen (${form})`, { timeout: 240_000 }, async () => {
    const [a, b] = [`ka${form[0]}`, `kb${form[0]}`];
    const [alice, bob] = await conversation({ viewport }, [a, b]);
    const missed = [];

    // The conversation, then its menus opened from the keyboard.
    missed.push(...await untabbable(alice, 'conversation'));
    await messageMenu(alice, 'on my way');
    missed.push(...await menuUnreachable(alice, 'Message actions'));
    await alice.keyboard.press('Home');
    await alice.keyboard.press('ArrowDown');
    await alice.keyboard.press('Enter');
    await alice.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'React 👍');
    missed.push(...await menuUnreachable(alice, 'Reactions to choose', 'ArrowRight'));
    await alice.keyboard.press('Escape');
    await alice.keyboard.press('Escape');

    // The photo viewer, a modal dialog, opened by Enter on the photo.
    await alice.getByRole('log').locator('img.photo').first().focus();
    await alice.keyboard.press('Enter');
    await alice.getByRole('dialog', { name: 'Photo viewer' }).waitFor();
    missed.push(...await untabbable(alice, 'photo viewer'));
    await alice.keyboard.press('Escape');
    await alice.getByRole('dialog', { name: 'Photo viewer' }).waitFor({ state: 'hidden' });

    // Forward and Delete, modal dialogs from the message menu.
    for (const [item, dialog, where] of [['Forward', /^Forward/, 'forward'], ['Delete for everyone', /^Delete/, 'delete']]) {
      await messageMenu(alice, 'on my way');
      await alice.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: item, exact: true }).focus();
      await alice.keyboard.press('Enter');
      await alice.getByRole('dialog', { name: dialog }).waitFor();
      missed.push(...await untabbable(alice, where));
      await alice.keyboard.press('Escape');
    }

    // Send files, before sending.
    await alice.getByLabel('Files to send').setInputFiles({ name: 'blue.png', mimeType: 'image/png', buffer: PNG });
    await alice.getByRole('dialog', { name: 'Send files' }).waitFor();
    missed.push(...await untabbable(alice, 'send files'));
    await alice.getByRole('dialog', { name: 'Send files' }).getByRole('button', { name: 'Cancel' }).click();

    // Contact info, a side panel.
    await alice.getByRole('button', { name: 'Contact info' }).click();
    await alice.getByRole('region', { name: 'Contact info' }).waitFor();
    missed.push(...await untabbable(alice, 'contact info'));
    await alice.keyboard.press('Escape');

    // Search results.
    await alice.keyboard.press('Control+k');
    await alice.keyboard.type('way');
    await alice.getByRole('searchbox', { name: 'Search messages' }).press('Enter');
    await alice.waitForTimeout(300);
    missed.push(...await untabbable(alice, 'search results'));
    await alice.getByRole('searchbox', { name: 'Search messages' }).fill('');

    // The chat list with no chat open (phones show it alone), and the chat's own menu.
    await alice.goto(server.url);
    await alice.getByRole('button', { name: 'New chat' }).waitFor({ timeout: 20_000 });
    missed.push(...await untabbable(alice, 'chat list'));
    const actions = alice.getByRole('button', { name: 'Chat actions' }).first();
    await actions.focus();
    await alice.keyboard.press('Enter');
    missed.push(...await menuUnreachable(alice, 'Chat actions'));
    await alice.keyboard.press('Escape');

    // Menu and every screen it opens.
    await alice.getByRole('button', { name: 'Menu', exact: true }).focus();
    await alice.keyboard.press('Enter');
    missed.push(...await untabbable(alice, 'menu open'));
    await alice.keyboard.press('Escape');
    for (const entry of ['New group', 'Linked devices', 'Starred messages', 'Keyboard shortcuts']) {
      await fromMenu(alice, entry);
      await alice.waitForTimeout(200);
      missed.push(...await untabbable(alice, entry));
      await alice.keyboard.press('Escape');
      await alice.goto(server.url);
      await alice.getByRole('button', { name: 'New chat' }).waitFor({ timeout: 20_000 });
    }
    await alice.getByRole('button', { name: 'New chat' }).click();
    missed.push(...await untabbable(alice, 'new chat'));
    await alice.goto(server.url);
    await alice.getByRole('button', { name: 'New chat' }).waitFor({ timeout: 20_000 });
    await openSettings(alice);
    missed.push(...await untabbable(alice, 'settings'));
    await alice.getByRole('button', { name: 'Delete my account' }).focus();
    await alice.keyboard.press('Enter');
    await alice.getByRole('dialog', { name: /^Delete the account/ }).waitFor();
    missed.push(...await untabbable(alice, 'delete my account'));
    await alice.keyboard.press('Escape');

    // A group and its info panel.
    await alice.goto(server.url);
    await fromMenu(alice, 'New group');
    await alice.getByRole('textbox', { name: 'Group name' }).fill('Keys');
    await alice.getByRole('textbox', { name: 'Add member' }).fill(b);
    await alice.getByRole('textbox', { name: 'Add member' }).press('Enter');
    await alice.getByRole('button', { name: 'Create group' }).click();
    await alice.getByRole('heading', { name: 'Keys' }).waitFor({ timeout: 20_000 });
    await send(alice, 'group hello');
    missed.push(...await untabbable(alice, 'group'));
    await alice.getByRole('button', { name: 'Group info' }).click();
    await alice.getByRole('region', { name: 'Group info' }).waitFor();
    missed.push(...await untabbable(alice, 'group info'));

    assert.deepEqual(missed, []);
    await alice.context().close();
    await bob.context().close();
  });
}
