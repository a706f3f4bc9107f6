// Test harness: runs the real assistant server (which serves the built widget from dist/ and the API) on a
// loopback port with a throwaway data directory, records every request the page makes, and launches
// Debian's Chromium through playwright-core (no browser downloads). `serve()` is a plain static server for
// the few tests that want the widget with no bank server behind it, or (with `pages` and `csp`) a bank's
// own site on another origin: host pages from fixtures/ plus the self-hosted dist/, under a strict CSP.
//
// The widget lives in an open shadow root: Playwright's CSS locators pierce it, but code run with
// `page.evaluate` does not, so every page gets `__ba.$(selector)` (querySelector inside the widget) and
// `__ba.active()` (the focused element, through shadow roots) and `__ba.animations()`.
import { createServer } from 'node:http';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { spawn, execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = new URL('../../', import.meta.url).pathname;
const SERVER_BIN = process.env.ASSISTANT_SERVER_BIN ?? join(ROOT, 'target/debug/assistant-server');
export const AGENT = { username: 'li', password: 'correct horse battery staple', name: 'Li' };
/// An admin account (the insights page, the admin API); same password as the agent.
export const ADMIN = { username: 'ada', password: AGENT.password, name: 'Ada' };

async function freePort() {
  const srv = createServer();
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address();
  await new Promise((ok) => srv.close(ok));
  return port;
}

/// Starts the assistant server on a free loopback port with a fresh SQLite data directory (or the given
/// one, to restart "the same" server). `limits` and `handoff` set keys of those tables (e.g. a short
/// `stream_token_ttl_s` or `abandon_after_s`); `upstream` is the `[chat.upstream]` table (the bank's own
/// bot), none when absent; `staticDir` and `kbDir` serve another build and knowledge base than the
/// repo's (the improvement loop's retrained widget). Returns { url, port, dataDir, stop(), restart() }.
///
/// Production defaults are secure (HSTS, Secure cookies) and limit each address; every test request
/// comes from 127.0.0.1 over plain HTTP, so those are off here.
export async function startServer({ port, dataDir, hours = { always_open: true }, cors = [], limits = {}, handoff = {}, upstream, staticDir = DIST, kbDir = join(ROOT, 'public/kb') } = {}) {
  port ??= await freePort();
  dataDir ??= await mkdtemp(join(tmpdir(), 'assistant-e2e-'));
  const hash = execFileSync(SERVER_BIN, ['hash-password'], { input: AGENT.password + '\n' }).toString().trim();
  const toml = (table) => Object.entries(table).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n');
  const hoursToml = toml(hours);
  const limitsToml = toml({
    handoffs_per_ip_per_hour: 0, handoffs_per_conversation_per_hour: 0,
    left_messages_per_ip_per_hour: 0, left_messages_per_conversation_per_hour: 0,
    conversations_per_ip_per_hour: 0, streams_per_ip: 1000, ...limits,
  });
  const config = `
data_dir = ${JSON.stringify(dataDir)}
static_dir = ${JSON.stringify(staticDir)}
kb_dir = ${JSON.stringify(kbDir)}
[server]
host = "127.0.0.1"
port = ${port}
shutdown_grace_s = 1
[rate_limit]
per_second = 0
[log]
level = "warn"
[hours]
${hoursToml}
[security]
cors_origins = ${JSON.stringify(cors)}
secure_cookies = false
hsts = false
[limits]
${limitsToml}
[handoff]
${toml(handoff)}
${upstream ? `[chat.upstream]\n${toml(upstream)}` : ''}
[[agents]]
username = ${JSON.stringify(AGENT.username)}
display_name = ${JSON.stringify(AGENT.name)}
password_hash = ${JSON.stringify(hash)}
[[agents]]
username = ${JSON.stringify(ADMIN.username)}
display_name = ${JSON.stringify(ADMIN.name)}
password_hash = ${JSON.stringify(hash)}
role = "admin"
`;
  const file = join(dataDir, 'config.toml');
  await writeFile(file, config);
  const child = spawn(SERVER_BIN, ['--config', file], { stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(url + 'readyz')).ok) break;
    } catch { /* not listening yet */ }
    if (i > 300 || child.exitCode !== null) throw new Error(`assistant-server did not start (exit ${child.exitCode})`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    await exited;
  };
  return { url, port, dataDir, stop, restart: async () => { await stop(); return startServer({ port, dataDir, hours, cors, limits, handoff, upstream, staticDir, kbDir }); } };
}

/// The agent API, signed in with a bearer token (no cookie, so no Origin rules): take a conversation,
/// reply, close it, read its transcript, as the agent console does.
export async function agentApi(base) {
  const login = await fetch(base + 'v1/agent/login', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: AGENT.username, password: AGENT.password }),
  });
  if (!login.ok) throw new Error(`agent login: HTTP ${login.status}`);
  const { token } = await login.json();
  const call = async (method, path, body) => {
    const r = await fetch(`${base}v1/agent/conversations/${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body && JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${await r.text()}`);
    return r.status === 204 ? null : r.json();
  };
  return {
    take: (id) => call('POST', `${id}/take`),
    reply: (id, text) => call('POST', `${id}/reply`, { text }),
    close: (id) => call('POST', `${id}/close`),
    transcript: async (id) => (await call('GET', id)).transcript,
  };
}

/// The admin API with an admin account's session (bearer): `get(path)` returns the JSON.
export async function adminApi(base) {
  const login = await fetch(base + 'v1/agent/login', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
  });
  if (!login.ok) throw new Error(`admin login: HTTP ${login.status}`);
  const { token } = await login.json();
  return {
    get: async (path) => {
      const r = await fetch(base + path.replace(/^\//, ''), { headers: { authorization: `Bearer ${token}` } });
      if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status} ${await r.text()}`);
      return r.json();
    },
  };
}

/// Makes the page hidden as switching tabs or locking the phone does (`visibilitychange`).
export async function hidePage(page) {
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { value: true, configurable: true });
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

/// Records every request a page makes, with all its headers (`allHeaders`: custom ones included) and
/// body, and the secrets the server handed out when the page opened a conversation.
export function recordRequests(page) {
  const requests = [];
  const secrets = [];
  page.on('request', (r) => requests.push(r.allHeaders().then((headers) => ({
    url: r.url(), path: new URL(r.url()).pathname, method: r.method(), headers, body: r.postData(),
  }))));
  page.on('response', (r) => {
    if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/conversations' && r.ok()) {
      secrets.push(r.json().then((b) => b.secret));
    }
  });
  return { requests: () => Promise.all(requests), secrets: () => Promise.all(secrets) };
}

const DIST = process.env.DIST ?? new URL('../../dist/', import.meta.url).pathname;
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.onnx': 'application/octet-stream' };

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

/// A static server for dist/ (brotli where the build wrote a `.br` file). `pages` maps paths to host pages (functions returning HTML), files of
/// tests/e2e/fixtures/ are under /fixtures/, and `csp` (a string, or a function returning one) is sent
/// with every response.
export async function serve({ pages = {}, csp } = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const policy = typeof csp === 'function' ? csp() : csp;
    const headers = policy ? { 'content-security-policy': policy } : {};
    if (path === '/favicon.ico') { res.writeHead(204, headers).end(); return; }
    if (pages[path]) {
      res.writeHead(200, { ...headers, 'content-type': TYPES['.html'] }).end(pages[path]());
      return;
    }
    const [base, rel] = path.startsWith('/fixtures/') ? [FIXTURES, path.slice(10)] : [DIST, path];
    const file = join(base, rel.endsWith('/') ? rel + 'index.html' : rel);
    if (!file.startsWith(base)) { res.writeHead(403).end(); return; }
    try {
      // Like the assistant server and CDNs: the build's precompressed file where the browser takes brotli.
      const br = base === DIST && /\bbr\b/.test(req.headers['accept-encoding'] ?? '')
        ? await readFile(file + '.br').catch(() => null) : null;
      const body = br ?? await readFile(file);
      const encoding = br ? { 'content-encoding': 'br', vary: 'accept-encoding' } : {};
      res.writeHead(200, { ...headers, ...encoding, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/// Opens the demo page, records requests, and collects page errors. `storage` pre-sets the widget's
/// remembered preferences (localStorage) as a returning customer would have them; `init` runs in the page
/// before any of its scripts; `setup(page)` runs before the page is opened (e.g. `page.route` to hold a
/// file back); other options go to Playwright's `newPage` (reducedMotion, forcedColors…). It returns once
/// the widget itself is in (its `ready` event), not just the loader's stand-in launcher, unless `ready` is
/// false (tests of the first load: tests/e2e/first-load.test.mjs).
export async function openPage(browser, url, { viewport = { width: 1280, height: 800 }, storage = {}, init, setup, ready = true, ...options } = {}) {
  const page = await browser.newPage({ viewport, ...options });
  if (Object.keys(storage).length) {
    await page.addInitScript((entries) => {
      for (const [k, v] of Object.entries(entries)) localStorage.setItem(k, v);
    }, storage);
  }
  await page.addInitScript(() => {
    const widget = () => document.querySelector('bank-assistant')?.shadowRoot;
    window.__ba = {
      $: (selector) => widget()?.querySelector(selector) ?? null,
      // document.getAnimations() leaves out shadow trees.
      animations: () => [...document.getAnimations(), ...(widget()?.getAnimations() ?? [])],
      active: () => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el;
      },
    };
    window.__baReady = false;
    document.addEventListener('bank-assistant:ready', () => { window.__baReady = true; });
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`);
    });
  });
  if (init) await page.addInitScript(init);
  const requests = [];
  const errors = [];
  const timeline = [];
  const consoleMessages = [];
  page.on('request', (r) => { requests.push(r.url()); timeline.push({ url: r.url(), at: Date.now() }); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => consoleMessages.push({ type: m.type(), text: m.text() }));
  if (setup) await setup(page);
  if (process.env.DEBUG_404) page.on('response', (r) => r.status() >= 400 && console.log('HTTP', r.status(), r.request().method(), r.url()));
  await page.goto(url);
  if (ready) await page.waitForFunction(() => window.__baReady, null, { timeout: 60_000 });
  return { page, requests, errors, timeline, console: consoleMessages };
}

/// Opens the chat panel and waits until the in-browser model is ready.
export async function openChat(page) {
  await page.getByRole('button', { name: /Chat with our assistant|在线客服/ }).click();
  await page.locator('.ba-status[data-engine="ready"]').waitFor({ timeout: 60_000 });
}

/// Types a question, sends it with Enter, and returns the next assistant reply's locator.
export async function ask(page, text) {
  const before = await page.locator('.ba-log .ba-assistant[data-route]').count();
  await page.getByLabel(/Your question|您的问题/).fill(text);
  await page.getByLabel(/Your question|您的问题/).press('Enter');
  const reply = page.locator('.ba-log .ba-assistant[data-route]').nth(before);
  await reply.waitFor({ timeout: 10_000 });
  return reply;
}
