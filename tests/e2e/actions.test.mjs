// Issue 21 in the web app: a message's `Message actions` menu (by button, right-click and
// keyboard), reactions both people see, Copy, links in messages, and the menu and reactions
// passing axe in both themes at phone and desktop widths.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register } from './support/browser.mjs';
import { violations } from './support/axe.mjs';
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

/** Two people in a chat: `a` sent `text` and `b` has the chat open and sees it. */
async function chatting(options, [a, b], text) {
  const alice = await (await browser.newContext(options)).newPage();
  const bob = await (await browser.newContext(options)).newPage();
  await register(alice, server.url, a);
  await register(bob, server.url, b);
  await openChat(alice, b);
  await send(alice, text);
  await bob.getByRole('button', { name: new RegExp(`^${a}`) }).click({ timeout: 30_000 });
  await bubble(bob, text).waitFor({ timeout: 20_000 });
  return [alice, bob];
}

/** Chooses `React <emoji>` from the message's menu, with the mouse. */
async function react(page, text, emoji) {
  await bubble(page, text).getByRole('button', { name: 'Message actions' }).click();
  await page.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'React' }).click();
  await page.getByRole('menuitem', { name: `React ${emoji}` }).click();
}

/** The reaction buttons under the message, by name. */
function reactions(page, text) {
  return bubble(page, text).getByRole('group', { name: 'Reactions' }).getByRole('button');
}

/** The accessible name (aria-label or text) of the focused element. */
function focusedName(page) {
  return page.evaluate(() => {
    const focused = document.activeElement;
    return focused?.getAttribute('aria-label') ?? focused?.textContent?.trim();
  });
}

async function focusIs(page, name) {
  await page.waitForFunction(
    (wanted) => {
      const focused = document.activeElement;
      return (focused?.getAttribute('aria-label') ?? focused?.textContent?.trim()) === wanted;
    },
    name,
    { timeout: 10_000 },
  );
}

test('reactions reach both people, change and go', { timeout: 120_000 }, async () => {
  const text = 'react to this';
  const [alice, bob] = await chatting({}, ['ann', 'ben'], text);

  await react(bob, text, '👍');
  for (const page of [alice, bob]) {
    await reactions(page, text).filter({ hasText: /^👍 1$/ }).waitFor({ timeout: 20_000 });
  }
  // Who reacted: "You" for Ben, his name for Ann.
  await reactions(bob, text).first().click();
  await bubble(bob, text).getByRole('list', { name: 'Reacted with 👍' }).getByText('You', { exact: true }).waitFor();
  await reactions(alice, text).first().click();
  await bubble(alice, text).getByRole('list', { name: 'Reacted with 👍' }).getByText('ben', { exact: true }).waitFor();

  // A new reaction replaces his first.
  await react(bob, text, '❤️');
  await reactions(alice, text).filter({ hasText: /^❤️ 1$/ }).waitFor({ timeout: 20_000 });
  assert.deepEqual(await reactions(alice, text).allTextContents(), ['❤️ 1']);

  // Choosing it again takes it back.
  await react(bob, text, '❤️');
  await bubble(alice, text).getByRole('group', { name: 'Reactions' }).waitFor({ state: 'detached', timeout: 20_000 });
  await bubble(bob, text).getByRole('group', { name: 'Reactions' }).waitFor({ state: 'detached', timeout: 20_000 });
  await alice.context().close();
  await bob.context().close();
});

test('the menu works from the keyboard alone, and from a right-click', { timeout: 120_000 }, async () => {
  const text = 'keys only';
  const [alice, bob] = await chatting({}, ['cat', 'dan'], text);
  const message = bubble(bob, text);
  const menu = bob.getByRole('menu');

  await message.focus();
  await bob.keyboard.press('Shift+F10');
  await menu.waitFor();
  // Someone else's message: no Edit, no Delete for everyone.
  const items = ['Reply', 'React', 'Delete for me', 'Forward', 'Star', 'Copy'];
  assert.deepEqual(await menu.getByRole('menuitem').allTextContents(), items);
  await focusIs(bob, 'Reply');
  await bob.keyboard.press('ArrowDown');
  await focusIs(bob, 'React');
  await bob.keyboard.press('End');
  await focusIs(bob, 'Copy');
  await bob.keyboard.press('ArrowDown');
  await focusIs(bob, 'Reply');
  await bob.keyboard.press('ArrowUp');
  await focusIs(bob, 'Copy');
  await bob.keyboard.press('Home');
  await focusIs(bob, 'Reply');
  await bob.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden' });
  await focusIs(bob, 'Message actions');

  // Shift+F10 again (focus is in the message), Enter on React, then a reaction by arrows.
  await bob.keyboard.press('Shift+F10');
  await focusIs(bob, 'Reply');
  await bob.keyboard.press('ArrowDown');
  await focusIs(bob, 'React');
  await bob.keyboard.press('Enter');
  await focusIs(bob, 'React 👍');
  await bob.keyboard.press('ArrowRight');
  await focusIs(bob, 'React ❤️');
  await bob.keyboard.press('Enter');
  await reactions(alice, text).filter({ hasText: /^❤️ 1$/ }).waitFor({ timeout: 20_000 });
  await reactions(bob, text).filter({ hasText: /^❤️ 1$/ }).waitFor({ timeout: 20_000 });
  // The row was drawn again with the reaction; the keyboard is back on its button.
  await focusIs(bob, 'Message actions');
  assert.equal(await focusedName(bob), 'Message actions');

  // Right-click opens it too, and a click outside closes it.
  await message.getByText(text, { exact: true }).click({ button: 'right' });
  await menu.waitFor();
  await bob.getByRole('heading', { level: 2 }).first().click();
  await menu.waitFor({ state: 'hidden' });
  await alice.context().close();
  await bob.context().close();
});

test('Copy puts the text on the clipboard; addresses are safe links', { timeout: 120_000 }, async () => {
  const text = 'see https://example.com/a?b=1. or mailto:eve@example.org, not javascript:alert(1)';
  const options = { permissions: ['clipboard-read', 'clipboard-write'] };
  const [alice, bob] = await chatting(options, ['eve', 'fay'], text);

  await bubble(bob, text).getByRole('button', { name: 'Message actions' }).click();
  await bob.getByRole('menuitem', { name: 'Copy' }).click();
  await bob.getByRole('menu').waitFor({ state: 'hidden' });
  assert.equal(await bob.evaluate(() => navigator.clipboard.readText()), text);

  for (const page of [alice, bob]) {
    const links = bubble(page, text).getByRole('link');
    assert.deepEqual(await links.allTextContents(), ['https://example.com/a?b=1', 'mailto:eve@example.org']);
    for (const link of await links.all()) {
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.equal(await link.getAttribute('href'), await link.textContent());
    }
  }
  await alice.context().close();
  await bob.context().close();
});

for (const colorScheme of ['light', 'dark']) {
  for (const [form, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
    test(`the menu and reactions pass axe (${colorScheme}, ${form})`, { timeout: 120_000 }, async () => {
      // The test injects axe, which the app's content security policy would (rightly) refuse.
      const options = { colorScheme, viewport, bypassCSP: true };
      const text = 'look at https://example.com today';
      const names = [`g${colorScheme[0]}${form[0]}`, `h${colorScheme[0]}${form[0]}`];
      const [alice, bob] = await chatting(options, names, text);
      await send(bob, 'a reply');
      await react(bob, text, '😂');
      await reactions(alice, text).filter({ hasText: /^😂 1$/ }).waitFor({ timeout: 20_000 });
      await react(alice, text, '😂');
      await reactions(alice, text).filter({ hasText: /^😂 2$/ }).waitFor({ timeout: 20_000 });
      await reactions(alice, text).first().click();

      const found = await violations(alice, 'reactions shown');
      await bubble(alice, text).getByRole('button', { name: 'Message actions' }).click();
      await alice.getByRole('menu', { name: 'Message actions' }).waitFor();
      found.push(...await violations(alice, 'menu open'));
      await alice.getByRole('menuitem', { name: 'React' }).click();
      await alice.getByRole('menuitem', { name: 'React 👍' }).waitFor();
      found.push(...await violations(alice, 'quick reactions open'));
      await bubble(bob, 'a reply').getByRole('button', { name: 'Message actions' }).click();
      await bob.getByRole('menu', { name: 'Message actions' }).waitFor();
      found.push(...await violations(bob, 'menu on our message'));
      assert.deepEqual(found, []);
      await alice.context().close();
      await bob.context().close();
    });
  }
}
