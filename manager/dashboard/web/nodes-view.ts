// The nodes table: state, availability, role, resources, tasks per node, and drain/activate.
import { act } from './api.js';
import { confirmAction } from './confirm.js';
import { byId, bytes, h } from './dom.js';
import type { ClusterModel } from './model.js';
import { Pager } from './pager.js';
import type { NodeView } from './wire.js';

export const nodePager = new Pager<NodeView>(
  50,
  (n) => `${n.hostname} ${n.addr} ${n.state} ${n.availability} ${n.role}`,
);

export function drawNodes(model: ClusterModel, redraw: () => void, notify: (m: string) => void) {
  const nodes = [...model.nodes.values()].sort((a, b) => a.hostname.localeCompare(b.hostname));
  const { rows, total, pages } = nodePager.slice(nodes);
  const perNode = model.tasksByNode();
  const body = rows.map((n) => {
    const tasks = (perNode.get(n.id) ?? []).filter((t) => t.desiredState === 'running').length;
    const next = n.availability === 'active' ? 'drain' : 'active';
    const toggle = async () => {
      const verb = next === 'drain' ? 'Drain' : 'Activate';
      const what =
        next === 'drain'
          ? `Drain ${n.hostname}? Its ${tasks} task(s) will be moved to other nodes.`
          : `Activate ${n.hostname}? It will take new tasks again.`;
      if (!(await confirmAction(what)).ok) return;
      const err = await act(`nodes/${encodeURIComponent(n.id)}/availability`, {
        availability: next,
      });
      notify(err ? `${verb} ${n.hostname}: ${err}` : `${verb} ${n.hostname}: done`);
    };
    return h(
      'tr',
      { 'data-node': n.hostname },
      h('td', {}, n.hostname, n.role === 'manager' ? h('span', { class: 'tag' }, 'manager') : null),
      h('td', { class: `state ${n.state}` }, n.state),
      h('td', { class: `avail ${n.availability}` }, n.availability),
      h('td', {}, n.addr),
      h('td', { class: 'num' }, (n.nanoCpus / 1e9).toFixed(1)),
      h('td', { class: 'num' }, bytes(n.memoryBytes)),
      h('td', { class: 'num tasks' }, tasks),
      h(
        'td',
        {},
        h(
          'button',
          { class: `action ${next}`, onclick: () => void toggle() },
          next === 'drain' ? 'Drain' : 'Activate',
        ),
      ),
    );
  });
  byId('nodes-body').replaceChildren(...body);
  byId('nodes-pager').replaceChildren(nodePager.controls(pages, total, redraw));
}
