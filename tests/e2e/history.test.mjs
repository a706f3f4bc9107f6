// Conversation lifetime (issue #6): the conversation is kept for the tab across page navigations on the
// bank's site, "Clear conversation" removes it for good, nothing is written to storage before the
// customer first opens the widget, and another tab starts afresh. With `data-persist="local"` (the host's
// opt-in) it is kept in localStorage until it expires.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, launch, openPage, openChat, ask } from './harness.mjs';

let server, browser, axeSource;
before(async () => {
  server = await startServer();
  browser = await launch();
  axeSource = await readFile(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
});

/// axe-core's WCAG 2.2 AA and best-practice findings on the page as it is now.
async function axeViolations(page) {
  // Through DevTools, like an extension: the server's CSP rightly refuses inline scripts.
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
after(async () => { await browser?.close(); await server?.stop(); });

/// Everything the widget keeps in the tab's and the browser's storage.
const stored = (page) => page.evaluate(() => {
  const pick = (s) => Object.fromEntries(Object.keys(s).filter((k) => k.startsWith('bank-assistant')).map((k) => [k, s.getItem(k)]));
  return { session: pick(sessionStorage), local: pick(localStorage) };
});

/// The customer's questions and the assistant's replies in the log, as text.
/// The restored transcript once it has `count` messages: a restored answer joins the log when the worker
/// (started at once on a page with a conversation to restore) has rendered it, within a few seconds.
async function restored(page, count) {
  await page.locator('.ba-log [data-route]').nth(count - 1).waitFor({ timeout: 15_000 });
  return transcript(page);
}

async function transcript(page) {
  return page.locator('.ba-log [data-route]').evaluateAll((nodes) => nodes.map((n) => {
    const who = n.classList.contains('ba-customer') ? 'customer' : 'assistant';
    return `${who}: ${n.querySelector('p')?.innerText.trim() ?? ''}`;
  }));
}

/// Opens the panel (once the widget has mounted), without waiting for the model.
async function openPanel(page) {
  await page.locator('.ba-root').waitFor({ state: 'attached', timeout: 30_000 });
  if (await page.locator('.ba-panel').isHidden()) {
    await page.getByRole('button', { name: /Chat with our assistant|在线客服/ }).click();
  }
  await page.locator('.ba-panel').waitFor();
}

/// Sets attributes on the demo page's mount element before the widget reads them.
function setHostAttributes(a) {
  const set = () => {
    // The one tag's data-* settings (the loader reads them when it runs, after parsing).
    const el = document.querySelector('script[src$="assistant.js"]');
    if (!el) return false;
    for (const [k, v] of Object.entries(a)) el.setAttribute(k, v);
    return true;
  };
  if (!set()) {
    const obs = new MutationObserver(() => { if (set()) obs.disconnect(); });
    obs.observe(document, { childList: true, subtree: true });
  }
}

test('nothing is written to storage before the customer opens the widget and asks', async () => {
  const { page, errors } = await openPage(browser, server.url);
  // The engine starts loading on idle, before any click: wait for it, then look.
  await page.locator('.ba-status[data-engine="ready"]').waitFor({ state: 'attached', timeout: 60_000 });
  assert.deepEqual(await stored(page), { session: {}, local: {} });
  await openChat(page);
  assert.deepEqual(await stored(page), { session: {}, local: {} }, 'opening alone writes nothing');
  await ask(page, 'I lost my card');
  const { session, local } = await stored(page);
  assert.ok(session['bank-assistant.history'], 'the conversation is kept for the tab once there is one');
  assert.deepEqual(local, {}, 'and nothing in localStorage without the host opting in');
  assert.deepEqual(errors, []);
});

test('the conversation survives navigating away and back; "Clear conversation" removes it for good', async () => {
  const { page, errors } = await openPage(browser, server.url);
  const panics = [];
  page.on('console', (m) => { if (/panicked/.test(m.text())) panics.push(m.text()); });
  await openChat(page);
  await ask(page, 'I lost my card');
  await ask(page, '我的卡还没到');
  const before = await transcript(page);
  assert.equal(before.length, 4);
  assert.match(before[0], /^customer: I lost my card$/);
  assert.match(before[2], /^customer: 我的卡还没到$/);

  // Another page of the site, then back, in the same tab. The page's analytics (message events) hear
  // of new messages only, not of the restored ones again.
  await page.addInitScript(() => {
    window.__messages = [];
    document.addEventListener('bank-assistant:message', (e) => window.__messages.push(e.detail));
  });
  await page.goto(server.url + 'healthz');
  await page.goto(server.url + '?from=another-page');
  await openPanel(page);
  assert.deepEqual(await restored(page, before.length), before, 'the same messages, in order');
  assert.deepEqual(await page.evaluate(() => window.__messages), [], 'restored messages are not reported again');
  const languages = await page.locator('.ba-log .ba-customer').evaluateAll((n) => n.map((e) => e.lang));
  assert.deepEqual(languages, ['en', 'zh-CN']);

  // Clear: asks first; "Keep it" keeps everything.
  // In the header's menu.
  await page.getByRole('button', { name: 'Menu', exact: true }).click();
  const clear = page.getByRole('button', { name: /Clear conversation/ });
  await clear.click();
  const confirm = page.getByRole('group', { name: /Clear this conversation/ });
  await confirm.waitFor();
  assert.deepEqual(await axeViolations(page), [], 'the open confirmation passes axe');
  const keep = confirm.getByRole('button', { name: 'Keep it' });
  assert.ok(await keep.evaluate((el) => el === document.activeElement || el.getRootNode().activeElement === el),
    'focus starts on the choice that loses nothing');
  await keep.click();
  assert.ok(await confirm.isHidden());
  assert.equal((await transcript(page)).length, 4);

  await clear.click();
  await confirm.getByRole('button', { name: 'Yes, clear it' }).click();
  assert.deepEqual(await transcript(page), []);
  assert.ok(await clear.isHidden(), 'nothing left to clear');
  assert.equal(await page.getByLabel('Your question').evaluate((el) => el === document.activeElement || el.getRootNode().activeElement === el), true,
    'focus goes to the question box');
  const after = await stored(page);
  assert.equal(after.session['bank-assistant.history'], undefined);
  assert.equal(after.session['bank-assistant.conversation'], undefined, 'the next question starts a new conversation');

  await page.reload();
  await openPanel(page);
  assert.deepEqual(await transcript(page), [], 'still gone after a reload');
  assert.deepEqual(errors, []);
  assert.deepEqual(panics, []);
});

test('another tab starts with an empty conversation', async () => {
  const context = await browser.newContext();
  const first = await context.newPage();
  await first.goto(server.url);
  await openChat(first);
  await ask(first, 'I lost my card');
  assert.equal((await transcript(first)).length, 2);

  // Same browser profile, new tab: sessionStorage is per tab.
  const second = await context.newPage();
  await second.goto(server.url);
  await openPanel(second);
  assert.deepEqual(await transcript(second), []);
  assert.deepEqual(await stored(second), { session: {}, local: {} });
  // A fresh profile (a new context) too.
  const other = await browser.newContext();
  const third = await other.newPage();
  await third.goto(server.url);
  await openPanel(third);
  assert.deepEqual(await transcript(third), []);
  await other.close();
  await context.close();
});

test('a product answer comes back as its card after a navigation', async () => {
  const { page } = await openPage(browser, server.url);
  await openChat(page);
  const reply = await ask(page, 'How does a personal loan work?');
  await reply.locator('article.ba-card').waitFor({ timeout: 10_000 });
  await page.goto(server.url + '?page=loans');
  await openPanel(page);
  await page.locator('.ba-log article.ba-card').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('.ba-log .ba-customer').count(), 1);
});

test('data-persist="local": kept across tabs until it expires; data-persist="none": not kept', async () => {
  const context = await browser.newContext();
  await context.addInitScript(setHostAttributes, { 'data-persist': 'local', 'data-persist-hours': '2' });
  const page = await context.newPage();
  await page.goto(server.url);
  await openChat(page);
  await ask(page, 'I lost my card');
  const { local, session } = await stored(page);
  assert.equal(session['bank-assistant.history'], undefined);
  const saved = JSON.parse(local['bank-assistant.history']);
  const hours = (saved.until - Date.now()) / 3_600_000;
  assert.ok(hours > 1.9 && hours <= 2, `expires 2 hours after the last message (${hours})`);

  const tab = await context.newPage();
  await tab.goto(server.url);
  await openPanel(tab);
  assert.equal((await restored(tab, 2)).length, 2, 'another tab of the same browser sees it');

  // Stale: gone on the next page load, and removed from storage.
  await tab.evaluate(() => {
    const saved = JSON.parse(localStorage.getItem('bank-assistant.history'));
    localStorage.setItem('bank-assistant.history', JSON.stringify({ ...saved, until: Date.now() - 1000 }));
  });
  await tab.reload();
  await openPanel(tab);
  assert.deepEqual(await transcript(tab), []);
  assert.equal((await stored(tab)).local['bank-assistant.history'], undefined);
  await context.close();

  const none = await browser.newContext();
  await none.addInitScript(setHostAttributes, { 'data-persist': 'none' });
  const p = await none.newPage();
  await p.goto(server.url);
  await openChat(p);
  await ask(p, 'I lost my card');
  const kept = await stored(p);
  assert.equal(kept.session['bank-assistant.history'], undefined);
  assert.equal(kept.local['bank-assistant.history'], undefined);
  await p.reload();
  await openPanel(p);
  assert.deepEqual(await transcript(p), []);
  await none.close();
});
