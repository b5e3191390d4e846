// Linked devices in real Chromium, three browser contexts through a real hush-server: Alice's
// first browser links her second by the typed code; Bob's messages reach both, in their chat
// and in a group; what the second sends shows on the first as sent; history from before the
// link is on the second; unlinking the second logs it out and it stops receiving.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register as registerAt, watchErrors } from './support/browser.mjs';
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

/** The message whose text is exactly `text`. */
function bubble(page, text) {
  return page.getByRole('log').locator('li', { has: page.getByText(text, { exact: true }) });
}

async function send(page, text) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await bubble(page, text).getByText(/^(Sent|Delivered|Read)$/).waitFor();
}

test('a second browser is linked by code, gets history, receives, sends, and is unlinked', { timeout: 180_000 }, async () => {
  const first = await browser.newPage();
  const second = await browser.newPage();
  const bob = await browser.newPage();
  const errors = [first, second, bob].map(watchErrors);

  await registerAt(bob, server.url, 'bob');
  await registerAt(first, server.url, 'alice');
  await openChat(bob, 'alice');
  await send(bob, 'hello before the link');
  await first.getByRole('button', { name: /^bob/ }).click();
  await bubble(first, 'hello before the link').waitFor();
  await send(first, 'my reply before the link');

  // A group of the two, where Bob's sender key is with Alice's first browser before the link.
  await fromMenu(bob, 'New group');
  await bob.getByRole('textbox', { name: 'Group name' }).fill('Climbing');
  await bob.getByRole('textbox', { name: 'Add member' }).fill('alice');
  await bob.getByRole('textbox', { name: 'Add member' }).press('Enter');
  await bob.getByRole('button', { name: 'Create group' }).click();
  await bob.getByRole('heading', { name: 'Climbing' }).waitFor();
  await send(bob, 'group hello before the link');
  await first.getByRole('button', { name: /^Climbing/ }).click({ timeout: 20_000 });
  await bubble(first, 'group hello before the link').waitFor({ timeout: 20_000 });
  await first.getByRole('button', { name: /^bob/ }).click();
  await bob.getByRole('button', { name: /^alice/ }).click();

  // The new browser shows a code; the first types it and allows the device it names.
  await second.goto(server.url);
  await second.getByRole('button', { name: 'Link to existing account' }).click();
  const shown = second.getByLabel('Link code');
  await shown.waitFor();
  const code = (await shown.textContent()).trim();
  assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{2,4}){6}$/);
  await second.getByRole('img', { name: 'QR code to scan with your other device' }).waitFor();

  await fromMenu(first, 'Linked devices');
  await first.getByRole('button', { name: 'Link a device' }).click();
  await first.getByRole('textbox', { name: 'Link code' }).fill(code.toLowerCase());
  await first.getByRole('button', { name: 'Link', exact: true }).click();
  await first.getByText('This browser will be able to read and send all your messages').waitFor();
  await first.getByText('Chrome on Linux', { exact: true }).first().waitFor();
  await first.getByRole('button', { name: 'Allow', exact: true }).click();
  await first.getByText('Chrome on Linux is linked.').waitFor({ timeout: 20_000 });
  const list = first.getByRole('region', { name: 'Linked devices' });
  await list.locator('li.device').nth(1).waitFor();
  assert.equal(await list.locator('li.device').count(), 2);

  // The first browser hears when the second comes online.
  await list.locator('li.device').nth(1).getByText(/Active now/).waitFor({ timeout: 20_000 });

  // The second browser is Alice now, with the history from before the link.
  await second.getByRole('button', { name: 'New chat' }).waitFor({ timeout: 20_000 });
  await second.getByRole('button', { name: /^bob/ }).click();
  await bubble(second, 'hello before the link').waitFor();
  await bubble(second, 'my reply before the link').waitFor();

  // The second browser has the group and tells its members about itself at once (its key,
  // over pairwise sessions): Bob sees the new device before anything else came from it, and
  // his next group message reaches it though it has said nothing there.
  await bob.getByText('alice linked a new device.').waitFor({ timeout: 20_000 });
  await bob.getByRole('button', { name: /^Climbing/ }).click();
  await send(bob, 'group message after the link');
  await second.getByRole('button', { name: /^Climbing/ }).click();
  await bubble(second, 'group hello before the link').waitFor();
  await bubble(second, 'group message after the link').waitFor({ timeout: 20_000 });
  await second.getByRole('button', { name: /^bob/ }).click();
  await bob.getByRole('button', { name: /^alice/ }).click();

  // Bob → Alice arrives on both of her browsers.
  await send(bob, 'to both of your browsers');
  await bubble(first, 'to both of your browsers').waitFor({ timeout: 20_000 });
  await bubble(second, 'to both of your browsers').waitFor({ timeout: 20_000 });
  await bob.getByText('alice linked a new device.').waitFor();

  // The second browser sends; Bob gets it and the first shows it as sent by her.
  await send(second, 'from my second browser');
  await bubble(bob, 'from my second browser').waitFor({ timeout: 20_000 });
  const mine = bubble(first, 'from my second browser');
  await mine.waitFor({ timeout: 20_000 });
  assert.match(await mine.getAttribute('class'), /\bmine\b/);

  // Unlinking the second logs it out (back to onboarding, its data gone) and it stops receiving.
  await list.getByRole('button', { name: 'Unlink Chrome on Linux' }).click();
  await second.getByRole('button', { name: 'Create account' }).waitFor({ timeout: 20_000 });
  await list.locator('li.device').nth(1).waitFor({ state: 'detached' });
  await send(bob, 'after the unlink');
  await bubble(first, 'after the unlink').waitFor({ timeout: 20_000 });
  await second.waitForTimeout(1_000);
  assert.equal(await second.getByText('after the unlink').count(), 0);
  await second.reload();
  await second.getByRole('button', { name: 'Create account' }).waitFor({ timeout: 20_000 });

  assert.deepEqual(errors.flat().filter((e) => !/WebSocket|Failed to load resource/.test(e)), []);
});

test('a link code is scanned with the camera where the browser detects QR codes', { timeout: 120_000 }, async () => {
  const first = await browser.newPage();
  const fresh = await browser.newPage();
  // Chromium on Linux has no QR detector: this one reports what the test puts in front of the
  // (fake) camera. The camera, the page's scanning and the lookup that follows are real.
  await first.addInitScript(() => {
    window.BarcodeDetector = class {
      async detect(video) {
        return video.readyState >= 2 && window.shownToCamera ? [{ rawValue: window.shownToCamera }] : [];
      }
    };
  });
  await registerAt(first, server.url, 'carol');
  await fresh.goto(server.url);
  await fresh.getByRole('button', { name: 'Link to existing account' }).click();
  const url = (await fresh.locator('.link-url').textContent()).trim();
  assert.match(url, /\/\?link=[0-9A-Z-]{32}$/);

  await fromMenu(first, 'Linked devices');
  await first.getByRole('button', { name: 'Link a device' }).click();
  await first.getByRole('button', { name: 'Scan QR code' }).click();
  await first.getByLabel('Camera').waitFor();
  await first.evaluate((shown) => {
    window.shownToCamera = shown;
  }, url);
  await first.getByText('This browser will be able to read and send all your messages').waitFor();
  await first.getByRole('button', { name: 'Allow', exact: true }).click();
  await first.getByText('Chrome on Linux is linked.').waitFor({ timeout: 20_000 });
  await fresh.getByRole('button', { name: 'New chat' }).waitFor({ timeout: 20_000 });
});
