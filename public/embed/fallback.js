// The widget without WebAssembly: loaded by assistant.js only when the browser has no WebAssembly or the
// widget's wasm could not be loaded. A launcher, an accessible modal dialog, a conversation log and a
// composer, styled by the same stylesheet (same class names), answering every question through the
// bank's server (`POST /v1/chat`, docs/openapi.yaml) and saying so. Long digit runs and e-mail
// addresses are masked before anything is shown or sent, as the full widget does (its masking is
// stricter: Luhn and ID checksums; here any run of 7+ digits is masked, which errs on the safe side).
//
// Plain JS because it must run where wasm does not; small because it is only a safety net.

const TEXT = {
  en: {
    launcher: 'Chat with our assistant', title: 'Lakeside Bank assistant', close: 'Close chat',
    input: 'Your question', send: 'Send', log: 'Conversation',
    notice: 'Instant answers are not available on this device, so our server answers your questions.',
    masked: 'We hid personal numbers and e-mail addresses before sending your message.',
    failed: 'Sorry, we could not reach our server. Your message is still in the box: please try again.',
    thinking: 'Thinking…',
  },
  'zh-CN': {
    launcher: '在线客服', title: '湖畔银行智能助手', close: '关闭对话',
    input: '您的问题', send: '发送', log: '对话记录',
    notice: '本设备暂不支持即时回答，您的问题将由我们的服务器回答。',
    masked: '发送前，我们已隐藏您消息中的个人号码和电子邮箱。',
    failed: '抱歉，暂时无法连接服务器。您的消息仍在输入框中，请稍后再试。',
    thinking: '正在思考…',
  },
};

/** Masks e-mail addresses and runs of 7 or more digits (cards, IDs, phones, account numbers). */
export function mask(text) {
  return text
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[email]')
    .replace(/\d[\d\s-]{5,}\d[xX]?/g, (run) => (run.replace(/\D/g, '').length >= 7 ? `[number ••••${run.replace(/\D/g, '').slice(-4)}]` : run));
}

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};
const hex = (n) => [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, '0')).join('');

export function mount(container, config, emit) {
  let locale = config.locale?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  const t = () => TEXT[locale];
  const server = (config.server ?? '').replace(/\/$/, '');
  const conversation = `c-${hex(16)}`;

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
  const panel = el('section', { id: 'ba-panel', className: 'ba-panel', hidden: true },
    el('div', { className: 'ba-header' }, el('div', { className: 'ba-header-row' }, title, close)), log, status, form);
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-modal', 'true');
  panel.setAttribute('aria-labelledby', 'ba-title');
  root.append(launcher, panel);
  container.append(root);

  const label_ = () => {
    root.lang = locale;
    launcher.firstChild.textContent = t().launcher;
    title.textContent = t().title;
    close.setAttribute('aria-label', t().close);
    log.setAttribute('aria-label', t().log);
    label.textContent = t().input;
    send.textContent = t().send;
    status.firstChild.textContent = t().notice;
  };
  label_();

  const say = (author, text, route) => {
    const p = el('p', { className: `ba-message ba-${author === 'customer' ? 'customer' : 'assistant'}` }, el('span'));
    p.firstChild.textContent = text; // text, never markup
    if (route) p.dataset.route = route;
    log.append(p);
    log.scrollTop = log.scrollHeight;
    emit('message', { author, text, lang: locale, route: route ?? '', intent: null });
    return p;
  };

  const setOpen = (open) => {
    if (open === !panel.hidden) return;
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute('aria-expanded', String(open));
    requestAnimationFrame(() => (open ? input : launcher).focus());
    emit(open ? 'open' : 'close');
  };

  let busy = 0;
  const ask = async (raw) => {
    const text = raw.trim();
    if (!text) return;
    const masked = mask(text);
    say('customer', masked);
    if (masked !== text) say('assistant', t().masked, 'notice');
    busy++;
    status.firstChild.textContent = t().thinking;
    try {
      const r = await fetch(`${server}/v1/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ conversation_id: conversation, message_id: `m-${hex(16)}`, text: masked,
          locale, client_intents: [], text_size: root.dataset.elder === 'true' ? 'large' : 'normal' }),
      });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const reply = await r.json();
      say('assistant', reply.text, reply.source === 'kb' ? 'kb' : 'server');
      if (reply.offer_handoff) emit('handoff', { state: 'offered' });
    } catch (e) {
      error.textContent = t().failed;
      if (!input.value) input.value = raw; // nothing is lost
      emit('error', { code: 'server_unreachable', message: String(e?.message ?? e) });
    } finally {
      if (--busy === 0) status.firstChild.textContent = t().notice;
    }
  };

  launcher.addEventListener('click', () => setOpen(true));
  close.addEventListener('click', () => setOpen(false));
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
        case 'reset': log.replaceChildren(); break;
        default: return `unknown command ${JSON.stringify(name)}`;
      }
      return undefined;
    },
  };
}
