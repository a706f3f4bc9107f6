// The improvement loop of issue #17, end to end, as the bank's team would walk it: customers ask a
// question the widget cannot answer → the server lists it on /admin/unanswered, grouped → an admin
// assigns the group to an intent → exports the patch → a reviewer applies it to the knowledge base →
// the model is retrained → the retrained widget answers the same question in the browser.
//
// The retrain is `training/train.py --quick` (the knowledge base's own phrases, a few epochs, about half
// a minute): it checks that a reviewed patch reaches the browser's model, not how good that model is
// (`cargo xtask train` makes the committed one). It needs Python with training/requirements.txt:
// `cargo xtask test` makes a virtual environment and passes it as TRAINING_PYTHON, with ASSISTANT_CLI
// (the native featuriser) already built.
//
// "Rebuilding the widget" is done on a copy of dist/ with only the model changed: the new model and
// metadata get content-hashed names and the loader the new names and Subresource Integrity hashes, as
// `cargo xtask fingerprint` writes them (a full Trunk build would compile the same wasm again).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launch, openPage, openChat, ask, ADMIN } from './harness.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIST = process.env.DIST ?? join(ROOT, 'dist');
const QUESTIONS = ['where can i buy ski chalet vouchers', 'Where can I buy ski chalet vouchers?', 'buy ski chalet vouchers'];
const ZH = ['哪里可以买滑雪小屋代金券', '滑雪小屋代金券在哪买'];
let browser, work;
const servers = [];

before(async () => {
  browser = await launch();
  work = await mkdtemp(join(tmpdir(), 'assistant-loop-'));
});
after(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/// Signs in on /admin's form as the admin; returns the page (its cookie signs later requests).
async function signIn(url) {
  const page = await browser.newPage();
  await page.goto(url + 'admin');
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
  return page;
}

/// A copy of `dist` serving the model in `modelDir`: hashed names and SRI as the build writes them.
async function distWithModel(dist, modelDir, into) {
  await cp(dist, into, { recursive: true });
  let loader = await readFile(join(into, 'assistant.js'), 'utf8');
  let pins = await readFile(join(into, 'assistant.sri.json'), 'utf8');
  const published = JSON.parse(pins).files;
  for (const ext of ['onnx', 'json']) {
    const old = loader.match(new RegExp(`model/intent-model-[0-9a-f]{16}\\.${ext}`))[0];
    const bytes = await readFile(join(modelDir, `intent-model.${ext}`));
    const name = `model/intent-model-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.${ext}`;
    const sri = `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
    await writeFile(join(into, name), bytes);
    loader = loader.replaceAll(old, name).replaceAll(published[old], sri);
    pins = pins.replaceAll(old, name).replaceAll(published[old], sri);
    for (const stale of [old, `${old}.br`, `${old}.gz`]) await rm(join(into, stale), { force: true });
  }
  await writeFile(join(into, 'assistant.js'), loader);
  await writeFile(join(into, 'assistant.sri.json'), pins);
  // The precompressed loader would still be the old one.
  for (const stale of ['assistant.js.br', 'assistant.js.gz', 'assistant.sri.json.br', 'assistant.sri.json.gz']) {
    await rm(join(into, stale), { force: true });
  }
}

test('unanswered → grouped → assigned → exported patch → retrained → answered in the browser', { timeout: 600_000 }, async () => {
  // 1. Customers ask; the widget as shipped does not know it, and neither does the server.
  const before = await startServer();
  servers.push(before);
  const customer = await openPage(browser, before.url, { viewport: { width: 375, height: 812 } });
  await openChat(customer.page);
  for (const q of [...QUESTIONS, ...ZH]) {
    const reply = await ask(customer.page, q);
    assert.equal(await reply.getAttribute('data-route'), 'server', `"${q}" goes to the server, which is not sure`);
  }
  await customer.page.close();

  // 2. The admin sees them as one group and assigns it to contact_bank.
  const admin = await signIn(before.url);
  await admin.goto(before.url + 'admin/unanswered');
  const cluster = admin.locator('li', { hasText: QUESTIONS[0] }).first();
  await assert.doesNotReject(cluster.waitFor({ timeout: 5_000 }), 'the question is listed');
  assert.match(await cluster.innerText(), /asked 3 times/);
  await cluster.getByLabel('Assign to intent').selectOption('contact_bank');
  await cluster.getByRole('button', { name: /^Assign cluster/ }).click();
  await admin.waitForLoadState();
  assert.match(await admin.locator('body').innerText(), /training phrases of contact_bank/);
  const zhCluster = admin.locator('li', { hasText: ZH[0] }).first();
  await zhCluster.getByLabel('Assign to intent').selectOption('contact_bank');
  await zhCluster.getByRole('button', { name: /^Assign cluster/ }).click();
  await admin.waitForLoadState();

  // 3. The patch, reviewed and applied to a copy of the knowledge base.
  const patch = await (await admin.request.get(before.url + 'admin/unanswered/patch')).text();
  assert.match(patch, /\+\+\+ b\/public\/kb\/intents\/bank_services\.toml/);
  await cp(join(ROOT, 'public/kb'), join(work, 'public/kb'), { recursive: true });
  await writeFile(join(work, 'unanswered.patch'), patch);
  execFileSync('git', ['apply', 'unanswered.patch'], { cwd: work });
  const toml = await readFile(join(work, 'public/kb/intents/bank_services.toml'), 'utf8');
  assert.ok(toml.includes(`"${QUESTIONS[0]}"`), 'the question is now a training phrase');
  assert.ok(toml.includes(`"${ZH[0]}"`), 'the Chinese question too');
  await admin.close();

  // 4. Retrained on the patched knowledge base.
  const python = process.env.TRAINING_PYTHON ?? 'python3';
  execFileSync(python, [join(ROOT, 'training/train.py'), '--quick', '--kb', join(work, 'public/kb'),
    '--model-dir', join(work, 'model')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const meta = JSON.parse(await readFile(join(work, 'model/intent-model.json'), 'utf8'));
  assert.ok(meta.labels.includes('contact_bank'));

  // 5. The retrained widget answers the same question in the browser, with the bank's contact details.
  await distWithModel(DIST, join(work, 'model'), join(work, 'dist'));
  const after = await startServer({ staticDir: join(work, 'dist'), kbDir: join(work, 'public/kb') });
  servers.push(after);
  const again = await openPage(browser, after.url, { viewport: { width: 375, height: 812 } });
  await openChat(again.page);
  const reply = await ask(again.page, QUESTIONS[0]);
  assert.equal(await reply.getAttribute('data-route'), 'answer', 'answered in the browser');
  assert.equal(await reply.getAttribute('data-intent'), 'contact_bank');
  assert.match(await reply.innerText(), /\+44 20 7946 0000/);
  const zh = await ask(again.page, ZH[0]);
  assert.equal(await zh.getAttribute('data-route'), 'answer', 'the Chinese question too');
  assert.equal(await zh.getAttribute('data-intent'), 'contact_bank');
  assert.equal(await zh.getAttribute('lang'), 'zh-CN', 'answered in Chinese');
  assert.deepEqual(again.errors, [], 'no page errors (the loader accepted the new model\'s integrity)');
  await mkdir(new URL('./test-results/', import.meta.url), { recursive: true });
  await again.page.screenshot({ path: new URL('./test-results/loop-answered-375.png', import.meta.url).pathname });
  await again.page.close();
});
