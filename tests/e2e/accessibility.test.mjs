// Accessibility: what an accessibility tester checks by hand, automated. axe-core across states, sizes,
// themes and text sizes; then the checks axe cannot make: computed font sizes, line heights and target
// sizes (WCAG 2.2 AA + MIIT elder-friendly numbers), no horizontal scroll at 320 px, 200% zoom,
// keyboard-only use, focus stability, one announcement per message, reduced motion, forced colours and
// read-aloud. Numbers and criteria: ACCESSIBILITY.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir } from 'node:fs/promises';
import { startServer, launch, openPage, openChat, ask } from './harness.mjs';

let server, browser, axeSource;
before(async () => {
  server = await startServer();
  browser = await launch();
  axeSource = await readFile(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
});
after(async () => { await browser?.close(); await server?.stop(); });

const SIZE_KEY = 'bank-assistant.text-size';
const CONTRAST_KEY = 'bank-assistant.high-contrast';
const PHONE = { width: 375, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    // Through DevTools, like an extension: the server's CSP rightly refuses inline scripts.
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(() => axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/// Opens the chat panel with the keyboard-free helper, then asks `n` questions (2n messages).
async function converse(page, n) {
  const questions = ['I lost my card', '我的卡什么时候到？', 'How do I top up?', '转账要多久', 'hello'];
  for (let i = 0; i < n; i++) await ask(page, questions[i % questions.length]);
}

for (const size of ['standard', 'largest']) {
  for (const contrast of ['normal', 'high']) {
    for (const [vpName, viewport] of [['375', PHONE], ['1280', DESKTOP]]) {
      test(`axe: 0 violations closed, open, after 10 messages, and offline (${size} text, ${contrast} contrast, ${vpName} px)`, async () => {
        const storage = { [SIZE_KEY]: size, [CONTRAST_KEY]: String(contrast === 'high') };
        const { page } = await openPage(browser, server.url, { viewport, storage });
        assert.deepEqual(await axeViolations(page), [], 'closed');
        await openChat(page);
        assert.deepEqual(await axeViolations(page), [], 'open');
        await converse(page, 5);
        assert.equal(await page.locator('.ba-log .ba-message[data-route], .ba-log .ba-customer').count() >= 10, true);
        assert.deepEqual(await axeViolations(page), [], 'after a 10-message conversation');
        await page.close();

        // Offline / error state: the model cannot be fetched, the network is down (the question waits in
        // the outbox and the status line says so), and the customer typed too much.
        const off = await openPage(browser, server.url, { viewport, storage });
        await off.page.route(/\.onnx$|\/v1\//, (route) => route.abort('internetdisconnected'));
        await off.page.getByRole('button', { name: /Chat with our assistant|在线客服/ }).click();
        await off.page.locator('.ba-status[data-engine="failed"]').waitFor({ timeout: 30_000 });
        await off.page.getByLabel(/Your question|您的问题/).fill('Is anyone there?');
        await off.page.getByLabel(/Your question|您的问题/).press('Enter');
        await off.page.locator('.ba-status').filter({ hasText: /offline|网络/ }).waitFor({ timeout: 10_000 });
        await off.page.getByLabel(/Your question|您的问题/).fill('x'.repeat(2000));
        await off.page.evaluate(() => {
          const t = __ba.$('#ba-input');
          t.removeAttribute('maxlength');
          t.value += 'y';
          t.dispatchEvent(new Event('input', { bubbles: true }));
        });
        await off.page.getByLabel(/Your question|您的问题/).press('Enter');
        await off.page.locator('#ba-error').filter({ hasText: /too long|太长/ }).waitFor();
        assert.deepEqual(await axeViolations(off.page), [], 'offline / error state');
        await off.page.close();
      });
    }
  }
}

/// Font size, line height and box of every element matching `selector` inside the widget.
async function measure(page, selector) {
  return page.locator(selector).evaluateAll((els) => els
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => {
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const lh = cs.lineHeight === 'normal' ? NaN : parseFloat(cs.lineHeight);
      return { what: el.className || el.tagName, text: (el.innerText || el.getAttribute('aria-label') || '').slice(0, 30),
        font: parseFloat(cs.fontSize), line: lh, w: r.width, h: r.height };
    }));
}

for (const [size, minFont] of [['large', 18], ['larger', 18], ['largest', 30]]) {
  test(`elder mode "${size}": text ≥ ${minFont}px, line height ≥ 1.3, main controls ≥ 60×60, every target ≥ 44×44`, async () => {
    const { page } = await openPage(browser, server.url, { viewport: DESKTOP, storage: { [SIZE_KEY]: size } });
    await openChat(page);
    await page.getByRole('button', { name: 'Menu', exact: true }).click();
    await ask(page, 'I want to talk to a real person');

    const text = await measure(page, '.ba-message p, .ba-input, .ba-root button:not(.ba-term), .ba-chip, .ba-check span');
    for (const t of text) {
      assert.ok(t.font >= minFont, `${t.what} "${t.text}": font ${t.font}px < ${minFont}px`);
      assert.ok(t.line / t.font >= 1.3, `${t.what} "${t.text}": line height ${t.line}px is < 1.3 × ${t.font}px`);
    }
    const main = await measure(page, '.ba-send, .ba-close, .ba-settings-toggle, .ba-size, .ba-menu-button, .ba-read, .ba-person, .ba-chip, .ba-launcher');
    assert.ok(main.length >= 10, 'main controls found');
    for (const c of main) assert.ok(c.w >= 60 && c.h >= 60, `main control ${c.what} "${c.text}" is ${c.w}×${c.h}`);
    // Glossary terms are buttons inside sentences: WCAG 2.5.8's inline exception applies to them.
    const all = await measure(page, '.ba-root button:not(.ba-term), .ba-root textarea, .ba-check');
    for (const c of all) assert.ok(c.w >= 44 && c.h >= 44, `target ${c.what} "${c.text}" is ${c.w}×${c.h}`);

    // Paragraph gap ≥ 1.3 × line height (the hand-off reply has two paragraphs).
    const gap = await page.locator('.ba-log .ba-message[data-route="handoff"]').last().evaluate((m) => {
      const [a, b] = m.querySelectorAll('p');
      return { gap: b.getBoundingClientRect().top - a.getBoundingClientRect().bottom, line: parseFloat(getComputedStyle(a).lineHeight) };
    });
    assert.ok(gap.gap >= 1.3 * gap.line - 0.5, `paragraph gap ${gap.gap}px < 1.3 × ${gap.line}px`);
  });
}

test('text size: chosen in the panel, applied at once, remembered on this device; the host sets a default', async () => {
  const { page } = await openPage(browser, server.url, { viewport: DESKTOP });
  await openChat(page);
  const font = () => page.locator('.ba-input').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.equal(await font(), 16);
  await page.getByRole('button', { name: 'Menu', exact: true }).click();
  await page.getByRole('button', { name: 'Largest' }).click();
  assert.equal(await page.getByRole('button', { name: /Largest/ }).getAttribute('aria-pressed'), 'true');
  assert.equal(await font(), 30);
  await page.reload();
  await openChat(page);
  assert.equal(await font(), 30, 'remembered after a reload');

  // A host page asking for large text by default, for a customer who never chose a size.
  const host = await openPage(browser, server.url, { viewport: DESKTOP });
  await host.page.evaluate(() => localStorage.clear());
  await host.page.route(server.url, async (route) => {
    const res = await route.fetch();
    const body = (await res.text()).replace('data-locale="en"', 'data-locale="en" data-text-size="large"');
    await route.fulfill({ response: res, body });
  });
  await host.page.reload();
  await openChat(host.page);
  assert.equal(await host.page.locator('.ba-input').evaluate((el) => parseFloat(getComputedStyle(el).fontSize)), 20);
  assert.equal(await host.page.locator('.ba-root').getAttribute('data-elder'), 'true');
});

test('elder mode simplifies: shorter wording, at most three suggestions, "talk to a person" always visible', async () => {
  const normal = await openPage(browser, server.url, { viewport: PHONE });
  await openChat(normal.page);
  assert.equal(await normal.page.locator('.ba-chip').count(), 4, 'four starting suggestions normally');
  const long = await (await ask(normal.page, 'My card has not arrived yet')).innerText();

  const elder = await openPage(browser, server.url, { viewport: PHONE, storage: { [SIZE_KEY]: 'large' } });
  await openChat(elder.page);
  assert.ok(await elder.page.locator('.ba-chip').count() <= 3, 'at most three chips');
  const short = await (await ask(elder.page, 'My card has not arrived yet')).innerText();
  assert.ok(short.length < long.length * 0.7, `elder answer is shorter (${short.length} vs ${long.length} characters)`);
  assert.ok(await elder.page.locator('.ba-chip').count() <= 3, 'at most three chips after an answer');
  await converse(elder.page, 5);
  assert.ok(await elder.page.getByRole('button', { name: 'Talk to a person' }).isVisible());
});

for (const size of ['standard', 'large', 'larger', 'largest']) {
  test(`320 px wide, "${size}" text: no horizontal scroll, nothing clipped or overlapping`, async () => {
    const { page } = await openPage(browser, server.url, { viewport: { width: 320, height: 640 }, storage: { [SIZE_KEY]: size } });
    const launcher = page.getByRole('button', { name: 'Chat with our assistant' });
    const lb = await launcher.boundingBox();
    assert.ok(lb.x >= 0 && lb.x + lb.width <= 320, 'launcher fits');
    await openChat(page);
    await page.getByRole('button', { name: 'Menu', exact: true }).click();
    await ask(page, 'I lost my card');
    const overflow = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      panel: __ba.$('.ba-panel').scrollWidth - __ba.$('.ba-panel').clientWidth,
    }));
    assert.ok(overflow.page <= 320, `page scrolls sideways: ${overflow.page}px`);
    assert.ok(overflow.panel <= 0, `panel scrolls sideways by ${overflow.panel}px`);
    const boxes = await page.locator('.ba-header button, .ba-settings button, .ba-chip, .ba-send, .ba-input').evaluateAll((els) =>
      els.filter((e) => e.getClientRects().length).map((e) => {
        const r = e.getBoundingClientRect();
        // Suggestions are one row that scrolls sideways: each must fit in the row, once scrolled to.
        const row = e.closest('.ba-chips');
        const rr = row?.getBoundingClientRect();
        const fits = row ? r.width <= row.clientWidth + 0.5 && rr.left >= -0.5 && rr.right <= 320.5 : r.left >= -0.5 && r.right <= 320.5;
        return { t: e.innerText.slice(0, 20), l: r.left, r: r.right, t0: r.top, b: r.bottom, fits };
      }));
    for (const b of boxes) assert.ok(b.fits, `"${b.t}" is clipped: ${b.l}–${b.r}`);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, c] = [boxes[i], boxes[j]];
        const overlap = Math.min(a.r, c.r) - Math.max(a.l, c.l) > 1 && Math.min(a.b, c.b) - Math.max(a.t0, c.t0) > 1;
        assert.ok(!overlap, `"${a.t}" overlaps "${c.t}"`);
      }
    }
  });
}

test('200% browser zoom (1280×800 at 2×: a 640×400 CSS viewport): no sideways scroll, every control reachable', async () => {
  const { page } = await openPage(browser, server.url, { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2, storage: { [SIZE_KEY]: 'larger' } });
  await openChat(page);
  await ask(page, 'I lost my card');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 640);
  for (const name of ['Send', 'Close chat', 'Talk to a person']) {
    const b = page.getByRole('button', { name, exact: true });
    await b.scrollIntoViewIfNeeded();
    const box = await b.boundingBox();
    assert.ok(box.y >= 0 && box.y + box.height <= 400, `${name} can be scrolled into view`);
  }
});

test('keyboard only: a whole conversation, suggestions, text size and hand-off; Tab stays in the dialog', async () => {
  const { page } = await openPage(browser, server.url, { viewport: DESKTOP });
  const focused = () => page.evaluate(() => {
    const el = __ba.active();
    return { id: el.id, cls: el.className, text: (el.innerText || el.getAttribute('aria-label') || '').trim() };
  });
  // Reach the launcher by tabbing through the host page.
  let found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await page.keyboard.press('Tab');
    found = (await focused()).cls === 'ba-launcher';
  }
  assert.ok(found, 'the launcher is reachable by Tab');
  const outline = await page.evaluate(() => {
    const cs = getComputedStyle(__ba.active());
    return { width: parseFloat(cs.outlineWidth), style: cs.outlineStyle };
  });
  assert.ok(outline.width >= 2 && outline.style !== 'none', 'visible focus indicator ≥ 2px');
  await page.keyboard.press('Enter');
  await page.locator('.ba-status[data-engine="ready"]').waitFor({ timeout: 60_000 });
  assert.equal((await focused()).id, 'ba-input', 'focus goes into the dialog');

  await page.keyboard.type('I lost my card');
  await page.keyboard.press('Enter');
  await page.locator('.ba-log [data-intent="lost_or_stolen_card"]').waitFor();

  // Tab forward until a suggestion chip, activate it with Enter.
  const tabTo = async (pred, limit = 30, key = 'Tab') => {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press(key);
      if (pred(await focused())) return true;
    }
    return false;
  };
  assert.ok(await tabTo((f) => f.cls === 'ba-chip'), 'chips reachable');
  const chipText = (await focused()).text;
  await page.keyboard.press('Enter');
  await page.locator('.ba-log .ba-customer').filter({ hasText: chipText }).waitFor();

  // Read-aloud buttons and the text size controls are reachable and operable.
  assert.ok(await tabTo((f) => f.text === 'Menu'), 'the menu (display settings) reachable');
  await page.keyboard.press('Enter');
  assert.ok(await tabTo((f) => f.text.includes('Larger')), 'text size buttons reachable');
  await page.keyboard.press('Space');
  assert.equal(await page.locator('.ba-root').getAttribute('data-text-size'), 'larger');

  // Hand-off by keyboard.
  assert.ok(await tabTo((f) => f.text === 'Talk to a person'), 'talk to a person reachable');
  await page.keyboard.press('Enter');
  await page.locator('.ba-log .ba-message[data-route="handoff"]').waitFor();

  // Tab cycles inside the dialog: 60 presses never leave it.
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press(i % 3 ? 'Tab' : 'Shift+Tab');
    const inside = await page.evaluate(() => __ba.$('#ba-panel').contains(__ba.active()));
    assert.ok(inside, `focus left the dialog after ${i + 1} presses`);
  }
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => __ba.active().className === 'ba-launcher');
});

test('focus stays where the customer is when a reply arrives; each new message is announced once', async () => {
  const { page } = await openPage(browser, server.url, { viewport: DESKTOP });
  await openChat(page);
  await page.evaluate(() => {
    window.__added = [];
    window.__removed = 0;
    const log = __ba.$('[role="log"]');
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.target === log) {
          for (const n of r.addedNodes) if (n.nodeType === 1) window.__added.push(n.className);
          for (const n of r.removedNodes) if (n.nodeType === 1) window.__removed++;
        } else if (r.type === 'characterData' || r.addedNodes.length) {
          window.__changedInside = (window.__changedInside ?? 0) + 1;
        }
      }
    }).observe(log, { childList: true, subtree: true, characterData: true });
  });
  for (const q of ['I lost my card', '我的卡什么时候到？', 'hello']) {
    const reply = await ask(page, q);
    await reply.waitFor();
    assert.equal(await page.evaluate(() => __ba.active().id), 'ba-input', 'focus stays in the input');
  }
  const added = await page.evaluate(() => window.__added);
  assert.equal(added.length, 6, `six messages added to the log, one node each: ${added}`);
  assert.equal(await page.evaluate(() => window.__removed), 0, 'no message re-rendered or removed');
  assert.equal(await page.evaluate(() => window.__changedInside ?? 0), 0, 'earlier messages never change');
  // Only the log and the status line are live regions; the log is named.
  const live = await page.locator('.ba-root [aria-live], .ba-root [role="log"], .ba-root [role="status"], .ba-root [role="alert"]').evaluateAll((els) => els.map((e) => e.getAttribute('role')));
  assert.deepEqual(live.sort(), ['alert', 'log', 'status']);
  assert.ok(await page.getByRole('log', { name: 'Conversation' }).isVisible());
});

test('reduced motion: no running animations while the assistant is busy (and there are some without it)', async () => {
  const busy = async (options) => {
    const { page } = await openPage(browser, server.url, { viewport: DESKTOP, ...options });
    let release;
    const held = new Promise((ok) => { release = ok; });
    await page.route(/\.onnx$/, async (route) => { await held; await route.continue(); });
    await page.getByRole('button', { name: 'Chat with our assistant' }).click();
    await page.getByLabel('Your question').fill('I lost my card');
    await page.getByLabel('Your question').press('Enter');
    await page.locator('.ba-typing').waitFor();
    const running = await page.evaluate(() => __ba.animations().filter((a) => a.playState === 'running').length);
    release();
    await page.close();
    return running;
  };
  assert.ok(await busy({}) > 0, 'the typing indicator animates normally');
  assert.equal(await busy({ reducedMotion: 'reduce' }), 0, 'and not at all under prefers-reduced-motion');
});

test('forced colours: controls keep visible borders and focus; screenshot saved', async () => {
  const { page } = await openPage(browser, server.url, { viewport: PHONE, forcedColors: 'active' });
  await openChat(page);
  await ask(page, 'I lost my card');
  const borders = await page.locator('.ba-send, .ba-chip, .ba-header-button, .ba-input, .ba-read').evaluateAll((els) =>
    els.filter((e) => e.getClientRects().length).map((e) => [e.className, parseFloat(getComputedStyle(e).borderTopWidth), getComputedStyle(e).borderTopStyle]));
  assert.ok(borders.length >= 5);
  for (const [cls, width, style] of borders) assert.ok(width >= 2 && style !== 'none', `${cls}: border ${width}px ${style}`);
  await page.getByLabel('Your question').focus();
  const outline = await page.locator('#ba-input').evaluate((e) => parseFloat(getComputedStyle(e).outlineWidth));
  assert.ok(outline >= 2, 'focus outline under forced colours');
  await mkdir(new URL('./test-results/', import.meta.url), { recursive: true });
  await page.screenshot({ path: new URL('./test-results/forced-colors.png', import.meta.url).pathname });
});

test('read aloud: per answer, in the answer\'s language, can be stopped; auto-read in elder mode; hidden without speech', async () => {
  // A recording stand-in for speechSynthesis (headless Chromium has no voices).
  const fake = () => {
    window.__spoken = [];
    window.__cancelled = 0;
    Object.defineProperty(window, 'speechSynthesis', { configurable: true, value: {
      getVoices: () => [{ lang: 'en-US' }, { lang: 'zh-CN' }], addEventListener: () => {},
      speak: (u) => window.__spoken.push({ text: u.text, lang: u.lang }), cancel: () => { window.__cancelled++; } } });
    window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; this.lang = ''; } };
  };
  const { page } = await openPage(browser, server.url, { viewport: DESKTOP, init: fake });
  await openChat(page);
  assert.equal(await page.evaluate(() => window.__spoken.length), 0, 'nothing is read before the customer asks');
  const zh = await ask(page, '我的银行卡丢了');
  await zh.getByRole('button', { name: '朗读' }).click();
  const spoken = await page.evaluate(() => window.__spoken);
  assert.equal(spoken.length, 1);
  assert.equal(spoken[0].lang, 'zh-CN');
  assert.match(spoken[0].text, /冻结/);
  await zh.getByRole('button', { name: '停止朗读' }).click();
  assert.ok(await page.evaluate(() => window.__cancelled) >= 2, 'stop cancels speech');
  await zh.getByRole('button', { name: '朗读' }).waitFor();

  // Auto-read (elder mode option): the next answer is read without a click.
  await page.getByRole('button', { name: 'Menu', exact: true }).click();
  await page.getByRole('button', { name: 'Large', exact: true }).click();
  await page.getByLabel('Read answers aloud automatically').check();
  await ask(page, 'I lost my card');
  const after = await page.evaluate(() => window.__spoken);
  assert.equal(after.length, 2);
  assert.equal(after[1].lang, 'en');

  // No speechSynthesis (Android WebView): no read-aloud controls at all.
  const none = await openPage(browser, server.url, { viewport: DESKTOP, init: () => { delete Window.prototype.speechSynthesis; delete window.SpeechSynthesisUtterance; } });
  await openChat(none.page);
  await ask(none.page, 'I lost my card');
  assert.equal(await none.page.locator('.ba-read').count(), 0);
  await none.page.getByRole('button', { name: 'Menu', exact: true }).click();
  assert.equal(await none.page.getByLabel('Read answers aloud automatically').count(), 0);

  // speechSynthesis without a Chinese voice (common in WebViews): a Chinese answer offers no control that
  // would do nothing; an English one still does. Voices that arrive late (Chromium) bring it back.
  const enOnly = () => {
    window.__voices = [{ lang: 'en-GB' }];
    window.__listeners = [];
    Object.defineProperty(window, 'speechSynthesis', { configurable: true, value: {
      getVoices: () => window.__voices, addEventListener: (_, f) => window.__listeners.push(f),
      speak: () => {}, cancel: () => {} } });
    window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
  };
  const some = await openPage(browser, server.url, { viewport: DESKTOP, init: enOnly });
  await openChat(some.page);
  const zhAnswer = await ask(some.page, '我的银行卡丢了');
  assert.equal(await zhAnswer.locator('.ba-read').count(), 0, 'no read-aloud without a Chinese voice');
  const enAnswer = await ask(some.page, 'I lost my card');
  await enAnswer.getByRole('button', { name: 'Read aloud' }).waitFor();
  await some.page.evaluate(() => { window.__voices.push({ lang: 'zh-CN' }); window.__listeners.forEach((f) => f()); });
  await zhAnswer.getByRole('button', { name: '朗读' }).waitFor();
});

test('language: the widget root and every message carry the right lang; UI strings switch', async () => {
  const { page } = await openPage(browser, server.url, { viewport: DESKTOP });
  await openChat(page);
  assert.equal(await page.locator('.ba-root').getAttribute('lang'), 'en');
  const zh = await ask(page, '我的银行卡丢了');
  assert.equal(await zh.getAttribute('lang'), 'zh-CN');
  await page.getByRole('button', { name: 'Menu', exact: true }).click();
  await page.getByRole('button', { name: '中文', exact: true }).click();
  assert.equal(await page.locator('.ba-root').getAttribute('lang'), 'zh-CN');
  assert.equal(await page.locator('.ba-person').innerText(), '转人工客服');
  assert.ok(await page.getByRole('log', { name: '对话记录' }).isVisible());
});
