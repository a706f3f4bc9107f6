// The WebView and parent-frame bridge: the widget's JS API (`window.BankAssistant`) driven by a host
// that cannot call it directly, and its events sent back to that host.
//
// Why a module of its own, in plain JS: mobile app teams show the widget in an Android WebView, an iOS
// WKWebView or a React Native WebView, and websites sometimes show it in an iframe. Each host has its own
// way in and out of the page (postMessage between frames, an `@JavascriptInterface` object, a
// `WKScriptMessageHandler`, `ReactNativeWebView.postMessage`). This module speaks all of them with one
// message shape, so the widget's Rust code and its first-load size know nothing about them. No
// dependencies: it is small enough to read in one go, and a bank's security team will.
//
// Messages (the same shape on every channel; as objects, or as JSON text where a channel carries text):
//   command (host → widget):  {type: "bank-assistant", command: "open", args: [], id: "1"}
//   reply   (widget → host):  {type: "bank-assistant", id: "1", ok: true}  or  {…, ok: false, error: "…"}
//   event   (widget → host):  {type: "bank-assistant", event: "message", detail: {…}}
// Commands: open, close, toggle, setLocale(tag), setTextSize(size), identify({token}), ask(text), reset.
// Events: ready, open, close, message, handoff, error (details carry masked text only).
//
// Channels:
//   parent frame   window.postMessage; commands accepted only from allowed origins (`data-bridge-origins`
//                  on the script tag or <bank-assistant> element; default: this page's own origin), events
//                  posted to the parent with its origin as targetOrigin, never "*" unless listed.
//   Android        events to `window.BankAssistantAndroid.postMessage(json)` (an @JavascriptInterface
//                  object the app adds); commands via evaluateJavascript("BankAssistantBridge.receive(…)").
//   iOS            events to `window.webkit.messageHandlers.bankAssistant.postMessage(object)`; commands via
//                  evaluateJavaScript("BankAssistantBridge.receive(…)").
//   React Native   events to `window.ReactNativeWebView.postMessage(json)`; commands via
//                  injectJavaScript("BankAssistantBridge.receive(…)") or the WebView's postMessage (which
//                  react-native-webview dispatches as a `message` event on window or document).
// Back button: in a WebView (or when the host opts in with `data-back-button="history"`), opening the panel
// pushes one history entry and Back closes the panel; `BankAssistantBridge.back()` does the same on demand
// and says whether there was a panel to close.

export const TYPE = 'bank-assistant';

/** Commands and how many arguments each takes. */
export const COMMANDS = Object.freeze({
  open: 0, close: 0, toggle: 0, setLocale: 1, setTextSize: 1, identify: 1, ask: 1, reset: 0,
});

export const EVENTS = Object.freeze(['ready', 'open', 'close', 'message', 'handoff', 'error']);

/** Longest command accepted as JSON text (a question is at most 2,000 characters). */
const MAX_JSON = 20_000;

/**
 * Reads one command from a host: an object, or its JSON text. Returns `null` for messages that are not
 * commands for us (other scripts share postMessage, and our own replies and events come back in the same
 * window), `{id, error}` for a command of ours that is malformed, or `{id, command, args}`.
 */
export function parseCommand(data) {
  if (typeof data === 'string') {
    if (!data.includes(TYPE)) return null;
    if (data.length > MAX_JSON) return { id: null, error: `a command is at most ${MAX_JSON} characters of JSON` };
    try {
      data = JSON.parse(data);
    } catch {
      return { id: null, error: 'a command must be valid JSON' };
    }
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data) || data.type !== TYPE) return null;
  if (!('command' in data)) return null; // a reply or an event (ours, echoed back)
  const { id = null, command, args = [] } = data;
  if (!(id === null || (typeof id === 'string' && id.length <= 100) || Number.isFinite(id))) {
    return { id: null, error: 'id must be a string of at most 100 characters or a number' };
  }
  if (typeof command !== 'string' || !Object.hasOwn(COMMANDS, command)) {
    return { id, error: `unknown command ${JSON.stringify(String(command)).slice(0, 40)}; expected one of ${Object.keys(COMMANDS).join(', ')}` };
  }
  if (!Array.isArray(args)) return { id, error: 'args must be an array' };
  const arity = COMMANDS[command];
  if (args.length > arity) return { id, error: `${command} takes ${arity === 0 ? 'no arguments' : 'one argument'}` };
  if (arity === 1 && args.length === 0) return { id, error: `${command} needs an argument` };
  const [arg] = args;
  if (command === 'identify') {
    if (arg === null || typeof arg !== 'object' || Array.isArray(arg) || typeof arg.token !== 'string') {
      return { id, error: 'identify takes {token: "…"}' };
    }
  } else if (arity === 1 && typeof arg !== 'string') {
    return { id, error: `${command} takes a string` };
  }
  return { id, command, args };
}

/** The reply to a command. */
export function replyEnvelope(id, error) {
  return error ? { type: TYPE, id: id ?? null, ok: false, error: String(error) } : { type: TYPE, id: id ?? null, ok: true };
}

/** An event for the host. The detail is copied as plain JSON data (what every channel can carry). */
export function eventEnvelope(event, detail) {
  return { type: TYPE, event, detail: detail === undefined ? null : JSON.parse(JSON.stringify(detail)) };
}

/**
 * Allowed origins from a list or a space/comma-separated attribute value. An origin is exactly
 * `scheme://host[:port]`; anything else is reported in `invalid` (and ignored). `*` is allowed (any
 * origin) but should only be used for testing.
 */
export function parseOrigins(value) {
  const items = Array.isArray(value) ? value : String(value ?? '').split(/[\s,]+/);
  const origins = [];
  const invalid = [];
  for (const raw of items) {
    const item = String(raw).trim();
    if (!item) continue;
    let ok = item === '*';
    if (!ok) {
      try {
        const origin = new URL(item).origin;
        ok = origin === item && origin !== 'null';
      } catch { /* not a URL */ }
    }
    (ok ? origins : invalid).push(item);
  }
  return { origins, invalid };
}

export function originAllowed(origin, origins) {
  return typeof origin === 'string' && origin !== '' && origin !== 'null' && (origins.includes('*') || origins.includes(origin));
}

/** Where events go, given which hosts are present in `win`. Pure, so the choice can be tested. */
export function nativeChannels(win) {
  const channels = [];
  const android = win.BankAssistantAndroid;
  if (android && typeof android.postMessage === 'function') {
    channels.push({ name: 'android', send: (msg) => android.postMessage(JSON.stringify(msg)) });
  }
  const ios = win.webkit?.messageHandlers?.bankAssistant;
  if (ios && typeof ios.postMessage === 'function') {
    channels.push({ name: 'ios', send: (msg) => ios.postMessage(msg) });
  }
  const rn = win.ReactNativeWebView;
  if (rn && typeof rn.postMessage === 'function') {
    channels.push({ name: 'react-native', send: (msg) => rn.postMessage(JSON.stringify(msg)) });
  }
  return channels;
}

/** The host's settings from the script tag or the <bank-assistant> element (`data-bridge-origins`, `data-back-button`). */
function readOptions(win) {
  const attr = (name) => win.document?.querySelector?.(`[${name}]`)?.getAttribute(name) ?? undefined;
  return { origins: attr('data-bridge-origins'), backButton: attr('data-back-button') };
}

/** The parent frame's origin, where the browser tells us (Chromium, WebKit), else from the referrer. */
function parentOrigin(win) {
  const ancestors = win.location?.ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0];
  try {
    return win.document?.referrer ? new URL(win.document.referrer).origin : undefined;
  } catch {
    return undefined;
  }
}

const warn = (...args) => globalThis.console?.warn('bank-assistant bridge:', ...args);

/**
 * Connects `api` (the widget's JS API: methods + `on(event, handler)`) to every host channel present.
 * `options.origins`: allowed parent-frame origins (array or attribute text); `options.backButton`:
 * "history" (Back closes the panel), "none", or unset (on in a WebView, off on a website).
 * Returns `{receive, back, uninstall}`; `receive` and `back` are also `window.BankAssistantBridge`'s.
 */
export function installBridge(api, win = window, options = readOptions(win)) {
  const parsed = parseOrigins(options.origins ?? win.location?.origin ?? '');
  if (parsed.invalid.length) warn('ignored invalid origins in data-bridge-origins:', parsed.invalid.join(' '));
  if (parsed.origins.includes('*')) warn('data-bridge-origins="*" lets any site drive the widget; list origins instead');
  const origins = parsed.origins;
  const native = nativeChannels(win);
  const inFrame = !!win.parent && win.parent !== win;
  let frameOrigin = parentOrigin(win);
  const cleanups = [];
  let open = false;

  // Events go to the parent frame when its origin is allowed, and to every native host present.
  const toParent = (msg) => {
    if (!inFrame) return;
    const target = origins.includes('*') ? '*' : originAllowed(frameOrigin, origins) ? frameOrigin
      : origins.length === 1 && frameOrigin === undefined ? origins[0] : undefined;
    if (target) win.parent.postMessage(msg, target);
  };
  const toNative = (msg) => {
    for (const channel of native) {
      try {
        channel.send(msg);
      } catch (e) {
        warn(`the ${channel.name} host refused a message:`, e);
      }
    }
  };
  for (const event of EVENTS) {
    const off = api.on(event, (detail) => {
      if (event === 'open') open = true;
      if (event === 'close') open = false;
      const msg = eventEnvelope(event, detail);
      toParent(msg);
      toNative(msg);
    });
    if (typeof off === 'function') cleanups.push(off);
  }

  /**
   * Runs a parsed command on the API; resolves to the reply. The API reports a refused call by throwing,
   * by an `error` event emitted during the call (it never throws into the page), or by returning false
   * (identify); all three become `ok: false` with the reason.
   */
  async function run(cmd) {
    if (cmd.error) return replyEnvelope(cmd.id, cmd.error);
    let failed;
    const off = api.on('error', (detail) => { failed ??= detail?.message ?? detail?.code ?? 'failed'; });
    let result;
    try {
      result = api[cmd.command](...cmd.args);
    } catch (e) {
      failed ??= e?.message ?? String(e);
    } finally {
      if (typeof off === 'function') off();
    }
    if (!failed) {
      try {
        result = await result;
      } catch (e) {
        failed = e?.message ?? String(e);
      }
    }
    if (!failed && result === false) failed = `${cmd.command} was refused (see the console)`;
    return replyEnvelope(cmd.id, failed);
  }

  /** A command from native code (evaluateJavascript / injectJavaScript); the reply goes back the same way. */
  async function receive(message) {
    const cmd = parseCommand(message) ?? { id: null, error: 'not a bank-assistant command' };
    const reply = await run(cmd);
    toNative(reply);
    return reply;
  }

  // postMessage: from the parent frame (checked against the allowed origins), or, in React Native, the
  // WebView's own postMessage, which arrives as a script-made event with no source and no origin. Such an
  // event could come from any script on this page, which can call the API directly anyway, so it is
  // accepted only where a native host is present and gives nothing extra.
  const seen = new WeakSet();
  const onMessage = async (ev) => {
    if (seen.has(ev)) return;
    seen.add(ev);
    const cmd = parseCommand(ev.data);
    if (!cmd) return;
    const fromNative = !ev.source && !ev.origin && native.length > 0;
    if (fromNative) {
      toNative(await run(cmd));
      return;
    }
    if (!ev.source || !originAllowed(ev.origin, origins)) {
      warn(`ignored a command from ${ev.origin || 'an unknown origin'} (not in data-bridge-origins)`);
      return;
    }
    if (ev.source === win.parent) frameOrigin = ev.origin;
    const reply = await run(cmd);
    try {
      ev.source.postMessage(reply, ev.origin);
    } catch { /* the sender is gone (frame removed) or is not a window */ }
  };
  win.addEventListener('message', onMessage);
  cleanups.push(() => win.removeEventListener('message', onMessage));
  if (native.length && win.document?.addEventListener) {
    // react-native-webview on Android dispatches on document, on iOS on window.
    win.document.addEventListener('message', onMessage);
    cleanups.push(() => win.document.removeEventListener('message', onMessage));
  }

  /** Back pressed in the app: closes the panel if it is open. Returns whether it did. */
  function back() {
    if (!open) return false;
    api.close();
    return true;
  }

  const backMode = options.backButton ?? (native.length ? 'history' : 'none');
  if (backMode === 'history') cleanups.push(installBackButton(api, win));

  const bridge = Object.freeze({ receive, back, version: 1 });
  win.BankAssistantBridge = bridge;
  cleanups.push(() => { if (win.BankAssistantBridge === bridge) delete win.BankAssistantBridge; });
  return { receive, back, uninstall: () => cleanups.splice(0).reverse().forEach((f) => f()) };
}

/**
 * Back closes the panel: opening it pushes one history entry (same URL), Back pops it and closes the
 * panel, and closing it another way takes the entry off again, so the host's history is left as it was.
 * Returns the uninstaller.
 */
export function installBackButton(api, win = window) {
  let pushed = false;
  const offOpen = api.on('open', () => {
    if (pushed) return;
    win.history.pushState({ bankAssistant: 'open' }, '');
    pushed = true;
  });
  const offClose = api.on('close', () => {
    if (!pushed) return;
    pushed = false;
    if (win.history.state?.bankAssistant === 'open') win.history.back();
  });
  const onPop = () => {
    if (!pushed) return;
    pushed = false;
    api.close();
  };
  win.addEventListener('popstate', onPop);
  return () => {
    win.removeEventListener('popstate', onPop);
    if (typeof offOpen === 'function') offOpen();
    if (typeof offClose === 'function') offClose();
  };
}
