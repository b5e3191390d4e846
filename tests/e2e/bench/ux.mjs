// `cargo xtask bench ux`: Lighthouse 12.2.3 (mobile profile, its default: a mid-range phone on
// a slow 4G link, simulated) on the release build served by the real relay, beside a bare page
// served from loopback in the same run as the reference (the floor any page pays). Prints the
// performance, accessibility and best-practices scores, the largest contentful paint, the
// total blocking time and the time to interactive (when the app, not only index.html's
// splash, can be used), and the app's LCP as a ratio of the bare page's.
// HUSH_BENCH_SMOKE=1: one run each (does it still run?); otherwise the median of three.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { startServer } from '../support/server.mjs';

const SMOKE = !['', '0', undefined].includes(process.env.HUSH_BENCH_SMOKE);
const RUNS = SMOKE ? 1 : 3;
const LIGHTHOUSE = join(process.cwd(), 'node_modules', '.bin', 'lighthouse');
const run = promisify(execFile);

/** One Lighthouse run of `url`: its scores (0-100) and timings (ms). */
async function lighthouse(url) {
  const scratch = mkdtempSync(join(tmpdir(), 'hush-bench-ux-'));
  const report = join(scratch, 'report.json');
  try {
    await run(LIGHTHOUSE, [
      url,
      '--output=json',
      `--output-path=${report}`,
      '--only-categories=performance,accessibility,best-practices',
      '--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage',
      '--no-enable-error-reporting',
      '--quiet',
    ], { env: { ...process.env, CHROME_PATH: process.env.HUSH_CHROMIUM || '/usr/bin/chromium' }, maxBuffer: 64 << 20 });
    const result = JSON.parse(readFileSync(report, 'utf8'));
    const score = (name) => Math.round((result.categories[name]?.score ?? 0) * 100);
    const audit = (name) => result.audits[name]?.numericValue ?? NaN;
    return {
      performance: score('performance'),
      accessibility: score('accessibility'),
      bestPractices: score('best-practices'),
      lcp: audit('largest-contentful-paint'),
      tbt: audit('total-blocking-time'),
      // Not scored by Lighthouse 12, but when the app (not only its first screen) is usable.
      tti: audit('interactive'),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A run of `url`, tried again (up to 3 times in all) when Lighthouse itself fails: headless
 * Chromium sometimes loses the trace ("NO_NAVSTART"), which says nothing about the page. */
async function lighthouseRetried(url) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await lighthouse(url);
    } catch (error) {
      if (attempt === 3) throw error;
      console.log(`ux: Lighthouse failed on ${url} (${String(error.stderr ?? error).trim().split('\n').at(-1)}); running it again`);
    }
  }
}

/** The median of each figure over `RUNS` runs of `url`. */
async function measure(url) {
  const runs = [];
  for (let n = 0; n < RUNS; n += 1) runs.push(await lighthouseRetried(url));
  const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  return Object.fromEntries(Object.keys(runs[0]).map((key) => [key, median(key)]));
}

// The reference: a bare, valid page with one line of text.
const BARE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
  + 'content="width=device-width, initial-scale=1"><meta name="description" content="A bare page">'
  + '<title>Bare</title></head><body><h1>Hush</h1></body></html>';
const bare = createServer((_, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(BARE);
});
await new Promise((resolve) => bare.listen(0, '127.0.0.1', resolve));
const server = await startServer();
try {
  const reference = await measure(`http://127.0.0.1:${bare.address().port}/`);
  const app = await measure(server.url);
  const row = (name, r) => console.log(
    `  ${name.padEnd(12)} ${String(r.performance).padStart(11)} ${String(r.accessibility).padStart(13)} `
    + `${String(r.bestPractices).padStart(14)} ${(r.lcp / 1000).toFixed(2).padStart(8)} s ${Math.round(r.tbt).toString().padStart(7)} ms `
    + `${(r.tti / 1000).toFixed(2).padStart(8)} s`,
  );
  console.log(`\nLighthouse 12.2.3, mobile profile, median of ${RUNS}:`);
  console.log(`  ${'page'.padEnd(12)} performance accessibility best-practices      LCP       TBT  interactive`);
  row('bare page', reference);
  row('Hush', app);
  console.log(`Hush: performance ${app.performance}, accessibility ${app.accessibility}, best practices ${app.bestPractices}; `
    + `LCP ${(app.lcp / 1000).toFixed(2)} s (${(app.lcp / reference.lcp).toFixed(2)} × the bare page's), `
    + `interactive ${(app.tti / 1000).toFixed(2)} s`);
} finally {
  await server.stop();
  bare.close();
}
