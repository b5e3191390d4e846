// `cargo xtask screenshots`: the release build in Chromium, driven through a short scripted
// conversation (a 1:1 chat with a photo, a reply and a reaction; a group), and PNGs of the main
// screens, light and dark, desktop and phone, written to HUSH_SCREENSHOTS (docs/screenshots).
// Regenerate them with this command; never edit them by hand.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS, openChat, register } from '../support/browser.mjs';
import { fromMenu, openSettings } from '../support/menu.mjs';
import { startServer } from '../support/server.mjs';

const OUT = process.env.HUSH_SCREENSHOTS;
if (!OUT) throw new Error('HUSH_SCREENSHOTS: the directory to write the PNGs to');
mkdirSync(OUT, { recursive: true });
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 760 };

const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.HUSH_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
});

async function person(name, displayName) {
  const context = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await register(page, server.url, name, displayName);
  return page;
}

function bubble(page, text) {
  const body = page.locator('p.body').getByText(text, { exact: true });
  return page.getByRole('log').locator('li.bubble', { has: body });
}

async function say(page, text) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await bubble(page, text).waitFor({ timeout: 30_000 });
}

async function openListed(page, name) {
  await page.getByRole('navigation', { name: 'Chats' }).locator('button.chat', { hasText: name }).click();
  await page.getByRole('heading', { name }).first().waitFor();
}

/** A photo to send: a landscape drawn on a canvas, as PNG bytes. */
async function landscape() {
  const page = await browser.newPage({ viewport: { width: 960, height: 640 } });
  await page.setContent('<canvas width="960" height="640" style="display:block"></canvas>');
  await page.evaluate(() => {
    const c = document.querySelector('canvas').getContext('2d');
    const sky = c.createLinearGradient(0, 0, 0, 640);
    sky.addColorStop(0, '#7ec8e3'); sky.addColorStop(1, '#fbe3b0');
    c.fillStyle = sky; c.fillRect(0, 0, 960, 640);
    c.fillStyle = '#f6c453'; c.beginPath(); c.arc(720, 170, 70, 0, Math.PI * 2); c.fill();
    const hill = (color, base, height, phase) => {
      c.fillStyle = color; c.beginPath(); c.moveTo(0, 640);
      for (let x = 0; x <= 960; x += 8) c.lineTo(x, base - height * Math.sin(x / 160 + phase));
      c.lineTo(960, 640); c.fill();
    };
    hill('#5b8c5a', 430, 60, 0.5); hill('#3f6e46', 500, 45, 2); hill('#2d5236', 580, 30, 4);
  });
  const png = await page.locator('canvas').screenshot();
  await page.close();
  return png;
}

/** A profile photo: a simple drawn face on `background`, as PNG bytes. */
async function portrait(background, skin, hair) {
  const page = await browser.newPage({ viewport: { width: 256, height: 256 } });
  await page.setContent('<canvas width="256" height="256" style="display:block"></canvas>');
  await page.evaluate(([background, skin, hair]) => {
    const c = document.querySelector('canvas').getContext('2d');
    c.fillStyle = background; c.fillRect(0, 0, 256, 256);
    c.fillStyle = hair; c.beginPath(); c.arc(128, 110, 70, Math.PI, 0); c.fill();
    c.fillStyle = skin; c.beginPath(); c.arc(128, 120, 58, 0, Math.PI * 2); c.fill();
    c.beginPath(); c.arc(128, 290, 100, 0, Math.PI * 2); c.fill();
  }, [background, skin, hair]);
  const png = await page.locator('canvas').screenshot();
  await page.close();
  return png;
}

/** Sets `page`'s profile photo (and About line) in Settings. */
async function profile(page, photo, about) {
  const settings = await openSettings(page);
  await settings.getByLabel('Photo file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: photo });
  await page.getByRole('button', { name: 'Profile', exact: true }).locator('img.avatar').waitFor({ timeout: 30_000 });
  if (about) {
    await settings.getByRole('textbox', { name: 'About' }).fill(about);
    await settings.getByRole('button', { name: 'Save about' }).click();
  }
  await fromMenu(page, 'Settings');
  await settings.waitFor({ state: 'detached' });
}

const ana = await person('ana', 'Ana Lima');
const ben = await person('ben', 'Ben Okafor');
const cleo = await person('cleo', 'Cleo Park');
await profile(ana, await portrait('#f4a259', '#e0ac69', '#3b2f2f'), 'Weekends are for hiking');
await profile(ben, await portrait('#5b8e7d', '#8d5524', '#1b1b1b'), 'At the market on Saturdays');
await profile(cleo, await portrait('#8cb369', '#f1c27d', '#a0522d'));

// A 1:1 chat: a question, a reply to it, a photo with a caption, a reaction.
await openChat(ben, 'ana');
await say(ben, 'Are we still on for the market on Saturday?');
await openListed(ana, 'Ben Okafor');
await bubble(ana, 'Are we still on for the market on Saturday?').getByRole('button', { name: 'Message actions' }).click();
await ana.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'Reply' }).click();
await say(ana, 'Yes! 10 am by the fountain.');
await ana.getByLabel('Files to send').setInputFiles({ name: 'hills.png', mimeType: 'image/png', buffer: await landscape() });
const dialog = ana.getByRole('dialog', { name: 'Send files' });
await dialog.getByRole('textbox', { name: 'Caption' }).fill('The view from last time');
await dialog.getByRole('button', { name: 'Send files' }).click();
await say(ben, 'Perfect, see you there');
await bubble(ana, 'Perfect, see you there').waitFor({ timeout: 30_000 });
await bubble(ana, 'Perfect, see you there').getByRole('button', { name: 'Message actions' }).click();
await ana.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'React' }).click();
await ana.getByRole('menuitem', { name: 'React 👍' }).click();
await ana.getByRole('log').locator('img').first().waitFor({ timeout: 30_000 });
// Ben's photo, decrypted on Ana's side, in her chat list.
await ana.getByRole('navigation', { name: 'Chats' }).locator('button.chat', { hasText: 'Ben Okafor' })
  .locator('img.avatar').waitFor({ timeout: 30_000 });

// A group of three.
await fromMenu(ana, 'New group');
await ana.getByRole('textbox', { name: 'Group name' }).fill('Weekend hike');
for (const member of ['ben', 'cleo']) {
  await ana.getByRole('textbox', { name: 'Add member' }).fill(member);
  await ana.getByRole('textbox', { name: 'Add member' }).press('Enter');
}
await ana.getByRole('button', { name: 'Create group' }).click();
await ana.getByRole('heading', { name: 'Weekend hike' }).first().waitFor({ timeout: 30_000 });
await say(ana, 'Trail starts at 8. Who brings the map?');
await openListed(cleo, 'Weekend hike');
await say(cleo, 'I will, and snacks for everyone');
await openListed(ben, 'Weekend hike');
await say(ben, 'Count me in');
await bubble(ana, 'Count me in').waitFor({ timeout: 30_000 });

// The screens: light and dark, desktop and phone.
const shots = [];
for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  for (const scheme of ['light', 'dark']) {
    await ana.setViewportSize(viewport);
    await ana.emulateMedia({ colorScheme: scheme });
    const shoot = async (name) => {
      await ana.waitForTimeout(300);
      const file = join(OUT, `${size}-${scheme}-${name}.png`);
      await ana.screenshot({ path: file });
      shots.push(file);
    };
    // On a phone one pane shows at a time: back to the list before opening another chat.
    const back = async () => {
      if (size === 'phone' && await ana.getByRole('button', { name: 'Back to chats' }).isVisible()) {
        await ana.getByRole('button', { name: 'Back to chats' }).click();
      }
    };
    await back();
    if (size === 'phone') await shoot('chats');
    await openListed(ana, 'Ben Okafor');
    await bubble(ana, 'Perfect, see you there').scrollIntoViewIfNeeded();
    await shoot('chat');
    await back();
    await openListed(ana, 'Weekend hike');
    await shoot('group');
    if (size === 'desktop') {
      const settings = await openSettings(ana);
      await shoot('settings');
      await fromMenu(ana, 'Settings');
      await settings.waitFor({ state: 'detached' });
    }
  }
}
console.log(`screenshots: ${shots.length} PNGs in ${OUT}`);
await browser.close();
await server.stop();
