// Tasks grouped by node, one column per node (as the Swarm visualizer), coloured by service and
// shaded by state; paged and filtered with the nodes table, so a page never holds 1,000 columns.
import { byId, h } from './dom.js';
import type { ClusterModel } from './model.js';
import { nodePager } from './nodes-view.js';

export function drawVisualizer(model: ClusterModel) {
  const nodes = [...model.nodes.values()].sort((a, b) => a.hostname.localeCompare(b.hostname));
  const { rows } = nodePager.slice(nodes);
  const perNode = model.tasksByNode();
  const names = [...model.services.values()].map((s) => s.name).sort();
  const cols = rows.map((n) => {
    const tasks = (perNode.get(n.id) ?? []).sort(
      (a, b) => a.serviceId.localeCompare(b.serviceId) || a.slot - b.slot,
    );
    return h(
      'div',
      { class: `viz-node ${n.state} ${n.availability}`, 'data-node': n.hostname },
      h('div', { class: 'viz-head' }, n.hostname, h('small', {}, ` ${n.availability}`)),
      ...tasks.map((t) => {
        const s = model.services.get(t.serviceId);
        const name = s?.name ?? t.serviceId.slice(0, 12);
        return h(
          'div',
          {
            class: `viz-task ${t.state} ${t.desiredState !== 'running' ? 'leaving' : ''}`,
            'data-task': t.id,
            'data-service': name,
            'data-state': t.state,
            style: `--hue:${(names.indexOf(name) * 67) % 360}`,
            title: `${name}.${t.slot || ''} ${t.state}${t.message ? `: ${t.message}` : ''}`,
          },
          `${name}${t.slot ? `.${t.slot}` : ''}`,
          h('small', {}, ` ${t.state}`),
        );
      }),
    );
  });
  byId('viz').replaceChildren(...cols);
}
