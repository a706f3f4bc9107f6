// A conversation id is not a key to the conversation (the security finding this closes): the widget opens
// its conversation with the server before anything else, sends the secret it got in the
// X-Conversation-Secret header of every request about the conversation and never in a URL, follows live
// events with short-lived stream tokens (a fresh one when the stream must be opened again), and makes its
// ids from the CSPRNG. The no-WebAssembly fallback does the same. Hand-off transcripts carry only the
// customer's and the assistant's lines; a customer taken out of the queue while away is told so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, openChat, ask, agentApi, recordRequests } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

/// A client-made id the server takes: 16–64 characters of [A-Za-z0-9_-].
const ID = /^[A-Za-z0-9_-]{16,64}$/;
/// The customer calls about a conversation (all POSTs); `{id}` stands for the conversation.
const SCOPED = /^\/v1\/(chat|handoff|handoff\/cancel|feedback|leave-message|conversations\/[^/]+\/(messages|stream-token))$/;
const conversationOf = (page) => page.evaluate(() => sessionStorage.getItem('bank-assistant.conversation'));
const outboxEmpty = (page) => page.waitForFunction(() => sessionStorage.getItem('bank-assistant.outbox') === null, null, { timeout: 15_000 });

/// What every conversation's requests must look like: opened once, first, without a secret; every
/// customer call about it with the secret in its header; the secret in no URL; the event streams opened
/// with a token; every id the browser made ≥ 16 characters; hand-off transcripts without agent lines.
/// Returns the calls about the conversation, by path (`{id}` for the conversation).
function assertSecretUse(requests, secrets, conversation) {
  assert.equal(secrets.length, 1, 'the conversation was opened once');
  const [secret] = secrets;
  assert.match(secret, /^[0-9a-f]{64}$/);
  const api = requests.filter((r) => r.path.startsWith('/v1/') && r.method === 'POST');
  assert.equal(api[0].path, '/v1/conversations', 'opened before anything else was sent');
  assert.equal(api[0].headers['x-conversation-secret'], undefined, 'opening carries no secret');
  const open = JSON.parse(api[0].body);
  assert.deepEqual(Object.keys(open).sort(), ['claim', 'conversation_id']);
  assert.equal(open.conversation_id, conversation);
  assert.match(open.conversation_id, ID);
  assert.match(open.claim, /^[A-Za-z0-9_-]{32,128}$/);
  const scoped = api.filter((r) => SCOPED.test(r.path));
  for (const r of scoped) {
    assert.equal(r.headers['x-conversation-secret'], secret, `the secret goes with ${r.path}`);
    const body = JSON.parse(r.body);
    for (const key of ['conversation_id', 'message_id']) {
      if (key in body) assert.match(body[key], ID, `${key} of ${r.path}`);
    }
    if (r.path !== '/v1/chat' && 'conversation_id' in body) assert.equal(body.conversation_id, conversation, r.path);
  }
  for (const r of requests) {
    assert.ok(!r.url.includes(secret), `no secret in the URL ${r.url}`);
    assert.ok(!r.url.includes(open.claim), `no claim in the URL ${r.url}`);
  }
  const streams = requests.filter((r) => /\/v1\/conversations\/[^/]+\/events$/.test(r.path));
  for (const s of streams) {
    assert.equal(s.path, `/v1/conversations/${conversation}/events`);
    assert.ok(new URL(s.url).searchParams.get('token'), `the stream is opened with a token: ${s.url}`);
  }
  for (const h of scoped.filter((r) => r.path === '/v1/handoff')) {
    const { transcript } = JSON.parse(h.body);
    assert.ok(transcript.every((l) => l.role === 'customer' || l.role === 'assistant'), 'no agent or system lines are sent');
  }
  const byPath = new Map();
  for (const r of scoped) {
    const path = r.path.replace(conversation, '{id}');
    byPath.set(path, [...(byPath.get(path) ?? []), r]);
  }
  return { byPath, streams, secret };
}

test('every request about the conversation carries its secret in a header, never in a URL; ids are long and random', async () => {
  const { page, errors } = await openPage(browser, server.url);
  const recorded = recordRequests(page);
  await openChat(page);
  // A server answer, rated; an answer the browser gave itself, rated (feedback now names its conversation).
  const served = await ask(page, "what's the weather in Paris");
  await served.getByRole('button', { name: /Not helpful/ }).click();
  await served.getByRole('button', { name: 'Did not answer my question' }).click();
  await served.getByText('Thank you for your feedback.').waitFor();
  const local = await ask(page, 'I lost my card');
  await local.getByRole('button', { name: /^Helpful/ }).click();
  await local.getByText('Thank you for your feedback.').waitFor();

  // A person takes the conversation and writes; the customer writes back.
  await served.getByRole('button', { name: 'Talk to a person' }).click();
  await page.locator('.ba-status').filter({ hasText: /Waiting for a person/ }).waitFor({ timeout: 10_000 });
  const conversation = await conversationOf(page);
  assert.match(conversation, ID);
  const secretsBefore = await recorded.secrets();
  const agent = await agentApi(server.url);
  await agent.take(conversation);
  await page.locator('.ba-status').filter({ hasText: /chatting with Li/ }).waitFor({ timeout: 10_000 });
  await agent.reply(conversation, 'Hello, this is Li.');
  await page.locator('.ba-log .ba-agent').filter({ hasText: 'Hello, this is Li.' }).waitFor({ timeout: 10_000 });
  await page.getByLabel('Your question').fill('Hello Li, a question about a payment');
  await page.getByLabel('Your question').press('Enter');
  await outboxEmpty(page);
  assert.ok((await agent.transcript(conversation)).some((l) => l.text === 'Hello Li, a question about a payment'));
  // Ending the chat, then asking for a person again: this hand-off's transcript holds Li's line in the
  // log, and must leave it out.
  await page.getByRole('button', { name: 'End chat with person' }).click();
  await page.locator('.ba-log').getByText(/back with the assistant/).waitFor();
  await page.getByRole('button', { name: 'Talk to a person' }).first().click();
  await page.locator('.ba-status').filter({ hasText: /Waiting for a person/ }).waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Stop waiting' }).click();
  await outboxEmpty(page);

  const { byPath, streams, secret } = assertSecretUse(await recorded.requests(), secretsBefore, conversation);
  assert.deepEqual([...byPath.keys()].sort(), ['/v1/chat', '/v1/conversations/{id}/messages',
    '/v1/conversations/{id}/stream-token', '/v1/feedback', '/v1/handoff', '/v1/handoff/cancel']);
  assert.equal(byPath.get('/v1/feedback').length, 2);
  for (const f of byPath.get('/v1/feedback')) assert.equal(JSON.parse(f.body).conversation_id, conversation);
  assert.equal(byPath.get('/v1/handoff').length, 2);
  const kept = JSON.parse(await page.evaluate(() => sessionStorage.getItem('bank-assistant.conversation-keys')));
  assert.deepEqual(kept.map((k) => [k.id, k.secret]), [[conversation, secret]], 'the claim and secret are kept with the conversation in this tab');
  assert.ok(streams.length >= 1, 'the live events were followed');
  // The agent's line was in the log when the second hand-off was asked for; it was not sent.
  const second = JSON.parse(byPath.get('/v1/handoff')[1].body);
  assert.ok(second.transcript.some((l) => /payment/.test(l.text)), 'the customer\'s lines are sent');
  assert.ok(!second.transcript.some((l) => /this is Li/.test(l.text)), 'the agent\'s line is not');

  // The server refuses the conversation to anyone without the secret, as if it did not exist.
  for (const headers of [{}, { 'x-conversation-secret': '0'.repeat(64) }, { 'x-conversation-secret': secret.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }]) {
    const r = await fetch(`${server.url}v1/conversations/${conversation}/stream-token`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}',
    });
    assert.equal(r.status, 404);
    assert.equal((await r.json()).error, 'not_found');
  }
  // "Clear conversation" forgets the id, claim and secret: the next question opens a new conversation.
  await page.getByRole('button', { name: 'Menu', exact: true }).click();
  await page.getByRole('button', { name: /Clear conversation/ }).click();
  await page.getByRole('button', { name: 'Yes, clear it' }).click();
  await outboxEmpty(page);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('bank-assistant.conversation-keys')), null);
  await ask(page, "what's the weather in Paris");
  const fresh = await conversationOf(page);
  assert.notEqual(fresh, conversation);
  assert.equal((await recorded.secrets()).length, 2, 'the new conversation was opened');
  assert.deepEqual(errors, []);
});

test('after a navigation the hand-off goes on with the stored secret: no second opening, the agent heard once', async () => {
  const { page, errors } = await openPage(browser, server.url);
  const recorded = recordRequests(page);
  await openChat(page);
  await page.getByRole('button', { name: 'Talk to a person' }).first().click();
  await page.locator('.ba-status').filter({ hasText: /Waiting for a person/ }).waitFor({ timeout: 10_000 });
  const conversation = await conversationOf(page);
  const secrets = await recorded.secrets();
  const agent = await agentApi(server.url);
  await agent.take(conversation);
  await agent.reply(conversation, 'Before you navigate');
  await page.locator('.ba-log .ba-agent').filter({ hasText: 'Before you navigate' }).waitFor({ timeout: 10_000 });

  await page.goto(server.url + '?page=cards');
  await page.waitForFunction(() => window.__baReady, null, { timeout: 60_000 });
  await page.getByRole('button', { name: /Chat with our assistant/ }).click();
  await page.locator('.ba-status').filter({ hasText: /chatting with Li/ }).waitFor({ timeout: 10_000 });
  await agent.reply(conversation, 'After you navigated');
  await page.locator('.ba-log .ba-agent').filter({ hasText: 'After you navigated' }).waitFor({ timeout: 10_000 });
  await page.getByLabel('Your question').fill('I am on the cards page now');
  await page.getByLabel('Your question').press('Enter');
  await outboxEmpty(page);
  for (const text of ['Before you navigate', 'After you navigated']) {
    assert.equal(await page.locator('.ba-log .ba-agent').filter({ hasText: text }).count(), 1, `${text}: shown once`);
  }
  assert.equal((await agent.transcript(conversation)).filter((l) => l.text === 'I am on the cards page now').length, 1);
  const requests = await recorded.requests();
  const { streams } = assertSecretUse(requests, secrets, conversation);
  assert.equal(requests.filter((r) => r.path === '/v1/conversations').length, 1, 'not opened again after the navigation');
  assert.ok(streams.length >= 2, 'the stream was opened again on the new page');
  await page.getByRole('button', { name: 'End chat with person' }).click();
  await outboxEmpty(page);
  assert.deepEqual(errors, []);
});

test('live events survive an expired stream token: a fresh token, and the stream resumes after the last event', async () => {
  const own = await startServer({ limits: { stream_token_ttl_s: 2 } });
  let running = own;
  try {
    const { page, errors } = await openPage(browser, own.url);
    const recorded = recordRequests(page);
    await openChat(page);
    await page.getByRole('button', { name: 'Talk to a person' }).first().click();
    await page.locator('.ba-status').filter({ hasText: /Waiting for a person/ }).waitFor({ timeout: 10_000 });
    const conversation = await conversationOf(page);
    const secrets = await recorded.secrets();
    let agent = await agentApi(own.url);
    await agent.take(conversation);
    await page.locator('.ba-status').filter({ hasText: /chatting with Li/ }).waitFor({ timeout: 10_000 });
    // An open stream outlives its token.
    await new Promise((ok) => setTimeout(ok, 3_000));
    await agent.reply(conversation, 'First reply');
    await page.locator('.ba-log .ba-agent').filter({ hasText: 'First reply' }).waitFor({ timeout: 10_000 });
    // The stream drops (the server restarts); the browser's own reconnect presents the expired token and
    // is refused, so the widget asks for a fresh one and opens the stream after the last event it saw.
    const tokensBefore = (await recorded.requests()).filter((r) => r.path.endsWith('/stream-token')).length;
    await own.stop();
    running = await own.restart();
    agent = await agentApi(running.url);
    await agent.reply(conversation, 'Second reply');
    await page.locator('.ba-log .ba-agent').filter({ hasText: 'Second reply' }).waitFor({ timeout: 30_000 });
    await agent.reply(conversation, 'Third reply');
    await page.locator('.ba-log .ba-agent').filter({ hasText: 'Third reply' }).waitFor({ timeout: 10_000 });
    for (const text of ['First reply', 'Second reply', 'Third reply']) {
      assert.equal(await page.locator('.ba-log .ba-agent').filter({ hasText: text }).count(), 1, `${text}: shown once`);
    }
    assert.equal(await page.locator('.ba-log').getByText('Li from our team has joined the chat.').count(), 1, 'nothing said twice');
    const requests = await recorded.requests();
    const { streams } = assertSecretUse(requests, secrets, conversation);
    assert.ok(requests.filter((r) => r.path.endsWith('/stream-token')).length > tokensBefore, 'a fresh token');
    assert.match(streams.at(-1).url, /[?&]last_event_id=\d+/, 'resumed after the last event seen');
    assert.deepEqual(errors, []);
  } finally {
    await running.stop();
  }
});

test('a customer taken out of the queue while away is told so on coming back, and can ask again', async () => {
  const own = await startServer({ handoff: { abandon_after_s: 2 } });
  try {
    const { page, errors } = await openPage(browser, own.url);
    await openChat(page);
    await page.getByRole('button', { name: 'Talk to a person' }).first().click();
    await page.locator('.ba-status').filter({ hasText: /Waiting for a person/ }).waitFor({ timeout: 10_000 });
    assert.ok(await page.evaluate(() => sessionStorage.getItem('bank-assistant.handoff')));
    // Away: another site, long enough for the server to take the customer out of the queue.
    await page.goto('about:blank');
    await new Promise((ok) => setTimeout(ok, 5_000));
    await page.goBack();
    await page.waitForFunction(() => window.__baReady, null, { timeout: 60_000 });
    await page.getByRole('button', { name: /Chat with our assistant/ }).click();
    await page.locator('.ba-log').getByText(/While you were away, we took you out of the queue/).waitFor({ timeout: 15_000 });
    assert.equal(await page.getByRole('button', { name: 'Stop waiting' }).count(), 0, 'no longer waiting');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('bank-assistant.handoff')), null, 'the hand-off is forgotten');
    assert.equal(await page.locator('.ba-log').getByText(/While you were away/).count(), 1);
    // A person can be asked for again.
    await page.getByRole('button', { name: 'Talk to a person' }).first().click();
    await page.locator('.ba-status').filter({ hasText: /Waiting for a person|number \d+ in line|you are next/ }).waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
  } finally {
    await own.stop();
  }
});

test('without WebAssembly the fallback opens the conversation, hands off with the secret, and shows the agent\'s message', async () => {
  const { page, errors } = await openPage(browser, server.url, { init: () => { delete window.WebAssembly; } });
  const recorded = recordRequests(page);
  await page.getByRole('button', { name: 'Chat with our assistant' }).click();
  await page.locator('.ba-root[data-mode="fallback"]').waitFor({ state: 'attached' });
  await page.getByLabel('Your question').fill("what's the weather in Paris");
  await page.getByLabel('Your question').press('Enter');
  const reply = page.locator('.ba-log .ba-assistant[data-route="server"]').first();
  await reply.waitFor({ timeout: 10_000 });
  await reply.getByRole('button', { name: 'Talk to a person' }).click();
  await page.locator('.ba-status').filter({ hasText: /Waiting for a person/ }).waitFor({ timeout: 10_000 });
  const handoff = (await recorded.requests()).find((r) => r.path === '/v1/handoff');
  const conversation = JSON.parse(handoff.body).conversation_id;
  const secrets = await recorded.secrets();

  const agent = await agentApi(server.url);
  await agent.take(conversation);
  await page.locator('.ba-status').filter({ hasText: /chatting with Li/ }).waitFor({ timeout: 10_000 });
  await page.locator('.ba-log').getByText('Li from our team has joined the chat.').waitFor();
  await agent.reply(conversation, 'Hello from Li. Is it the card 4111 1111 1111 1111?');
  const live = page.locator('.ba-log .ba-agent').filter({ hasText: 'Hello from Li' });
  await live.waitFor({ timeout: 10_000 });
  assert.doesNotMatch(await live.innerText(), /4111 1111 1111 1111/, 'masked as it is shown');
  await page.getByLabel('Your question').fill('Yes, that one');
  await page.getByLabel('Your question').press('Enter');
  for (let i = 0; !(await agent.transcript(conversation)).some((l) => l.text === 'Yes, that one'); i++) {
    assert.ok(i < 50, 'the customer\'s message reached the agent');
    await new Promise((ok) => setTimeout(ok, 200));
  }
  await page.getByRole('button', { name: 'End chat with person' }).click();
  await page.locator('.ba-log').getByText(/back with the assistant/).waitFor();
  // The cancellation goes out after the panel has said so.
  for (let i = 0; !(await recorded.requests()).some((r) => r.path === '/v1/handoff/cancel'); i++) {
    assert.ok(i < 50, 'the hand-off was cancelled');
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const { byPath, streams } = assertSecretUse(await recorded.requests(), secrets, conversation);
  assert.deepEqual([...byPath.keys()].sort(), ['/v1/chat', '/v1/conversations/{id}/messages',
    '/v1/conversations/{id}/stream-token', '/v1/handoff', '/v1/handoff/cancel']);
  assert.ok(streams.length >= 1);
  assert.ok(!(await recorded.requests()).some((r) => /_bg\.wasm/.test(r.url)), 'no wasm was fetched');
  assert.deepEqual(errors, []);
});

test('a stale secret or claim in the tab is recovered calmly: the conversation is opened again, or anew', async () => {
  const { page, errors } = await openPage(browser, server.url);
  const recorded = recordRequests(page);
  await openChat(page);
  await ask(page, "what's the weather in Paris");
  const conversation = await conversationOf(page);
  const KEYS = 'bank-assistant.conversation-keys';
  const keys = async () => JSON.parse(await page.evaluate((k) => sessionStorage.getItem(k), KEYS));
  /// The page changes what the widget keeps (well-formed, but not what the server gave), then reloads.
  /// Returns how many requests there were before the reload.
  const tamperAndReload = async (change) => {
    await page.evaluate(([k, change]) => {
      sessionStorage.setItem(k, JSON.stringify(JSON.parse(sessionStorage.getItem(k)).map((x) => ({ ...x, ...change }))));
    }, [KEYS, change]);
    const before = (await recorded.requests()).length;
    await page.reload();
    await page.waitForFunction(() => window.__baReady, null, { timeout: 60_000 });
    await openChat(page);
    return before;
  };
  const posts = async (from) => (await recorded.requests()).slice(from).filter((r) => r.method === 'POST' && r.path.startsWith('/v1/'));
  const [first] = await keys();

  // A wrong secret: the question is refused (404), the conversation opened again with its claim (a fresh
  // secret), and the question asked again, under the same conversation.
  let seen = await tamperAndReload({ secret: 'f'.repeat(64) });
  let reply = await ask(page, "what's the weather in London");
  assert.equal(await reply.getAttribute('data-route'), 'server');
  assert.deepEqual((await posts(seen)).map((r) => r.path), ['/v1/chat', '/v1/conversations', '/v1/chat']);
  assert.equal(await conversationOf(page), conversation, 'the same conversation');
  const [second] = await keys();
  assert.equal(second.claim, first.claim);
  assert.ok(second.secret !== first.secret && second.secret !== 'f'.repeat(64), 'a fresh secret');

  // A wrong claim too: opening is refused (409, the id is taken), so the question moves to a new
  // conversation and is answered there.
  seen = await tamperAndReload({ secret: 'e'.repeat(64), claim: 'x'.repeat(64) });
  reply = await ask(page, "what's the weather in Rome");
  assert.equal(await reply.getAttribute('data-route'), 'server');
  const fresh = await conversationOf(page);
  assert.notEqual(fresh, conversation);
  assert.match(fresh, ID);
  const moved = await posts(seen);
  assert.deepEqual(moved.map((r) => r.path), ['/v1/chat', '/v1/conversations', '/v1/conversations', '/v1/chat']);
  assert.equal(JSON.parse(moved[0].body).conversation_id, conversation);
  assert.equal(JSON.parse(moved[2].body).conversation_id, fresh);
  assert.equal(JSON.parse(moved[3].body).conversation_id, fresh);
  assert.equal(JSON.parse(moved[3].body).message_id, JSON.parse(moved[0].body).message_id, 'the same question, moved');

  // During a hand-off: the stream's token is refused with a stale secret, so the widget opens the
  // conversation again and goes on listening; the customer's messages go through.
  await page.getByRole('button', { name: 'Talk to a person' }).first().click();
  await page.locator('.ba-status').filter({ hasText: /Waiting for a person/ }).waitFor({ timeout: 10_000 });
  const agent = await agentApi(server.url);
  await agent.take(fresh);
  await page.locator('.ba-status').filter({ hasText: /chatting with Li/ }).waitFor({ timeout: 10_000 });
  seen = await tamperAndReload({ secret: 'd'.repeat(64) });
  await agent.reply(fresh, 'Still here after your reload');
  await page.locator('.ba-log .ba-agent').filter({ hasText: 'Still here after your reload' }).waitFor({ timeout: 15_000 });
  assert.deepEqual((await posts(seen)).slice(0, 3).map((r) => r.path.replace(fresh, '{id}')),
    ['/v1/conversations/{id}/stream-token', '/v1/conversations', '/v1/conversations/{id}/stream-token'],
    'the refused token made the widget open the conversation again');
  await page.getByLabel('Your question').fill('Good, thank you');
  await page.getByLabel('Your question').press('Enter');
  await outboxEmpty(page);
  assert.ok((await agent.transcript(fresh)).some((l) => l.text === 'Good, thank you'));
  assert.equal(await page.locator('.ba-log').getByText(/something went wrong/).count(), 0, 'nothing went wrong for the customer');
  for (const r of await recorded.requests()) assert.ok(!/[?&](secret|claim)=/.test(r.url));
  await page.getByRole('button', { name: 'End chat with person' }).click();
  await outboxEmpty(page);
  assert.deepEqual(errors, []);
});
