// Issue #18, part 2: our widget's weight and speed against the peers' own published packages, each on the
// same blank host page served from loopback, cold cache, under the network throttling bench.mjs uses
// (Lighthouse's mobile figures: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up; no CPU slowdown),
// every file served brotli-compressed (quality 11, computed before the runs, so no contender pays for
// compression). `cargo xtask bench` runs it after `trunk build --release`; alone: `node bench-peers.mjs`.
// Timing lives here, never in tests. Benchmark only: the peers are devDependencies of tests/e2e/peers (installed by `cargo xtask bench` only).
//
// Contenders:
// - ours: the assistant.js loader tag (the launcher first, the widget after the page's load on idle or at
//   first use);
// - botframework-webchat's published bundles `dist/webchat-minimal.js` and `dist/webchat.js`, rendered
//   with `WebChat.renderWebChat` and a stand-in Direct Line object in the page (its cloud is never
//   contacted; the chat renders and takes typing without it). Web Chat renders inline, with no launcher
//   of its own: a bank adds its own button, so "launcher" is not measured for it;
// - rasa-webchat's published bundle `lib/index.js` (`WebChat.default`). It shows nothing at all until its
//   Rasa server has confirmed a session over socket.io, so a stand-in on loopback (socket.io 4, a
//   devDependency) answers `session_request` with `session_confirm` at once and nothing else; no bot. Its
//   stylesheet imports Google Fonts, which cannot load here (no network beyond the machine).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join, extname, normalize } from 'node:path';
import { createRequire } from 'node:module';
import { launch } from './harness.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIST = process.env.DIST ?? join(ROOT, 'dist/');
// The peers' packages live in peers/ (installed by `cargo xtask bench`, never for the tests).
const MODULES = new URL('./peers/node_modules/', import.meta.url).pathname;
const { Server: SocketServer } = createRequire(MODULES)('socket.io');
const RUNS = Number(process.env.RUNS ?? 5);
const pkg = async (name) => JSON.parse(await readFile(join(MODULES, name, 'package.json'), 'utf8'));
const versions = {};
for (const name of ['botframework-webchat', 'rasa-webchat', 'onnxruntime-web', 'socket.io']) {
  const p = await pkg(name);
  versions[name] = { version: p.version, license: p.license };
}

// A stand-in Direct Line (the object Web Chat talks to): connected at once, every post acknowledged, no bot.
const DIRECT_LINE = `
  const observable = (start) => ({ subscribe(o) { const obs = typeof o === 'function' ? { next: o } : o; const stop = start(obs); return { unsubscribe() { stop?.(); }, get closed() { return false; } }; } });
  const directLine = {
    activity$: observable(() => {}),
    connectionStatus$: observable((o) => { o.next(0); o.next(1); o.next(2); }),
    postActivity: (a) => observable((o) => { o.next('a' + Date.now()); o.complete?.(); }),
    end() {},
  };`;
const page = (body) => () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Blank host page</title></head><body>${body}</body></html>`;
const webchat = (file) => page(`<div id="webchat" style="position:fixed;right:16px;bottom:16px;width:380px;height:560px"></div>
<script src="/peers/botframework-webchat/dist/${file}"></script>
<script>${DIRECT_LINE}
window.WebChat.renderWebChat({ directLine, userID: 'bench' }, document.getElementById('webchat'));</script>`);
const CONTENDERS = {
  ours: {
    label: 'ours: assistant.js loader (launcher, then the widget)',
    page: page('<script type="module" src="/assistant.js" data-locale="en"></script>'),
    root: "document.querySelector('bank-assistant')?.shadowRoot",
    launcher: "r?.querySelector('.ba-launcher') && getComputedStyle(r.querySelector('.ba-launcher')).position === 'fixed'",
    click: "r.querySelector('.ba-launcher').click()",
    typeable: "r?.querySelector('#ba-panel:not([hidden])') && r.activeElement?.id === 'ba-input'",
  },
  'webchat-minimal': {
    label: `botframework-webchat ${versions['botframework-webchat'].version} \`dist/webchat-minimal.js\` (no launcher; stand-in Direct Line)`,
    page: webchat('webchat-minimal.js'),
    root: 'document',
    typeable: "(() => { const i = r.querySelector('.webchat__send-box-text-box__input, [data-id=\"webchat-sendbox-input\"]'); return i && !i.disabled && i.getBoundingClientRect().height > 0; })()",
  },
  'webchat-full': {
    label: `botframework-webchat ${versions['botframework-webchat'].version} \`dist/webchat.js\` (no launcher; stand-in Direct Line)`,
    page: webchat('webchat.js'),
    root: 'document',
    typeable: "(() => { const i = r.querySelector('.webchat__send-box-text-box__input, [data-id=\"webchat-sendbox-input\"]'); return i && !i.disabled && i.getBoundingClientRect().height > 0; })()",
  },
  rasa: {
    label: `rasa-webchat ${versions['rasa-webchat'].version} \`lib/index.js\` (stand-in Rasa socket.io server on loopback)`,
    page: page(`<div id="webchat"></div><script src="/peers/rasa-webchat/lib/index.js"></script>
<script>window.WebChat.default({ selector: '#webchat', socketUrl: location.origin, title: 'Bank', customData: { language: 'en' }, params: { storage: 'session' } }, null);</script>`),
    root: 'document',
    launcher: "(() => { const l = r.querySelector('.rw-launcher'); return l && l.getBoundingClientRect().height > 0; })()",
    click: "r.querySelector('.rw-launcher').click()",
    typeable: "(() => { const i = r.querySelector('.rw-new-message'); return i && i.getBoundingClientRect().height > 0; })()",
    typeableEnabled: "(() => { const i = document.querySelector('.rw-new-message'); return !!i && !i.disabled; })()",
  },
};

// Files: dist/ at /, tests/e2e/peers/node_modules/<package>/ at /peers/<package>/; brotli where the browser
// takes it, computed once per file before any timing.
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.onnx': 'application/octet-stream',
  '.woff2': 'font/woff2', '.svg': 'image/svg+xml', '.png': 'image/png' };
const fileOf = (path) => (path.startsWith('/peers/') ? join(MODULES, path.slice(7)) : join(DIST, path));
const cache = new Map();
async function body(file) {
  if (!cache.has(file)) {
    const raw = await readFile(file);
    cache.set(file, {
      raw,
      br: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
      gz: gzipSync(raw, { level: 9 }),
    });
  }
  return cache.get(file);
}
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  const host = Object.entries(CONTENDERS).find(([name]) => path === `/${name}.html`);
  if (host) { res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' }).end(host[1].page()); return; }
  if (path === '/favicon.ico') { res.writeHead(204).end(); return; }
  try {
    const b = await body(fileOf(path));
    const br = /\bbr\b/.test(req.headers['accept-encoding'] ?? '');
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', ...(br ? { 'content-encoding': 'br', vary: 'accept-encoding' } : {}) })
      .end(br ? b.br : b.raw);
  } catch {
    res.writeHead(404).end('not found');
  }
});
// The stand-in Rasa server (same origin, socket.io's default path): confirms the session, nothing more.
new SocketServer(server, { serveClient: false, cors: { origin: '*' } }).on('connection', (socket) => {
  socket.on('session_request', (m) => socket.emit('session_confirm', { session_id: m?.session_id ?? socket.id }));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await launch();
// One unthrottled visit each, to learn every file it fetches (and compress them before the timed runs).
async function visit(name, throttle) {
  const c = CONTENDERS[name];
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, isMobile: false });
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  const requested = [];
  p.on('requestfinished', (r) => { const u = new URL(r.url()); if (u.protocol === 'http:' && u.origin + '/' === base && !u.pathname.startsWith('/socket.io/')) requested.push(u.pathname); });
  if (throttle) {
    const cdp = await context.newCDPSession(p);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 });
  }
  const when = (test) => p.waitForFunction(`(() => { const r = ${c.root}; return (${test}) && performance.now(); })()`, null, { polling: 'raf', timeout: 120_000 }).then((h) => h.jsonValue());
  await p.goto(`${base}${name}.html`, { waitUntil: 'commit' });
  const t = {};
  try {
    if (c.launcher) {
      t.launcher = await when(c.launcher);
      t.launcherFiles = [...requested];
      const clickAt = await p.evaluate(`(() => { const r = ${c.root}; ${c.click}; return performance.now(); })()`);
      t.typeable = await when(c.typeable);
      t.clickToTypeable = t.typeable - clickAt;
    } else {
      t.typeable = await when(c.typeable);
    }
    t.typeableFiles = [...requested];
    if (c.typeableEnabled) t.enabled = await p.evaluate(c.typeableEnabled);
  } catch (e) {
    t.error = `${String(e).split('\n')[0]} ${errors.join(' | ')}`;
  }
  await context.close();
  return t;
}
const files = {};
for (const name of Object.keys(CONTENDERS)) {
  const t = await visit(name, false);
  if (t.error) throw new Error(`${name}: ${t.error}`);
  files[name] = t;
  await Promise.all(t.typeableFiles.filter((f) => !f.endsWith('.html')).map((f) => body(fileOf(f))));
}
const timing = Object.fromEntries(Object.keys(CONTENDERS).map((n) => [n, []]));
for (let run = 0; run < RUNS; run++) {
  for (const name of Object.keys(CONTENDERS)) timing[name].push(await visit(name, true));
}
await browser.close();
server.close();

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const bytes = async (list) => {
  let raw = 0, gz = 0, br = 0;
  for (const f of new Set(list)) {
    if (f.endsWith('.html')) continue;
    const b = await body(fileOf(f));
    raw += b.raw.length; gz += b.gz.length; br += b.br.length;
  }
  return { raw, gz, br };
};
const kib = (n) => (n / 1024).toFixed(1);
console.log(`\nWidget weight and speed against the peers' own packages (issue #18): blank host page on loopback, headless Chromium,`);
console.log(`viewport 412 × 823, 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up (bench.mjs's Lighthouse mobile network), cold cache, brotli on the wire, median of ${RUNS} (p95 = slowest here).`);
console.log('Bytes: every file the page had fully received (host HTML excluded) by that moment in the first throttled run, gzip 9 / brotli 11 KiB. Times: ms after navigation start.');
console.log('| contender | licence | first load to launcher, gzip / brotli KiB | to typeable chat, gzip / brotli KiB | launcher on screen, ms | open typeable chat, ms (launcher clicked at first sight) |');
console.log('|---|---|---:|---:|---:|---:|');
const rows = {};
for (const [name, c] of Object.entries(CONTENDERS)) {
  const f = timing[name].find((t) => !t.error) ?? files[name]; // the files of the first throttled run
  const ok = timing[name].filter((t) => !t.error);
  const launcher = f.launcherFiles ? await bytes(f.launcherFiles) : null;
  const typeable = await bytes(f.typeableFiles);
  const l = ok.map((t) => t.launcher).filter((x) => x != null);
  const ty = ok.map((t) => t.typeable);
  rows[name] = { launcher, typeable, l50: l.length ? pct(l, 0.5) : null, t50: pct(ty, 0.5) };
  const licence = name === 'ours' ? 'ours' : versions[name.startsWith('webchat') ? 'botframework-webchat' : 'rasa-webchat'].license;
  const enabled = f.enabled === false ? ' (message box disabled: no server)' : '';
  const failed = timing[name].length - ok.length ? ` (${timing[name].length - ok.length} runs failed: ${timing[name].find((t) => t.error).error})` : '';
  console.log(`| ${c.label} | ${licence} | ${launcher ? `${kib(launcher.gz)} / ${kib(launcher.br)}` : '— (no launcher)'} | ${kib(typeable.gz)} / ${kib(typeable.br)} | ${l.length ? `${pct(l, 0.5).toFixed(0)} (p95 ${pct(l, 0.95).toFixed(0)})` : '—'} | ${pct(ty, 0.5).toFixed(0)} (p95 ${pct(ty, 0.95).toFixed(0)})${enabled}${failed} |`);
}
console.log('\nRatios, peer ÷ ours (above 1: we are lighter or faster):');
console.log('| peer | to typeable chat, gzip | brotli | open typeable chat, time | launcher (bytes gzip / time) |\n|---|---:|---:|---:|---:|');
for (const name of Object.keys(CONTENDERS).filter((n) => n !== 'ours')) {
  const a = rows.ours, b = rows[name];
  const launcher = b.launcher ? `${(b.launcher.gz / a.launcher.gz).toFixed(2)} / ${(b.l50 / a.l50).toFixed(2)}` : '—';
  console.log(`| ${name} | ${(b.typeable.gz / a.typeable.gz).toFixed(2)} | ${(b.typeable.br / a.typeable.br).toFixed(2)} | ${(b.t50 / a.t50).toFixed(2)} | ${launcher} |`);
}
console.log('\nFiles each had received when its launcher was on screen / its chat typeable (first throttled run):');
for (const name of Object.keys(CONTENDERS)) {
  const t = timing[name].find((t) => !t.error) ?? files[name];
  const list = (l) => [...new Set(l)].filter((f) => !f.endsWith('.html')).map((f) => f.replace(/-[0-9a-f]{16}/, '-…').replace(/^\/peers\//, '')).join(', ');
  console.log(`- ${name}: ${t.launcherFiles ? `${list(t.launcherFiles)} / ` : ''}${list(t.typeableFiles)}`);
}
console.log('\nPeer packages (devDependencies of tests/e2e/peers, benchmark only, nothing shipped): ' +
  Object.entries(versions).map(([n, v]) => `${n} ${v.version} (${v.license})`).join(', '));
