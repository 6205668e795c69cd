// One service's logs, followed live in a panel until it is closed (which aborts the stream).
import { followLogs } from './api.js';
import { byId, h } from './dom.js';
import type { ServiceView } from './wire.js';

const maxLines = 1000;
let current: AbortController | undefined;

export function openLogs(s: ServiceView): void {
  current?.abort();
  const ac = new AbortController();
  current = ac;
  const panel = byId('logs');
  const out = byId('logs-lines');
  byId('logs-title').textContent = `Logs: ${s.name}`;
  out.replaceChildren();
  panel.hidden = false;
  const add = (text: string, cls = '') => {
    out.append(h('div', { class: cls }, text));
    while (out.childElementCount > maxLines) out.firstElementChild?.remove();
    out.scrollTop = out.scrollHeight;
  };
  followLogs(s.id, ac.signal, (r) =>
    r.error
      ? add(`${r.node ?? ''}: ${r.error.message}`, 'error')
      : add(`${s.name}.${r.slot ?? ''}@${r.node ?? ''} | ${r.line ?? ''}`, r.stream ?? ''),
  ).catch((e: Error) => {
    if (!ac.signal.aborted) add(e.message, 'error');
  });
}

export function closeLogs(): void {
  current?.abort();
  current = undefined;
  byId('logs').hidden = true;
}
