// The WebView / parent-frame bridge (public/embed/bridge.js) in Node, with a fake widget API and fake
// host objects: which messages are accepted, what is replied, where events go, and the back button.
// The same module driven in a real browser against the real widget is bridge.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseCommand, replyEnvelope, eventEnvelope, parseOrigins, originAllowed, nativeChannels,
  installBridge, installBackButton, COMMANDS,
} from '../../public/embed/bridge.js';

/** A stand-in for `window.BankAssistant`: records calls, emits open/close like the widget. */
function fakeApi() {
  const handlers = new Map();
  const calls = [];
  const api = {
    calls,
    on(event, handler) {
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event).add(handler);
      return () => handlers.get(event).delete(handler);
    },
    emit(event, detail) { for (const h of handlers.get(event) ?? []) h(detail); },
    listeners: (event) => handlers.get(event)?.size ?? 0,
  };
  for (const name of Object.keys(COMMANDS)) {
    api[name] = (...args) => {
      calls.push([name, ...args]);
      if (name === 'setLocale' && args[0] !== 'en' && args[0] !== 'zh-CN') throw new Error(`unsupported locale "${args[0]}"`);
      // The real API never throws: it warns and emits `error` during the call, or returns false.
      if (name === 'setTextSize' && args[0] === 'huge') { api.emit('error', { code: 'bad_call', message: 'unknown text size "huge"' }); return undefined; }
      if (name === 'identify' && args[0].token.includes('@')) return false;
      if (name === 'ask') return Promise.resolve();
      if (name === 'open') api.emit('open', {});
      if (name === 'close') api.emit('close', {});
    };
  }
  return api;
}

/** A window with a parent frame at `parent` origin, a history, and optional native hosts. */
function fakeWindow({ origin = 'https://widget.example', parent = 'https://app.example', ...hosts } = {}) {
  const win = new EventTarget();
  win.location = { origin, ancestorOrigins: parent ? [parent] : [] };
  win.parentPosts = [];
  win.parent = parent ? { postMessage: (msg, target) => win.parentPosts.push({ msg, target }) } : win;
  win.document = Object.assign(new EventTarget(), { referrer: '', querySelector: () => null });
  const entries = [null];
  win.history = {
    get state() { return entries.at(-1); },
    get length() { return entries.length; },
    pushState(state) { entries.push(state); },
    back() { entries.pop(); setImmediate(() => win.dispatchEvent(new Event('popstate'))); },
  };
  Object.assign(win, hosts);
  return win;
}

/** A postMessage as the browser delivers it. */
function post(target, data, origin, source) {
  target.dispatchEvent(Object.assign(new Event('message'), { data, origin, source }));
}
const tick = () => new Promise((ok) => setImmediate(ok));

/** A frame that sends commands and collects what comes back. */
function sender() {
  const got = [];
  return { got, postMessage: (msg, target) => got.push({ msg, target }) };
}

test('commands are read from objects and JSON text; malformed ones get a clear error', () => {
  assert.deepEqual(parseCommand({ type: 'bank-assistant', command: 'open', id: 1 }), { id: 1, command: 'open', args: [] });
  assert.deepEqual(parseCommand('{"type":"bank-assistant","command":"ask","args":["hi"],"id":"a"}'),
    { id: 'a', command: 'ask', args: ['hi'] });
  assert.deepEqual(parseCommand({ type: 'bank-assistant', command: 'identify', args: [{ token: 't' }] }),
    { id: null, command: 'identify', args: [{ token: 't' }] });
  // Not ours, or our own replies and events echoed back: ignored.
  for (const other of ['hello', '{"type":"other"}', { type: 'other', command: 'open' }, null, 42, [1],
    { type: 'bank-assistant', event: 'open', detail: {} }, { type: 'bank-assistant', id: 1, ok: true }]) {
    assert.equal(parseCommand(other), null, JSON.stringify(other));
  }
  const bad = (data) => parseCommand(data).error;
  assert.match(bad({ type: 'bank-assistant', command: 'delete' }), /unknown command "delete"; expected one of open, close/);
  assert.match(bad({ type: 'bank-assistant', command: '__proto__' }), /unknown command/);
  assert.match(bad({ type: 'bank-assistant', command: 'toString' }), /unknown command/);
  assert.match(bad({ type: 'bank-assistant', command: 'open', args: ['x'] }), /open takes no arguments/);
  assert.match(bad({ type: 'bank-assistant', command: 'ask' }), /ask needs an argument/);
  assert.match(bad({ type: 'bank-assistant', command: 'ask', args: [{}] }), /ask takes a string/);
  assert.match(bad({ type: 'bank-assistant', command: 'ask', args: 'hi' }), /args must be an array/);
  assert.match(bad({ type: 'bank-assistant', command: 'identify', args: ['tok'] }), /identify takes \{token/);
  assert.match(bad({ type: 'bank-assistant', command: 'open', id: { x: 1 } }), /id must be/);
  assert.match(bad('{"type":"bank-assistant", nope'), /valid JSON/);
  assert.match(bad(`{"type":"bank-assistant","command":"ask","args":["${'x'.repeat(30_000)}"]}`), /at most/);
  // The error keeps the id, so the host can match it to its call.
  assert.equal(parseCommand({ type: 'bank-assistant', command: 'nope', id: 'q7' }).id, 'q7');
});

test('envelopes', () => {
  assert.deepEqual(replyEnvelope('1'), { type: 'bank-assistant', id: '1', ok: true });
  assert.deepEqual(replyEnvelope(undefined, 'no'), { type: 'bank-assistant', id: null, ok: false, error: 'no' });
  // Details are plain data: functions and undefined drop out, dates become text.
  assert.deepEqual(eventEnvelope('message', { text: 'hi', f: () => 1, u: undefined, at: new Date(0) }),
    { type: 'bank-assistant', event: 'message', detail: { text: 'hi', at: '1970-01-01T00:00:00.000Z' } });
  assert.deepEqual(eventEnvelope('ready'), { type: 'bank-assistant', event: 'ready', detail: null });
});

test('allowed origins: exact origins only', () => {
  const { origins, invalid } = parseOrigins(' https://app.example, http://localhost:3000  https://x.example/path *  null ftp:nope');
  assert.deepEqual(origins, ['https://app.example', 'http://localhost:3000', '*']);
  assert.deepEqual(invalid, ['https://x.example/path', 'null', 'ftp:nope']);
  assert.ok(originAllowed('https://app.example', ['https://app.example']));
  assert.ok(!originAllowed('https://app.example.evil', ['https://app.example']));
  assert.ok(!originAllowed('null', ['*']), 'opaque origins (sandboxed frames, file:) never');
  assert.ok(!originAllowed('', ['*']));
  assert.ok(originAllowed('https://any.example', ['*']));
});

test('a parent frame on an allowed origin drives the widget and hears its events', async () => {
  const api = fakeApi();
  const win = fakeWindow();
  installBridge(api, win, { origins: 'https://app.example' });
  const parent = sender();
  post(win, { type: 'bank-assistant', command: 'open', id: 1 }, 'https://app.example', parent);
  post(win, { type: 'bank-assistant', command: 'setLocale', args: ['fr'], id: 2 }, 'https://app.example', parent);
  post(win, JSON.stringify({ type: 'bank-assistant', command: 'ask', args: ['I lost my card'], id: 3 }), 'https://app.example', parent);
  await tick();
  assert.deepEqual(api.calls, [['open'], ['setLocale', 'fr'], ['ask', 'I lost my card']]);
  // Replies are matched by id (a command's reply may come after a later one's).
  parent.got.sort((a, b) => a.msg.id - b.msg.id);
  assert.deepEqual(parent.got, [
    { msg: { type: 'bank-assistant', id: 1, ok: true }, target: 'https://app.example' },
    { msg: { type: 'bank-assistant', id: 2, ok: false, error: 'unsupported locale "fr"' }, target: 'https://app.example' },
    { msg: { type: 'bank-assistant', id: 3, ok: true }, target: 'https://app.example' },
  ]);
  api.emit('message', { role: 'assistant', text: 'Freeze your card in the app.' });
  assert.deepEqual(win.parentPosts.map((p) => [p.msg.event, p.target]), [['open', 'https://app.example'], ['message', 'https://app.example']]);
  assert.equal(win.parentPosts[1].msg.detail.text, 'Freeze your card in the app.');
});

test('a call the API refuses by an error event or by returning false gets ok: false with the reason', async () => {
  const api = fakeApi();
  const win = fakeWindow({ parent: null, ReactNativeWebView: { postMessage() {} } });
  const bridge = installBridge(api, win, {});
  const huge = await bridge.receive({ type: 'bank-assistant', command: 'setTextSize', args: ['huge'], id: 1 });
  assert.deepEqual(huge, { type: 'bank-assistant', id: 1, ok: false, error: 'unknown text size "huge"' });
  const pii = await bridge.receive({ type: 'bank-assistant', command: 'identify', args: [{ token: 'me@example.com' }], id: 2 });
  assert.equal(pii.ok, false);
  assert.match(pii.error, /identify was refused/);
  const fine = await bridge.receive({ type: 'bank-assistant', command: 'setTextSize', args: ['large'], id: 3 });
  assert.equal(fine.ok, true, 'an earlier error does not stick');
  assert.equal(api.listeners('error'), 1, 'only the bridge\'s own forwarding listener is left');
});

test('commands from other origins are ignored with a warning, and nothing is sent to them', async (t) => {
  const warnings = t.mock.method(console, 'warn', () => {});
  const api = fakeApi();
  const win = fakeWindow({ parent: 'https://evil.example' });
  installBridge(api, win, { origins: ['https://app.example'] });
  const evil = sender();
  post(win, { type: 'bank-assistant', command: 'ask', args: ['x'] }, 'https://evil.example', evil);
  post(win, { type: 'bank-assistant', command: 'open' }, 'null', evil);
  await tick();
  assert.deepEqual(api.calls, []);
  assert.deepEqual(evil.got, []);
  assert.equal(warnings.mock.callCount(), 2);
  assert.match(warnings.mock.calls[0].arguments.join(' '), /ignored a command from https:\/\/evil\.example/);
  // The parent is not on the list, so events are not posted to it either.
  api.emit('ready', {});
  assert.deepEqual(win.parentPosts, []);
});

test('by default only the page\'s own origin may send commands', async (t) => {
  t.mock.method(console, 'warn', () => {});
  const api = fakeApi();
  const win = fakeWindow({ origin: 'https://bank.example', parent: 'https://bank.example' });
  installBridge(api, win, {});
  const same = sender();
  const other = sender();
  post(win, { type: 'bank-assistant', command: 'toggle', id: 'a' }, 'https://bank.example', same);
  post(win, { type: 'bank-assistant', command: 'toggle', id: 'b' }, 'https://app.example', other);
  await tick();
  assert.deepEqual(api.calls, [['toggle']]);
  assert.deepEqual(same.got.map((g) => g.msg.id), ['a']);
  assert.deepEqual(other.got, []);
});

test('events are never posted to "*" when origins are listed, and not at all at the top level', () => {
  const api = fakeApi();
  const top = fakeWindow({ parent: null });
  installBridge(api, top, { origins: 'https://app.example' });
  api.emit('open', {});
  assert.deepEqual(top.parentPosts, []);

  const api2 = fakeApi();
  const framed = fakeWindow({ parent: 'https://b.example' });
  installBridge(api2, framed, { origins: 'https://a.example https://b.example' });
  api2.emit('open', {});
  assert.deepEqual(framed.parentPosts.map((p) => p.target), ['https://b.example']);
});

test('Android: events as JSON strings to the @JavascriptInterface object; commands through receive()', async () => {
  const sent = [];
  const api = fakeApi();
  const win = fakeWindow({ parent: null, BankAssistantAndroid: { postMessage: (s) => sent.push(s) } });
  installBridge(api, win, {});
  const reply = await win.BankAssistantBridge.receive('{"type":"bank-assistant","command":"open","id":"a1"}');
  assert.deepEqual(reply, { type: 'bank-assistant', id: 'a1', ok: true });
  assert.deepEqual(api.calls, [['open']]);
  assert.ok(sent.every((s) => typeof s === 'string'));
  assert.deepEqual(sent.map((s) => JSON.parse(s)), [
    { type: 'bank-assistant', event: 'open', detail: {} },
    { type: 'bank-assistant', id: 'a1', ok: true },
  ]);
  const bad = await win.BankAssistantBridge.receive('{"type":"bank-assistant","command":"fly"}');
  assert.equal(bad.ok, false);
  assert.match(JSON.parse(sent.at(-1)).error, /unknown command "fly"/);
  const notOurs = await win.BankAssistantBridge.receive('hello');
  assert.match(notOurs.error, /not a bank-assistant command/);
});

test('iOS: events as objects to webkit.messageHandlers.bankAssistant', async () => {
  const sent = [];
  const api = fakeApi();
  const win = fakeWindow({ parent: null, webkit: { messageHandlers: { bankAssistant: { postMessage: (m) => sent.push(m) } } } });
  installBridge(api, win, {});
  await win.BankAssistantBridge.receive({ type: 'bank-assistant', command: 'setTextSize', args: ['large'], id: 9 });
  api.emit('handoff', { state: 'queued' });
  assert.deepEqual(api.calls, [['setTextSize', 'large']]);
  assert.deepEqual(sent, [
    { type: 'bank-assistant', id: 9, ok: true },
    { type: 'bank-assistant', event: 'handoff', detail: { state: 'queued' } },
  ]);
});

test('React Native: events as JSON strings; the WebView\'s postMessage arrives on window or document', async () => {
  const sent = [];
  const api = fakeApi();
  const win = fakeWindow({ parent: null, ReactNativeWebView: { postMessage: (s) => sent.push(JSON.parse(s)) } });
  installBridge(api, win, {});
  // react-native-webview dispatches a script-made MessageEvent: no source, no origin.
  post(win, '{"type":"bank-assistant","command":"open","id":"w"}', '', null);
  post(win.document, '{"type":"bank-assistant","command":"close","id":"d"}', '', null);
  await tick();
  assert.deepEqual(api.calls, [['open'], ['close']]);
  assert.deepEqual(sent.filter((m) => 'id' in m).map((m) => [m.id, m.ok]), [['w', true], ['d', true]]);
  assert.deepEqual(sent.filter((m) => m.event).map((m) => m.event), ['open', 'close']);
});

test('a script-made message with no origin is refused on a plain website (no native host)', async (t) => {
  const warnings = t.mock.method(console, 'warn', () => {});
  const api = fakeApi();
  const win = fakeWindow({ parent: null });
  installBridge(api, win, {});
  post(win, { type: 'bank-assistant', command: 'open' }, '', null);
  await tick();
  assert.deepEqual(api.calls, []);
  assert.equal(warnings.mock.callCount(), 1);
});

test('back(): closes an open panel and says so; false when there was nothing to close', () => {
  const api = fakeApi();
  const win = fakeWindow({ parent: null });
  const bridge = installBridge(api, win, { backButton: 'none' });
  assert.equal(bridge.back(), false);
  api.open();
  assert.equal(bridge.back(), true);
  assert.deepEqual(api.calls, [['open'], ['close']]);
  assert.equal(bridge.back(), false);
});

test('Back button: opening pushes one entry, Back closes, closing otherwise leaves history as it was', async () => {
  const api = fakeApi();
  const win = fakeWindow({ parent: null });
  const off = installBackButton(api, win);
  api.open();
  assert.equal(win.history.length, 2);
  api.open(); // already open: no second entry
  assert.equal(win.history.length, 2);
  win.history.back(); // the Back button
  await tick();
  assert.deepEqual(api.calls.at(-1), ['close']);
  assert.equal(win.history.length, 1);
  api.open();
  api.close(); // the panel's own close button
  await tick();
  assert.equal(win.history.length, 1, 'our entry is taken off again');
  assert.deepEqual(api.calls.filter((c) => c[0] === 'close').length, 2, 'no extra close from our own history.back()');
  off();
  api.open();
  assert.equal(win.history.length, 1, 'uninstalled');
});

test('the Back button is on in a WebView, off on a website unless the host opts in', () => {
  const website = fakeWindow({ parent: null });
  const api = fakeApi();
  installBridge(api, website, {});
  api.open();
  assert.equal(website.history.length, 1);

  const optedIn = fakeWindow({ parent: null });
  const api2 = fakeApi();
  installBridge(api2, optedIn, { backButton: 'history' });
  api2.open();
  assert.equal(optedIn.history.length, 2);

  const webview = fakeWindow({ parent: null, ReactNativeWebView: { postMessage() {} } });
  const api3 = fakeApi();
  installBridge(api3, webview, {});
  api3.open();
  assert.equal(webview.history.length, 2);
});

test('a host object that throws does not stop the others; uninstall removes every listener', (t) => {
  const warnings = t.mock.method(console, 'warn', () => {});
  const got = [];
  const api = fakeApi();
  const win = fakeWindow({
    parent: null,
    BankAssistantAndroid: { postMessage() { throw new Error('gone'); } },
    ReactNativeWebView: { postMessage: (s) => got.push(s) },
  });
  assert.deepEqual(nativeChannels(win).map((c) => c.name), ['android', 'react-native']);
  const bridge = installBridge(api, win, {});
  api.emit('ready', {});
  assert.equal(got.length, 1);
  assert.equal(warnings.mock.callCount(), 1);
  bridge.uninstall();
  assert.equal(win.BankAssistantBridge, undefined);
  for (const e of ['ready', 'open', 'close', 'message', 'handoff', 'error']) assert.equal(api.listeners(e), 0, e);
});
