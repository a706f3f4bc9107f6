// A bank page that shows the assistant in an iframe from another origin and drives it over postMessage.
// (A file, not an inline script, so it runs under a strict Content-Security-Policy.)
const ASSISTANT_ORIGIN = 'https://assistant.bank.example';
const frame = document.getElementById('assistant');
let next = 0;
const waiting = new Map();

/** Sends a command; resolves when the widget replies, rejects with its error. */
export function command(command, ...args) {
  const id = `c${++next}`;
  frame.contentWindow.postMessage({ type: 'bank-assistant', command, args, id }, ASSISTANT_ORIGIN);
  return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
}

window.addEventListener('message', (e) => {
  // Only the assistant's frame, on its origin.
  if (e.origin !== ASSISTANT_ORIGIN || e.source !== frame.contentWindow || e.data?.type !== 'bank-assistant') return;
  const { id, ok, error, event, detail } = e.data;
  if (event) {
    document.dispatchEvent(new CustomEvent(`assistant:${event}`, { detail }));
  } else if (waiting.has(id)) {
    const { resolve, reject } = waiting.get(id);
    waiting.delete(id);
    ok ? resolve() : reject(new Error(error));
  }
});

// Example: a "Chat with us" link on the page opens the widget.
document.querySelector('[data-open-assistant]')?.addEventListener('click', (e) => {
  e.preventDefault();
  command('open').catch((err) => console.warn('assistant:', err.message));
});
