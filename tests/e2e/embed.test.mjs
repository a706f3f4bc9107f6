// Embedding (issue #6): the one tag on a bank's own site, on another origin than the chat server, under
// the strict Content-Security-Policy banks use; a host page that fights the widget's styles; the page's
// JS API and events; the no-WebAssembly fallback; retries of a failed asset load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serve, launch, openPage, openChat, ask } from './harness.mjs';

let server, site, browser, bare;
const hostPage = ({ css = '', head = '', attrs = '', other = () => server } = {}) => () => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A bank's page</title>${css}${head}</head>
<body>
  <h1>Everyday banking</h1>
  <p class="ba-visually-hidden ba-message" id="decoy">The widget's class names on the host's own element.</p>
  <script type="module" src="/assistant.js" data-server="${other().url.replace(/\/$/, '')}" data-locale="en"></script>
</body></html>`;

before(async () => {
  // The bank's site (host pages + the self-hosted dist/) needs its port before the chat server starts,
  // which must allow the site's origin (CORS); the site's CSP must allow the chat server.
  const pages = {};
  const csp = () => `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; ` +
    `connect-src 'self' ${server.url.replace(/\/$/, '')} ${bare?.url.replace(/\/$/, '') ?? ''}; worker-src 'self'`;
  site = await serve({ pages, csp: () => (server ? csp() : '') });
  server = await startServer({ cors: [site.url.replace(/\/$/, '')] });
  Object.assign(pages, {
    '/hostile.html': hostPage({ css: '<link rel="stylesheet" href="/fixtures/hostile.css">' }),
    '/plain.html': hostPage(),
    // A chat server that was not told about the site (no CORS for it): the bank's misconfiguration.
    '/nocors.html': hostPage({ other: () => bare }),
    '/early.html': hostPage({ head: '<script src="/fixtures/early.js"></script>' }),
  });
  bare = await startServer();
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); await bare?.stop(); site?.close(); });

/** No uncaught errors, no console errors, no CSP violations. */
async function assertClean({ page, errors, console }, label) {
  assert.deepEqual(errors, [], `${label}: uncaught errors`);
  assert.deepEqual(console.filter((m) => m.type === 'error').map((m) => m.text), [], `${label}: console errors`);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], `${label}: CSP violations`);
}

const contrast = (a, b) => {
  const lum = (rgb) => rgb.map((c) => c / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
    .reduce((s, c, i) => s + c * [0.2126, 0.7152, 0.0722][i], 0);
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
const rgb = (css) => css.match(/[\d.]+/g).slice(0, 3).map(Number);

test('a hostile host page under a strict CSP: the widget looks and works as designed, and does not leak', async () => {
  const opened = await openPage(browser, site.url + 'hostile.html');
  const { page, requests } = opened;
  const launcher = page.getByRole('button', { name: 'Chat with our assistant' });
  await launcher.waitFor();
  const look = await page.locator('button.ba-launcher').evaluate((el) => {
    const cs = getComputedStyle(el);
    return { font: cs.fontSize, family: cs.fontFamily, position: cs.position, bg: cs.backgroundColor, color: cs.color,
      box: el.getBoundingClientRect().toJSON(), vw: innerWidth, vh: innerHeight };
  });
  assert.equal(look.font, '16px', "the page's 8px !important does not reach the widget");
  assert.doesNotMatch(look.family, /Comic/);
  assert.equal(look.position, 'fixed');
  assert.ok(look.box.right <= look.vw && look.box.right > look.vw - 60 && look.box.bottom <= look.vh && look.box.bottom > look.vh - 60,
    `launcher in the bottom-right corner of the viewport despite the transformed body: ${JSON.stringify(look.box)}`);
  assert.ok(contrast(rgb(look.bg), rgb(look.color)) >= 4.5, `brand colour darkened to ≥ 4.5:1 (${look.bg} on ${look.color})`);
  assert.ok(opened.console.some((m) => m.type === 'warning' && /--bank-assistant-brand .* less than 4\.5:1/.test(m.text)),
    'the low-contrast brand colour is reported as a warning');
  // The widget's CSS does not leak: the host's element with the widget's class names is untouched.
  const decoy = await page.locator('#decoy').evaluate((el) => ({ position: getComputedStyle(el).position, width: el.getBoundingClientRect().width }));
  assert.equal(decoy.position, 'static');
  assert.ok(decoy.width > 1, 'not visually hidden by the widget\'s .ba-visually-hidden');

  await openChat(page);
  const kb = await ask(page, 'I lost my card');
  assert.equal(await kb.getAttribute('data-intent'), 'lost_or_stolen_card');
  assert.match(await kb.innerText(), /freeze/i);
  assert.equal(await page.locator('.ba-input').evaluate((el) => getComputedStyle(el).fontSize), '16px');
  const seen = requests.length;
  const srv = await ask(page, "what's the weather in Paris");
  assert.equal(await srv.getAttribute('data-route'), 'server');
  assert.ok(requests.slice(seen).some((u) => u === server.url + 'v1/chat'), 'asked the chat server on its own origin');
  await assertClean(opened, 'hostile page');
});

test('calls made before the widget is ready are queued, and events arrive through on() and DOM events', async () => {
  const opened = await openPage(browser, site.url + 'early.html');
  const { page } = opened;
  await page.locator('.ba-log .ba-assistant[data-intent="lost_or_stolen_card"]').waitFor({ timeout: 60_000 });
  const { events, dom, readyFirst } = await page.evaluate(() => ({
    events: window.__events, dom: window.__domEvents, readyFirst: window.__readyBeforeCalls,
  }));
  assert.equal(readyFirst, false, 'the calls were made before ready');
  const names = events.map((e) => e.name);
  assert.equal(names[0], 'ready');
  assert.deepEqual(events[0].detail, { mode: 'wasm' });
  assert.ok(names.includes('open'), 'ask() opened the panel');
  const messages = events.filter((e) => e.name === 'message').map((e) => e.detail);
  assert.deepEqual(messages[0], { author: 'customer', text: '我的银行卡丢了', lang: 'zh-CN', route: '', intent: null });
  const answer = messages.find((m) => m.author === 'assistant');
  assert.equal(answer.intent, 'lost_or_stolen_card');
  assert.match(answer.text, /冻结/);
  assert.equal(await page.locator('.ba-root').getAttribute('lang'), 'zh-CN', 'setLocale was applied');
  assert.deepEqual(dom.map((e) => e.name), names, 'the same events as bubbling, composed DOM events');
  await assertClean(opened, 'early calls');
});

test('every API method, on the global and on the element', async () => {
  const opened = await openPage(browser, site.url + 'plain.html');
  const { page } = opened;
  // The launcher is there once the widget is mounted (and 'ready' has been emitted).
  await page.getByRole('button', { name: 'Chat with our assistant' }).waitFor();
  await page.evaluate(() => {
    window.__log = [];
    window.__off = {};
    for (const name of ['open', 'close', 'message', 'handoff', 'error']) {
      window.__off[name] = BankAssistant.on(name, (d) => window.__log.push([name, d]));
    }
  });
  const log = () => page.evaluate(() => window.__log.splice(0));
  const el = 'document.querySelector("bank-assistant")';

  await page.evaluate(() => BankAssistant.open());
  await page.locator('#ba-panel').waitFor();
  await page.waitForFunction(() => __ba.active()?.id === 'ba-input');
  await page.evaluate(`${el}.close()`);
  await page.locator('.ba-launcher').waitFor();
  await page.evaluate(`${el}.toggle()`);
  await page.locator('#ba-panel').waitFor();
  await page.evaluate(() => BankAssistant.toggle());
  await page.locator('.ba-launcher').waitFor();
  assert.deepEqual((await log()).map(([n]) => n), ['open', 'close', 'open', 'close']);

  await page.evaluate(() => BankAssistant.setTextSize('larger'));
  await page.waitForFunction(() => __ba.$('.ba-root').dataset.textSize === 'larger');
  await page.evaluate(() => BankAssistant.setLocale('zh-CN'));
  await page.getByRole('button', { name: '在线客服' }).waitFor();
  await page.evaluate(`${el}.setLocale('en')`);
  await page.getByRole('button', { name: 'Chat with our assistant' }).waitFor();

  // A bad call: a warning and an error event, nothing thrown.
  await page.evaluate(() => BankAssistant.setLocale('fr'));
  const bad = await log();
  assert.equal(bad[0][0], 'error');
  assert.equal(bad[0][1].code, 'bad_call');

  // ask(): opens the panel; the message event carries the masked text only.
  await page.evaluate(() => BankAssistant.ask('my card 4111 1111 1111 1111 was charged twice'));
  await page.locator('.ba-log .ba-customer').waitFor();
  await page.locator('.ba-log .ba-assistant[data-route]').first().waitFor({ timeout: 60_000 });
  const events = await log();
  const customer = events.find(([n, d]) => n === 'message' && d.author === 'customer')[1];
  assert.match(customer.text, /\[card ••••1111\]/);
  assert.ok(!JSON.stringify(events).includes('4111 1111'), 'no raw card number in any event');

  // identify(): opaque tokens only.
  assert.equal(await page.evaluate(() => BankAssistant.identify({ token: 'sess_9f8e7d6c5b4a' })), true);
  // Random tokens often hold long digit runs; they are still tokens.
  assert.equal(await page.evaluate(() => BankAssistant.identify({ token: '550e8400-e29b-41d4-a716-446655440000' })), true);
  assert.equal(await page.evaluate(() => BankAssistant.identity()), '550e8400-e29b-41d4-a716-446655440000');
  for (const token of ['13800138000', 'li.wei@example.com', '4111111111111111', 'Li Wei']) {
    assert.equal(await page.evaluate((t) => BankAssistant.identify({ token: t }), token), false, token);
  }
  assert.equal(await page.evaluate(() => BankAssistant.identity()), '550e8400-e29b-41d4-a716-446655440000');
  assert.ok(opened.console.some((m) => m.type === 'warning' && /opaque token/.test(m.text)));

  // Hand-off: a handoff event.
  await page.evaluate(() => BankAssistant.ask('I want to talk to a real person'));
  await page.waitForFunction(() => window.__log.some(([n]) => n === 'handoff'), null, { timeout: 30_000 });
  const handoff = (await log()).find(([n]) => n === 'handoff')[1];
  assert.match(handoff.state, /requested|queued|active/);

  // reset(): an empty conversation.
  await page.evaluate(`${el}.reset()`);
  await page.waitForFunction(() => __ba.$('.ba-log').querySelectorAll('.ba-customer').length === 0);

  // on() returns an unsubscribe function.
  await page.evaluate(() => { window.__off.open(); window.__off.close(); });
  await page.evaluate(() => BankAssistant.close());
  await page.locator('.ba-launcher').waitFor();
  assert.deepEqual((await log()).filter(([n]) => n === 'open' || n === 'close'), []);
  await assertClean(opened, 'API');
});

test('without WebAssembly the server answers, and the widget says so', async () => {
  const opened = await openPage(browser, site.url + 'hostile.html', { init: () => { delete window.WebAssembly; } });
  const { page, requests } = opened;
  await page.getByRole('button', { name: 'Chat with our assistant' }).click();
  await page.locator('.ba-status').filter({ hasText: /not available on this device.*server/ }).waitFor();
  assert.equal(await page.evaluate(() => __ba.active()?.id), 'ba-input');
  const bodies = [];
  page.on('request', (r) => r.url().endsWith('/v1/chat') && bodies.push(r.postData()));
  await page.getByLabel('Your question').fill('I lost my card');
  await page.getByLabel('Your question').press('Enter');
  const reply = page.locator('.ba-log .ba-assistant:is([data-route="kb"], [data-route="server"])').first();
  await reply.waitFor({ timeout: 10_000 });
  assert.equal(await reply.getAttribute('data-route'), 'kb', "the server's knowledge base answered");
  assert.match(await reply.innerText(), /freeze/i);
  assert.ok(requests.includes(server.url + 'v1/chat'));
  await page.getByLabel('Your question').fill('my card 6222 0212 3456 7890 and li.wei@example.com');
  await page.getByLabel('Your question').press('Enter');
  await page.locator('.ba-log .ba-assistant:is([data-route="kb"], [data-route="server"])').nth(1).waitFor({ timeout: 10_000 });
  const log = await page.locator('.ba-log').innerText();
  for (const secret of ['6222 0212 3456 7890', 'li.wei@example.com']) {
    assert.ok(!log.includes(secret), `${secret} masked before it is shown`);
    assert.ok(!bodies.some((b) => b.includes(secret)), `${secret} masked before it is sent`);
  }
  assert.match(log, /\[number ••••7890\] and \[email\]/);
  assert.ok(!requests.some((u) => /_bg\.wasm/.test(u)), 'no wasm is fetched');
  await page.keyboard.press('Escape');
  await page.locator('.ba-launcher').waitFor();
  await assertClean(opened, 'no WebAssembly');
});

test("a widget wasm that will not load is retried, then the server fallback takes over", async () => {
  const browserContext = await browser.newContext();
  let tries = 0;
  await browserContext.route(/assistant-widget-[0-9a-f]+_bg\.wasm/, (route) => { tries++; route.abort('connectionreset'); });
  const page = await browserContext.newPage();
  const errors = [];
  const consoleErrors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await page.goto(site.url + 'plain.html');
  await page.locator('.ba-root[data-mode="fallback"]').waitFor({ state: 'attached', timeout: 20_000 });
  assert.equal(tries, 4, 'one try and three retries');
  await page.getByRole('button', { name: 'Chat with our assistant' }).click();
  await page.getByLabel('Your question').fill("what's the weather in Paris");
  await page.getByLabel('Your question').press('Enter');
  await page.locator('.ba-log .ba-assistant[data-route="server"]').waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
  // Chromium logs each failed network request as a console error by itself; nothing else may.
  assert.deepEqual(consoleErrors.filter((t) => !/Failed to load resource/.test(t)), []);
  await browserContext.close();
});

test('an answers file changed on the way is refused by its integrity hash: questions go to the server', async () => {
  const browserContext = await browser.newContext();
  let served = 0;
  // The worker fetches the knowledge base itself. A changed answer (here: "freeze" → "ignore") must
  // never reach the customer. (The model file is also pinned, and carries its own hash in its metadata.)
  await browserContext.route(/kb\/answers-[0-9a-f]+\.json/, async (route) => {
    served++;
    const response = await route.fetch();
    const body = (await response.text()).replaceAll('freeze', 'ignore').replaceAll('Freeze', 'Ignore');
    await route.fulfill({ response, body });
  });
  const page = await browserContext.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(site.url + 'plain.html');
  await page.getByRole('button', { name: 'Chat with our assistant' }).click();
  await page.getByLabel('Your question').fill('I lost my card');
  await page.getByLabel('Your question').press('Enter');
  const reply = page.locator('.ba-log .ba-assistant[data-route]').first();
  await reply.waitFor({ timeout: 20_000 });
  assert.ok(served >= 1, 'the worker asked for the answers');
  assert.doesNotMatch(await reply.innerText(), /ignore/i, 'the changed answer is never shown');
  assert.match(await reply.innerText(), /freeze/i, 'the server answered instead');
  assert.ok(['kb', 'server'].includes(await reply.getAttribute('data-route')));
  assert.deepEqual(errors, []);
  await browserContext.close();
});

// Issue #14, problem 8: a missing CORS setting looked like "You seem to be offline" and no `error` event
// fired. Each reason now has its own calm words for the customer and its own code for the page.
test('a chat server that does not allow the site, and a browser that is offline, each say what they are', async () => {
  const collect = () => {
    window.__errors = [];
    document.addEventListener('bank-assistant:error', (e) => window.__errors.push(e.detail.code));
  };
  const blocked = await openPage(browser, site.url + 'nocors.html', { init: collect });
  await blocked.page.getByRole('button', { name: 'Chat with our assistant' }).click();
  await blocked.page.locator('.ba-status[data-engine="ready"]').waitFor({ timeout: 60_000 });
  await blocked.page.getByRole('button', { name: 'Talk to a person' }).first().click();
  await blocked.page.locator('.ba-status').filter({ hasText: /a setting on the bank's side/ }).waitFor({ timeout: 15_000 });
  assert.ok((await blocked.page.evaluate(() => window.__errors)).includes('server_blocked'));
  assert.ok(!(await blocked.page.locator('.ba-status').innerText()).includes('offline'), 'not blamed on the network');

  const offline = await openPage(browser, server.url, { init: collect });
  await openChat(offline.page);
  await offline.page.context().setOffline(true);
  await offline.page.getByRole('button', { name: 'Talk to a person' }).first().click();
  await offline.page.locator('.ba-status').filter({ hasText: /seem to be offline/ }).waitFor({ timeout: 15_000 });
  assert.deepEqual(await offline.page.evaluate(() => window.__errors), ['offline']);
  await offline.page.context().setOffline(false);
  await offline.page.locator('.ba-status').filter({ hasText: /Waiting for a person|number \d+ in line|you are next/ }).waitFor({ timeout: 30_000 });
});
