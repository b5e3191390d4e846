// Issue 20: a file sent from the composer (Attach, the "Send files" dialog with its Caption) is
// encrypted in the page, uploaded in pieces with its progress shown (and `Cancel upload`), and
// reaches the other side, whose "Download <name>" saves the same bytes as an ordinary browser
// download. A photo goes scaled to at most 1600 px, without its metadata, with a thumbnail
// that shows before the photo itself arrives.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { launchBrowser, openChat, register as registerAt, waitForStatus, watchErrors } from './support/browser.mjs';
import { PNG } from './support/files.mjs';
import { startServer } from './support/server.mjs';
import { openSettings } from './support/menu.mjs';
import { violations } from './support/axe.mjs';

let server;
let browser;

/** Resolves after `ms`. */
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a 20 MiB file sent with a caption downloads on the other side with identical bytes', { timeout: 180_000 }, async () => {
  const alice = await browser.newPage();
  // bypassCSP: axe is injected to check the download bar.
  const bob = await (await browser.newContext({ bypassCSP: true })).newPage();
  const errors = [alice, bob].map(watchErrors);
  await registerAt(alice, server.url, 'alice');
  await registerAt(bob, server.url, 'bob');
  await openChat(alice, 'bob');

  const bytes = randomBytes(20 * 1024 * 1024 + 17);
  // "Attach" is the label of the file input "Files to send": the files go into that input.
  await alice.getByRole('button', { name: 'Attach', exact: true }).waitFor();
  await alice.getByLabel('Files to send').setInputFiles({ name: 'report.bin', mimeType: 'application/octet-stream', buffer: bytes });
  const dialog = alice.getByRole('dialog', { name: 'Send files' });
  await dialog.getByText('report.bin').waitFor();
  await dialog.getByRole('textbox', { name: 'Caption' }).fill('the numbers');
  await dialog.getByRole('button', { name: 'Send files' }).click();
  await dialog.waitFor({ state: 'detached' });
  await alice.getByRole('log').getByText('the numbers').waitFor({ timeout: 60_000 });

  await bob.getByRole('button', { name: /^alice/ }).click({ timeout: 30_000 });
  await bob.getByRole('log').getByText('the numbers').waitFor();
  // Above the size that downloads by itself: no bar until the click.
  const bar = bob.getByRole('log').getByRole('progressbar', { name: 'Downloading report.bin' });
  assert.equal(await bar.count(), 0);
  // Each range (4 MiB) is held back a little, so the download is seen under way; the second
  // waits until axe has looked at the bar.
  let checked;
  const axeDone = new Promise((resolve) => { checked = resolve; });
  let ranges = 0;
  await bob.route('**/blobs/*', async (route) => {
    ranges += 1;
    if (ranges === 2) await axeDone;
    await pause(300);
    await route.continue().catch(() => {});
  });
  const download = bob.waitForEvent('download');
  await bob.getByRole('button', { name: 'Download report.bin' }).click();
  await bar.waitFor({ timeout: 30_000 });
  // Its value rises as the ranges come, then the bar goes with the file saved.
  await bob.waitForFunction(() => Number(document.querySelector('progress.download-progress')?.value) > 0, null, { timeout: 30_000 });
  const found = await violations(bob, 'download under way');
  checked();
  assert.deepEqual(found, []);
  const saved = await download;
  await bar.waitFor({ state: 'detached' });
  await bob.unroute('**/blobs/*');
  assert.equal(saved.suggestedFilename(), 'report.bin');
  const got = await readFile(await saved.path());
  assert.equal(got.length, bytes.length);
  assert.ok(got.equals(bytes), 'the downloaded bytes are the bytes sent');
  assert.deepEqual(errors.flat(), []);
});

// A 2×2 red PNG.
test('a photo shows in its bubble on both sides, named by its caption or "Photo"', { timeout: 120_000 }, async () => {
  const alice = await browser.newPage();
  const bob = await browser.newPage();
  const errors = [alice, bob].map(watchErrors);
  await registerAt(alice, server.url, 'carol');
  await registerAt(bob, server.url, 'dave');
  await openChat(alice, 'dave');

  await alice.getByLabel('Files to send').setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: PNG });
  await alice.getByRole('dialog', { name: 'Send files' }).getByRole('button', { name: 'Send files' }).click();
  const mine = alice.getByRole('img', { name: 'Photo' });
  await mine.waitFor({ timeout: 30_000 });

  await bob.getByRole('button', { name: /^carol/ }).click({ timeout: 30_000 });
  const theirs = bob.getByRole('img', { name: 'Photo' });
  await theirs.waitFor({ timeout: 30_000 });
  // The thumbnail shows first and the photo replaces it; a decode the swap interrupts is
  // tried again (a photo that never decodes still fails).
  const width = await theirs.evaluate(async (img) => {
    for (let tries = 0; tries < 50; tries += 1) {
      try {
        await img.decode();
        return img.naturalWidth;
      } catch {
        // Interrupted by the swap.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return -1;
  });
  assert.equal(width, 2, 'the photo decodes as the picture sent');
  assert.deepEqual(errors.flat(), []);
});

test('an upload shows its progress and "Cancel upload" stops it: nothing reaches the other side', { timeout: 120_000 }, async () => {
  const alice = await browser.newPage();
  const bob = await browser.newPage();
  const errors = [alice, bob].map(watchErrors);
  await registerAt(alice, server.url, 'erin');
  await registerAt(bob, server.url, 'frank');
  await openChat(alice, 'frank');
  await alice.getByRole('textbox', { name: 'Message' }).fill('before the file');
  await alice.getByRole('textbox', { name: 'Message' }).press('Enter');
  await bob.getByRole('button', { name: /^erin/ }).click({ timeout: 30_000 });
  await bob.getByRole('log').getByText('before the file').waitFor();

  // Each piece (4 MiB) is held back a little, so the upload is seen under way.
  await alice.route('**/uploads/*', async (route) => {
    await pause(400);
    // Unrouted meanwhile (the test went on): the request already went its way.
    await route.continue().catch(() => {});
  });
  await alice.getByLabel('Files to send').setInputFiles({ name: 'slow.bin', mimeType: 'application/octet-stream', buffer: randomBytes(8 * 1024 * 1024) });
  await alice.getByRole('dialog', { name: 'Send files' }).getByRole('button', { name: 'Send files' }).click();
  const log = alice.getByRole('log');
  const bar = log.getByRole('progressbar', { name: 'Uploading slow.bin' });
  await bar.waitFor({ timeout: 30_000 });
  await alice.waitForFunction(() => Number(document.querySelector('.transfer progress')?.value) > 0, null, { timeout: 30_000 });
  const cancel = log.getByRole('listitem')
    .filter({ has: alice.getByRole('progressbar', { name: 'Uploading slow.bin' }) })
    .getByRole('button', { name: 'Cancel upload' });
  await cancel.click();
  await bar.waitFor({ state: 'detached' });
  await alice.unroute('**/uploads/*');

  // Nothing was sent: Bob's chat ends with the text, also after the next message arrives.
  await alice.getByRole('textbox', { name: 'Message' }).fill('after the file');
  await alice.getByRole('textbox', { name: 'Message' }).press('Enter');
  await bob.getByRole('log').getByText('after the file').waitFor({ timeout: 30_000 });
  assert.equal(await bob.getByRole('log').getByText('slow.bin').count(), 0);
  assert.equal(await log.getByText('slow.bin').count(), 0);
  assert.deepEqual(errors.flat(), []);
});

/** A JPEG of `width`×`height` drawn in `page`, with an EXIF segment naming a place spliced in. */
async function jpegWithPlace(page, width, height) {
  const drawn = await page.evaluate(async ([w, h]) => {
    const canvas = new OffscreenCanvas(w, h);
    const context = canvas.getContext('2d');
    context.fillStyle = '#c33';
    context.fillRect(0, 0, w, h);
    context.fillStyle = '#36c';
    context.fillRect(0, 0, w / 2, h / 2);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  }, [width, height]);
  const jpeg = Buffer.from(drawn);
  // APP1 "Exif": a big-endian TIFF header with no entries, then the words a GPS tag would hold.
  const exif = Buffer.concat([
    Buffer.from('Exif\0\0', 'latin1'),
    Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
    Buffer.from('GPSLatitude 52.3702 N GPSLongitude 4.8952 E', 'latin1'),
  ]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(exif.length + 2);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), length, exif, jpeg.subarray(2)]);
}

test('a photo goes at most 1600 px wide, without its place, and its thumbnail shows before it', { timeout: 120_000 }, async () => {
  const alice = await browser.newPage();
  // The test reads the photo's own bytes back from its blob: URL, which the app's content
  // security policy (rightly) does not let a script fetch.
  const bob = await (await browser.newContext({ bypassCSP: true })).newPage();
  const errors = [alice, bob].map(watchErrors);
  await registerAt(alice, server.url, 'gina');
  await registerAt(bob, server.url, 'hank');
  await openChat(alice, 'hank');

  const photo = await jpegWithPlace(alice, 3000, 2000);
  assert.ok(photo.includes('GPSLatitude'), 'the photo picked names a place');
  await alice.getByLabel('Files to send').setInputFiles({ name: 'holiday.jpeg', mimeType: 'image/jpeg', buffer: photo });
  const dialog = alice.getByRole('dialog', { name: 'Send files' });
  await dialog.getByRole('checkbox', { name: 'Send photos as files' }).waitFor();
  await dialog.getByRole('textbox', { name: 'Caption' }).fill('the canal');
  await dialog.getByRole('button', { name: 'Send files' }).click();
  await alice.getByRole('img', { name: 'the canal' }).waitFor({ timeout: 30_000 });

  // Bob's photo downloads are held back: the thumbnail that came in the message shows.
  await bob.route('**/blobs/*', (route) => route.abort());
  await bob.getByRole('button', { name: /^gina/ }).click({ timeout: 30_000 });
  const preview = bob.getByRole('log').getByRole('img', { name: 'the canal' });
  await preview.waitFor({ timeout: 30_000 });
  const small = await preview.evaluate((img) => img.decode().then(() => [img.naturalWidth, img.className]));
  assert.deepEqual(small, [48, 'photo preview'], 'the thumbnail shows while the photo cannot come');

  // Opened again with downloads allowed: the photo, 1600×1067, with no place in its bytes.
  await bob.unroute('**/blobs/*');
  await bob.reload();
  await bob.getByRole('button', { name: /^gina/ }).click({ timeout: 30_000 });
  const full = bob.getByRole('log').locator('img.photo:not(.preview)');
  await full.waitFor({ timeout: 30_000 });
  assert.equal(await full.getAttribute('alt'), 'the canal');
  const [width, height, bytes] = await full.evaluate(async (img) => {
    await img.decode();
    const data = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    return [img.naturalWidth, img.naturalHeight, Array.from(data)];
  });
  assert.deepEqual([width, height], [1600, 1067]);
  const received = Buffer.from(bytes);
  assert.ok(!received.includes('GPS') && !received.includes('Exif'), 'no metadata in the photo received');
  // Bob's downloads held back are the only errors.
  assert.deepEqual(errors.flat().filter((e) => !/ERR_FAILED|Failed to fetch/.test(e)), []);
});

/** A WebM of `width`×`height`, about a second long, recorded in `page` from a canvas. */
async function recordedVideo(page, width, height) {
  const bytes = await page.evaluate(async ([w, h]) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const context = canvas.getContext('2d');
    const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm' });
    const chunks = [];
    recorder.ondataavailable = (event) => chunks.push(event.data);
    const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
    recorder.start(100);
    for (let frame = 0; frame < 30; frame++) {
      context.fillStyle = frame % 2 ? '#c33' : '#36c';
      context.fillRect(0, 0, w, h);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    recorder.stop();
    await stopped;
    return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
  }, [width, height]);
  return Buffer.from(bytes);
}

test('a video goes with its first frame, size and length, shown before it arrives; one that cannot be decoded goes as a file', { timeout: 120_000 }, async () => {
  const alice = await browser.newPage();
  // bypassCSP: axe is injected to check the video's bubble.
  const bob = await (await browser.newContext({ bypassCSP: true })).newPage();
  const errors = [alice, bob].map(watchErrors);
  await registerAt(alice, server.url, 'vicky');
  await registerAt(bob, server.url, 'wade');
  await openChat(alice, 'wade');

  const clip = await recordedVideo(alice, 320, 240);
  await alice.getByLabel('Files to send').setInputFiles({ name: 'clip.webm', mimeType: 'video/webm', buffer: clip });
  const dialog = alice.getByRole('dialog', { name: 'Send files' });
  await dialog.getByRole('textbox', { name: 'Caption' }).fill('the clip');
  await dialog.getByRole('button', { name: 'Send files' }).click();
  await alice.getByRole('log').getByText('the clip').waitFor({ timeout: 30_000 });
  // Bytes the browser cannot decode, named as a video: sent all the same, as a file.
  await alice.getByLabel('Files to send').setInputFiles({ name: 'broken.webm', mimeType: 'video/webm', buffer: randomBytes(5000) });
  await dialog.getByRole('button', { name: 'Send files' }).click();
  await alice.getByRole('log').getByRole('button', { name: 'Download broken.webm' }).waitFor({ timeout: 30_000 });

  // Bob's downloads are held back: what came in the message shows.
  await bob.route('**/blobs/*', (route) => route.abort());
  await bob.getByRole('button', { name: /^vicky/ }).click({ timeout: 30_000 });
  const log = bob.getByRole('log');
  const preview = log.getByRole('img', { name: 'the clip' });
  await preview.waitFor({ timeout: 30_000 });
  const drawn = await preview.evaluate((img) => img.decode().then(() => [img.naturalWidth, img.naturalHeight]));
  assert.deepEqual(drawn, [48, 36], 'the first frame, at most 48 px');
  assert.deepEqual([await preview.getAttribute('width'), await preview.getAttribute('height')], ['320', '240'], 'drawn at the video\'s own size');
  const row = log.getByRole('listitem').filter({ has: bob.getByRole('img', { name: 'the clip' }) });
  assert.match(await row.locator('.video-time').textContent(), /^0:0[12]$/);
  await log.getByRole('button', { name: 'Download broken.webm' }).waitFor({ timeout: 30_000 });
  const broken = log.getByRole('listitem').filter({ has: bob.getByRole('button', { name: 'Download broken.webm' }) });
  assert.equal(await broken.getByRole('img').count(), 0, 'no thumbnail for a video that could not be decoded');
  assert.equal(await broken.locator('.video-time').count(), 0);
  const found = await violations(bob, 'video before it arrives');

  // Downloads allowed: the video itself, its first frame as its poster.
  await bob.unroute('**/blobs/*');
  await bob.reload();
  await bob.getByRole('button', { name: /^vicky/ }).click({ timeout: 30_000 });
  const video = bob.getByRole('log').locator('video[aria-label="the clip"]');
  await video.waitFor({ timeout: 30_000 });
  assert.match(await video.getAttribute('poster'), /^blob:/);
  await bob.waitForFunction(() => document.querySelector('video.video[aria-label="the clip"]')?.videoWidth === 320, null, { timeout: 30_000 });
  found.push(...await violations(bob, 'video arrived'));
  assert.deepEqual(found, []);
  // Bob's downloads held back are the only errors.
  assert.deepEqual(errors.flat().filter((e) => !/ERR_FAILED|Failed to fetch/.test(e)), []);
});

/** Dispatches `type` (a drop or a paste) carrying a file made in the page on `selector`. */
async function hand(page, selector, type, { name, mime, text }) {
  await page.evaluate(([selector, type, name, mime, text]) => {
    const carried = new DataTransfer();
    carried.items.add(new File([text], name, { type: mime }));
    const target = document.querySelector(selector);
    const init = { bubbles: true, cancelable: true };
    if (type === 'paste') {
      target.dispatchEvent(new ClipboardEvent('paste', { ...init, clipboardData: carried }));
    } else {
      target.dispatchEvent(new DragEvent('dragover', { ...init, dataTransfer: carried }));
      target.dispatchEvent(new DragEvent('drop', { ...init, dataTransfer: carried }));
    }
  }, [selector, type, name, mime, text]);
}

test('photos open in a viewer (arrows, Escape, Download); files dropped on a chat or pasted into it are offered to send', { timeout: 120_000 }, async () => {
  const alice = await browser.newPage();
  const bob = await browser.newPage();
  const errors = [alice, bob].map(watchErrors);
  await registerAt(alice, server.url, 'ivy');
  await registerAt(bob, server.url, 'jack');
  await openChat(alice, 'jack');

  // A file dropped on the chat: offered in "Send files", and dropped again with Cancel.
  await hand(alice, '[role=log]', 'drop', { name: 'dropped.txt', mime: 'text/plain', text: 'dropped' });
  const dialog = alice.getByRole('dialog', { name: 'Send files' });
  await dialog.getByText('dropped.txt').waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });

  // Two photos; the caption goes with the first.
  const second = await jpegWithPlace(alice, 300, 200);
  await alice.getByLabel('Files to send').setInputFiles([
    { name: 'red.png', mimeType: 'image/png', buffer: PNG },
    { name: 'blue.jpeg', mimeType: 'image/jpeg', buffer: second },
  ]);
  await dialog.getByRole('textbox', { name: 'Caption' }).fill('first');
  await dialog.getByRole('button', { name: 'Send files' }).click();
  await alice.getByRole('log').getByRole('img', { name: 'Photo' }).waitFor({ timeout: 30_000 });

  // An image pasted into the composer: offered, and sent.
  await hand(alice, '#composer', 'paste', { name: 'pasted.txt', mime: 'text/plain', text: 'pasted' });
  await dialog.getByText('pasted.txt').waitFor();
  await dialog.getByRole('button', { name: 'Send files' }).click();

  await bob.getByRole('button', { name: /^ivy/ }).click({ timeout: 30_000 });
  const log = bob.getByRole('log');
  await log.getByRole('button', { name: 'Download pasted.txt' }).waitFor({ timeout: 30_000 });
  await log.getByRole('img', { name: 'Photo' }).waitFor({ timeout: 30_000 });
  await log.getByRole('img', { name: 'first' }).click();
  const viewer = bob.getByRole('dialog', { name: 'Photo viewer' });
  await viewer.getByRole('img', { name: 'first' }).waitFor();
  await bob.keyboard.press('ArrowRight');
  await viewer.getByRole('img', { name: 'Photo' }).waitFor();
  assert.equal(await viewer.getByRole('button', { name: 'Next' }).isDisabled(), true, 'the last photo has no next');
  const download = bob.waitForEvent('download');
  await viewer.getByRole('button', { name: 'Download' }).click();
  assert.equal((await download).suggestedFilename(), 'blue.jpg');
  await bob.keyboard.press('ArrowLeft');
  await viewer.getByRole('img', { name: 'first' }).waitFor();
  await bob.keyboard.press('Escape');
  await viewer.waitFor({ state: 'hidden' });

  // Contact info's "Media, links and docs": the photos as a grid (newest first), the file
  // listed; a photo there opens the viewer too.
  await bob.getByRole('button', { name: 'Contact info' }).click();
  const info = bob.getByRole('region', { name: 'Contact info' });
  const media = info.getByRole('list', { name: 'Media' });
  await media.getByRole('img', { name: 'first' }).waitFor();
  assert.equal(await media.getByRole('listitem').count(), 2);
  await info.getByRole('list', { name: 'Docs' }).getByText(/^pasted\.txt, 1 KB$/).waitFor();
  await media.getByRole('img', { name: 'first' }).click();
  await viewer.getByRole('img', { name: 'first' }).waitFor();
  await bob.keyboard.press('Escape');
  await viewer.waitFor({ state: 'hidden' });
  assert.deepEqual(errors.flat(), []);
});

test('a photo kept on this device opens offline; with Photos off in Settings it waits for a click; Clear media empties the store', { timeout: 120_000 }, async () => {
  const alice = await browser.newPage();
  const bobContext = await browser.newContext();
  const bob = await bobContext.newPage();
  const errors = watchErrors(alice);
  await registerAt(alice, server.url, 'kate');
  await registerAt(bob, server.url, 'liam');
  await bob.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await openChat(alice, 'liam');

  const sendPhoto = async (name, caption) => {
    await alice.getByLabel('Files to send').setInputFiles({ name, mimeType: 'image/png', buffer: PNG });
    const dialog = alice.getByRole('dialog', { name: 'Send files' });
    await dialog.getByRole('textbox', { name: 'Caption' }).fill(caption);
    await dialog.getByRole('button', { name: 'Send files' }).click();
    await alice.getByRole('log').getByRole('img', { name: caption }).waitFor({ timeout: 30_000 });
  };
  const classOf = (page, caption) => page.getByRole('log').getByRole('img', { name: caption }).getAttribute('class');

  await sendPhoto('one.png', 'kept');
  await bob.getByRole('button', { name: /^kate/ }).click({ timeout: 30_000 });
  await bob.waitForFunction(() => document.querySelector('img.photo:not(.preview)') !== null, null, { timeout: 30_000 });

  // Offline, after a reload: the photo comes from this device's media store.
  await bobContext.setOffline(true);
  await bob.reload();
  await bob.getByRole('button', { name: /^kate/ }).click();
  await bob.waitForFunction(() => document.querySelector('img.photo:not(.preview)') !== null, null, { timeout: 30_000 });
  assert.equal(await classOf(bob, 'kept'), 'photo');
  await bobContext.setOffline(false);
  await bob.reload();
  await waitForStatus(bob, 'Connected', 30_000);

  // Photos off: a new one shows its thumbnail only, until "Download two.jpg".
  await openSettings(bob);
  const settings = bob.getByRole('dialog', { name: 'Settings' });
  const photos = settings.getByRole('checkbox', { name: 'Photos', exact: true });
  assert.equal(await photos.isChecked(), true, 'photos download by themselves at first');
  await photos.uncheck();
  await bob.getByRole('button', { name: /^kate/ }).click();
  await sendPhoto('two.png', 'on click');
  await bob.getByRole('log').getByRole('img', { name: 'on click' }).waitFor({ timeout: 30_000 });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(await classOf(bob, 'on click'), 'photo preview');
  const download = bob.waitForEvent('download');
  await bob.getByRole('log').getByRole('button', { name: 'Download two.jpg' }).click();
  assert.equal((await download).suggestedFilename(), 'two.jpg');
  await bob.waitForFunction(() => document.querySelectorAll('img.photo:not(.preview)').length === 2, null, { timeout: 30_000 });

  // The setting stays across a reload; Storage per chat counts Kate's chat and its photos;
  // Clear media of kate empties that chat's, Clear media the whole store.
  await bob.reload();
  await openSettings(bob);
  assert.equal(await photos.isChecked(), false, 'the choice was kept');
  await settings.getByText(/^Media on this device: [1-9]/).waitFor();
  const perChat = settings.getByRole('table', { name: 'Storage per chat' });
  const kateRow = perChat.getByRole('row').filter({ has: bob.getByRole('rowheader', { name: 'kate', exact: true }) });
  await kateRow.waitFor();
  assert.match(await kateRow.getByRole('cell').nth(0).innerText(), /^[2-9]\d* \(/, 'messages counted');
  assert.notEqual(await kateRow.getByRole('cell').nth(1).innerText(), '0 MB', 'its photos counted');
  await kateRow.getByRole('button', { name: 'Clear media of kate', exact: true }).click();
  await kateRow.getByRole('cell').nth(1).getByText('0 MB', { exact: true }).waitFor();
  await settings.getByRole('button', { name: 'Clear media', exact: true }).click();
  await settings.getByText('Media on this device: 0 MB').waitFor();
  assert.deepEqual(errors, []);
  await bobContext.close();
});
