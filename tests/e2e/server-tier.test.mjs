// The server chatbot as a customer meets it (issue #16), in a real browser against the built widget and
// the real server: a question only the help centre covers is answered with its article, linked; a
// follow-up is understood against the question before it, in both languages; and with the bank's own
// bot configured (a local HTTP server in this test that answers like Rasa's REST channel), a question
// neither tier can answer goes there, masked, and its answer is shown as the bank bot's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { startServer, launch, openPage, openChat, ask } from './harness.mjs';

const BOT_ANSWER = 'Our branches lend umbrellas to customers on rainy days.';
let server, browser, bot;
const botSaw = [];

before(async () => {
  bot = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      botSaw.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify([{ recipient_id: 'x', text: BOT_ANSWER }]));
    });
  });
  await new Promise((ok) => bot.listen(0, '127.0.0.1', ok));
  server = await startServer({
    upstream: { kind: 'rasa', url: `http://127.0.0.1:${bot.address().port}/webhooks/rest/webhook` },
  });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); bot?.close(); });

/// Whether `locator` is on screen: it has a size, and its box lies inside the viewport.
async function onScreen(page, locator) {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  const { width, height } = page.viewportSize();
  return !!box && box.width > 0 && box.height > 0 && box.x >= 0 && box.y >= 0
    && box.x + box.width <= width + 1 && box.y + box.height <= height + 1;
}

for (const viewport of [{ width: 375, height: 812 }, { width: 1280, height: 800 }]) {
  test(`${viewport.width}×${viewport.height}: a help-centre question is answered with its article, and the link opens it`, async () => {
    const { page } = await openPage(browser, server.url, { viewport });
    await openChat(page);
    const reply = await ask(page, 'what is your SWIFT code?');
    assert.equal(await reply.getAttribute('data-route'), 'help');
    assert.match(await reply.innerText(), /From our help centre: .*SWIFT/s);
    const link = reply.getByRole('link', { name: /Read the full article/ });
    assert.ok(await onScreen(page, link), 'the article link is on screen');
    const href = await link.getAttribute('href');
    assert.match(href, /\/help\/swift-bic-code$/);
    const article = await (await fetch(new URL(href, page.url()))).text();
    assert.match(article, /<h1>[^<]*SWIFT/, 'the link opens the article');
    await page.close();
  });
}

test('a follow-up is understood against the question before it, in English and in Chinese', async () => {
  const { page } = await openPage(browser, server.url, { viewport: { width: 375, height: 812 } });
  await openChat(page);
  await ask(page, 'how do I set up a standing order?');
  const followUp = await ask(page, 'and how much does that cost?');
  assert.equal(await followUp.getAttribute('data-route'), 'help');
  assert.match(await followUp.getByRole('link').getAttribute('href'), /\/help\/standing-order-set-up$/);
  assert.match(await followUp.innerText(), /What it costs: /, 'the part asked about is quoted');

  await ask(page, '我存了一笔定期存款');
  const zh = await ask(page, '那提前取呢？');
  assert.equal(await zh.getAttribute('lang'), 'zh-CN');
  assert.equal(await zh.getAttribute('data-route'), 'help');
  assert.match(await zh.innerText(), /帮助中心：/);
  assert.match(await zh.getByRole('link', { name: /查看完整文章/ }).getAttribute('href'),
    /\/help\/fixed-deposit-early-withdrawal\?lang=zh-CN$/);
  await page.close();
});

test("a question neither tier can answer goes to the bank's own bot, masked, and is shown as its answer", async () => {
  const { page } = await openPage(browser, server.url, { viewport: { width: 375, height: 812 } });
  await openChat(page);
  await ask(page, 'will it rain tomorrow? email me at li.wei@example.com');
  // (The widget first says it hid the email address; the answer follows.)
  const reply = page.locator('.ba-log .ba-assistant[data-route="upstream"]');
  await reply.waitFor({ timeout: 10_000 });
  assert.match(await reply.innerText(), new RegExp(BOT_ANSWER));
  assert.ok(await onScreen(page, reply.getByText("Answer from Lakeside Bank's assistant")),
    "it says whose answer it is");
  const sent = botSaw.join('\n');
  assert.match(sent, /rain/, 'the bot was asked');
  assert.doesNotMatch(sent, /li\.wei@example\.com/, 'nothing personal reached the bank bot');
  await page.close();
});

// Without the bank's bot: a question the server is not sure about offers the closest help-centre
// articles as chips, and a tap answers with that article (the chip goes to the server with its choice;
// the browser has no articles).
for (const [question, article, viewport, storage] of [
  ['how do i get money to my son overseas', 'send-money-abroad', { width: 375, height: 812 }, { 'bank-assistant.text-size': 'largest' }],
  ['我妈年纪大了去不了网点', 'home-visit-service', { width: 1280, height: 800 }, {}],
]) {
  test(`${viewport.width}×${viewport.height}: "${question}": not sure, the closest articles offered, one tap answers`, async () => {
    const plain = await startServer();
    try {
      const { page, errors } = await openPage(browser, plain.url, { viewport, storage });
      await openChat(page);
      const reply = await ask(page, question);
      assert.equal(await reply.getAttribute('data-route'), 'server');
      assert.match(await reply.innerText(), /perhaps you meant|是不是想问/);
      const chip = page.locator(`.ba-chip[data-intent="help:${article}"]`);
      assert.ok(await onScreen(page, chip), 'the article is offered, on screen');
      const title = (await chip.innerText()).trim();
      const before = await page.locator('.ba-log .ba-assistant[data-route]').count();
      await chip.click();
      const answer = page.locator('.ba-log .ba-assistant[data-route]').nth(before);
      await answer.waitFor({ timeout: 10_000 });
      assert.equal(await answer.getAttribute('data-route'), 'help');
      const link = answer.getByRole('link');
      assert.match(await link.getAttribute('href'), new RegExp(`/help/${article}(\\?|$)`));
      assert.ok(await onScreen(page, link), 'the article link is on screen');
      assert.ok((await page.locator('.ba-log').innerText()).includes(title), 'the tapped title shows as the question');
      assert.deepEqual(errors, []);
      await mkdir(new URL('./test-results/', import.meta.url), { recursive: true });
      await page.screenshot({ path: new URL(`./test-results/article-chip-${viewport.width}.png`, import.meta.url).pathname });
      await page.close();
    } finally {
      await plain.stop();
    }
  });
}
