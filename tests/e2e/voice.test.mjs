// Issue 20's voice notes: recorded with Chromium's fake microphone (a test tone), the timer runs
// while recording, `Stop recording` then `Send voice note` sends it; the other side sees its
// duration and waveform and `Play voice note` plays it. `Cancel recording` sends nothing. The
// recording composer and the received bubble pass axe in the light and dark themes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register, watchErrors } from './support/browser.mjs';
import { violations } from './support/axe.mjs';
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

/** Two accounts in one chat, each in its own context with the microphone allowed. */
async function pair(names, options = {}) {
  const pages = [];
  for (const name of names) {
    const context = await browser.newContext({ permissions: ['microphone'], ...options });
    const page = await context.newPage();
    await register(page, server.url, name);
    pages.push(page);
  }
  await openChat(pages[0], names[1]);
  return pages;
}

/** Records on `page` until its timer has shown `seconds` s, then stops. */
async function record(page, seconds) {
  const composer = page.getByRole('group', { name: 'Voice note' });
  await page.getByRole('button', { name: 'Record voice note', exact: true }).click();
  await composer.waitFor();
  const timer = composer.getByRole('timer');
  await page.waitForFunction(
    ([want]) => {
      const shown = document.querySelector('.record-timer')?.textContent ?? '';
      const [minutes, secs] = shown.split(':').map(Number);
      return minutes * 60 + secs >= want;
    },
    [seconds],
    { timeout: 30_000 },
  );
  assert.match(await timer.textContent(), /^0:0[1-9]$/);
  await composer.getByRole('button', { name: 'Stop recording' }).click();
  await composer.getByRole('button', { name: 'Send voice note' }).waitFor();
  return composer;
}

test('a voice note is recorded, sent, and played on the other side with its duration and waveform', { timeout: 120_000 }, async () => {
  const [alice, bob] = await pair(['vera', 'walt']);
  const errors = [alice, bob].map(watchErrors);
  // The recorder is not part of the first load: its script comes on first use.
  assert.equal(await alice.evaluate(() => typeof window.hushVoice), 'undefined');
  const composer = await record(alice, 2);
  await composer.getByRole('button', { name: 'Send voice note' }).click();
  await composer.waitFor({ state: 'detached' });
  await alice.getByRole('log').getByRole('button', { name: 'Play voice note' }).waitFor({ timeout: 30_000 });

  await bob.getByRole('button', { name: /^vera/ }).click({ timeout: 30_000 });
  const log = bob.getByRole('log');
  const play = log.getByRole('button', { name: 'Play voice note' });
  await play.waitFor({ timeout: 30_000 });
  const time = log.locator('.voice-note .voice-time');
  const length = await time.textContent();
  assert.match(length, /^0:0[1-9]$/, `the duration shows: ${length}`);
  const heights = await log.locator('.voice-note .waveform .bar').evaluateAll((bars) => bars.map((bar) => bar.style.height));
  assert.equal(heights.length, 64);
  // Peaks of the decoded tone, not the flat line a note the browser could not decode gets.
  assert.ok(heights.some((height) => height !== '12%'), `the waveform has peaks: ${heights}`);
  assert.equal(await log.getByRole('slider', { name: 'Position' }).count(), 1);
  // The note's sound is here (downloaded by itself: the setting's default) before it plays.
  await bob.waitForFunction(() => document.querySelector('.voice-note audio')?.readyState >= 1, null, { timeout: 30_000 });

  await play.click();
  await log.getByRole('button', { name: 'Pause' }).waitFor();
  await bob.waitForFunction(() => document.querySelector('.voice-note audio')?.currentTime > 0, null, { timeout: 30_000 });
  // It plays to its end, and the button is Play again.
  await play.waitFor({ timeout: 30_000 });
  assert.deepEqual(errors.flat(), []);
  await alice.context().close();
  await bob.context().close();
});

test('when a voice note ends, the next one in the chat plays', { timeout: 120_000 }, async () => {
  const [alice, bob] = await pair(['zara', 'abel']);
  const errors = [alice, bob].map(watchErrors);
  // Two seconds each, the second started as soon as the first is sent: its timer starts at
  // 0:00 (the first note's timer once went on counting into it, so Stop came at once and the
  // note was a blip, or nothing).
  for (let sent = 0; sent < 2; sent++) {
    const composer = await record(alice, 2);
    await composer.getByRole('button', { name: 'Send voice note' }).click();
    await composer.waitFor({ state: 'detached' });
  }
  await alice.waitForFunction(() => document.querySelectorAll('.voice-note').length === 2, null, { timeout: 30_000 });
  for (const length of await alice.locator('.voice-note .voice-time').allTextContents()) {
    assert.match(length, /^0:0[1-9]$/, `each note is as long as it was recorded for: ${length}`);
  }
  await bob.getByRole('button', { name: /^zara/ }).click({ timeout: 30_000 });
  const notes = bob.getByRole('log').getByRole('listitem').filter({ has: bob.locator('.voice-note') });
  await notes.nth(1).getByRole('button', { name: 'Play voice note' }).waitFor({ timeout: 30_000 });
  await bob.waitForFunction(() => [...document.querySelectorAll('.voice-note audio')].filter((a) => a.readyState >= 1).length === 2, null, { timeout: 30_000 });
  // Two notes: their controls are told apart (no two of one role share a name on the screen).
  const labels = (role) => bob.getByRole('log').locator(`.voice-note ${role}`)
    .evaluateAll((found) => found.map((element) => element.getAttribute('aria-label')));
  assert.deepEqual(await labels('button.play'), ['Play voice note', 'Play voice note (2)']);
  assert.deepEqual(await labels('input.seek'), ['Position', 'Position (2)']);
  const downloads = await bob.getByRole('log').locator('button.download').allTextContents();
  assert.equal(new Set(downloads).size, 2, `each note's download is named apart: ${downloads}`);
  await notes.nth(0).getByRole('button', { name: 'Play voice note', exact: true }).click();
  await notes.nth(0).getByRole('button', { name: 'Pause' }).waitFor();
  // The first ends by itself; the second takes over, and only one plays at a time.
  await notes.nth(1).getByRole('button', { name: 'Pause' }).waitFor({ timeout: 30_000 });
  assert.equal(await bob.getByRole('log').getByRole('button', { name: 'Pause' }).count(), 1);
  assert.deepEqual(errors.flat(), []);
  await alice.context().close();
  await bob.context().close();
});

test('"Cancel recording" sends nothing', { timeout: 120_000 }, async () => {
  const [alice, bob] = await pair(['xena', 'yuri']);
  const errors = [alice, bob].map(watchErrors);
  const composer = await record(alice, 1);
  await composer.getByRole('button', { name: 'Cancel recording' }).click();
  await composer.waitFor({ state: 'detached' });
  // Cancelled while still recording, too.
  await alice.getByRole('button', { name: 'Record voice note', exact: true }).click();
  await composer.getByRole('button', { name: 'Stop recording' }).waitFor();
  await composer.getByRole('button', { name: 'Cancel recording' }).click();
  await composer.waitFor({ state: 'detached' });

  // Nothing was sent: Bob's chat has only the text that follows.
  await alice.getByRole('textbox', { name: 'Message' }).fill('no voice note');
  await alice.getByRole('textbox', { name: 'Message' }).press('Enter');
  await bob.getByRole('button', { name: /^xena/ }).click({ timeout: 30_000 });
  await bob.getByRole('log').getByText('no voice note').waitFor({ timeout: 30_000 });
  assert.equal(await bob.locator('.voice-note').count(), 0);
  assert.equal(await alice.locator('.voice-note').count(), 0);
  assert.equal(await alice.locator('.transfer').count(), 0);
  assert.deepEqual(errors.flat(), []);
  await alice.context().close();
  await bob.context().close();
});

/** Holds the mouse down on `page`'s "Record voice note" until the timer shows a second. */
async function hold(page) {
  const box = await page.getByRole('button', { name: 'Record voice note', exact: true }).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  const composer = page.getByRole('group', { name: 'Voice note' });
  await composer.waitFor();
  await page.waitForFunction(() => document.querySelector('.record-timer')?.textContent === '0:01', null, { timeout: 30_000 });
  return composer;
}

test('"Record voice note" held down records until let go, then sends; let go elsewhere or Escape sends nothing', { timeout: 120_000 }, async () => {
  const [alice, bob] = await pair(['hugo', 'iris']);
  const errors = [alice, bob].map(watchErrors);
  // Let go over the recording bar (where the button was): the note goes without another click.
  const composer = await hold(alice);
  await alice.mouse.up();
  await composer.waitFor({ state: 'detached' });
  await alice.getByRole('log').getByRole('button', { name: 'Play voice note' }).waitFor({ timeout: 30_000 });
  await bob.getByRole('button', { name: /^hugo/ }).click({ timeout: 30_000 });
  await bob.getByRole('log').getByRole('button', { name: 'Play voice note' }).waitFor({ timeout: 30_000 });
  assert.match(await bob.locator('.voice-note .voice-time').textContent(), /^0:0[1-9]$/);

  // Slid away onto the log and let go there: cancelled.
  await hold(alice);
  const log = await alice.getByRole('log').boundingBox();
  await alice.mouse.move(log.x + log.width / 2, log.y + log.height / 2, { steps: 5 });
  await alice.mouse.up();
  await composer.waitFor({ state: 'detached' });
  // Escape while held: cancelled, and letting go after it sends nothing either.
  await hold(alice);
  await alice.keyboard.press('Escape');
  await composer.waitFor({ state: 'detached' });
  await alice.mouse.up();

  // Only the first note was sent: Bob's chat has it and the text that follows.
  await alice.getByRole('textbox', { name: 'Message' }).fill('one note only');
  await alice.getByRole('textbox', { name: 'Message' }).press('Enter');
  await bob.getByRole('log').getByText('one note only').waitFor({ timeout: 30_000 });
  assert.equal(await bob.locator('.voice-note').count(), 1);
  assert.equal(await alice.locator('.voice-note').count(), 1);
  assert.equal(await alice.locator('.transfer').count(), 0);
  assert.deepEqual(errors.flat(), []);
  await alice.context().close();
  await bob.context().close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`recording and a received voice note pass axe (${colorScheme})`, { timeout: 120_000 }, async () => {
    // The test injects axe, which the app's content security policy would (rightly) refuse.
    const [alice, bob] = await pair([`v${colorScheme}a`, `v${colorScheme}b`], { colorScheme, bypassCSP: true });
    await alice.getByRole('button', { name: 'Record voice note', exact: true }).click();
    await alice.getByRole('group', { name: 'Voice note' }).getByRole('button', { name: 'Stop recording' }).waitFor();
    const found = await violations(alice, 'recording');
    const composer = await (async () => {
      await alice.waitForFunction(() => document.querySelector('.record-timer')?.textContent === '0:01', null, { timeout: 30_000 });
      const group = alice.getByRole('group', { name: 'Voice note' });
      await group.getByRole('button', { name: 'Stop recording' }).click();
      await group.getByRole('button', { name: 'Send voice note' }).waitFor();
      return group;
    })();
    found.push(...await violations(alice, 'recorded'));
    await composer.getByRole('button', { name: 'Send voice note' }).click();

    await bob.getByRole('button', { name: new RegExp(`^v${colorScheme}a`) }).click({ timeout: 30_000 });
    await bob.getByRole('log').getByRole('button', { name: 'Play voice note' }).waitFor({ timeout: 30_000 });
    found.push(...await violations(bob, 'received'));
    assert.deepEqual(found, []);
    await alice.context().close();
    await bob.context().close();
  });
}
