// The services table: mode, replicas running/desired, image, ports, update status with progress,
// and scale / rollback / logs.
import { act } from './api.js';
import { confirmAction } from './confirm.js';
import { byId, h } from './dom.js';
import type { ClusterModel } from './model.js';
import { Pager } from './pager.js';
import type { ServiceView } from './wire.js';

export const servicePager = new Pager<ServiceView>(50, (s) => `${s.name} ${s.image}`);

export function drawServices(
  model: ClusterModel,
  redraw: () => void,
  notify: (m: string) => void,
  openLogs: (s: ServiceView) => void,
) {
  const services = [...model.services.values()].sort((a, b) => a.name.localeCompare(b.name));
  const { rows, total, pages } = servicePager.slice(services);
  const body = rows.map((s) => {
    const r = model.replicas(s);
    const scale = async () => {
      const c = await confirmAction(`Scale ${s.name} to how many replicas?`, {
        number: s.replicas ?? 0,
      });
      if (!c.ok || c.number === undefined || !Number.isInteger(c.number) || c.number < 0) return;
      const err = await act(`services/${encodeURIComponent(s.id)}/scale`, {
        replicas: c.number,
        version: s.version,
      });
      notify(err ? `scale ${s.name}: ${err}` : `${s.name} scaled to ${c.number}`);
    };
    const rollback = async () => {
      if (!(await confirmAction(`Roll ${s.name} back to its previous spec?`)).ok) return;
      const err = await act(`services/${encodeURIComponent(s.id)}/rollback`, {
        version: s.version,
      });
      notify(err ? `rollback ${s.name}: ${err}` : `${s.name}: rollback started`);
    };
    return h(
      'tr',
      { 'data-service': s.name },
      h('td', {}, s.name),
      h('td', {}, s.mode),
      h('td', { class: 'num replicas' }, `${r.running}/${r.desired}`),
      h('td', { class: 'image' }, s.image),
      h('td', {}, s.ports.map((p) => `${p.published ?? '*'}→${p.target}/${p.protocol}`).join(' ')),
      h('td', {}, updateCell(s, r.current, r.desired)),
      h(
        'td',
        { class: 'actions' },
        s.mode === 'replicated' &&
          h('button', { class: 'action scale', onclick: () => void scale() }, 'Scale'),
        s.canRollback &&
          h('button', { class: 'action rollback', onclick: () => void rollback() }, 'Rollback'),
        h('button', { class: 'action logs', onclick: () => openLogs(s) }, 'Logs'),
      ),
    );
  });
  byId('services-body').replaceChildren(...body);
  byId('services-pager').replaceChildren(servicePager.controls(pages, total, redraw));
}

/** The update's state and, while one runs, how many replicas run the new version. */
function updateCell(s: ServiceView, current: number, desired: number): HTMLElement | string {
  if (!s.update) return '';
  const running = s.update.state.endsWith('updating') || s.update.state.endsWith('started');
  return h(
    'span',
    { class: `update ${s.update.state}`, title: s.update.message },
    s.update.state,
    running && h('progress', { max: Math.max(desired, 1), value: current }),
    running && ` ${current}/${desired}`,
  );
}
