// Lakeside assistant loader: the one tag a bank adds to its pages (docs/EMBEDDING.md).
//
//   <script type="module" src="/assistant/assistant.js" data-server="https://chat.bank.example"
//           data-locale="zh-CN" data-text-size="large" data-theme="high-contrast"></script>
//
// It defines <bank-assistant>, gives it an open shadow root (the page's CSS cannot reach the widget and
// the widget's CSS cannot leak out), puts the widget's stylesheet in it and shows the launcher button at
// once. The widget itself (Leptos JS + wasm, ~250 KB gzip; hashed names, Subresource Integrity, retried
// with backoff) is loaded after the page has loaded, when the browser is idle, or as soon as the customer
// reaches for the launcher or the page calls the API, whichever comes first (`data-load`); it then takes
// the launcher's place. This is the "facade" pattern Lighthouse recommends for chat widgets: the bank's
// page pays only for this file, the bridge and the stylesheet while it loads. It also owns the page's
// JS API (`window.BankAssistant` and the element's methods): calls made before the widget is ready are
// queued, events go to `on()` handlers and out as `bank-assistant:<event>` DOM events. Without
// WebAssembly, or when the widget cannot be loaded, a small plain-JS fallback (fallback.js) answers
// through the bank's server instead.
//
// Hand-written and kept small on purpose: it is the only file with a stable name (no hash), so it is
// the one the bank pins with an integrity attribute; everything it loads is pinned by the hashes the
// build writes below. Nothing here throws into the page: failures become console warnings and
// `error` events.

// Filled in by the build (`cargo xtask fingerprint`): hashed file names and their sha384 integrity.
const BUILD = /*__ASSISTANT_BUILD__*/ null;

const EVENTS = ['ready', 'open', 'close', 'message', 'handoff', 'error'];
const handlers = new Map(EVENTS.map((e) => [e, new Set()]));
let host = null;
let widget = null; // { command(name, arg) } once mounted (wasm or fallback)
let queue = [];
let identity = null;
let bridged = null; // the bridge module installing, once the loader has asked for it
let loadWidget = null; // starts loading the widget (once), after start() has shown the launcher

const warn = (...args) => console.warn('bank-assistant:', ...args);

function emit(name, detail = {}) {
  for (const h of handlers.get(name) ?? []) {
    try { h(detail); } catch (e) { warn(`an on('${name}') handler threw`, e); }
  }
  host?.dispatchEvent(new CustomEvent(`bank-assistant:${name}`, { detail, bubbles: true, composed: true }));
}

function command(name, arg) {
  if (!widget) { queue.push([name, arg]); loadWidget?.(); return; }
  let problem;
  try { problem = widget.command(name, arg); } catch (e) { problem = String(e?.message ?? e); }
  if (problem) { warn(problem); emit('error', { code: 'bad_call', message: problem }); }
}

// Looks like personal data rather than an opaque token: an e-mail address, spaces (a name), or only digits
// and separators (a phone, card or ID number). Random tokens (UUIDs, hex) often hold long digit runs, so
// those alone are not refused.
const looksPersonal = (t) => /@|\s/.test(t) || /^[\d+()./-]+[xX]?$/.test(t);

/** The page's API: `window.BankAssistant`, and the methods of the `<bank-assistant>` element. */
const api = Object.freeze({
  open: () => command('open'),
  close: () => command('close'),
  toggle: () => command('toggle'),
  setLocale: (tag) => command('locale', String(tag)),
  setTextSize: (size) => command('textSize', String(size)),
  /** The assistant's name (header and launcher); `nameZh` for Chinese (else `name` is used). */
  setTitle: (name, nameZh) => command('title', JSON.stringify({ title: name ?? null, titleZh: nameZh ?? null })),
  ask: (text) => command('ask', String(text ?? '')),
  reset: () => command('reset'),
  /** Counts of in-browser outcomes for the bank's insights (no text; docs/PRIVACY.md): `false` turns them off. */
  setTelemetry: (on) => command('telemetry', on === false ? 'off' : 'on'),
  /** An opaque token from the bank's own session (never a name, number or e-mail). */
  identify: ({ token } = {}) => {
    if (typeof token !== 'string' || token.length < 8 || token.length > 512 || looksPersonal(token)) {
      warn('identify() takes an opaque token only (8–512 characters, no personal data); ignored');
      return false;
    }
    identity = token;
    return true;
  },
  /** The token given to identify(), for the bank's own glue code (kept in memory only). */
  identity: () => identity,
  on: (event, handler) => {
    const set = handlers.get(event);
    if (!set || typeof handler !== 'function') { warn(`on(): unknown event ${event}`); return () => {}; }
    set.add(handler);
    return () => set.delete(handler);
  },
});

class BankAssistantElement extends HTMLElement {}
for (const name of Object.keys(api)) BankAssistantElement.prototype[name] = api[name];

/** `fetch`, retried with backoff and jitter (0.4 s, 0.8 s, 1.6 s); resolves to the response or throws. */
async function fetchRetry(path, integrity) {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fetch(new URL(path, import.meta.url), { integrity, credentials: 'same-origin' });
      if (r.ok) return r;
      if (r.status < 500 && r.status !== 408 && r.status !== 429) throw new Error(`${path}: HTTP ${r.status}`);
      throw Object.assign(new Error(`${path}: HTTP ${r.status}`), { retry: true });
    } catch (e) {
      if (attempt >= 3 || (e.retry !== true && !(e instanceof TypeError))) throw e;
      await new Promise((ok) => setTimeout(ok, 400 * 2 ** attempt * (0.75 + Math.random() / 2)));
    }
  }
}

/** Imports one of the build's hashed modules with its integrity checked (through modulepreload), retried. */
async function importPinned(name) {
  // Browsers without modulepreload (Safari < 17) would import unchecked: check the bytes first.
  const preload = document.createElement('link').relList?.supports?.('modulepreload');
  if (!preload) await fetchRetry(name, BUILD.integrity[name]);
  for (let attempt = 0; ; attempt++) {
    // A failed import stays failed for its URL, so each retry asks for a new one.
    const href = new URL(name + (attempt ? `?retry=${attempt}` : ''), import.meta.url).href;
    const link = Object.assign(document.createElement('link'), { rel: 'modulepreload', href });
    link.integrity = BUILD.integrity[name];
    link.crossOrigin = 'anonymous';
    document.head.append(link);
    try {
      return await import(href);
    } catch (e) {
      if (attempt >= 3) throw e;
      await new Promise((ok) => setTimeout(ok, 400 * 2 ** attempt * (0.75 + Math.random() / 2)));
    } finally {
      link.remove();
    }
  }
}

// Relative luminance and contrast (WCAG 2.2).
const lum = (rgb) => rgb.map((c) => c / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
  .reduce((s, c, i) => s + c * [0.2126, 0.7152, 0.0722][i], 0);
const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };

/** A brand colour (`--bank-assistant-brand`) that fails 4.5:1 against white text is darkened, with a warning. */
function checkBrand(container) {
  const wanted = getComputedStyle(host).getPropertyValue('--bank-assistant-brand').trim();
  if (!wanted) return;
  const probe = document.createElement('span');
  probe.style.setProperty('color', wanted);
  container.append(probe);
  const computed = getComputedStyle(probe).color;
  probe.remove();
  if (!/^rgba?\(/.test(computed)) {
    // oklch(), color(), lab() stay as written in the computed style; their contrast is not checked here.
    if (!CSS.supports('color', wanted)) warn(`--bank-assistant-brand: ${wanted} is not a colour; the default is used`);
    else warn(`--bank-assistant-brand: ${wanted} cannot be checked for contrast; check it has 4.5:1 with white text`);
    return;
  }
  let rgb = computed.match(/[\d.]+/g).slice(0, 3).map(Number);
  if (contrast(rgb, [255, 255, 255]) >= 4.5) return;
  while (contrast(rgb, [255, 255, 255]) < 4.5) rgb = rgb.map((c) => Math.floor(c * 0.92));
  const fixed = `rgb(${rgb.join(', ')})`;
  container.style.setProperty('--bank-assistant-brand', fixed);
  warn(`--bank-assistant-brand ${wanted} has less than 4.5:1 contrast with white text; using ${fixed}`);
}

/** The element to mount into: the page's own <bank-assistant>, else a new one at the end of the page. */
function hostElement(tag) {
  let el = document.querySelector('bank-assistant');
  if (!el) {
    el = document.createElement('bank-assistant');
    for (const [k, v] of Object.entries(tag?.dataset ?? {})) el.dataset[k] = v;
    // A transformed or filtered <body> would trap the widget's position: fixed; then mount beside it.
    const s = getComputedStyle(document.body ?? document.documentElement);
    const trapped = s.transform !== 'none' || s.filter !== 'none' || s.perspective !== 'none' || /paint|layout|strict|content/.test(s.contain);
    (trapped || !document.body ? document.documentElement : document.body).append(el);
  }
  if (!el.id) el.id = 'bank-assistant';
  return el;
}

/** This loader's own script tag (its `data-*` attributes are the settings). */
const ownTag = () => [...document.querySelectorAll('script[src]')].find((s) => s.src === import.meta.url.split('?')[0] || s.src === import.meta.url);

// The launcher's name, as the widget says it: written in by the build from src/platform/i18n.rs
// (`cargo xtask fingerprint`); the loader's own words, its icon (ui/app.rs), and the text-size steps of
// `assistant_core::display::TextSize`.
const WORDS = /*__ASSISTANT_WORDS__*/ null;
const LAUNCHER = { en: WORDS.en.launcher, zh: WORDS['zh-CN'].launcher };
const OPENING = { en: 'Opening the chat…', zh: '正在打开对话…' };
const ICON = 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z';
const SIZES = [['standard', 16], ['large', 20], ['larger', 24], ['largest', 30]];

/** A text size as the widget reads it (`TextSize::parse`): a step's name, "elder", or pixels; else null. */
function textSize(value) {
  const v = String(value ?? '').trim().toLowerCase();
  if (v === 'elder') return 'large';
  if (SIZES.some(([name]) => name === v)) return v;
  const px = v.replace(/px$/, '').trim();
  if (!/^\d+$/.test(px)) return null;
  return SIZES.filter(([, step]) => step <= Number(px)).pop()?.[0] ?? 'standard';
}

const stored = (key) => { try { return localStorage.getItem(key); } catch { return null; } };

/**
 * The launcher shown until the widget is loaded: the widget's own markup, classes, name, text size and
 * contrast (the customer's remembered choice first, as `prefs.rs` does), so the swap is invisible.
 */
function facade(data) {
  // As the widget decides (host.rs): the customer's remembered choice, the tag's, the page's, the browser's.
  const zh = /^zh([-_]|$)/i.test(stored('bank-assistant.locale') ?? data.locale ?? (document.documentElement.lang || navigator.language) ?? '');
  const size = textSize(stored('bank-assistant.text-size')) ?? textSize(data.textSize) ?? 'standard';
  const contrast = stored('bank-assistant.high-contrast');
  // Hidden until the stylesheet is in: an unstyled button would flash in the page's flow.
  const root = Object.assign(document.createElement('div'), { className: 'ba-root', lang: zh ? 'zh-CN' : 'en', hidden: true });
  Object.assign(root.dataset, { textSize: size, elder: String(size !== 'standard'),
    contrast: (contrast === null ? data.theme === 'high-contrast' : contrast === 'true') ? 'more' : 'normal' });
  const button = Object.assign(document.createElement('button'), { className: 'ba-launcher' });
  button.setAttribute('aria-haspopup', 'dialog');
  button.setAttribute('aria-expanded', 'false');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  for (const [k, v] of Object.entries({ class: 'ba-icon ba-launcher-icon', 'aria-hidden': 'true', viewBox: '0 0 24 24', width: 26, height: 26 })) svg.setAttribute(k, v);
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', ICON);
  svg.append(path);
  // The bank's name for its assistant where it gave one (as the widget shows it: host.rs, Chat::name).
  const name = ((zh ? data.titleZh || data.title : data.title) ?? '').trim().slice(0, 60);
  button.append(svg, Object.assign(document.createElement('span'), { textContent: name || (zh ? LAUNCHER.zh : LAUNCHER.en) }));
  // Screen readers seldom announce aria-busy on a button: a click before the widget is in says so here.
  const status = Object.assign(document.createElement('span'), { className: 'ba-visually-hidden' });
  status.setAttribute('role', 'status');
  status.dataset.opening = zh ? OPENING.zh : OPENING.en;
  root.append(button, status);
  return root;
}

/** Runs `fn` once the page has loaded and the browser is idle (shortly after load where there is no idle callback). */
function afterLoadIdle(fn) {
  const idle = () => (window.requestIdleCallback ? requestIdleCallback(fn, { timeout: 3000 }) : setTimeout(fn, 500));
  if (document.readyState === 'complete') idle();
  else window.addEventListener('load', idle, { once: true });
}

function start() {
  const tag = ownTag();
  host = hostElement(tag);
  const data = { ...(tag?.dataset ?? {}), ...host.dataset };
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const css = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: new URL(BUILD.css, import.meta.url).href });
  css.integrity = BUILD.integrity[BUILD.css];
  css.crossOrigin = 'anonymous';
  const container = document.createElement('div');
  const launcher = facade(data);
  container.append(launcher);
  root.append(css, container);
  css.addEventListener('load', () => { checkBrand(container); launcher.hidden = false; }, { once: true });
  css.addEventListener('error', () => { warn('the widget stylesheet could not be loaded'); launcher.hidden = false; }, { once: true });

  // Load the widget when the customer reaches for the launcher, when the page calls the API (`command`),
  // or after the page's load when the browser is idle: `data-load="idle"` (the default), "eager" (at once,
  // e.g. a WebView that opens the chat straight away) or "interaction" (never on idle). A browser asking
  // to save data (`Save-Data`) gets "interaction" too.
  const [button, status] = launcher.children;
  let loading = null;
  let clicked = null; // the queued `open` of a click on this launcher
  loadWidget = () => (loading ??= mountWidget(container, data, launcher).catch((e) => {
    // Not even the fallback could be loaded (offline?): the launcher stays, and the next try starts
    // afresh. The click's `open` goes: the chat must not pop open later, while the customer is elsewhere.
    loading = null;
    queue = queue.filter((call) => call !== clicked);
    button.removeAttribute('aria-busy');
    status.textContent = '';
    warn('could not load the widget:', e?.message ?? e);
    emit('error', { code: 'start_failed', message: String(e?.message ?? e) });
  }));
  for (const type of ['focus', 'pointerenter', 'touchstart']) button.addEventListener(type, loadWidget, { passive: true });
  // A click before the widget is there opens it as soon as it is: the call is queued like any other.
  button.addEventListener('click', () => {
    if (widget) return;
    button.setAttribute('aria-busy', 'true');
    status.textContent = status.dataset.opening;
    if (!queue.includes(clicked)) queue.push(clicked = ['open']);
    loadWidget();
  });
  const when = String(data.load ?? 'idle').trim().toLowerCase();
  if (!['idle', 'eager', 'interaction'].includes(when)) warn(`data-load="${when}" is not one of idle, eager, interaction; using idle`);
  if (when === 'eager') loadWidget();
  else if (when !== 'interaction' && !navigator.connection?.saveData) afterLoadIdle(loadWidget);
}

/** Loads the widget (wasm, else the plain-JS fallback), puts it in the launcher's place and replays the queue. */
async function mountWidget(container, data, launcher) {
  const config = { locale: data.locale, textSize: data.textSize, theme: data.theme, server: data.server ?? '',
    persist: data.persist, persistHours: data.persistHours, productLinks: data.productLinks,
    title: data.title, titleZh: data.titleZh, telemetry: data.telemetry };
  let mode = 'wasm';
  let mounted;
  try {
    if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available in this browser');
    const [glue, wasm] = await Promise.all([importPinned(BUILD.js), fetchRetry(BUILD.wasm, BUILD.integrity[BUILD.wasm])]);
    await glue.default({ module_or_path: await wasm.arrayBuffer() });
    const abs = (p) => p && new URL(p, import.meta.url).href;
    // The worker fetches these itself, each with its integrity (a `new Worker()` script cannot be pinned).
    const pinned = [BUILD.model, BUILD.meta, BUILD.answers, BUILD.products].filter((p) => p && BUILD.integrity[p]);
    const assets = JSON.stringify({ worker: abs(BUILD.worker), model: abs(BUILD.model), meta: abs(BUILD.meta),
      answers: abs(BUILD.answers), products: abs(BUILD.products),
      integrity: Object.fromEntries(pinned.map((p) => [abs(p), BUILD.integrity[p]])) });
    mounted = glue.mount(container, JSON.stringify(config), assets, (name, json) => emit(name, JSON.parse(json)));
  } catch (e) {
    mode = 'fallback';
    warn('the widget could not start here; answering through the server instead:', e?.message ?? e);
    const fallback = await importPinned(BUILD.fallback);
    [...container.children].filter((el) => el !== launcher).forEach((el) => el.remove());
    mounted = fallback.mount(container, config, emit);
    emit('error', { code: 'wasm_unavailable', message: String(e?.message ?? e) });
  }
  // The widget's own launcher takes the stand-in's place in the same frame; keyboard focus moves with it.
  const focused = launcher.contains(container.getRootNode().activeElement);
  launcher.remove();
  if (focused) container.querySelector('.ba-launcher')?.focus();
  // Calls keep queuing until the bridge is there too, so they run in the order they were made.
  await bridged;
  widget = mounted;
  const waiting = queue;
  queue = [];
  emit('ready', { mode });
  for (const [name, arg] of waiting) command(name, arg);
}

if (!customElements.get('bank-assistant')) {
  customElements.define('bank-assistant', BankAssistantElement);
  window.BankAssistant = api;
  // The bridge listens before `ready` is emitted, so an app host never misses it.
  bridged = BUILD?.bridge ? importPinned(BUILD.bridge).then((m) => {
    // Settings from this widget's own tag and element only, never from elsewhere in the page.
    const own = { ...(ownTag()?.dataset ?? {}), ...(document.querySelector('bank-assistant')?.dataset ?? {}) };
    m.installBridge(api, window, { origins: own.bridgeOrigins, backButton: own.backButton });
  }).catch((e) => warn('bridge:', e?.message ?? e)) : null;
  if (!BUILD) warn('this is the unbuilt loader; serve dist/ (cargo xtask dev)');
  else {
    try { start(); } catch (e) { warn('could not start:', e?.message ?? e); emit('error', { code: 'start_failed', message: String(e?.message ?? e) }); }
  }
}
