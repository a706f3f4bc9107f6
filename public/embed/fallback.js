// The widget without WebAssembly: loaded by assistant.js only when the browser has no WebAssembly or the
// widget's wasm could not be loaded. A launcher, an accessible modal dialog, a conversation log and a
// composer, styled by the same stylesheet (same class names), answering every question through the
// bank's server (`POST /v1/chat`, docs/openapi.yaml) and saying so. Long digit runs and e-mail
// addresses are masked before anything is shown or sent, as the full widget does (its masking is
// stricter: Luhn and ID checksums; here any run of 7+ digits is masked, which errs on the safe side).
//
// A customer can also be handed to a person (`POST /v1/handoff`, then the conversation's live events and
// messages), as in the full widget. Every request about the conversation carries its secret: the
// conversation is opened first (`POST /v1/conversations` with a random claim), and the secret that comes
// back goes in the `X-Conversation-Secret` header, never in a URL; the event stream, which `EventSource`
// opens without headers, takes a short-lived token instead. Ids and claims come from
// `crypto.getRandomValues`. The conversation, its claim and secret live in this page's memory only.
//
// Plain JS because it must run where wasm does not; small because it is only a safety net.

// The widget's words (src/platform/i18n.rs), written in by the build (`cargo xtask fingerprint`), and
// the few sentences only the fallback says.
const WORDS = /*__ASSISTANT_WORDS__*/ null;
const OWN = {
  en: {
    notice: 'Instant answers are not available on this device, so our server answers your questions.',
    failed: 'Sorry, we could not reach our server. Your message is still in the box: please try again.',
  },
  'zh-CN': {
    notice: '本设备暂不支持即时回答，您的问题将由我们的服务器回答。',
    failed: '抱歉，暂时无法连接服务器。您的消息仍在输入框中，请稍后再试。',
  },
};

/**
 * Masks what must not leave the browser, erring on the safe side (the full widget's masker in Rust is
 * stricter: Luhn and ID checksums; the server masks again with it): e-mail addresses (also with `＠`,
 * `(at)`/`[at]`, `(dot)`, non-ASCII parts); one-time codes, PINs, CVVs and passwords after their
 * keyword in English or Chinese; and any run of 7 or more digits in any script (cards, IDs, phones,
 * account numbers), with spaces, dashes, dots, slashes or underscores between the groups.
 */
export function mask(text) {
  const digits = (run) => run.replace(/\P{Nd}/gu, '');
  return text
    .replace(/[\p{L}\p{N}._%+-]+\s?(?:@|＠|[(\[]at[)\]])\s?[\p{L}\p{N}-]+(?:\s?(?:\.|．|[(\[]dot[)\]])\s?[\p{L}\p{N}-]+)+/gu, '[email]')
    .replace(
      /(验证码|動態碼|动态码|校验码|短信码|安全码|取款密码|登录密码|支付密码|密码|密碼|\b(?:otp|one[- ]time code|verification code|security code|code|pin|cvv|cvc|password|passcode|pwd)\b)((?:\s*(?:is|是|为|為|:|：|=))?\s*)(?=[^\s，。,;；]*[\p{Nd}])[^\s，。,;；]+/giu,
      '$1$2[secret]',
    )
    .replace(/\p{Nd}[\p{Nd} \t\-‐－_/.．]{5,}\p{Nd}[xX]?/gu, (run) => {
      const d = digits(run);
      return d.length >= 7 ? `[number ••••${d.slice(-4)}]` : run;
    });
}

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};
const hex = (n) => [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, '0')).join('');
/** A conversation not yet opened with the server: a 128-bit id and a 256-bit claim. */
const newConversation = () => ({ id: `c-${hex(16)}`, claim: hex(32), secret: null });
/** Answers worth asking again: timeouts, too many requests, server errors. */
const retryable = (status) => status === 408 || status === 429 || status >= 500;
const EVENT_TYPES = ['queue', 'status', 'message', 'typing'];

export function mount(container, config, emit) {
  let locale = config.locale?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  const t = () => ({ ...WORDS[locale], ...OWN[locale] });
  const server = (config.server ?? '').replace(/\/$/, '');
  let conversation = newConversation();

  const root = el('div', { className: 'ba-root' });
  root.dataset.textSize = config.textSize ?? 'standard';
  root.dataset.contrast = config.theme === 'high-contrast' ? 'more' : 'normal';
  root.dataset.elder = String(root.dataset.textSize !== 'standard');
  root.dataset.mode = 'fallback';
  const launcher = el('button', { className: 'ba-launcher', type: 'button' }, el('span'));
  launcher.setAttribute('aria-haspopup', 'dialog');
  launcher.setAttribute('aria-controls', 'ba-panel');
  const title = el('h2', { id: 'ba-title', className: 'ba-title' });
  const close = el('button', { className: 'ba-header-button ba-close', type: 'button' }, '✕');
  const log = el('div', { className: 'ba-log', tabIndex: 0 });
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  const status = el('div', { className: 'ba-status' }, el('span'));
  status.setAttribute('role', 'status');
  status.dataset.engine = 'fallback';
  const input = el('textarea', { id: 'ba-input', className: 'ba-input', rows: 2, maxLength: 2000 });
  const label = el('label', { htmlFor: 'ba-input', className: 'ba-visually-hidden' });
  const send = el('button', { className: 'ba-send', type: 'submit' });
  const error = el('span', { id: 'ba-error', className: 'ba-error' });
  error.setAttribute('role', 'alert');
  input.setAttribute('aria-describedby', 'ba-error');
  const form = el('form', { className: 'ba-composer' }, label, input, send, el('div', { className: 'ba-composer-meta' }, error));
  const endHandoff = el('button', { className: 'ba-cancel-handoff', type: 'button' });
  const handoffBar = el('div', { className: 'ba-handoff-bar', hidden: true }, endHandoff);
  const panel = el('section', { id: 'ba-panel', className: 'ba-panel', hidden: true },
    el('div', { className: 'ba-header' }, el('div', { className: 'ba-header-row' }, title, close)), log, status, handoffBar, form);
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-modal', 'true');
  panel.setAttribute('aria-labelledby', 'ba-title');
  root.append(launcher, panel);
  container.append(root);

  const label_ = () => {
    root.lang = locale;
    // The bank's name for its assistant where it gave one (data-title, data-title-zh), as the widget does.
    const name = ((locale === 'zh-CN' ? config.titleZh || config.title : config.title) ?? '').trim().slice(0, 60);
    launcher.firstChild.textContent = name || t().launcher;
    title.textContent = name || t().title;
    close.setAttribute('aria-label', t().close);
    log.setAttribute('aria-label', t().log_label);
    label.textContent = t().input_label;
    send.textContent = t().send;
    showStatus();
  };

  // The hand-off: null, or { state: 'requested' | 'queued' | 'active', position, agent }.
  let handoff = null;
  let busy = 0;
  const showStatus = () => {
    const h = handoff;
    status.firstChild.textContent = !h ? (busy ? t().thinking : t().notice)
      : h.state === 'active' ? t().chatting_with.replace('{agent}', h.agent)
      : h.state === 'queued' && h.position === 1 ? t().queue_soon
      : h.state === 'queued' && h.position ? t().queue_position.replace('{position}', h.position)
        .replace('{minutes}', Math.max(1, Math.ceil((h.wait ?? 0) / 60)))
      : t().requesting;
    handoffBar.hidden = !h;
    endHandoff.textContent = h?.state === 'active' ? t().end_chat : t().cancel_waiting;
  };
  const setHandoff = (h) => {
    handoff = h;
    showStatus();
    const detail = { state: h?.state ?? 'none' };
    if (h?.state === 'queued' && h.position) Object.assign(detail, { position: h.position, wait_seconds: h.wait });
    if (h?.state === 'active') detail.agent = h.agent;
    emit('handoff', detail);
  };
  label_();

  // The customer's and the assistant's lines, masked, for a hand-off (agent lines are the server's own).
  let transcript = [];
  const say = (author, text, route) => {
    const kind = author === 'customer' ? 'customer' : author === 'agent' ? 'assistant ba-agent' : 'assistant';
    const p = el('p', { className: `ba-message ba-${kind}` }, el('span'));
    p.firstChild.textContent = text; // text, never markup
    if (route) p.dataset.route = route;
    log.append(p);
    log.scrollTop = log.scrollHeight;
    if (author !== 'agent') transcript.push({ role: author, text });
    emit('message', { author, text, lang: locale, route: route ?? '', intent: null });
    return p;
  };

  // Requests about the conversation: one at a time, in order (a message never overtakes the hand-off it
  // belongs to), each after the conversation is opened, with its secret in the header.
  let chain = Promise.resolve();
  /** Opens `c` (once) and returns it with its secret; a 409 (the id is someone else's) moves the current
   * conversation to a new id and claim (nothing was sent under the old one), at most three times. */
  const open = async (c) => {
    for (let refused = 0; !c.secret;) {
      const r = await fetch(`${server}/v1/conversations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ conversation_id: c.id, claim: c.claim }),
      });
      if (r.ok) {
        const { secret } = await r.json();
        if (typeof secret !== 'string' || !secret) throw new Error('no secret');
        c.secret = secret;
      } else if (retryable(r.status) || ++refused > 3 || c !== conversation) {
        throw new Error(`HTTP ${r.status}`);
      } else {
        c = conversation = newConversation();
      }
    }
    return c;
  };
  /** POSTs `body(id)` to `path(id)` about conversation `c` (the current one when it is sent). */
  const post = (path, body, c) => {
    const run = async () => {
      const open_ = await open(c ?? conversation);
      return fetch(server + path(open_.id), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-conversation-secret': open_.secret },
        body: JSON.stringify(body(open_.id)),
      });
    };
    const sent = chain.then(run, run);
    chain = sent.catch(() => {});
    return sent;
  };

  // Live events while handed off: a stream token (with the secret), then an EventSource with it. When the
  // browser gives up on the stream (its token expired, or the server was down), a fresh token and the
  // stream again from the last event seen; while no token can be had, retries with backoff.
  let source = null;
  let lastEventId = null;
  let listening = 0; // bumped by listen() and stopListening(): older tokens and timers are dropped
  let failures = 0;
  const stopListening = () => { listening++; source?.close(); source = null; lastEventId = null; };
  const later = (run) => {
    const wait = Math.min(30_000, 1000 * 2 ** failures++) * (0.5 + Math.random() / 2);
    setTimeout(run, wait);
  };
  const listen = async (generation = ++listening) => {
    let token;
    try {
      const r = await post((id) => `/v1/conversations/${id}/stream-token`, () => ({}));
      if (generation !== listening) return;
      if (!r.ok && !retryable(r.status)) { // the conversation or its secret is gone
        stopListening();
        setHandoff(null);
        say('assistant', t().server_error, 'notice');
        return;
      }
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      token = (await r.json()).token;
    } catch {
      if (generation === listening) later(() => generation === listening && listen(generation));
      return;
    }
    if (generation !== listening) return;
    const query = `token=${encodeURIComponent(token)}${lastEventId ? `&last_event_id=${encodeURIComponent(lastEventId)}` : ''}`;
    const s = new EventSource(`${server}/v1/conversations/${conversation.id}/events?${query}`);
    source?.close();
    source = s;
    s.onopen = () => { failures = 0; };
    s.onerror = () => {
      if (s === source && s.readyState === EventSource.CLOSED) later(() => generation === listening && listen(generation));
    };
    for (const type of EVENT_TYPES) {
      s.addEventListener(type, (e) => {
        if (s !== source) return;
        if (e.lastEventId) lastEventId = e.lastEventId;
        try { onEvent(JSON.parse(e.data)); } catch { /* not an event we know */ }
      });
    }
  };
  const onEvent = (ev) => {
    if (!handoff) return;
    if (ev.type === 'queue' && handoff.state !== 'active') {
      setHandoff({ state: 'queued', position: ev.position, wait: ev.estimated_wait_s });
    } else if (ev.type === 'status' && ev.state === 'active') {
      const agent = ev.agent_name ?? t().an_agent;
      if (handoff.state !== 'active') say('assistant', t().agent_joined.replace('{agent}', agent), 'notice');
      setHandoff({ state: 'active', agent });
    } else if (ev.type === 'status' && ['closed', 'cancelled', 'abandoned'].includes(ev.state)) {
      stopListening();
      setHandoff(null);
      say('assistant', ev.state === 'abandoned' ? t().abandoned : t().agent_left, 'notice');
    } else if (ev.type === 'message' && ev.role === 'agent') {
      say('agent', mask(ev.text), 'agent'); // masked like everything shown: an agent may paste a number
    }
  };

  const requestHandoff = async () => {
    if (handoff) return;
    say('assistant', t().connecting, 'handoff');
    setHandoff({ state: 'requested' });
    const lines = transcript.slice(-200);
    try {
      const r = await post(() => '/v1/handoff', (id) => ({ conversation_id: id, reason: 'requested', locale,
        text_size: root.dataset.elder === 'true' ? 'large' : 'normal', transcript: lines }));
      const body = await r.json().catch(() => ({}));
      if (!r.ok) {
        setHandoff(null);
        say('assistant', body.error === 'outside_hours' ? t().closed_now : t().server_error, 'notice');
        return;
      }
      if (!handoff) return; // stopped waiting meanwhile
      if (handoff.state === 'requested') setHandoff({ state: 'queued', position: body.position, wait: body.estimated_wait_s });
      failures = 0;
      listen();
    } catch {
      setHandoff(null);
      say('assistant', t().server_error, 'notice');
    }
  };
  const cancelHandoff = (c = conversation) => {
    stopListening();
    setHandoff(null);
    post(() => '/v1/handoff/cancel', (id) => ({ conversation_id: id }), c).catch(() => {});
  };

  const setOpen = (open) => {
    if (open === !panel.hidden) return;
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute('aria-expanded', String(open));
    requestAnimationFrame(() => (open ? input : launcher).focus());
    emit(open ? 'open' : 'close');
  };

  const ask = async (raw) => {
    const text = raw.trim();
    if (!text) return;
    const masked = mask(text);
    say('customer', masked);
    if (masked !== text) say('assistant', t().masked_notice, 'notice');
    const messageId = `m-${hex(16)}`;
    busy++;
    showStatus();
    try {
      if (handoff) { // with a person, or waiting for one: the message goes to the team
        const r = await post((id) => `/v1/conversations/${id}/messages`, () => ({ message_id: messageId, text: masked }));
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return;
      }
      const r = await post(() => '/v1/chat', (id) => ({ conversation_id: id, message_id: messageId, text: masked,
        locale, client_intents: [], text_size: root.dataset.elder === 'true' ? 'large' : 'normal' }));
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const reply = await r.json();
      const p = say('assistant', reply.text, reply.source === 'kb' ? 'kb' : 'server');
      if (reply.offer_handoff) {
        emit('handoff', { state: 'offered' });
        const offer = el('button', { className: 'ba-offer', type: 'button' }, t().talk_to_person);
        offer.addEventListener('click', () => requestHandoff());
        p.append(offer);
      }
    } catch (e) {
      error.textContent = t().failed;
      if (!input.value) input.value = raw; // nothing is lost
      emit('error', { code: 'server_unreachable', message: String(e?.message ?? e) });
    } finally {
      busy--;
      showStatus();
    }
  };

  launcher.addEventListener('click', () => setOpen(true));
  close.addEventListener('click', () => setOpen(false));
  endHandoff.addEventListener('click', () => {
    cancelHandoff();
    say('assistant', t().back_to_assistant, 'notice');
    input.focus();
  });
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.preventDefault(); setOpen(false); return; }
    if (e.key !== 'Tab') return;
    const items = [close, input, send];
    const active = container.getRootNode().activeElement;
    if (e.shiftKey && active === items[0]) { e.preventDefault(); items.at(-1).focus(); }
    else if (!e.shiftKey && active === items.at(-1)) { e.preventDefault(); items[0].focus(); }
  });
  const submit = () => { const v = input.value; input.value = ''; error.textContent = ''; ask(v); };
  form.addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });

  return {
    command(name, arg) {
      switch (name) {
        case 'open': setOpen(true); break;
        case 'close': setOpen(false); break;
        case 'toggle': setOpen(panel.hidden); break;
        case 'locale':
          if (!/^(en|zh)/i.test(arg)) return `unsupported locale ${JSON.stringify(arg)} (use en or zh-CN)`;
          locale = /^zh/i.test(arg) ? 'zh-CN' : 'en';
          label_();
          break;
        case 'textSize':
          if (!['standard', 'large', 'larger', 'largest'].includes(arg)) return `unknown text size ${JSON.stringify(arg)}`;
          root.dataset.textSize = arg;
          root.dataset.elder = String(arg !== 'standard');
          break;
        case 'ask':
          if (String(arg).trim().length > 2000) return 'messages can be at most 2,000 characters';
          setOpen(true);
          ask(String(arg));
          break;
        case 'reset': // a new conversation: the old one's hand-off ends, and its secret is forgotten
          if (handoff) cancelHandoff(conversation);
          conversation = newConversation();
          transcript = [];
          log.replaceChildren();
          break;
        default: return `unknown command ${JSON.stringify(name)}`;
      }
      return undefined;
    },
  };
}
