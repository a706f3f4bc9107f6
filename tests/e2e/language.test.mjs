// End-to-end: the widget's language follows the customer (issue #14, problem 7). On the English demo page a
// customer who writes Chinese gets Chinese answers, and is offered, in Chinese, to switch the whole widget
// (placeholder, buttons, chips) to Chinese: one tap, remembered on this device. Nothing switches unasked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, openChat, ask } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('writing in Chinese on an English page offers Chinese, switches on one tap, and remembers it', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  const { page, errors } = await openPage(context, server.url);
  await openChat(page);
  const input = page.locator('#ba-input');
  assert.match(await input.getAttribute('placeholder'), /Type your question/);

  const answer = await ask(page, '我的银行卡丢了');
  assert.equal(await answer.getAttribute('lang'), 'zh-CN');
  const offer = page.getByRole('group', { name: /换成中文/ });
  await offer.waitFor();
  // Told, not switched: the widget is still in English until the customer says yes.
  assert.match(await input.getAttribute('placeholder'), /Type your question/);
  await offer.getByRole('button', { name: '换成中文' }).click();
  await page.locator('#ba-input[placeholder^="请输入"]').waitFor();
  assert.equal(await offer.count(), 0, 'the offer goes once answered');
  assert.match(await page.locator('.ba-chip').first().innerText(), /\p{Script=Han}/u, 'chips in Chinese too');

  // Once a conversation: English now (the widget is Chinese) is answered, and not offered again and again.
  await ask(page, 'I lost my card');
  assert.equal(await page.locator('.ba-switch').count(), 0, 'offered once a conversation');

  // Remembered on this device: the next page of the English site opens in Chinese.
  const next = await openPage(context, server.url);
  await next.page.getByRole('button', { name: '在线客服' }).click();
  await next.page.locator('#ba-input[placeholder^="请输入"]').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('"No, thanks" keeps the widget\'s language', async () => {
  const { page } = await openPage(browser, server.url);
  await openChat(page);
  await ask(page, '转账限额是多少');
  await page.getByRole('button', { name: '不用了' }).click();
  assert.equal(await page.locator('.ba-switch').count(), 0);
  assert.match(await page.locator('#ba-input').getAttribute('placeholder'), /Type your question/);
});

test('the bank names its assistant: data-title on the launcher and in the header, data-title-zh in Chinese, setTitle()', async () => {
  const { page, errors } = await openPage(browser, server.url, { ready: false });
  await page.route(server.url, async (route) => {
    const res = await route.fetch();
    const body = (await res.text()).replace('data-locale="en"', 'data-locale="en" data-title="Ask Lakey" data-title-zh="湖畔小助手"');
    await route.fulfill({ response: res, body });
  });
  await page.reload();
  await page.getByRole('button', { name: 'Ask Lakey' }).click();
  await page.locator('.ba-status[data-engine="ready"]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('#ba-title').innerText(), 'Ask Lakey');
  assert.equal(await page.getByRole('dialog').getAttribute('aria-labelledby'), 'ba-title');
  await page.getByRole('button', { name: 'Menu', exact: true }).click();
  await page.getByRole('button', { name: '中文', exact: true }).click();
  assert.equal(await page.locator('#ba-title').innerText(), '湖畔小助手');
  await page.evaluate(() => window.BankAssistant.setTitle('Lakey'));
  assert.equal(await page.locator('#ba-title').innerText(), 'Lakey', 'Chinese falls back to the one name given');
  assert.deepEqual(errors, []);
});
