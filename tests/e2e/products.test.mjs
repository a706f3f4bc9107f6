// Product cards, glossary terms, comparisons and calculators (issue #5), in a real browser against the
// built widget (static server: everything here runs in the browser). Checks what a customer sees and
// what the honesty rules demand: every product answer shows its risk level and the "not advice" line,
// example rates are labelled as examples, and a return is never on screen without its risk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serve, launch, openPage, openChat, ask } from './harness.mjs';

let server, browser, axeSource, answers;
before(async () => {
  server = await serve();
  browser = await launch();
  axeSource = await readFile(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  answers = JSON.parse(await readFile(new URL('../../public/kb/answers.json', import.meta.url), 'utf8'));
});
after(async () => { await browser?.close(); server?.close(); });

const SIZE_KEY = 'bank-assistant.text-size';
const PRODUCTS = ['product_savings_account', 'product_fixed_deposit', 'product_certificate_of_deposit',
  'product_wealth_management', 'product_money_market_fund', 'product_consumer_loan', 'product_mortgage',
  'product_credit_card', 'product_sme_loan'];

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

/// Asks a question and returns the product card in the reply (waits for the catalogue to arrive).
async function askCard(page, text) {
  const reply = await ask(page, text);
  const card = reply.locator('article.ba-card');
  await card.waitFor({ timeout: 10_000 });
  return { reply, card };
}

/// The locator's text once it matches `re` (the worker computes calculator results, so they arrive a
/// moment after the click), or its last text after 5 s.
async function settled(locator, re) {
  const end = Date.now() + 5_000;
  for (;;) {
    const text = await locator.innerText().catch(() => '');
    if (re.test(text) || Date.now() > end) return text;
    await new Promise((ok) => setTimeout(ok, 25));
  }
}

/// Opens every "Tell me more" step.
async function openAll(card) {
  const more = card.locator('button.ba-more');
  while (await more.count()) await more.click();
}

test('the catalogue is not in the first load: it is fetched after the page, under a content-hashed name', async () => {
  const { page, timeline } = await openPage(browser, server.url);
  await openChat(page);
  await askCard(page, 'How does a fixed deposit work?');
  const loaded = await page.evaluate(() => performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventEnd);
  const hit = timeline.find((r) => /kb\/products-[0-9a-f]{16}\.json$/.test(r.url));
  assert.ok(hit, 'hashed products bundle requested');
  assert.ok(hit.at >= loaded - 5, 'fetched after the page\'s load event');
  const html = await (await fetch(server.url)).text();
  assert.doesNotMatch(html, /<(script|link)[^>]+products[^>]*\.json/, 'the page does not preload the catalogue');
});

test('each of the nine products, asked in English and in Chinese, gets its own card with risk, example and "not advice"', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await openChat(page);
  for (const id of PRODUCTS) {
    for (const lang of ['en', 'zh']) {
      const question = answers.intents[id].suggestion[lang];
      const { reply, card } = await askCard(page, question);
      assert.equal(await card.getAttribute('data-product'), id, `"${question}" → ${id}`);
      assert.equal(await reply.getAttribute('lang'), lang === 'en' ? 'en' : 'zh-CN');
      // Risk level in words next to an icon that is hidden from screen readers.
      const risk = card.locator('.ba-risk');
      assert.ok(await risk.isVisible(), `${id} ${lang}: risk visible`);
      const riskText = await risk.locator('.ba-risk-label').innerText();
      assert.match(riskText, lang === 'en' ? /^Risk( level R[1-5]: [a-z]|: Borrowing)/ : /^风险(等级R[1-5]：|：借款)/, riskText);
      assert.equal(await risk.locator('.ba-risk-icon').getAttribute('aria-hidden'), 'true');
      // "Not advice" and the example notice, always visible.
      assert.match(await card.locator('.ba-disclaimer').innerText(), lang === 'en' ? /not advice/i : /不构成.*建议|不是.*建议/);
      assert.ok(await card.locator('.ba-example-notice').isVisible());
      // The worked example is a table with a caption and row headers; its rate is labelled as an example.
      const table = card.locator('table.ba-example');
      assert.ok(await table.locator('caption').isVisible());
      assert.ok(await table.locator('th[scope="row"]').count() >= 3);
      assert.match(await table.innerText(), lang === 'en' ? /Example|example/ : /示例/);
      // Summary first; details only after "Tell me more".
      assert.equal(await card.locator('[data-part^="detail"]').count(), 0, 'details start hidden');
      assert.ok(await card.locator('button.ba-more').isVisible());
      await openAll(card);
      const headings = await card.locator('[data-part^="detail"] h4').allInnerTexts();
      assert.ok(headings.length >= 8, `${id}: ${headings.length} sections`);
      // A section that shows a return carries the risk line with it.
      const returns = card.locator('[data-part^="detail"]', { hasText: lang === 'en' ? 'What you get' : '能得到什么' });
      assert.equal(await returns.locator('.ba-risk-note').count(), 1, `${id} ${lang}: return shown with its risk`);
    }
  }
  assert.deepEqual(errors, []);
});

test('"Tell me more" adds one section at a time and moves focus to its heading', async () => {
  const { page } = await openPage(browser, server.url);
  await openChat(page);
  const { card } = await askCard(page, 'How does a fixed deposit work?');
  const more = card.locator('button.ba-more');
  await more.focus();
  await page.keyboard.press('Enter');
  assert.equal(await card.locator('[data-part^="detail"]').count(), 1);
  await page.waitForFunction(() => __ba.active()?.tagName === 'H4');
  const focused = await page.evaluate(() => __ba.active().tagName + ' ' + __ba.active().textContent);
  assert.match(focused, /^H4 What it is/);
  await more.click();
  assert.equal(await card.locator('[data-part^="detail"]').count(), 2);
});

test('glossary: a term opens and closes its plain explanation with the keyboard, inline, announced as a note', async () => {
  const { page } = await openPage(browser, server.url);
  await openChat(page);
  const { card } = await askCard(page, 'How does a personal loan work?');
  await openAll(card);
  const term = card.locator('button.ba-term').first();
  assert.ok(await term.count(), 'terms are marked in the card');
  assert.equal(await term.getAttribute('aria-expanded'), 'false');
  const noteId = await term.getAttribute('aria-controls');
  const note = page.locator(`[id="${noteId}"]`);
  assert.equal(await note.isVisible(), false);
  // Reachable with Tab (a real button), opened with Enter, closed with Space.
  assert.equal(await term.evaluate((el) => el.tabIndex), 0);
  await term.focus();
  await page.keyboard.press('Enter');
  assert.equal(await term.getAttribute('aria-expanded'), 'true');
  assert.ok(await note.isVisible());
  assert.equal(await note.getAttribute('role'), 'note');
  const text = (await note.innerText()).trim();
  assert.ok(text.length > 20 && /[.。]$/.test(text), `one plain sentence: ${text}`);
  await page.keyboard.press('Space');
  assert.equal(await term.getAttribute('aria-expanded'), 'false');
  assert.equal(await note.isVisible(), false);

  // Named terms are marked in answers and cards in both languages.
  const { card: zh } = await askCard(page, '贷款是怎么回事？');
  await openAll(zh);
  const zhTerms = await zh.locator('button.ba-term').allInnerTexts();
  assert.ok(zhTerms.some((t) => /年化|本金|提前还款|利率/.test(t)), `Chinese terms: ${zhTerms}`);
  const enTerms = await card.locator('button.ba-term').allInnerTexts();
  assert.ok(enTerms.some((t) => /APR|principal|early repayment|interest/i.test(t)), `English terms: ${enTerms}`);
});

test('compare: any two of the nine side by side on the same rows, in English and Chinese', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await openChat(page);
  let reply = await ask(page, 'compare fixed deposit and certificate of deposit');
  let cmp = reply.locator('.ba-compare');
  await cmp.waitFor();
  assert.equal(await cmp.getAttribute('data-a'), 'product_fixed_deposit');
  assert.equal(await cmp.getAttribute('data-b'), 'product_certificate_of_deposit');
  const heads = await cmp.locator('thead th[scope="col"]').allInnerTexts();
  assert.deepEqual(heads.slice(1), ['Fixed deposit', 'Certificate of deposit']);
  assert.equal(await cmp.locator('tr[data-row="risk"] td').count(), 2);
  // In the panel's width the same rows are shown as one card per product (the table where it fits).
  assert.deepEqual(await cmp.locator('.ba-compare-product h4').allInnerTexts(), ['Fixed deposit', 'Certificate of deposit']);
  const risk = cmp.locator('.ba-compare-product [data-item="risk"] dd');
  assert.equal(await risk.count(), 2);
  for (const cell of await risk.allInnerTexts()) assert.match(cell, /Risk level R[1-5]/);
  assert.match(await cmp.locator('.ba-disclaimer').innerText(), /not advice/i);

  reply = await ask(page, '定期存款和大额存单有什么区别？');
  cmp = reply.locator('.ba-compare');
  await cmp.waitFor();
  assert.equal(await reply.getAttribute('lang'), 'zh-CN');
  assert.deepEqual((await cmp.locator('thead th[scope="col"]').allInnerTexts()).slice(1), ['定期存款', '大额存单']);
  assert.deepEqual(await cmp.locator('.ba-compare-product h4').allInnerTexts(), ['定期存款', '大额存单']);
  for (const cell of await cmp.locator('.ba-compare-product [data-item="risk"] dd').allInnerTexts()) assert.match(cell, /风险等级R/);

  // Every pair: the same rows for both products, each with its risk.
  const short = {
    product_savings_account: 'savings account', product_fixed_deposit: 'fixed deposit',
    product_certificate_of_deposit: 'certificate of deposit', product_wealth_management: 'wealth management product',
    product_money_market_fund: 'money market fund', product_consumer_loan: 'personal loan', product_mortgage: 'mortgage',
    product_credit_card: 'credit card', product_sme_loan: 'small business loan',
  };
  for (let i = 0; i < PRODUCTS.length; i++) {
    for (let j = i + 1; j < PRODUCTS.length; j++) {
      const [a, b] = [PRODUCTS[i], PRODUCTS[j]];
      const r = await ask(page, `what is the difference between a ${short[a]} and a ${short[b]}?`);
      const c = r.locator('.ba-compare');
      await c.waitFor();
      assert.deepEqual([await c.getAttribute('data-a'), await c.getAttribute('data-b')], [a, b]);
      assert.equal(await c.locator('tbody tr').count(), 9);
      assert.equal(await c.locator('tbody tr td').count(), 18, 'every row has both cells');
      for (const card of await c.locator('.ba-compare-product').all()) {
        assert.equal(await card.locator('.ba-compare-item dd').count(), 9, 'each product card has the same rows');
      }
    }
  }
  assert.deepEqual(errors, []);
});

test('loan calculator: good input gives the monthly payment and total; bad input gets a calm message on the field', async () => {
  const { page } = await openPage(browser, server.url);
  await openChat(page);
  const { card } = await askCard(page, 'How does a personal loan work?');
  const toggle = card.locator('button.ba-calc-toggle');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.click();
  const form = card.locator('form.ba-calc[data-calc="loan"]');
  const amount = form.getByLabel('Amount (¥)');
  const rate = form.getByLabel(/APR/);
  const term = form.getByLabel('Term (months)');
  assert.ok((await amount.inputValue()).length > 0, 'filled in with the worked example');
  const status = form.locator('[role="status"]');
  const calc = form.getByRole('button', { name: 'Calculate' });

  await amount.fill('50000'); await rate.fill('6'); await term.fill('12');
  await calc.click();
  assert.match(await settled(status, /you pay/), /Borrowing ¥50,000 over 1 year at an APR of 6%, you pay ¥4,303\.32 a month/);
  assert.match(await status.innerText(), /¥51,639\.86 in all/);

  await amount.fill('一万'); await calc.click();
  assert.match(await settled(status, /¥10,000/), /Borrowing ¥10,000/, 'Chinese numerals understood');

  const cases = [
    ['-5', /negative|minus|more than 0|above zero/i],
    ['0', /more than 0|above zero|zero/i],
    ['abc', /could not read that as a number/],
    ['999999999999', /up to|at most|maximum|too large|no more than/i],
  ];
  for (const [value, message] of cases) {
    await amount.fill(value);
    await calc.click();
    // The answer has arrived when focus moves from the button to the field.
    await page.waitForFunction(() => __ba.active()?.closest('.ba-field')?.dataset.field === 'amount');
    const alert = form.locator('.ba-field[data-field="amount"] [role="alert"]');
    await alert.waitFor();
    assert.match(await alert.innerText(), message, `amount "${value}"`);
    assert.equal(await amount.getAttribute('aria-invalid'), 'true');
    const describedBy = (await amount.getAttribute('aria-describedby')).split(' ');
    assert.ok(describedBy.includes(await alert.getAttribute('id')), 'error linked to its field');
    assert.equal(await amount.evaluate((el) => el === __ba.active()), true, 'focus moved to the field');
    assert.equal((await status.innerText()).trim(), '', 'no stale result beside an error');
  }
  await amount.fill('20000'); await term.fill('40 years'); await calc.click();
  assert.match(await settled(form.locator('.ba-field[data-field="term"] [role="alert"]'), /30 years/), /30 years/);
  await term.fill('24'); await rate.fill('六十'); await calc.click();
  await form.locator('.ba-field[data-field="rate"] [role="alert"]').waitFor();
  await rate.fill('4.5%'); await calc.click();
  assert.match(await settled(status, /Borrowing/), /Borrowing ¥20,000 over 2 years/);
  assert.equal(await amount.getAttribute('aria-invalid'), 'false');
  assert.equal(await form.locator('[role="alert"]').count(), 0);

  // Deposit interest in Chinese, with a Chinese amount.
  const { card: fd } = await askCard(page, '定期存款是怎么回事？');
  await fd.locator('button.ba-calc-toggle').click();
  const dep = fd.locator('form.ba-calc[data-calc="deposit"]');
  await dep.getByLabel('金额（元）').fill('一万五千');
  await dep.getByLabel('年利率（%）').fill('2');
  await dep.getByLabel('期限（月）').fill('1年');
  await dep.getByRole('button', { name: '计算' }).click();
  assert.match(await settled(dep.locator('[role="status"]'), /利息/), /存¥15,000，存1年，年利率2%，利息¥300\.00/);
});

test('elder mode: a few pages of the card, one at a time, with Previous and Next; risk and "not advice" always shown', async () => {
  const { page } = await openPage(browser, server.url, { storage: { [SIZE_KEY]: 'largest' } });
  await openChat(page);
  const { card } = await askCard(page, 'How does a certificate of deposit work?');
  // The first page: the summary and its worked example together.
  assert.deepEqual(await card.locator('.ba-part').evaluateAll((ps) => ps.map((p) => p.dataset.part)), ['summary', 'example']);
  assert.equal(await card.locator('button.ba-more').count(), 0);
  assert.equal(await card.locator('button.ba-prev').count(), 0, 'no "Previous" on the first page');
  const position = card.locator('.ba-step-position');
  const total = Number((await position.innerText()).match(/of (\d+)/)[1]);
  // Issue #14: 11–12 one-section pages were too many taps; a few longer ones.
  assert.ok(total >= 3 && total <= 6, `${total} pages`);
  const seen = [];
  const pageFirsts = [];
  for (let i = 1; i <= total; i++) {
    assert.match(await position.innerText(), new RegExp(`Page ${i} of ${total}`));
    const onPage = await card.locator('.ba-part').evaluateAll((ps) => ps.map((p) => p.dataset.part));
    assert.ok(onPage.length >= 1 && onPage.length <= 3, `page ${i}: ${onPage}`);
    seen.push(...onPage);
    pageFirsts.push(onPage[0]);
    assert.ok(await card.locator('.ba-risk').isVisible(), 'risk always visible');
    assert.ok(await card.locator('.ba-disclaimer').isVisible(), '"not advice" always visible');
    if (i < total) {
      await card.locator('button.ba-next').click();
      // Focus moves to the new part's heading (after the next frame).
      await page.waitForFunction(() => __ba.active()?.classList.contains('ba-part-title'));
      assert.equal(await page.evaluate(() => __ba.active().closest('.ba-part')?.dataset.part),
        await card.locator('.ba-part').first().getAttribute('data-part'), 'the heading of the page now shown');
    }
  }
  assert.equal(new Set(seen).size, seen.length, 'every part shown once');
  assert.ok(seen.length >= 10, `all ${seen.length} parts of the card are on some page`);
  assert.equal(await card.locator('button.ba-next').count(), 0, 'no "Next" on the last page');
  await card.locator('button.ba-prev').click();
  assert.equal(await card.locator('.ba-part').first().getAttribute('data-part'), pageFirsts[total - 2]);
  // Targets are at least 60 px in elder mode.
  const box = await card.locator('button.ba-prev').boundingBox();
  assert.ok(box.height >= 60 && box.width >= 60, JSON.stringify(box));
  const person = await card.locator('button.ba-card-person').boundingBox();
  assert.ok(person.height >= 60);
});

test('next steps: "talk to a person" starts a hand-off; the host page\'s link is offered', async () => {
  const { page } = await openPage(browser, server.url);
  await openChat(page);
  const { card } = await askCard(page, 'How does a mortgage work?');
  assert.equal(await card.locator('a.ba-card-link').getAttribute('href'), '#loans');
  await card.getByRole('button', { name: 'Talk to a person' }).click();
  await page.locator('.ba-log .ba-assistant[data-route="handoff"]').last().waitFor();
});

for (const size of ['standard', 'largest']) {
  test(`axe: 0 violations with an open card (all sections, calculator with an error, a term open) and a comparison (${size} text)`, async () => {
    const { page } = await openPage(browser, server.url, { storage: { [SIZE_KEY]: size }, viewport: { width: 375, height: 740 } });
    await openChat(page);
    const { card } = await askCard(page, 'How does a personal loan work?');
    if (size === 'standard') {
      await openAll(card);
      await card.locator('button.ba-term').first().click();
      await card.locator('button.ba-calc-toggle').click();
    } else {
      // One part at a time: a part with a glossary term open, then the calculator.
      while (!(await card.locator('button.ba-term').count())) await card.locator('button.ba-next').click();
      await card.locator('button.ba-term').first().click();
      assert.deepEqual(await axeViolations(page), [], 'elder mode, a term open');
      while (await card.locator('button.ba-prev').count()) await card.locator('button.ba-prev').click();
      while (!(await card.locator('form.ba-calc').count())) await card.locator('button.ba-next').click();
    }
    await card.locator('form.ba-calc').getByLabel(/Amount/).fill('-1');
    await card.locator('form.ba-calc').getByRole('button', { name: 'Calculate' }).click();
    await card.locator('[role="alert"]').waitFor();
    const reply = await ask(page, 'compare a savings account and a money market fund');
    await reply.locator('.ba-compare').waitFor();
    assert.deepEqual(await axeViolations(page), []);
  });
}
