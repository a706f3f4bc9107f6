// End-to-end: rating an answer (issue #14, problem 10). "Not helpful" takes a reason and an optional
// comment (masked, length-limited) and then offers a person. Rating an answer the browser gave itself sends
// the answer's intent, and the customer's question only when they wrote a comment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, openChat, ask } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('"not helpful": a reason alone sends no question text; a comment is masked; a person is offered', async () => {
  const { page, errors } = await openPage(browser, server.url);
  const sent = [];
  page.on('request', (r) => r.url().endsWith('/v1/feedback') && sent.push(JSON.parse(r.postData())));
  await openChat(page);

  const first = await ask(page, 'I lost my card');
  await first.getByRole('button', { name: 'Not helpful' }).click();
  await first.getByRole('button', { name: 'Skip' }).click();
  await first.getByText('Thank you for your feedback.').waitFor();
  await page.waitForFunction(() => sessionStorage.getItem('bank-assistant.outbox') === null, null, { timeout: 10_000 });
  assert.equal(sent.length, 1);
  assert.equal(sent[0].helpful, false);
  assert.equal(sent[0].intent, 'lost_or_stolen_card');
  assert.equal(sent[0].question, undefined, 'the question stays on the device');
  // A person, one tap away.
  await first.getByRole('button', { name: 'Talk to a person' }).click();
  await page.locator('.ba-status').filter({ hasText: /Waiting for a person|Connecting you/ }).waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Stop waiting' }).click();
  await page.locator('.ba-log').getByText(/You are back with the assistant/).waitFor();

  const second = await ask(page, 'how do I freeze my card');
  await second.getByRole('button', { name: 'Not helpful' }).click();
  const box = second.getByLabel(/Anything else/);
  await box.fill(`It did not work, my card is 4111 1111 1111 1111 ${'x'.repeat(400)}`);
  await second.getByRole('button', { name: 'Send' }).click();
  await second.getByText('Thank you for your feedback.').waitFor();
  await page.waitForFunction(() => sessionStorage.getItem('bank-assistant.outbox') === null, null, { timeout: 10_000 });
  const withComment = sent.at(-1);
  assert.ok(!withComment.comment.includes('4111 1111 1111 1111'), 'the card number is masked');
  assert.ok(withComment.comment.length <= 300 + 40, `comment cut to 300 characters (${withComment.comment.length})`);
  assert.equal(withComment.question, 'how do I freeze my card', 'with a comment, the question it is about');
  assert.deepEqual(errors, []);
});
