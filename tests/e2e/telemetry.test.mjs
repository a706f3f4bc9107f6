// End-to-end: the widget's telemetry (issue #17). What the browser settles itself is reported as counts
// only: after a few questions and the page going hidden, one beacon goes to /v1/telemetry whose records
// hold labels and enumerations; no request the page makes carries any question or any word of one (the
// questions chosen are ones the browser answers itself, so none goes to the server chatbot). The server's
// insights count them. With `data-telemetry="off"` on the tag, or `setTelemetry(false)`, nothing is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, openChat, ask, adminApi, hidePage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

const QUESTIONS = ['I lost my card', '我的银行卡丢了', 'how do I freeze my card', '我的卡还没到'];
const FIELDS = ['asked_person_after', 'confidence_bucket', 'intent', 'lang', 'rated', 'route', 'text_step'];

/// Every request body the page sends (beacons included), with its path.
function bodies(page) {
  const sent = [];
  page.on('request', (r) => sent.push({ path: new URL(r.url()).pathname, body: r.postData() ?? '' }));
  return sent;
}

/// The words of a question: runs of letters (English) and every Chinese character pair.
function words(q) {
  const latin = q.toLowerCase().match(/[a-z]{3,}/g) ?? [];
  const han = [...q.matchAll(/\p{Script=Han}/gu)].map((m) => m[0]);
  const pairs = han.slice(1).map((c, i) => han[i] + c);
  return [...latin, ...pairs];
}

/// A round trip through the page after which any beacon it queued earlier has been seen.
async function settle(page) {
  await page.evaluate(() => fetch('/readyz').then((r) => r.text()));
}

test('counts leave the browser when the page is hidden; no question text or word ever does', async () => {
  const { page, errors } = await openPage(browser, server.url);
  const sent = bodies(page);
  await openChat(page);
  const replies = [];
  for (const [i, q] of QUESTIONS.entries()) {
    const reply = await ask(page, q);
    replies.push(reply);
    assert.equal(await reply.getAttribute('data-route'), 'answer', `"${q}" is answered in the browser`);
    if (i === 0) {
      await reply.getByRole('button', { name: 'Helpful', exact: true }).click();
      await page.waitForFunction(() => sessionStorage.getItem('bank-assistant.outbox') === null, null, { timeout: 10_000 });
    }
  }
  const beacon = page.waitForRequest((r) => r.url().endsWith('/v1/telemetry'));
  await hidePage(page);
  const batch = JSON.parse((await beacon).postData());
  assert.equal(batch.records.length, QUESTIONS.length, JSON.stringify(batch));
  for (const r of batch.records) {
    assert.deepEqual(Object.keys(r).sort(), FIELDS, 'only the documented fields');
    assert.match(r.intent, /^[a-z_]+$/);
    assert.equal(r.route, 'answered');
  }
  assert.deepEqual(batch.records.map((r) => r.lang), ['en', 'zh-CN', 'en', 'zh-CN']);
  assert.equal(batch.records[0].rated, 'helpful');
  assert.equal(batch.records[0].intent, 'lost_or_stolen_card');
  await settle(page);

  // Every body the page sent: no question, and no word of one outside the intent labels it names.
  const leaks = [];
  for (const { path, body } of sent) {
    const outsideLabels = body.replace(/"intent":"[a-z_]*"/g, '');
    for (const q of QUESTIONS) {
      if (body.includes(q)) leaks.push(`${path}: "${q}"`);
      for (const w of words(q)) if (outsideLabels.toLowerCase().includes(w)) leaks.push(`${path}: "${w}" of "${q}"`);
    }
  }
  assert.deepEqual(leaks, []);
  assert.ok(sent.some((s) => s.path === '/v1/feedback'), 'the rating went to the server too');
  assert.equal(sent.filter((s) => s.path === '/v1/telemetry').length, 1, 'one batch');

  // The server counted them.
  const insights = await (await adminApi(server.url)).get('/v1/admin/insights?days=1');
  const today = insights.days.at(-1);
  assert.equal(today.questions, QUESTIONS.length);
  assert.equal(today.settled_in_browser, QUESTIONS.length);
  assert.deepEqual(errors, []);
});

test('data-telemetry="off" on the tag, or setTelemetry(false), sends nothing to /v1/telemetry', async () => {
  const offTag = (page) => page.route((url) => url.pathname === '/' || url.pathname.endsWith('/index.html'), async (route) => {
    const resp = await route.fetch();
    const html = (await resp.text()).replace('data-locale="en"', 'data-locale="en" data-telemetry="off"');
    assert.ok(html.includes('data-telemetry="off"'), 'the demo page has the tag');
    await route.fulfill({ response: resp, body: html });
  });
  for (const how of ['attribute', 'api']) {
    const { page, errors } = await openPage(browser, server.url, { setup: how === 'attribute' ? offTag : undefined });
    if (how === 'api') await page.evaluate(() => window.BankAssistant.setTelemetry(false));
    const sent = bodies(page);
    await openChat(page);
    // The last in English: only the latest answer offers a rating, in its language.
    let last;
    for (const q of [...QUESTIONS].reverse()) last = await ask(page, q);
    await hidePage(page);
    // A server call also carries waiting counts: rate an answer, and wait for it to be delivered.
    await last.getByRole('button', { name: 'Helpful', exact: true }).click();
    await page.waitForFunction(() => sessionStorage.getItem('bank-assistant.outbox') === null, null, { timeout: 10_000 });
    await settle(page);
    assert.ok(sent.some((s) => s.path === '/v1/feedback'), `${how}: the page did talk to the server`);
    assert.deepEqual(sent.filter((s) => s.path === '/v1/telemetry'), [], `${how}: no telemetry`);
    assert.deepEqual(errors, [], how);
    await page.close();
  }
});
