// End-to-end: the insights page (issue #17) after a scripted day of conversations through the real
// widget and server. Customer A asks four questions (three the browser answers, one it sends to the
// server chatbot) and rates two answers; customer B asks for a person and an agent takes them. Then an
// admin signs in at /admin: the numbers on the page are the ones this script made, the page passes axe,
// and every table's CSV download is that table. An agent is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, launch, openPage, openChat, ask, agentApi, hidePage, ADMIN, AGENT } from './harness.mjs';

let server, browser, axeSource;
before(async () => {
  server = await startServer();
  browser = await launch();
  axeSource = await readFile(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
});
after(async () => { await browser?.close(); await server?.stop(); });

async function axeViolations(page) {
  await page.evaluate(axeSource); // through DevTools: the page's CSP refuses inline scripts
  const result = await page.evaluate(() => axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/// A table of the page as rows of cell texts (header row first).
const tableRows = (page, name) => page.locator(`#table-${name}`).evaluate((t) =>
  [...t.querySelectorAll('tr')].map((tr) => [...tr.children].map((c) => c.textContent)));

/// Signs in on /admin's form as `who`; returns the page.
async function signIn(who) {
  const page = await browser.newPage();
  await page.goto(server.url + 'admin');
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
  return page;
}

test('a day of conversations, then the insights page shows exactly them; axe clean; CSV = tables', async () => {
  // Customer A.
  const a = await openPage(browser, server.url);
  await openChat(a.page);
  const browserAnswers = [];
  // Only the latest answer offers a rating: each is rated right after it came.
  for (const q of ['I lost my card', 'how do I freeze my card', '我的卡还没到']) {
    const reply = await ask(a.page, q);
    assert.equal(await reply.getAttribute('data-route'), 'answer', q);
    browserAnswers.push(reply);
    if (browserAnswers.length === 1) await reply.getByRole('button', { name: 'Helpful', exact: true }).click();
    if (browserAnswers.length === 2) {
      await reply.getByRole('button', { name: 'Not helpful' }).click();
      await reply.getByRole('button', { name: 'Skip' }).click();
    }
  }
  const toServer = await ask(a.page, "what's the weather in Paris");
  assert.equal(await toServer.getAttribute('data-route'), 'server', 'the server chatbot got this one');
  await a.page.waitForFunction(() => sessionStorage.getItem('bank-assistant.outbox') === null, null, { timeout: 10_000 });
  const beaconA = a.page.waitForRequest((r) => r.url().endsWith('/v1/telemetry'));
  await hidePage(a.page);
  assert.equal((await (await beaconA).response()).status(), 204);

  // Customer B asks for a person; an agent takes them.
  const b = await openPage(browser, server.url);
  await openChat(b.page);
  await ask(b.page, 'I want to talk to a real person');
  await b.page.locator('.ba-status').filter({ hasText: /Waiting for a person|Connecting you/ }).waitFor({ timeout: 10_000 });
  await b.page.waitForFunction(() => sessionStorage.getItem('bank-assistant.outbox') === null, null, { timeout: 10_000 });
  const conversation = await b.page.evaluate(() => sessionStorage.getItem('bank-assistant.conversation'));
  await (await agentApi(server.url)).take(conversation);
  await b.page.getByText(`${AGENT.name} from our team has joined the chat.`).waitFor({ timeout: 10_000 });
  const beaconB = b.page.waitForRequest((r) => r.url().endsWith('/v1/telemetry'));
  await hidePage(b.page);
  assert.equal((await (await beaconB).response()).status(), 204);

  // An agent is refused; the admin sees the day.
  const agentPage = await signIn(AGENT);
  const refused = await agentPage.goto(server.url + 'admin');
  assert.equal(refused.status(), 403);
  const page = await signIn(ADMIN);
  assert.match(page.url(), /\/admin$/);
  await page.getByRole('heading', { name: 'Assistant insights', level: 1 }).waitFor();

  const days = await tableRows(page, 'days');
  assert.deepEqual(days[0], ['Day', 'Questions', 'Settled in the browser', 'Settled by the server', 'Did you mean',
    'Unanswered', 'Handed to a person', 'Containment']);
  const today = days.at(-1);
  // 3 answered in the browser + B's request for a person + 1 the server chatbot got = 5.
  assert.equal(today[1], '5', `questions: ${today}`);
  assert.equal(today[2], '3', 'settled in the browser');
  assert.equal(Number(today[3]) + Number(today[5]), 1, 'the server chatbot answered it or could not');
  assert.equal(today[6], '1', 'handed to a person');
  assert.equal(today[7], `${((3 + Number(today[3])) / 5 * 100).toFixed(1)}%`, 'containment');
  assert.equal(await page.locator('#total-questions').textContent(), '5');

  const worst = await tableRows(page, 'worst');
  // The answer rated "not helpful", with every rating of its intent (the first answer may share it).
  const [helpfulIntent, unhelpfulIntent] = await Promise.all(browserAnswers.slice(0, 2).map((r) => r.getAttribute('data-intent')));
  const rated = helpfulIntent === unhelpfulIntent ? 2 : 1;
  assert.deepEqual(worst.slice(1), [[unhelpfulIntent, String(rated), '1', `${(100 / rated).toFixed(1)}%`]]);
  const handoffs = await tableRows(page, 'handoffs');
  const h = handoffs.at(-1);
  assert.equal(h[1], '1');
  assert.equal(h[2], '0', 'nobody left the queue');
  assert.match(h[3], /^\d+$/, 'the wait was measured');
  const reasons = await tableRows(page, 'reasons');
  assert.deepEqual(reasons.slice(1).map((r) => r.join('|')).sort(), ['Hand-off|requested|1', 'Not helpful|none|1']);

  assert.equal(await page.locator('svg[role="img"]').count(), 4, 'four charts');
  assert.deepEqual(await axeViolations(page), []);

  for (const name of ['days', 'intents', 'worst', 'handoffs', 'reasons']) {
    const link = page.locator(`a[href^="/admin/insights.csv?table=${name}&"]`);
    const resp = await page.request.get(new URL(await link.getAttribute('href'), server.url).href);
    assert.equal(resp.status(), 200, name);
    assert.match(resp.headers()['content-type'], /^text\/csv/);
    const csv = (await resp.text()).trimEnd().split('\r\n').map((l) => l.split(','));
    assert.deepEqual(csv, await tableRows(page, name), `${name}: the CSV is the table`);
  }
  for (const p of [a.page, b.page, agentPage, page]) await p.close();
  assert.deepEqual([...a.errors, ...b.errors], []);
});
