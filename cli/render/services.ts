// Shared columns of the service commands, as docker prints them.
import { renderTableOr } from '../format/render.js';
import type { Node, PortConfig, Service, Task } from '../../shared/model/index.js';
import { renderJsonLines } from './table.js';

export type ServiceListItem = Service & {
  serviceStatus?: { runningTasks: number; desiredTasks: number };
};

export function shortId(id: string): string {
  return id.slice(0, 12);
}

export function modeOf(s: Service): string {
  return 'global' in s.spec.mode ? 'global' : 'replicated';
}

export function replicasOf(s: ServiceListItem): string {
  const st = s.serviceStatus ?? { runningTasks: 0, desiredTasks: 0 };
  const max = s.spec.taskTemplate.placement.maxReplicasPerNode;
  // An update in progress or stopped short shows beside the count (docker shows it in inspect only).
  const u = s.updateStatus;
  const update = u && u.state !== 'completed' ? ` (${u.state.replace('_', ' ')})` : '';
  return `${st.runningTasks}/${st.desiredTasks}` + (max ? ` (max ${max} per node)` : '') + update;
}

export function portsOf(ports: PortConfig[]): string {
  return ports
    .map((p) =>
      p.mode === 'host'
        ? `${p.published ?? ''}:${p.target}/${p.protocol}`
        : `*:${p.published ?? ''}->${p.target}/${p.protocol}`,
    )
    .join(', ');
}

/** "Running 5 minutes ago", docker's CURRENT STATE. */
export function stateSince(state: string, since: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  const ago =
    s < 1
      ? 'Less than a second'
      : s < 60
        ? `${s} second${s === 1 ? '' : 's'}`
        : s < 3600
          ? `${Math.round(s / 60)} minute${Math.round(s / 60) === 1 ? '' : 's'}`
          : s < 86400
            ? `${Math.round(s / 3600)} hour${Math.round(s / 3600) === 1 ? '' : 's'}`
            : `${Math.round(s / 86400)} days`;
  return `${state[0].toUpperCase()}${state.slice(1)} ${ago} ago`;
}

/**
 * service ps rows: newest task per slot first, older ones prefixed with \_ as docker does. Like
 * docker, the image's pinned digest is shown only with --no-trunc (and full task ids).
 */
export function taskRows(
  tasks: Task[],
  services: Map<string, Service>,
  nodes: Map<string, Node>,
  o: { noTrunc?: boolean } = {},
) {
  const groups = new Map<string, Task[]>();
  for (const t of tasks) {
    const k = `${t.serviceId}/${t.slot || t.nodeId}`;
    groups.set(k, [...(groups.get(k) ?? []), t]);
  }
  const rows: string[][] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    group.forEach((t, i) => {
      const svc = services.get(t.serviceId);
      const base = `${svc?.spec.name ?? t.serviceId}.${t.slot || t.nodeId || ''}`;
      const err = t.status.err ?? (t.status.state === 'pending' ? (t.pendingReason ?? '') : '');
      const image = t.spec.containerSpec.image;
      rows.push([
        o.noTrunc ? t.id : shortId(t.id),
        i === 0 ? base : ` \\_ ${base}`,
        o.noTrunc ? image : image.replace(/@sha256:[a-f0-9]{64}$/, ''),
        t.nodeId ? (nodes.get(t.nodeId)?.description.hostname ?? t.nodeId) : '',
        cap(t.desiredState),
        stateSince(t.status.state, t.status.timestamp),
        err ? `"${err}"` : '',
        portsOf(t.status.ports ?? []),
      ]);
    });
  }
  return rows;
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

/** `service ls` and `stack services`: IDs (-q), JSON lines (--format json) or Docker's table. */
export function renderServiceList(
  list: ServiceListItem[],
  o: { quiet?: boolean; format?: string },
): string {
  if (o.quiet) return list.map((s) => `${s.id}\n`).join('');
  if (o.format === 'json') return renderJsonLines(list);
  return renderTableOr(
    o.format,
    ['ID', 'Name', 'Mode', 'Replicas', 'Image', 'Ports'],
    ['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS'],
    list.map((s) => [
      shortId(s.id),
      s.spec.name,
      modeOf(s),
      replicasOf(s),
      s.spec.taskTemplate.containerSpec.image,
      portsOf(s.endpoint?.ports ?? s.spec.endpointSpec.ports),
    ]),
  );
}
