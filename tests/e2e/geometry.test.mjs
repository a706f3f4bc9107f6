// What a person sees (issue #14): a matrix over {phone 375×812, desktop 1280×800} × {the four text
// sizes} × {English, Chinese}, each cell after a short conversation with a product card, a comparison
// and a hand-off offer. It asserts on geometry, never on classes:
// - the header and the composer (question box and Send) are entirely inside the viewport;
// - the first line of the newest answer is inside the log's visible rectangle;
// - no two visible pieces of text in the panel overlap (status line and messages included);
// - nothing in a message is wider than the message (no sideways scrolling inside bubbles or tables);
// - wheel-scrolling the log by 3,000 px leaves the header and composer where they were, and the page
//   unscrolled.
// One page per viewport and language (the text size is switched in the panel, as a customer would), and
// at the end of each page (largest text) the customer asks for a person: the same checks hold while they
// wait, while the person writes, and once the person has closed the conversation. At most one rating row
// is on screen, and no suggestions while a person is on the way or talking.
// A screenshot of every cell is saved to tests/e2e/test-results/ (look at them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { startServer, launch, openPage, openChat, ask, agentApi } from './harness.mjs';

const OUT = new URL('./test-results/', import.meta.url).pathname;
const SIZES = ['standard', 'large', 'larger', 'largest'];
const VIEWPORTS = {
  phone: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 800 } },
};
// A product card, a comparison, and an answer that offers a person (the server is not sure).
// `facet`: a card opened at the part asked about, its answer first; `clarify`: "Did you mean…?" with
// its choices; `scam`: the warning with a person offered (issue #15).
const QUESTIONS = {
  en: {
    card: 'How does a personal loan work?', compare: 'compare fixed deposit and wealth management products',
    offer: "what's the weather in Paris", facet: 'credit card, is there an annual fee?',
    clarify: 'What rate do you use when converting pounds to euros?',
    scam: 'the police rang and said my account is involved in a case, i have to move my money to a safe account',
  },
  zh: {
    card: '贷款是怎么回事？', compare: '定期存款和理财产品有什么区别？', offer: '巴黎明天的天气怎么样',
    facet: '信用卡年费多少钱', clarify: '钱还没到', scam: '有个自称公安的人打电话说我涉嫌洗钱 让我把钱转到安全账户',
  },
};

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
  await mkdir(OUT, { recursive: true });
});
after(async () => { await browser?.close(); await server?.stop(); });

const settle = (page) => page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));

async function chooseSize(page, size) {
  const toggle = page.locator('.ba-settings-toggle');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await page.locator(`.ba-size[data-size="${size}"]`).click();
  await toggle.click();
  await settle(page);
}

/// Everything the matrix measures, in one pass inside the page. Returns a list of problems (empty when
/// all is well) and the boxes the wheel check compares.
function measure() {
  const root = document.querySelector('bank-assistant').shadowRoot;
  const $ = (s) => root.querySelector(s);
  const problems = [];
  const vw = innerWidth;
  const vh = innerHeight;
  const box = (el) => { const r = el.getBoundingClientRect?.() ?? el; return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; };
  const fmt = (r) => `[${Math.round(r.left)},${Math.round(r.top)} → ${Math.round(r.right)},${Math.round(r.bottom)}]`;
  const inside = (r, o, slack = 0.5) => r.left >= o.left - slack && r.top >= o.top - slack && r.right <= o.right + slack && r.bottom <= o.bottom + slack;
  const screen = { left: 0, top: 0, right: vw, bottom: vh };

  for (const [name, sel] of [['header', '.ba-header'], ['question box', '.ba-input'], ['Send', '.ba-send']]) {
    const el = $(sel);
    if (!el || !el.checkVisibility()) { problems.push(`${name} is not visible`); continue; }
    if (!inside(box(el), screen)) problems.push(`${name} ${fmt(box(el))} is not inside the ${vw}×${vh} viewport`);
  }

  // The title's words stay whole: "Lakeside Bank assistan/t" is not something a customer reads.
  const title = $('.ba-title');
  const words = title ? document.createTreeWalker(title, NodeFilter.SHOW_TEXT) : null;
  for (let n = words?.nextNode(); n; n = words.nextNode()) {
    for (const m of n.textContent.matchAll(/[A-Za-z]+/g)) {
      const range = document.createRange();
      range.setStart(n, m.index);
      range.setEnd(n, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) problems.push(`the title's word "${m[0]}" is broken over ${tops.size} lines`);
    }
  }

  // The visible part of an element: its box clipped by every scrolling or clipping ancestor.
  const visiblePart = (el, r) => {
    let out = { ...r };
    for (let a = el; a && a !== document.body; a = a.parentElement ?? a.parentNode?.host) {
      const cs = getComputedStyle(a);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible' || cs.clip !== 'auto') {
        const c = a.getBoundingClientRect();
        if (cs.clip !== 'auto' && cs.position === 'absolute') return null; // visually hidden
        out = { left: Math.max(out.left, c.left), top: Math.max(out.top, c.top), right: Math.min(out.right, c.right), bottom: Math.min(out.bottom, c.bottom) };
      }
    }
    out = { left: Math.max(out.left, 0), top: Math.max(out.top, 0), right: Math.min(out.right, vw), bottom: Math.min(out.bottom, vh) };
    return out.right - out.left > 1 && out.bottom - out.top > 1 ? out : null;
  };

  // The newest answer's first line is where the customer can read it.
  const log = $('.ba-log');
  const answers = [...root.querySelectorAll('.ba-log .ba-assistant[data-route]')];
  const newest = answers.at(-1);
  if (newest) {
    const walker = document.createTreeWalker(newest, NodeFilter.SHOW_TEXT);
    let first = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim()) continue;
      const host = n.parentElement;
      if (host.closest('.ba-visually-hidden') || !host.checkVisibility()) continue;
      first = n;
      break;
    }
    if (!first) problems.push('the newest answer has no visible text');
    else {
      const range = document.createRange();
      range.selectNodeContents(first);
      const line = range.getClientRects()[0];
      const l = box(log);
      if (!line || line.top < l.top - 0.5 || line.bottom > l.bottom + 0.5) {
        problems.push(`the newest answer's first line ("${first.textContent.trim().slice(0, 20)}" ${line ? fmt(line) : 'no box'}) is not inside the log ${fmt(l)}`);
      }
    }
  }

  // No two visible pieces of text overlap: every text node's line boxes, clipped to what is visible.
  const panel = $('.ba-panel');
  const pieces = [];
  const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const host = n.parentElement;
    if (!host.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      const v = visiblePart(host, box(r));
      if (v) pieces.push({ node: n, text: n.textContent.trim().slice(0, 24), r: v, h: r.height });
    }
  }
  for (let i = 0; i < pieces.length; i++) {
    for (let j = i + 1; j < pieces.length; j++) {
      const a = pieces[i];
      const b = pieces[j];
      if (a.node === b.node) continue;
      const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      // A font's glyph boxes can be a little taller than the line (CJK fonts): a real overlap is more.
      if (x > 2 && y > Math.max(2, 0.3 * Math.min(a.h, b.h))) {
        problems.push(`"${a.text}" ${fmt(a.r)} overlaps "${b.text}" ${fmt(b.r)}`);
      }
    }
  }

  // Nothing in a message is wider than the message, and nothing scrolls sideways inside one.
  for (const m of root.querySelectorAll('.ba-log .ba-message')) {
    const mr = box(m);
    const lr = box(log);
    if (mr.right > lr.right + 0.5 || mr.left < lr.left - 0.5) problems.push(`a message ${fmt(mr)} is wider than the log ${fmt(lr)}`);
    // The outermost offender in each message is enough to say what is wrong.
    for (const el of [m, ...m.querySelectorAll('*')]) {
      if (!el.checkVisibility() || el.closest('.ba-visually-hidden')) continue;
      const r = box(el);
      const what = `<${el.tagName.toLowerCase()} class="${el.className}">`;
      if (el !== m && (r.right > mr.right + 0.5 || r.left < mr.left - 0.5)) {
        problems.push(`${what} ${fmt(r)} is wider than its message ${fmt(mr)}`);
        break;
      }
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') {
        problems.push(`${what} scrolls sideways (${el.scrollWidth} > ${el.clientWidth})`);
        break;
      }
    }
  }
  const still = ['.ba-header', '.ba-input', '.ba-send'].map((s) => box($(s)));
  return { problems: [...new Set(problems)], still, logBox: box(log) };
}

/// The wheel over the log: only the log scrolls.
async function wheel(page, before) {
  const { logBox } = before;
  await page.mouse.move((logBox.left + logBox.right) / 2, (logBox.top + logBox.bottom) / 2);
  await page.mouse.wheel(0, 3000);
  await page.waitForTimeout(400);
  await settle(page);
  const after = await page.evaluate(measure);
  const problems = [];
  const names = ['header', 'question box', 'Send'];
  after.still.forEach((r, i) => {
    const b = before.still[i];
    if (Math.abs(r.top - b.top) > 0.5 || Math.abs(r.left - b.left) > 0.5) problems.push(`after the wheel, the ${names[i]} moved from ${Math.round(b.top)} to ${Math.round(r.top)}`);
  });
  const scrolled = await page.evaluate(() => ({ x: scrollX, y: scrollY }));
  if (scrolled.x || scrolled.y) problems.push(`after the wheel, the page is scrolled to ${scrolled.x},${scrolled.y}`);
  // Back to the newest answer for the next cell's screenshot.
  return problems;
}

async function cell(page, name, failures, { chips = true } = {}) {
  await settle(page);
  const before = await page.evaluate(measure);
  await page.screenshot({ path: `${OUT}geometry-${name}.png` });
  const problems = [...before.problems, ...await wheel(page, before)];
  // At most one "Was this helpful?" on screen; no suggestions while a person is on the way or talking.
  const ratings = await page.locator('.ba-rating:visible').count();
  if (ratings > 1) problems.push(`${ratings} rating rows are shown (only the newest answer's should be)`);
  if (!chips && await page.locator('.ba-chip:visible').count()) problems.push('suggestions are shown while a person is on the way or talking');
  if (problems.length) failures.push(`${name}:\n    ${problems.join('\n    ')}`);
}

for (const [device, options] of Object.entries(VIEWPORTS)) {
  for (const lang of ['en', 'zh']) {
    test(`${device} ${options.viewport.width}×${options.viewport.height}, ${lang}: every text size; waiting for, talking to and closed by a person`, async () => {
      const { page, errors } = await openPage(browser, server.url, options);
      if (lang === 'zh') await page.evaluate(() => BankAssistant.setLocale('zh-CN'));
      await openChat(page);
      const q = QUESTIONS[lang];
      const offer = await ask(page, q.offer);
      await offer.locator('.ba-offer').waitFor();
      await (await ask(page, q.compare)).locator('.ba-compare').waitFor();
      await (await ask(page, q.card)).locator('.ba-card').waitFor();
      const failures = [];
      const size = `${options.viewport.width}x${options.viewport.height}`;
      // Each size gets a new answer at that size (the newest answer is then read from its start).
      const next = ['facet', 'clarify', 'card', 'scam'];
      for (const [i, textSize] of SIZES.entries()) {
        await chooseSize(page, textSize);
        await ask(page, q[next[i]]);
        await cell(page, `${size}-${textSize}-${lang}`, failures);
      }
      // Waiting for a person (largest text): the status line says where they are in line.
      await page.locator('.ba-person').click();
      await page.locator('.ba-handoff-bar').waitFor();
      await page.locator('.ba-status').filter({ hasText: /Waiting|等待|line|排队/ }).waitFor({ timeout: 10_000 }).catch(() => {});
      await cell(page, `${size}-largest-${lang}-waiting`, failures, { chips: false });
      // A person takes the conversation and writes; then closes it (the close button must still be there).
      const api = await agentApi(server.url);
      const id = await page.evaluate(() => sessionStorage.getItem('bank-assistant.conversation'));
      await api.take(id);
      await api.reply(id, lang === 'en' ? 'Hello, this is Li from the bank. How can I help?' : '您好，我是银行的小李，请问有什么可以帮您？');
      await page.locator('.ba-log .ba-agent').waitFor({ timeout: 10_000 });
      await cell(page, `${size}-largest-${lang}-talking`, failures, { chips: false });
      await api.close(id);
      await page.locator('.ba-handoff-bar').waitFor({ state: 'detached', timeout: 10_000 });
      await cell(page, `${size}-largest-${lang}-closed`, failures);
      if (failures.length) assert.fail(`${failures.length} cell(s) fail:\n  ${failures.join('\n  ')}`);
      assert.deepEqual(errors, []);
    });
  }
}
