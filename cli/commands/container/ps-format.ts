// `ps` filters (Docker's keys, shared/engine/container-filters.ts) and output formats as Docker's,
// and --format table (default), json, or a Go-style template ({{.Names}}, "table {{.ID}}\t…").
import {
  containerFilterKeys,
  filterContainers,
  matchContainer,
  type ContainerSummary,
} from '../../../shared/engine/index.js';
import { formatBytes } from '../../../shared/units/index.js';
import { renderJsonLines, renderTable } from '../../render/table.js';
import { formatRows } from '../../format/render.js';
import { structType } from '../../format/go-template/index.js';

export function portsText(s: ContainerSummary): string {
  return s.ports
    .map((p) => `${p.hostIp || '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.protocol}`)
    .join(', ');
}

function ago(iso: string, now: number): string {
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.round(s / 60)} minutes ago`;
  return `${Math.round(s / 3600)} hours ago`;
}

/** One `-f key=value` (shared/engine/container-filters.ts has Docker's keys). */
export function matchFilter(
  s: ContainerSummary,
  f: string,
  all: ContainerSummary[] = [s],
): boolean {
  const [k, v = ''] = f.split(/=(.*)/);
  return matchContainer(s, k, v, all);
}

export const filterKeys: readonly string[] = containerFilterKeys;

/** Docker: filters on different keys must all match; several values of one key match any. */
export function applyFilters(
  list: ContainerSummary[],
  filters: string[],
  all: ContainerSummary[] = list,
): ContainerSummary[] {
  const byKey = new Map<string, string[]>();
  for (const f of filters) {
    const [k, v = ''] = f.split(/=(.*)/);
    byKey.set(k, [...(byKey.get(k) ?? []), v]);
  }
  return filterContainers(list, byKey, all);
}

/** The fields `--format` templates and `--format json` see (Docker's names). */
export function psRow(s: ContainerSummary, trunc: boolean, now = Date.now()) {
  return {
    ID: trunc ? s.id.slice(0, 12) : s.id,
    Image: s.image,
    Command: JSON.stringify(
      trunc && s.command.length > 20 ? `${s.command.slice(0, 19)}…` : s.command,
    ),
    CreatedAt: s.createdAt,
    RunningFor: ago(s.createdAt, now),
    State: s.state,
    Status: s.status,
    Ports: portsText(s),
    Names: s.name,
    Labels: Object.entries(s.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Mounts: (s.mounts ?? []).join(','),
    Networks: (s.networks ?? []).join(','),
    Size: sizeText(s),
  };
}

/** Docker's SIZE column: "2B (virtual 4.86MB)", or the writable layer alone when no image size. */
export function sizeText(s: ContainerSummary): string {
  const rw = formatBytes(s.sizeRw ?? 0);
  return s.sizeRootFs ? `${rw} (virtual ${formatBytes(s.sizeRootFs)})` : rw;
}

/** A row as a Go struct for templates: Docker's ContainerContext, with its `Label` method. */
function psContext(s: ContainerSummary, row: ReturnType<typeof psRow>) {
  return {
    ...row,
    Label: (name: string) => s.labels[name] ?? '',
    [structType]: '*formatter.ContainerContext',
  };
}

/** Docker's column names for `ps --format 'table …'` (formatter/container.go). */
const psHeaders: Record<string, string> = {
  ID: 'CONTAINER ID',
  RunningFor: 'CREATED',
  CreatedAt: 'CREATED AT',
};

export function formatPs(
  list: ContainerSummary[],
  o: { format?: string; trunc?: boolean; quiet?: boolean; size?: boolean; now?: number },
): string {
  const trunc = o.trunc ?? true;
  const rows = list.map((s) => psRow(s, trunc, o.now));
  if (o.quiet) return rows.map((r) => `${r.ID}\n`).join('');
  const fmt = o.format ?? 'table';
  if (fmt === 'json')
    return renderJsonLines(
      list.map((s, i) => ({ ...rows[i], Command: s.command, Labels: s.labels })),
    );
  if (fmt === 'table')
    return renderTable(
      [
        'CONTAINER ID',
        'IMAGE',
        'COMMAND',
        'CREATED',
        'STATUS',
        'PORTS',
        'NAMES',
        ...(o.size ? ['SIZE'] : []),
      ],
      rows.map((r) => [
        r.ID,
        r.Image,
        r.Command,
        r.RunningFor,
        r.Status,
        r.Ports,
        r.Names,
        ...(o.size ? [r.Size] : []),
      ]),
    );
  return formatRows(
    fmt,
    list.map((s, i) => psContext(s, rows[i])),
    psHeaders,
  ) as string;
}
