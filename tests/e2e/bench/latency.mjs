// Browser-to-browser latency through a local relay: Alice's page sends, Bob's page shows.
// Run by `cargo xtask bench latency` (release app, release server). Each message leaves when the
// previous one was read and its receipts are back, so this is latency without load. Both pages
// share the machine's clock (performance.timeOrigin + performance.now()), so send and arrival
// times compare.
//
// Printed: p50/p99/max from Enter on Alice's side to the bubble in Bob's log, and, from the
// same messages, the part until Alice's tick says Delivered (the relay's durable acceptance).
// With HUSH_BENCH_SMOKE=1 (`cargo xtask bench --smoke`), a dozen messages: does it still run?
import { launchBrowser, openChat, register } from '../support/browser.mjs';
import { startServer } from '../support/server.mjs';

const SMOKE = !['', '0', undefined].includes(process.env.HUSH_BENCH_SMOKE);
const COUNT = Number(process.env.HUSH_LATENCY_MESSAGES || (SMOKE ? 12 : 300));
const WARM_UP = SMOKE ? 2 : 20;
const GOAL_P50_MS = 20;
const GOAL_P99_MS = 50;

const server = await startServer();
const browser = await launchBrowser();
try {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  for (const [page, name] of [[alice, 'alice'], [bob, 'bob']]) {
    await register(page, server.url, name);
  }
  await openChat(alice, 'bob');
  await alice.getByRole('textbox', { name: 'Message' }).fill('hello');
  await alice.getByRole('textbox', { name: 'Message' }).press('Enter');
  await bob.getByRole('button', { name: /alice/ }).click();
  await bob.getByRole('log').getByText('hello', { exact: true }).waitFor();

  // When each bubble entered the log, by text (and, for our own, by tick): recorded in the
  // page, so waiting costs the pages nothing (no locator polling the DOM).
  const watch = () => {
    window.hushTimes = {};
    const log = document.querySelector('[role=log]');
    const note = (node, now) => {
      const row = node.closest?.('li');
      const body = row?.querySelector('.body')?.textContent;
      if (!body?.startsWith('latency ')) return;
      const tick = row.querySelector('.tick')?.dataset.status;
      window.hushTimes[tick ? `${body}|${tick}` : body] ??= now;
    };
    // A new bubble is an added row; a tick moving on changes its `data-status` (or, drawn
    // anew, is added).
    new MutationObserver((records) => {
      const now = performance.timeOrigin + performance.now();
      for (const record of records) {
        if (record.type === 'attributes') note(record.target, now);
        for (const node of record.addedNodes) note(node, now);
      }
    }).observe(log, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-status'] });
  };
  await bob.evaluate(watch);
  await alice.evaluate(watch);
  const seen = (page, key) =>
    page.waitForFunction((k) => window.hushTimes[k] !== undefined, key, { polling: 5, timeout: 10_000 });

  const sendAt = [];
  for (let i = 0; i < COUNT; i += 1) {
    const text = `latency ${i}`;
    sendAt.push(
      await alice.evaluate((body) => {
        const box = document.querySelector('#composer');
        box.value = body;
        box.dispatchEvent(new Event('input', { bubbles: true }));
        const at = performance.timeOrigin + performance.now();
        box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
        return at;
      }, text),
    );
    await seen(bob, text);
    // The next one leaves when both sides are idle: Bob's receipts have reached Alice.
    await seen(alice, `${text}|Read`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const arrived = await bob.evaluate(() => window.hushTimes);
  const sent = await alice.evaluate(() => window.hushTimes);

  const measured = (times, suffix = '') =>
    sendAt
      .map((at, i) => times[`latency ${i}${suffix}`] - at)
      .slice(WARM_UP)
      .filter((ms) => Number.isFinite(ms))
      .sort((a, b) => a - b);
  const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const total = measured(arrived);
  const toSent = measured(sent, '|Delivered');
  if (total.length !== COUNT - WARM_UP || total[0] < 0) {
    throw new Error(`bad measurement: ${total.length} samples, smallest ${total[0]}`);
  }
  const [p50, p99, max] = [quantile(total, 0.5), quantile(total, 0.99), total.at(-1)];
  console.log(`browser to browser through a local relay, ${total.length} messages one at a time (after ${WARM_UP} warm-up):`);
  console.log(`  Enter on Alice's side to the bubble in Bob's log: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
  if (toSent.length > 0) {
    console.log(`  of which until Alice's tick says Delivered (${toSent.length} seen): p50 ${quantile(toSent, 0.5).toFixed(1)} ms, p99 ${quantile(toSent, 0.99).toFixed(1)} ms`);
  }
  console.log(`  goals p50 ≤ ${GOAL_P50_MS} ms, p99 ≤ ${GOAL_P99_MS} ms: p50 ${(p50 / GOAL_P50_MS).toFixed(2)}× the goal, p99 ${(p99 / GOAL_P99_MS).toFixed(2)}× the goal`);
  console.log(`bench client/latency_ms p50=${p50.toFixed(1)} p99=${p99.toFixed(1)} max=${max.toFixed(1)} goal_p50=${GOAL_P50_MS} goal_p99=${GOAL_P99_MS}`);
} finally {
  await browser.close();
  await server.stop();
}
