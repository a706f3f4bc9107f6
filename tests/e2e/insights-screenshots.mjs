// Screenshots of the insights page (issue #17) for the README: /admin after four weeks of demo counts and
// /admin/unanswered with a few grouped questions. The history is DEMO DATA written straight into the
// throwaway server's SQLite counters (the API only counts "today"); today's numbers come through the API
// as the widget and the server make them. `cargo xtask screenshots` runs this after screenshots.mjs.
import { mkdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, launch, ADMIN } from './harness.mjs';

const OUT = new URL('../../docs/screenshots/', import.meta.url).pathname;
const INTENTS = ['card_arrival', 'lost_or_stolen_card', 'transfer_limits', 'exchange_rate', 'top_up_failed', 'cannot_log_in'];

const server = await startServer();
const browser = await launch();
await mkdir(OUT, { recursive: true });
try {
  // Four weeks of demo counters (a deterministic pseudo-random walk).
  const today = Math.floor(Date.now() / 86_400_000);
  let seed = 17;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return Math.floor(seed / 65536) % n; };
  const rows = [];
  // Up to the day before yesterday: the server recomputes its own counts of the last two days from its
  // rows on every view, and the demo has no rows behind these.
  for (let d = today - 28; d < today - 1; d++) {
    INTENTS.forEach((intent, i) => {
      const asked = 20 + rnd(30) + (6 - i) * 4;
      const dym = rnd(5);
      rows.push([d, intent, 'b.route.answered', asked], [d, intent, 'b.route.did_you_mean', dym],
        [d, intent, 'b.person_after.answered', rnd(3)], [d, intent, 's.helpful', 2 + rnd(6)],
        [d, intent, 's.not_helpful', i === 3 ? 3 + rnd(4) : rnd(2)]);
    });
    rows.push([d, '', 's.unanswered', 4 + rnd(8)], [d, 'card_arrival', 's.answered', 3 + rnd(5)],
      [d, '', 's.handoff.requested', 3 + rnd(6)], [d, '', 's.handoff.complaint', rnd(3)], [d, '', 's.handoff.scam', rnd(2)],
      [d, '', 's.abandoned', rnd(2)], [d, '', 's.wait_p50_s', 30 + rnd(90)], [d, '', 's.wait_p90_s', 150 + rnd(200)],
      [d, '', 's.reason.hard_to_understand', 1 + rnd(3)], [d, '', 's.reason.not_answered', 1 + rnd(4)]);
  }
  const sql = rows.map(([d, i, m, n]) => `INSERT INTO insight_counts (day, intent, metric, n) VALUES (${d}, '${i}', '${m}', ${n});`).join('\n');
  execFileSync('sqlite3', [join(server.dataDir, 'assistant.db')], { input: `PRAGMA busy_timeout = 5000;\nBEGIN;\n${sql}\nCOMMIT;\n` });

  // Today: a few unanswered questions through the API, so /admin/unanswered has groups.
  for (const q of ['can i buy ski chalet vouchers', 'ski chalet vouchers', 'buy ski chalet vouchers here', 'hamster grooming appointment', 'hamster grooming']) {
    const id = `shot${Date.now()}${Math.random().toString(16).slice(2)}`;
    const opened = await (await fetch(server.url + 'v1/conversations', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversation_id: id, claim: `claim-${id}-${id}` }) })).json();
    await fetch(server.url + 'v1/chat', { method: 'POST', headers: { 'content-type': 'application/json', 'x-conversation-secret': opened.secret },
      body: JSON.stringify({ conversation_id: id, message_id: `m-${id}`, text: q, locale: 'en' }) });
  }

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url + 'admin');
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Assistant insights', level: 1 }).waitFor();
  // The top of the page: the totals and containment over time (its table follows).
  const table = await page.locator('#table-days').boundingBox();
  await page.screenshot({ path: `${OUT}insights-desktop.png`, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.round(table.y) - 30 } });
  console.log(`wrote ${OUT}insights-desktop.png`);
  const from = await page.locator('#h-intents').boundingBox();
  const to = await page.locator('#h-handoffs').boundingBox();
  await page.screenshot({ path: `${OUT}insights-intents.png`, fullPage: true, clip: { x: 0, y: Math.round(from.y) - 10, width: 1280, height: Math.round(to.y - from.y) } });
  console.log(`wrote ${OUT}insights-intents.png`);
  await page.goto(server.url + 'admin/unanswered');
  await page.screenshot({ path: `${OUT}insights-unanswered.png`, fullPage: true });
  console.log(`wrote ${OUT}insights-unanswered.png`);
} finally {
  await browser.close();
  await server.stop();
}
