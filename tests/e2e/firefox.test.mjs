// The second engine (issue 22): the two-person chat scenario (register, chat both ways, a
// reload keeps the history) in Debian's Firefox ESR, driven headless by geckodriver through
// selenium-webdriver, against the real hush-server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Builder, By, until } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';

import { startServer } from './support/server.mjs';

// Never let Selenium Manager look for drivers online: both paths are given.
process.env.SE_OFFLINE = 'true';

const WAIT = 30_000;
let server;
const drivers = [];

before(async () => {
  server = await startServer();
});

after(async () => {
  await Promise.all(drivers.map((driver) => driver.quit().catch(() => {})));
  await server?.stop();
});

/** A headless Firefox of its own (its own profile, so its own IndexedDB). */
async function launchFirefox() {
  const options = new firefox.Options()
    .addArguments('-headless')
    .setBinary(process.env.HUSH_FIREFOX || '/usr/bin/firefox-esr');
  const service = new firefox.ServiceBuilder(process.env.HUSH_GECKODRIVER || 'geckodriver');
  const driver = await new Builder()
    .forBrowser('firefox')
    .setFirefoxOptions(options)
    .setFirefoxService(service)
    .build();
  drivers.push(driver);
  return driver;
}

/** The first element `locator` finds, once it is there and shown. */
async function shown(driver, locator) {
  const element = await driver.wait(until.elementLocated(locator), WAIT);
  await driver.wait(until.elementIsVisible(element), WAIT);
  return element;
}

const button = (name) => By.xpath(`//button[normalize-space()='${name}' or @aria-label='${name}']`);
const message = (text) => By.xpath(`//*[@role='log']//p[contains(@class,'body') and normalize-space()='${text}']`);

async function register(driver, name) {
  await driver.get(server.url);
  await (await shown(driver, By.id('username'))).sendKeys(name);
  await (await shown(driver, button('Create account'))).click();
  await shown(driver, button('New chat'));
}

async function say(driver, text) {
  await (await shown(driver, By.id('composer'))).sendKeys(text);
  await (await shown(driver, By.css('form.composer button[type=submit]'))).click();
  await shown(driver, message(text));
}

test('two people chat in Firefox, and a reload keeps the history', { timeout: 180_000 }, async () => {
  const alice = await launchFirefox();
  const bob = await launchFirefox();
  await register(alice, 'fern');
  await register(bob, 'gus');

  await (await shown(alice, button('New chat'))).click();
  await (await shown(alice, By.id('new-chat'))).sendKeys('gus');
  await (await shown(alice, button('Start chat'))).click();
  await say(alice, 'hello from firefox');

  const row = By.xpath("//button[contains(@class,'chat') and contains(normalize-space(),'fern')]");
  await (await shown(bob, row)).click();
  await shown(bob, message('hello from firefox'));
  await say(bob, 'hello back');
  await shown(alice, message('hello back'));
  // Alice sees it read once Bob's open chat took it.
  await alice.wait(async () => {
    const ticks = await alice.findElements(By.xpath(
      "//*[@role='log']//li[.//p[normalize-space()='hello from firefox']]//*[normalize-space()='Read']"));
    return ticks.length > 0;
  }, WAIT, 'the first message reads as Read');

  // After a reload, the history is there (from IndexedDB).
  await bob.navigate().refresh();
  await (await shown(bob, row)).click();
  await shown(bob, message('hello from firefox'));
  await shown(bob, message('hello back'));
  assert.equal((await bob.findElements(message('hello from firefox'))).length, 1, 'shown once');
});
