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
const widget = ['assistant.js', manifest.js, manifest.wasm, manifest.css];
const demo = ['index.html', ...top.filter((f) => /^bank-.*\.css$/.test(f))];
const worker = [manifest.worker, ...top.filter((f) => /^assistant-worker-[0-9a-f]+(_bg\.wasm|\.js)$/.test(f))];
const rows = [
  ['first load: widget (loader + widget JS + wasm + CSS)', await size(widget)],
  ['first load with the demo page (+ HTML + its CSS)', await size([...widget, ...demo])],
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
  for (const f of [...widget, ...demo]) {
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
