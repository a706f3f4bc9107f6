// Issue #18, part 1: our committed ONNX model in the browser, run by our tract-onnx worker and by
// onnxruntime-web (wasm backend, single-threaded, the SIMD build it ships), side by side in the same
// headless Chromium, same Web Worker setup, same questions. `cargo xtask bench` runs it (after
// `trunk build --release`); alone: `node bench-runtime.mjs` (DIST=…, ASSISTANT_CLI=… to override).
// Timing lives here, never in tests. Benchmark only: onnxruntime-web is a devDependency of tests/e2e/peers (installed by `cargo xtask bench`).
//
// Featuriser: ours, in Rust, for both. The tract worker gets the question's text and featurises it itself
// (its time is featurise + run + rank + answer look-up, as bench.mjs reports it); onnxruntime-web gets the
// feature vectors our Rust featuriser computed natively beforehand (`assistant features`, the CLI that
// training uses), so its time is tensor building + run + rank only.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { join, extname, normalize } from 'node:path';
import { launch } from './harness.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIST = process.env.DIST ?? join(ROOT, 'dist/');
const ORT = new URL('./peers/node_modules/onnxruntime-web/dist/', import.meta.url).pathname;
const ORT_VERSION = JSON.parse(await readFile(join(ORT, '../package.json'), 'utf8')).version;
const CLI = process.env.ASSISTANT_CLI ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'release/assistant');
const WORKERS = Number(process.env.WORKERS ?? 7);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

// The questions: the first 60 of the customers' held-out set (English and Chinese, as customers wrote them).
const csv = (await readFile(join(ROOT, 'training/customer/test.csv'), 'utf8')).split('\n').slice(1).filter(Boolean);
const firstField = (line) => (line.startsWith('"') ? line.slice(1).match(/^((?:[^"]|"")*)"/)[1].replaceAll('""', '"') : line.split(',')[0]);
const questions = csv.slice(0, 60).map(firstField);
const features = execFileSync(CLI, ['features'], { input: questions.map((q) => JSON.stringify(q)).join('\n') + '\n' })
  .toString().trim().split('\n').map((l) => JSON.parse(l));

const manifest = JSON.parse((await readFile(join(DIST, 'assistant.js'), 'utf8')).match(/const BUILD = (\{.*?\});\n/)[1]);
const top = await (await import('node:fs/promises')).readdir(DIST);
const size = async (files) => {
  let raw = 0, gz = 0, br = 0;
  for (const f of files) {
    const b = await readFile(f);
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
    br += brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return { raw, gz, br };
};
const ortFiles = ['ort.wasm.bundle.min.mjs', 'ort-wasm-simd-threaded.wasm'];
const sizes = {
  tractRuntime: await size([manifest.worker, ...top.filter((f) => /^assistant-worker-[0-9a-f]+(_bg\.wasm|\.js)$/.test(f))].map((f) => join(DIST, f))),
  ortRuntime: await size(ortFiles.map((f) => join(ORT, f))),
  model: await size([join(DIST, manifest.model)]),
};

// Loopback server: dist/ at /, onnxruntime-web's dist/ at /ort/, the ORT worker at /ort-worker.mjs, no
// compression (same for both), cross-origin isolated so that performance.now() in the workers has
// 5 µs resolution instead of 100 µs.
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.onnx': 'application/octet-stream' };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  const headers = process.env.ISOLATED === '0' ? {} : { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  let file;
  if (path === '/') { res.writeHead(200, { ...headers, 'content-type': TYPES['.html'] }).end('<!doctype html><title>bench</title>'); return; }
  if (path === '/ort-worker.mjs') file = new URL('./fixtures/ort-worker.mjs', import.meta.url).pathname;
  else if (path.startsWith('/ort/')) file = join(ORT, path.slice(5));
  else file = join(DIST, path);
  try {
    const body = await readFile(file);
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404, headers).end('not found');
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await launch();
const context = await browser.newContext();
const page = await context.newPage();
await page.goto(url);
if (process.env.ISOLATED !== '0' && !(await page.evaluate(() => crossOriginIsolated))) throw new Error('bench page is not cross-origin isolated');

// Memory, in a second pass after the timed one (a DevTools session on the workers slows them): peak heap
// of each worker with CDP Runtime.getHeapUsage on the worker's own target (auto-attached, not flattened),
// sampled every 20 ms: JS heap used, and ArrayBuffer backing stores outside wasm memory.
const cdp = await context.newCDPSession(page);
const workerSessions = new Map();
cdp.on('Target.attachedToTarget', (e) => { if (e.targetInfo.type === 'worker') workerSessions.set(e.sessionId, { used: 0, backing: 0 }); });
cdp.on('Target.detachedFromTarget', (e) => workerSessions.delete(e.sessionId));
let msgId = 0;
const pending = new Map();
cdp.on('Target.receivedMessageFromTarget', (e) => {
  const m = JSON.parse(e.message);
  if (process.env.DEBUG_CDP && m.id) console.error("<-", e.message.slice(0, 300));
  if (pending.has(m.id)) { if (m.error) console.error("CDP in worker:", JSON.stringify(m.error)); pending.get(m.id)(m.result ?? null); pending.delete(m.id); }
});
const inWorker = (sessionId, method, params = {}, wait = 500) => new Promise((ok) => {
  const id = ++msgId;
  pending.set(id, ok);
  cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) }).catch((e) => { console.error(method, String(e)); ok(null); });
  setTimeout(() => { if (pending.delete(id)) ok(null); }, wait);
});
const heapOf = (sessionId) => inWorker(sessionId, 'Runtime.getHeapUsage');
// The worker's WebAssembly memories (linear memory only grows, so the size at the end is the peak).
async function wasmMemory(sessionId) {
  await inWorker(sessionId, 'Runtime.enable', {}, 5000);
  const proto = await inWorker(sessionId, 'Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' }, 5000);
  const list = await inWorker(sessionId, 'Runtime.queryObjects', { prototypeObjectId: proto.result.objectId }, 30000);
  const sum = await inWorker(sessionId, 'Runtime.callFunctionOn', { objectId: list.objects.objectId, returnByValue: true,
    functionDeclaration: 'function () { return this.reduce((a, m) => a + m.buffer.byteLength, 0); }' }, 5000);
  return sum.result.value;
}
let sampling = false;
const sample = async () => {
  while (sampling) {
    for (const [sid, peak] of workerSessions) {
      const h = await heapOf(sid);
      if (h) {
        peak.used = Math.max(peak.used, h.usedSize);
        peak.backing = Math.max(peak.backing, h.backingStorageSize ?? 0);
      }
    }
    await new Promise((ok) => setTimeout(ok, 20));
  }
};

// One fresh worker: new Worker → booted → load → ready, then ROUNDS × the questions.
async function runWorker(kind, rounds = ROUNDS, memory = false) {
  const before = new Set(workerSessions.keys());
  const result = await page.evaluate(async ({ kind, manifest, questions, features, rounds }) => {
    const t0 = performance.now();
    const w = kind === 'tract' ? new Worker(manifest.worker) : new Worker('/ort-worker.mjs', { type: 'module' });
    const inbox = [];
    let wake = null;
    w.onmessage = (e) => { inbox.push(typeof e.data === 'string' ? JSON.parse(e.data) : e.data); wake?.(); };
    const next = async (type) => {
      for (;;) {
        const i = inbox.findIndex((m) => m.type === type || m.type === 'failed');
        if (i >= 0) { const m = inbox.splice(i, 1)[0]; if (m.type === 'failed') throw new Error(m.message); return m; }
        await new Promise((ok) => (wake = ok));
      }
    };
    await next('booted');
    const booted = performance.now() - t0;
    const t1 = performance.now();
    w.postMessage(kind === 'tract'
      ? JSON.stringify({ type: 'load', assets: { model: manifest.model, meta: manifest.meta, answers: manifest.answers } })
      : { type: 'load', model: manifest.model, meta: manifest.meta });
    const ready = await next('ready');
    const load = performance.now() - t1;
    const total = performance.now() - t0;
    const infer = [];
    const intents = [];
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < questions.length; i++) {
        if (kind === 'tract') w.postMessage(JSON.stringify({ type: 'classify', id: i, text: questions[i], locale: 'en', simple: false }));
        else w.postMessage({ type: 'classify', id: i, ids: features[i].ids, weights: features[i].weights });
        const reply = await next('reply');
        infer.push(reply.infer_ms);
        if (r === 0) intents.push(reply.top?.[0]?.[0] ?? reply.intent);
      }
    }
    await new Promise((ok) => setTimeout(ok, 60)); // one more heap sample
    window.__benchWorker = w;
    let wasm = null;
    if (kind === 'ort') { w.postMessage({ type: 'memory' }); wasm = (await next('memory')).bytes; }
    return { booted, load, total, workerLoad: ready.load_ms, infer, intents, inputs: ready.inputs, wasm };
  }, { kind, manifest, questions, features, rounds });
  const sids = [...workerSessions.keys()].filter((sid) => !before.has(sid));
  if (kind === 'tract' && memory) result.wasm = Math.max(0, ...(await Promise.all(sids.map(wasmMemory))));
  await page.evaluate(() => window.__benchWorker.terminate());
  const mine = sids.map((sid) => workerSessions.get(sid)).filter(Boolean);
  result.heap = mine.length ? mine.reduce((a, p) => ({ used: Math.max(a.used, p.used), backing: Math.max(a.backing, p.backing) })) : null;
  return result;
}

const runs = { tract: [], ort: [] };
for (let i = 0; i < WORKERS; i++) for (const kind of ['tract', 'ort']) runs[kind].push(await runWorker(kind));
// The memory pass: 2 more fresh workers each, one round of the questions, DevTools attached.
await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
sampling = true;
const sampled = sample();
const mem = { tract: [], ort: [] };
for (let i = 0; i < 2; i++) for (const kind of ['tract', 'ort']) mem[kind].push(await runWorker(kind, 1, true));
sampling = false;
await sampled;
await browser.close();
server.close();

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const kib = (n) => (n / 1024).toFixed(1);
const mib = (n) => (n / 1048576).toFixed(1);
const ratio = (a, b) => (b / a).toFixed(2);
const stat = (kind, f) => { const xs = runs[kind].flatMap(f); return [pct(xs, 0.5), pct(xs, 0.95)]; };
const WARM = 20; // the first 20 questions of each worker are warm-up
const figures = [
  ['runtime download: worker JS + wasm, gzip KiB', sizes.tractRuntime.gz / 1024, sizes.ortRuntime.gz / 1024, 1],
  ['runtime download, brotli KiB', sizes.tractRuntime.br / 1024, sizes.ortRuntime.br / 1024, 1],
  ['runtime + model, gzip KiB', (sizes.tractRuntime.gz + sizes.model.gz) / 1024, (sizes.ortRuntime.gz + sizes.model.gz) / 1024, 1],
  ['runtime + model, brotli KiB', (sizes.tractRuntime.br + sizes.model.br) / 1024, (sizes.ortRuntime.br + sizes.model.br) / 1024, 1],
];
const ms = [
  ['new Worker → booted (runtime fetched + compiled; ORT compiles its wasm lazily, in the load)', (r) => [r.booted]],
  ['load message → ready (model fetched + parsed + optimised; tract also its answers)', (r) => [r.load]],
  ['new Worker → ready to answer', (r) => [r.total]],
  ["the worker's own load_ms (ours: as bench.mjs reports it; ORT: fetch + session create)", (r) => [r.workerLoad]],
];
const agree = runs.tract[0].intents.filter((t, i) => t === runs.ort[0].intents[i]).length;
console.log(`\nIn-browser inference runtime, side by side (issue #18): headless Chromium, loopback, cross-origin isolated,`);
console.log(`${WORKERS} fresh workers each (alternating), ${questions.length} questions × ${ROUNDS} rounds per worker (first ${WARM} answers of each worker are warm-up);`);
console.log(`onnxruntime-web ${ORT_VERSION} (${ortFiles.join(' + ')}, numThreads 1); ORT model inputs: ${runs.ort[0].inputs?.join(', ')}.`);
console.log(`Top intent agrees on ${agree} / ${questions.length} questions.`);
console.log(`| measure | ours: tract worker | onnxruntime-web | ORT ÷ ours |\n|---|---:|---:|---:|`);
for (const [name, a, b] of figures) console.log(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)} |`);
console.log(`| model alone (ONNX, same file for both), raw / gzip / brotli KiB | ${kib(sizes.model.raw)} / ${kib(sizes.model.gz)} / ${kib(sizes.model.br)} | same | 1.00 |`);
for (const [name, f] of ms) {
  const [a50, a95] = stat('tract', f);
  const [b50, b95] = stat('ort', f);
  console.log(`| ${name}, median / p95 ms | ${a50.toFixed(1)} / ${a95.toFixed(1)} | ${b50.toFixed(1)} / ${b95.toFixed(1)} | ${ratio(a50, b50)} / ${ratio(a95, b95)} |`);
}
{
  const f = (r) => r.infer.slice(WARM);
  const [a50, a95] = stat('tract', f);
  const [b50, b95] = stat('ort', f);
  console.log(`| inference per question, median / p95 ms (ours: featurise + run + rank + answer; ORT: tensors + run + rank) | ${a50.toFixed(3)} / ${a95.toFixed(3)} | ${b50.toFixed(3)} / ${b95.toFixed(3)} | ${ratio(a50, b50)} / ${ratio(a95, b95)} |`);
}
const heap = (kind, k) => Math.max(...mem[kind].map((r) => r.heap?.[k] ?? 0));
console.log(`| peak JS heap used in the worker, MiB (CDP Runtime.getHeapUsage, separate pass of 2 workers each) | ${mib(heap('tract', 'used'))} | ${mib(heap('ort', 'used'))} | ${(heap('ort', 'used') / heap('tract', 'used')).toFixed(2)} |`);
console.log(`| peak ArrayBuffer backing stores outside wasm memory (e.g. the fetched model), MiB | ${mib(heap('tract', 'backing'))} | ${mib(heap('ort', 'backing'))} | ${(heap('ort', 'backing') / heap('tract', 'backing')).toFixed(2)} |`);
const wasm = (kind) => Math.max(...mem[kind].map((r) => r.wasm));
console.log(`| wasm linear memory at the end (its peak: it only grows), MiB (ours: CDP queryObjects of WebAssembly.Memory; ORT: its memories recorded in the worker) | ${mib(wasm('tract'))} | ${mib(wasm('ort'))} | ${(wasm('ort') / wasm('tract')).toFixed(2)} |`);
console.log(`| peak worker memory: JS heap + wasm memory + ArrayBuffers, MiB | ${mib(heap('tract', 'used') + wasm('tract') + heap('tract', 'backing'))} | ${mib(heap('ort', 'used') + wasm('ort') + heap('ort', 'backing'))} | ${((heap('ort', 'used') + wasm('ort') + heap('ort', 'backing')) / (heap('tract', 'used') + wasm('tract') + heap('tract', 'backing'))).toFixed(2)} |`);
