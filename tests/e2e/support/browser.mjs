// Debian's Chromium driven by playwright-core (Playwright cannot download browsers here).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
  // Notifications in Chromium's own message centre, never handed to a desktop notification
  // service over D-Bus (there is none here): a service worker's notification was seen, once
  // in a while, shown (its promise resolved) yet never listed by getNotifications().
  '--disable-features=NativeNotifications,SystemNotifications',
  // A camera that shows a test pattern, allowed without asking (scanning link codes).
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.HUSH_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * Chromium with a persistent profile (as an installed app has: installability is only judged
 * in one, and service workers and notifications outlive tabs). `close()` also deletes it.
 */
export async function launchPersistent() {
  const profile = mkdtempSync(join(tmpdir(), 'hush-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.HUSH_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/** Opens Hush at `url` and creates the account `name` (with a display name, if given). */
export async function register(page, url, name, displayName) {
  await page.goto(url);
  await page.getByRole('textbox', { name: 'Username' }).fill(name);
  if (displayName) await page.getByRole('textbox', { name: 'Display name' }).fill(displayName);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: 'New chat' }).waitFor({ timeout: 20_000 });
}

/** Starts (or opens) the chat with `to` through "New chat". */
export async function openChat(page, to) {
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.getByRole('textbox', { name: 'Username' }).fill(to);
  await page.getByRole('button', { name: 'Start chat' }).click();
}

/** Collects console errors and uncaught exceptions of a page. */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

/** Waits until the connection status element shows exactly `text`. */
export async function waitForStatus(page, text, timeout = 20_000) {
  await page
    .getByRole('status')
    .filter({ hasText: new RegExp(`^${text}$`) })
    .waitFor({ state: 'visible', timeout });
}
