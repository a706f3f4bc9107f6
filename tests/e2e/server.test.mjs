// End-to-end with the real bank server: the server answers what the browser could not, a customer is
// handed to a person who replies live from the agent console (a second browser context), and a message
// sent while the server is down is delivered exactly once after it comes back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, openChat, ask, AGENT } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

/// Signs the agent in to the console in its own browser context (its own cookies).
async function agentConsole(base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(base + 'agent');
  await page.getByLabel('Username').fill(AGENT.username);
  await page.getByLabel('Password').fill(AGENT.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return { context, page };
}

/// The agent API's view of a conversation's transcript (for exactly-once checks).
async function transcript(base, conversationId) {
  const login = await fetch(base + 'v1/agent/login', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: AGENT.username, password: AGENT.password }),
  });
  const { token } = await login.json();
  const r = await fetch(`${base}v1/agent/conversations/${conversationId}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200, 'the conversation exists on the server');
  return (await r.json()).transcript;
}

const conversationOf = (page) => page.evaluate(() => sessionStorage.getItem('bank-assistant.conversation'));

test('an out-of-scope question is answered by the server, honestly, with a person offered', async () => {
  const { page, requests, errors } = await openPage(browser, server.url);
  await openChat(page);
  const seen = requests.length;
  const reply = await ask(page, "what's the weather in Paris");
  assert.ok(['server', 'kb'].includes(await reply.getAttribute('data-route')), 'answered through the server');
  assert.ok(requests.slice(seen).some((u) => u.endsWith('/v1/chat')), 'the question went to /v1/chat');
  assert.equal(await reply.getAttribute('data-route'), 'server', 'the weather is not a bank fact: the server says it is not sure');
  assert.ok(await reply.getByRole('button', { name: 'Talk to a person' }).isVisible(), 'a person is offered');
  assert.deepEqual(errors, []);

  // Answers can be rated; the rating reaches the server (the admin report would count it).
  await reply.getByRole('button', { name: /Not helpful/ }).click();
  await reply.getByRole('button', { name: 'Did not answer my question' }).click();
  await reply.getByText('Thank you for your feedback.').waitFor();
});

test('hand-off: the customer waits in line, an agent takes the conversation and replies live', async () => {
  const { page } = await openPage(browser, server.url);
  await openChat(page);
  await ask(page, 'my card 4111 1111 1111 1111 was charged twice');
  await page.getByRole('button', { name: 'Talk to a person' }).first().click();
  await page.locator('.ba-status').filter({ hasText: /Waiting for a person/ }).waitFor({ timeout: 10_000 });
  const conversation = await conversationOf(page);

  const agent = await agentConsole(server.url);
  await agent.page.getByRole('button', { name: 'Take' }).first().click();
  const shown = await agent.page.locator('body').innerText();
  assert.ok(shown.includes('charged twice'), 'the agent reads the transcript');
  assert.ok(!shown.includes('4111 1111 1111 1111'), 'the transcript is masked');

  await page.locator('.ba-status').filter({ hasText: /chatting with Li/ }).waitFor({ timeout: 10_000 });
  await page.locator('.ba-log').getByText('Li from our team has joined the chat.').waitFor();
  await agent.page.getByLabel('Reply to the customer').fill('Hello, this is Li. I can see the double charge.');
  await agent.page.getByRole('button', { name: 'Send' }).click();
  const live = page.locator('.ba-log .ba-agent').filter({ hasText: 'I can see the double charge' });
  await live.waitFor({ timeout: 10_000 });
  assert.equal(await live.count(), 1, 'the agent message appears once');

  // An agent who pastes a full card number: the customer's widget shows (and keeps) it masked.
  await agent.page.getByLabel('Reply to the customer').fill('Is it the card 4111 1111 1111 1111?');
  await agent.page.getByRole('button', { name: 'Send' }).click();
  const pasted = page.locator('.ba-log .ba-agent').filter({ hasText: 'Is it the card' });
  await pasted.waitFor({ timeout: 10_000 });
  assert.doesNotMatch(await pasted.innerText(), /4111 1111 1111 1111/);
  assert.match(await pasted.innerText(), /1111/, 'the last four digits stay, so the customer knows which card');
  assert.ok(!JSON.stringify(await page.evaluate(() => ({ ...sessionStorage }))).includes('4111 1111 1111 1111'));

  // The customer writes back; it reaches the agent's transcript.
  await page.getByLabel('Your question').fill('Thank you, which payment is it?');
  await page.getByLabel('Your question').press('Enter');
  await page.waitForFunction(() => sessionStorage.getItem('bank-assistant.outbox') === null, null, { timeout: 10_000 });
  assert.ok((await transcript(server.url, conversation)).some((l) => l.text.includes('which payment is it')));

  // The customer goes back to the assistant.
  await page.getByRole('button', { name: 'End chat with person' }).click();
  await page.locator('.ba-log').getByText(/back with the assistant/).waitFor();
  await agent.context.close();
});

test('a message sent while the server is down is kept, retried, and delivered exactly once', async () => {
  const own = await startServer();
  try {
    const { page } = await openPage(browser, own.url);
    await openChat(page);
    await page.getByRole('button', { name: 'Talk to a person' }).first().click();
    await page.locator('.ba-status').filter({ hasText: /Waiting for a person/ }).waitFor({ timeout: 10_000 });
    const conversation = await conversationOf(page);

    await own.stop();
    await page.getByLabel('Your question').fill('Are you still there?');
    await page.getByLabel('Your question').press('Enter');
    await page.locator('.ba-status').filter({ hasText: /offline/ }).waitFor({ timeout: 15_000 });
    assert.match(await page.evaluate(() => sessionStorage.getItem('bank-assistant.outbox')), /Are you still there\?/,
      'the unsent message is kept in this tab');

    const again = await own.restart();
    await page.waitForFunction(() => sessionStorage.getItem('bank-assistant.outbox') === null, null, { timeout: 45_000 });
    const lines = (await transcript(again.url, conversation)).filter((l) => l.text === 'Are you still there?');
    assert.equal(lines.length, 1, 'delivered exactly once');
    await again.stop();
  } finally {
    await own.stop();
  }
});

test('a retried request whose first response was lost is answered once (idempotent message ids)', async () => {
  const { page } = await openPage(browser, server.url);
  await openChat(page);
  await page.getByRole('button', { name: 'Talk to a person' }).first().click();
  await page.locator('.ba-status').filter({ hasText: /Waiting for a person/ }).waitFor({ timeout: 10_000 });
  const conversation = await conversationOf(page);
  // The first delivery reaches the server, but its response never reaches the page.
  let dropped = 0;
  await page.route(/\/v1\/conversations\/[^/]+\/messages$/, async (route) => {
    if (dropped++ === 0) {
      await route.fetch();
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await page.getByLabel('Your question').fill('Only once, please');
  await page.getByLabel('Your question').press('Enter');
  await page.waitForFunction(() => sessionStorage.getItem('bank-assistant.outbox') === null, null, { timeout: 30_000 });
  assert.ok(dropped >= 2, 'the message was sent again');
  const lines = (await transcript(server.url, conversation)).filter((l) => l.text === 'Only once, please');
  assert.equal(lines.length, 1, 'the server kept it once');
});

test('outside opening hours the widget says when people are back and takes a message', async () => {
  const closed = await startServer({ hours: { always_open: false, days: [], open: '08:00', close: '09:00',
    description_en: 'Our people are here Monday to Friday, 9:00–17:00.', description_zh: '人工客服周一至周五 9:00–17:00 在线。' } });
  try {
    const { page } = await openPage(browser, closed.url);
    await openChat(page);
    await page.getByRole('button', { name: 'Talk to a person' }).first().click();
    await page.locator('.ba-log').getByText(/Monday to Friday, 9:00–17:00/).waitFor({ timeout: 10_000 });
    await page.getByLabel('Your question').fill('Please call me back about my mortgage');
    await page.getByLabel('Your question').press('Enter');
    await page.locator('.ba-log').getByText(/Your message has been left for our team/).waitFor({ timeout: 10_000 });
  } finally {
    await closed.stop();
  }
});
