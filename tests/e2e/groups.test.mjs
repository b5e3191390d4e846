// Groups in real Chromium, four users through a real hush-server: Alice creates a group with
// Bob, Carol and Dave; they chat; Alice sees who read her message; Bob's typing shows; Alice
// removes Carol (Carol is told and gets nothing new); Dave leaves.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, register, watchErrors } from './support/browser.mjs';
import { startServer } from './support/server.mjs';
import { fromMenu } from './support/menu.mjs';

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

/** The chat line whose text is exactly `text`. */
function line(page, text) {
  return page.getByRole('log').locator('li', { has: page.getByText(text, { exact: true }) });
}

async function send(page, text) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await line(page, text).getByText(/^(Sent|Delivered|Read)$/).waitFor({ timeout: 20_000 });
}

async function openGroup(page) {
  await page.getByRole('button', { name: /^Climbing/ }).click({ timeout: 20_000 });
}

test('a group is created, chats, shows read info and typing, removes a member, and is left', { timeout: 240_000 }, async () => {
  const [alice, bob, carol, dave] = await Promise.all([1, 2, 3, 4].map(() => browser.newPage()));
  const errors = [alice, bob, carol, dave].map(watchErrors);
  await register(alice, server.url, 'alice');
  await register(bob, server.url, 'bob');
  await register(carol, server.url, 'carol');
  await register(dave, server.url, 'dave');

  // Alice makes the group: a name and three members by username.
  await fromMenu(alice, 'New group');
  await alice.getByRole('textbox', { name: 'Group name' }).fill('Climbing');
  for (const member of ['bob', 'carol', 'dave']) {
    await alice.getByRole('textbox', { name: 'Add member' }).fill(member);
    await alice.getByRole('textbox', { name: 'Add member' }).press('Enter');
  }
  await alice.getByRole('button', { name: 'Create group' }).click();
  await alice.getByRole('heading', { name: 'Climbing' }).waitFor();
  await alice.getByText('4 members').waitFor();
  await line(alice, 'You created the group “Climbing”').waitFor();

  await send(alice, 'hello climbers');
  for (const page of [bob, carol, dave]) {
    await openGroup(page);
    await line(page, 'alice created the group “Climbing”').waitFor();
    const hello = line(page, 'hello climbers');
    await hello.waitFor({ timeout: 20_000 });
    await hello.getByText('alice', { exact: true }).waitFor();
  }

  // Everyone opened the chat: Alice's message info says who read it, and its tick turns Read.
  const hello = line(alice, 'hello climbers');
  await hello.getByRole('button', { name: 'Message actions' }).click();
  await alice.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'Info' }).click();
  const info = alice.getByRole('definition').first();
  await alice.getByRole('term').filter({ hasText: 'Read by' }).waitFor();
  await assert.doesNotReject(async () => {
    await alice.waitForFunction(
      () => /bob/.test(document.querySelector('.message-info dd')?.textContent ?? '')
        && /carol/.test(document.querySelector('.message-info dd')?.textContent ?? '')
        && /dave/.test(document.querySelector('.message-info dd')?.textContent ?? ''),
      null,
      { timeout: 20_000 },
    );
  });
  assert.match(await info.textContent(), /bob/);
  await hello.getByText('Read', { exact: true }).waitFor({ timeout: 20_000 });

  // Replies from the others reach everyone; Bob typing shows in Alice's header.
  await send(bob, 'hi from bob');
  await line(alice, 'hi from bob').waitFor({ timeout: 20_000 });
  await line(carol, 'hi from bob').waitFor({ timeout: 20_000 });
  await bob.getByRole('textbox', { name: 'Message' }).fill('typing something…');
  await alice.getByText('bob typing…').waitFor({ timeout: 20_000 });

  // Alice removes Carol: Carol is told, cannot send, and gets nothing new.
  await alice.getByRole('button', { name: 'Group info' }).click();
  const members = alice.getByRole('list', { name: 'Group members' });
  await members.locator('li', { hasText: 'carol' }).getByRole('button', { name: 'Remove' }).click();
  await line(alice, 'You removed carol').waitFor({ timeout: 20_000 });
  await line(carol, 'alice removed you').waitFor({ timeout: 20_000 });
  await carol.getByText('You are no longer a member of this group.').waitFor();
  await line(bob, 'alice removed carol').waitFor({ timeout: 20_000 });
  await send(alice, 'after carol left');
  await line(bob, 'after carol left').waitFor({ timeout: 20_000 });
  await line(dave, 'after carol left').waitFor({ timeout: 20_000 });
  await carol.waitForTimeout(1_000);
  assert.equal(await carol.getByText('after carol left').count(), 0);

  // Dave leaves.
  await dave.getByRole('button', { name: 'Group info' }).click();
  await dave.getByRole('button', { name: 'Leave group' }).click();
  await line(dave, 'You left').waitFor({ timeout: 20_000 });
  await line(alice, 'dave left').waitFor({ timeout: 20_000 });
  await alice.getByText('2 members').waitFor();
  await dave.getByText('You are no longer a member of this group.').waitFor();

  assert.deepEqual(errors.flat().filter((e) => !/WebSocket|Failed to load resource/.test(e)), []);
});
