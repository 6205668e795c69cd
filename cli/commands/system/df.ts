// `system df [-v] [--format]`: the engine's disk usage from GET /system/df (Docker's document),
// summed as the docker CLI sums it: active images have containers, active containers run, active
// volumes are mounted; reclaimable is what the inactive ones hold.
import type { Command } from 'commander';
import { formatBytes } from '../../../shared/units/index.js';
import type { CliContext } from '../../context.js';
import { renderJsonLines, renderTable } from '../../render/table.js';
import { formatRows } from '../../format/render.js';

interface DiskUsage {
  LayersSize: number;
  Images: {
    Id: string;
    RepoTags?: string[];
    Created?: number;
    Size?: number;
    SharedSize: number;
    Containers: number;
  }[];
  Containers: {
    Id: string;
    Names: string[];
    Image: string;
    Command: string;
    Created: number;
    State: string;
    Status: string;
    SizeRw: number;
  }[];
  Volumes: { Name: string; UsageData: { Size: number; RefCount: number } }[];
  BuildCache: unknown[];
}

const size = (n: number) => formatBytes(n, 4);
const share = (part: number, total: number) =>
  total > 0 ? `${size(part)} (${Math.floor((part * 100) / total)}%)` : size(part);
const running = (state: string) =>
  state === 'running' || state === 'paused' || state === 'restarting';

/** The four summary rows, as Docker names their fields for --format. */
export function summaryRows(d: DiskUsage): Record<string, string | number>[] {
  const usedByImages = d.Images.filter((i) => i.Containers > 0).reduce(
    (n, i) => n + (i.Size ?? 0) - i.SharedSize,
    0,
  );
  const ctrSize = d.Containers.reduce((n, c) => n + c.SizeRw, 0);
  const idleCtrSize = d.Containers.filter((c) => !running(c.State)).reduce(
    (n, c) => n + c.SizeRw,
    0,
  );
  const volSize = d.Volumes.reduce((n, v) => n + Math.max(0, v.UsageData.Size), 0);
  const idleVolSize = d.Volumes.filter((v) => v.UsageData.RefCount === 0).reduce(
    (n, v) => n + Math.max(0, v.UsageData.Size),
    0,
  );
  return [
    {
      Type: 'Images',
      TotalCount: d.Images.length,
      Active: d.Images.filter((i) => i.Containers > 0).length,
      Size: size(d.LayersSize),
      Reclaimable: share(Math.max(0, d.LayersSize - usedByImages), d.LayersSize),
    },
    {
      Type: 'Containers',
      TotalCount: d.Containers.length,
      Active: d.Containers.filter((c) => running(c.State)).length,
      Size: size(ctrSize),
      Reclaimable: share(idleCtrSize, ctrSize),
    },
    {
      Type: 'Local Volumes',
      TotalCount: d.Volumes.length,
      Active: d.Volumes.filter((v) => v.UsageData.RefCount > 0).length,
      Size: size(volSize),
      Reclaimable: share(idleVolSize, volSize),
    },
    { Type: 'Build Cache', TotalCount: 0, Active: 0, Size: size(0), Reclaimable: size(0) },
  ];
}

function verbose(d: DiskUsage): string {
  const repoTag = (t?: string) => {
    const i = t ? t.lastIndexOf(':') : -1;
    return t && i > 0 ? [t.slice(0, i), t.slice(i + 1)] : ['<none>', '<none>'];
  };
  const images = renderTable(
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'],
    d.Images.map((i) => [
      ...repoTag(i.RepoTags?.[0]),
      i.Id.replace(/^sha256:/, '').slice(0, 12),
      size(i.Size ?? 0),
      size(i.SharedSize),
      size((i.Size ?? 0) - i.SharedSize),
      i.Containers,
    ]),
  );
  const containers = renderTable(
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'SIZE', 'STATUS', 'NAMES'],
    d.Containers.map((c) => [
      c.Id.slice(0, 12),
      c.Image,
      JSON.stringify(c.Command.length > 20 ? `${c.Command.slice(0, 19)}…` : c.Command),
      size(c.SizeRw),
      c.Status,
      c.Names.map((n) => n.replace(/^\//, '')).join(','),
    ]),
  );
  const volumes = renderTable(
    ['VOLUME NAME', 'LINKS', 'SIZE'],
    d.Volumes.map((v) => [v.Name, v.UsageData.RefCount, size(Math.max(0, v.UsageData.Size))]),
  );
  return (
    `Images space usage:\n\n${images}\n` +
    `Containers space usage:\n\n${containers}\n` +
    `Local Volumes space usage:\n\n${volumes}\n` +
    `Build cache usage: 0B\n`
  );
}

export function registerDiskUsageCommand(system: Command, ctx: () => CliContext): void {
  system
    .command('df')
    .description('Show engine disk usage')
    .option('-v, --verbose', 'show detailed information on space usage')
    .option('--format <format>', "'json' or a Go template ({{.Type}} {{.Size}})")
    .action(async (o: { verbose?: boolean; format?: string }) => {
      const c = ctx();
      const d = await c.agent().json<DiskUsage>({ path: '/system/df' });
      if (o.verbose) return void c.out.write(verbose(d));
      const rows = summaryRows(d);
      const templated = formatRows(o.format, rows, { TotalCount: 'TOTAL' });
      if (templated !== undefined) return void c.out.write(templated);
      if (o.format === 'json') return void c.out.write(renderJsonLines(rows));
      c.out.write(
        renderTable(
          ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'],
          rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable]),
          { minWidth: 10 },
        ),
      );
    });
}
