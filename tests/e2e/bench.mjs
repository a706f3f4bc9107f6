// In-browser benchmark (`cargo xtask bench`, after `trunk build --release`): sizes of what the browser
// downloads, and the worker's model load+optimise time and per-question inference time in headless
// Chromium. Prints a Markdown table for BENCHMARKS.md. Timing lives here, never in tests.
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join } from 'node:path';
import { serve, launch } from './harness.mjs';

const DIST = process.env.DIST ?? new URL('../../dist/', import.meta.url).pathname;
const size = async (files) => {
  let raw = 0, gz = 0, br = 0;
  for (const f of files) {
    const b = await readFile(join(DIST, f));
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
    br += brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return { raw, gz, br };
};
const top = await readdir(DIST);
// The build's names, as the loader carries them (dist/assistant.js, written by `cargo xtask fingerprint`).
const manifest = JSON.parse((await readFile(join(DIST, 'assistant.js'), 'utf8')).match(/const BUILD = (\{.*?\});\n/)[1]);
// What the page loads for the widget before its launcher is on screen (the loader imports the bridge at
// once), and the widget itself, which the loader fetches after the page's load event when the browser is
// idle, or at once when the customer reaches for the launcher (public/embed/assistant.js).
const first = ['assistant.js', manifest.bridge, manifest.css].filter(Boolean);
const widget = [manifest.js, manifest.wasm];
const demo = ['index.html', ...top.filter((f) => /^bank-.*\.css$/.test(f))];
const worker = [manifest.worker, ...top.filter((f) => /^assistant-worker-[0-9a-f]+(_bg\.wasm|\.js)$/.test(f))];
const rows = [
  ['first load: loader + bridge + CSS (the launcher is on screen with these)', await size(first)],
  ['first load with the demo page (+ HTML + its CSS)', await size([...first, ...demo])],
  ['widget (JS + wasm): after the page load when idle, or at first use', await size(widget)],
  ['launcher + widget: all of it, before the chat can be typed in', await size([...first, ...widget])],
  ['fallback without WebAssembly (fetched only when needed)', await size([manifest.fallback])],
  ['worker (loader + JS + wasm)', await size(worker)],
  ['model (ONNX)', await size([manifest.model])],
  ['model metadata + answers', await size([manifest.meta, manifest.answers])],
];
const kb = (n) => (n / 1024).toFixed(1);
console.log('| asset | raw KiB | gzip KiB | brotli KiB |\n|---|---:|---:|---:|');
for (const [name, s] of rows) console.log(`| ${name} | ${kb(s.raw)} | ${kb(s.gz)} | ${kb(s.br)} |`);
// SIZES_ONLY=1: the size table and each first-load file's share, no browser (for size work).
if (process.env.SIZES_ONLY) {
  for (const f of [...first, ...widget, ...demo]) {
    const s = await size([f]);
    console.log(`|   ${f.replace(/-[0-9a-f]{12,16}/, '-…')} | ${kb(s.raw)} | ${kb(s.gz)} | ${kb(s.br)} |`);
  }
  process.exit(0);
}

const server = await serve();
const browser = await launch();
const page = await browser.newPage();
await page.goto(server.url);
const questions = ['I lost my card', '我的银行卡丢了', 'how long does a transfer take', '转账手续费多少',
  'my top up failed', 'what is a fixed deposit', "what's the weather in Paris", '信用卡年费怎么收'];
const result = await page.evaluate(async ({ manifest, questions }) => {
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const w = new Worker(manifest.worker);
    const inbox = [];
    let wake = null;
    w.onmessage = (e) => { inbox.push(JSON.parse(e.data)); wake?.(); };
    const next = async (type) => {
      for (;;) {
        const i = inbox.findIndex((m) => m.type === type || m.type === 'failed');
        if (i >= 0) { const m = inbox.splice(i, 1)[0]; if (m.type === 'failed') throw new Error(m.message); return m; }
        await new Promise((ok) => (wake = ok));
      }
    };
    await next('booted');
    const t0 = performance.now();
    w.postMessage(JSON.stringify({ type: 'load', assets: { model: manifest.model, meta: manifest.meta, answers: manifest.answers } }));
    const ready = await next('ready');
    const total = performance.now() - t0;
    const infer = [];
    for (let i = 0; i < 400; i++) {
      w.postMessage(JSON.stringify({ type: 'classify', id: i, text: questions[i % questions.length], locale: 'en', simple: false }));
      infer.push((await next('reply')).infer_ms);
    }
    w.terminate();
    runs.push({ load: ready.load_ms, total, infer });
  }
  return runs;
}, { manifest, questions });
await browser.close();
server.close();
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const loads = result.map((r) => r.load);
const infer = result.flatMap((r) => r.infer.slice(20)); // first 20 per run are warm-up
console.log(`\nin-browser (headless Chromium, ${result.length} fresh workers × 400 questions, local server):`);
console.log(`| measure | median ms | p95 ms |\n|---|---:|---:|`);
console.log(`| model download + load + optimise (worker) | ${pct(loads, 0.5).toFixed(1)} | ${pct(loads, 0.95).toFixed(1)} |`);
console.log(`| inference per question (mask excluded, featurise + run + rank + answer) | ${pct(infer, 0.5).toFixed(3)} | ${pct(infer, 0.95).toFixed(3)} |`);

// The page and the launcher under Lighthouse's mobile throttling (150 ms round trip, 1.6 Mbit/s down,
// 750 kbit/s up), cold cache, the demo page: the default (the launcher at once, the widget after the
// page's load event on idle) against `data-load="eager"` (the widget fetched at once, as the loader did
// before it showed a launcher of its own: its launcher appeared only when the widget had mounted), same
// run, alternating. The customer clicks the launcher the moment it is on screen, the worst case for the
// default.
const demoHtml = await readFile(join(DIST, 'index.html'), 'utf8');
const site = await serve({ pages: {
  '/idle.html': () => demoHtml,
  '/eager.html': () => demoHtml.replace('src="assistant.js"', 'src="assistant.js" data-load="eager"'),
} });
const chromium = await launch();
const shadow = "document.querySelector('bank-assistant')?.shadowRoot";
const when = (page, test) => page.waitForFunction(`(() => { const r = ${shadow}; return (${test}) && performance.now(); })()`, null, { polling: 'raf', timeout: 60_000 }).then((h) => h.jsonValue());
const timing = { idle: [], eager: [] };
for (let run = 0; run < 5; run++) {
  for (const mode of ['idle', 'eager']) {
    const context = await chromium.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 });
    await page.goto(`${site.url}${mode}.html`, { waitUntil: 'commit' });
    const launcherAt = await when(page, "r?.querySelector('.ba-launcher') && getComputedStyle(r.querySelector('.ba-launcher')).position === 'fixed'");
    const clickAt = await page.evaluate(`(() => { ${shadow}.querySelector('.ba-launcher').click(); return performance.now(); })()`);
    const mountedAt = await when(page, "r?.querySelector('#ba-panel')");
    const readyAt = await when(page, "r?.querySelector('#ba-panel:not([hidden])') && r.activeElement?.id === 'ba-input'");
    await page.waitForLoadState('load');
    const loadAt = await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
    timing[mode].push({ launcherAt, mountedAt, load: loadAt, open: readyAt - clickAt });
    await context.close();
  }
}
await chromium.close();
site.close();
const med = (xs) => pct(xs, 0.5).toFixed(0);
const col = (key) => ['idle', 'eager'].map((m) => med(timing[m].map((t) => t[key])));
console.log(`\npage and launcher (headless Chromium, demo page, 150 ms RTT, 1.6 Mbit/s, cold cache, median of ${timing.idle.length}):`);
console.log('| measure (ms after navigation start, or as named) | default: widget on idle | `data-load="eager"` |\n|---|---:|---:|');
console.log(`| launcher on screen | ${col('launcherAt').join(' | ')} |`);
console.log(`| the widget's own launcher (where the old loader first showed one) | ${col('mountedAt').join(' | ')} |`);
console.log(`| page's load event | ${col('load').join(' | ')} |`);
console.log(`| click at first sight → chat open, cursor in the box (ms after the click) | ${col('open').join(' | ')} |`);

