// ps, top, port, stats, events, logs.
import type { Command } from 'commander';
import type { ContainerStats, ContainerSummary } from '../../../shared/engine/index.js';
import { formatBinaryBytes, formatBytes } from '../../../shared/units/index.js';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { renderJsonLines, renderTable } from '../../render/table.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { filterKeys, formatPs } from './ps-format.js';
import { formatRows } from '../../format/render.js';
import { ContextStore } from '../../contexts/index.js';
import { streamClusterEvents } from './cluster-events.js';

import { parseDurationMs } from '../../../shared/units/index.js';

function parseSince(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (!Number.isNaN(t)) return t / 1000;
  return Date.now() / 1000 - parseDurationMs(v, '--since') / 1000;
}

/** An integer flag value; anything else is a flag error (125), as pflag's. */
function parseIntFlag(v: string, flag: string): number {
  if (!/^-?\d+$/.test(v.trim()))
    throw new FlotillaError('INVALID_FLAG_VALUE', { flag, value: v, reason: 'not an integer' });
  return Number(v);
}

/** Docker's column names for `stats --format 'table …'` (formatter/stats.go). */
const statsHeaders: Record<string, string> = {
  Container: 'CONTAINER',
  ID: 'CONTAINER ID',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

export function registerQueryCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('ps')
    .description('List containers')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('-q, --quiet', 'only display container IDs')
    .option('-f, --filter <filter>', 'filter output based on conditions provided', collect)
    .option('--format <format>', "'table', 'json' or a Go template ({{.Names}})")
    .option('--no-trunc', "don't truncate output")
    .option('-n, --last <n>', 'show n last created containers (includes all states)', (v) =>
      parseIntFlag(v, '--last'),
    )
    .option('-l, --latest', 'show the latest created container (includes all states)')
    .option('-s, --size', 'display total file sizes')
    .action(
      async (o: {
        all?: boolean;
        quiet?: boolean;
        filter?: string[];
        format?: string;
        trunc: boolean;
        last?: number;
        latest?: boolean;
        size?: boolean;
      }) => {
        const c = ctx();
        const filters: Record<string, string[]> = {};
        for (const f of o.filter ?? []) {
          const [k, v = ''] = f.split(/=(.*)/);
          if (!filterKeys.includes(k)) throw new FlotillaError('INVALID_FILTER', { filter: k });
          (filters[k] ??= []).push(v);
        }
        // Docker: -l is -n 1; a limit lists every state. The agent filters, limits and sizes
        // (agent/api/queries/containers.ts), as for the docker CLI.
        const last = o.latest && (o.last === undefined || o.last < 0) ? 1 : o.last;
        const list = await c.agent().json<ContainerSummary[]>({
          path: '/containers/json',
          query: {
            all: o.all ? 1 : undefined,
            limit: last !== undefined && last > 0 ? last : undefined,
            // Docker sizes too when the template reads .Size.
            size: o.size || /\.Size\b/.test(o.format ?? '') ? 1 : undefined,
            filters: o.filter?.length ? JSON.stringify(filters) : undefined,
          },
        });
        c.out.write(
          formatPs(list, { format: o.format, trunc: o.trunc, quiet: o.quiet, size: o.size }),
        );
      },
    );

  program
    .command('top')
    .description('Display the running processes of a container')
    .argument('<container>')
    .argument('[ps-options...]', "the host ps's options (default -ef), as docker top")
    // `top C -o pid,comm`: everything after the container is ps's, not this command's.
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (id: string, psArgs: string[] = []) => {
      const c = ctx();
      const q = psArgs.length ? `?ps_args=${encodeURIComponent(psArgs.join(' '))}` : '';
      const r = await c
        .agent()
        .json<{ Titles: string[]; Processes: string[][] }>({ path: `/containers/${id}/top${q}` });
      c.out.write(renderTable(r.Titles, r.Processes));
    });

  program
    .command('port')
    .description('List port mappings or a specific mapping for the container')
    .argument('<container>')
    .argument('[private-port]')
    .action(async (id: string, priv?: string) => {
      const c = ctx();
      const d = await c.agent().json<{
        NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[]> };
      }>({ path: `/containers/${id}/json` });
      for (const [k, binds] of Object.entries(d.NetworkSettings.Ports ?? {})) {
        if (priv && k !== priv && k !== `${priv}/tcp`) continue;
        for (const b of binds ?? [])
          c.out.write(priv ? `${b.HostIp}:${b.HostPort}\n` : `${k} -> ${b.HostIp}:${b.HostPort}\n`);
      }
    });

  program
    .command('stats')
    .description('Display a live stream of container(s) resource usage statistics')
    .argument('[container...]')
    .option('--no-stream', 'disable streaming stats and only pull the first result')
    .option('--format <format>', "'table', 'json' or a Go template ({{.Name}} {{.CPUPerc}})")
    .action(async (ids: string[], o: { stream: boolean; format?: string }) => {
      const c = ctx();
      formatRows(o.format, []);
      const agent = c.agent();
      const targets = ids.length
        ? ids
        : (await agent.json<ContainerSummary[]>({ path: '/containers/json' })).map((s) => s.id);
      const statsRow = (s: ContainerStats) => ({
        ID: s.id.slice(0, 12),
        Container: s.id.slice(0, 12),
        Name: s.name,
        CPUPerc: `${s.cpuPercent.toFixed(2)}%`,
        MemUsage: `${formatBinaryBytes(s.memoryUsageBytes)} / ${formatBinaryBytes(s.memoryLimitBytes)}`,
        MemPerc: `${s.memoryLimitBytes ? ((100 * s.memoryUsageBytes) / s.memoryLimitBytes).toFixed(2) : '0.00'}%`,
        MemBytes: s.memoryUsageBytes,
        PIDs: s.pids,
        NetIO: `${formatBytes(s.netRxBytes)} / ${formatBytes(s.netTxBytes)}`,
        BlockIO: `${formatBytes(s.blkReadBytes)} / ${formatBytes(s.blkWriteBytes)}`,
      });
      const render = (all: ContainerStats[]) =>
        formatRows(o.format, all.map(statsRow), statsHeaders) ??
        (o.format === 'json'
          ? renderJsonLines(
              all.map((s) => {
                const { Container: _c, MemPerc: _m, ...r } = statsRow(s);
                return r;
              }),
            )
          : renderTable(
              [
                'CONTAINER ID',
                'NAME',
                'CPU %',
                'MEM USAGE / LIMIT',
                'MEM %',
                'NET I/O',
                'BLOCK I/O',
                'PIDS',
              ],
              all.map((s) => [
                s.id.slice(0, 12),
                s.name,
                `${s.cpuPercent.toFixed(2)}%`,
                `${formatBinaryBytes(s.memoryUsageBytes)} / ${formatBinaryBytes(s.memoryLimitBytes)}`,
                `${s.memoryLimitBytes ? ((100 * s.memoryUsageBytes) / s.memoryLimitBytes).toFixed(2) : '0.00'}%`,
                `${formatBytes(s.netRxBytes)} / ${formatBytes(s.netTxBytes)}`,
                `${formatBytes(s.blkReadBytes)} / ${formatBytes(s.blkWriteBytes)}`,
                s.pids,
              ]),
            ));
      for (;;) {
        const all = await Promise.all(
          targets.map((id) =>
            agent.json<ContainerStats>({ path: `/containers/${id}/stats`, query: { stream: 0 } }),
          ),
        );
        if (!o.stream) return void c.out.write(render(all));
        c.out.write(`\x1b[2J\x1b[H${render(all)}`);
        // Docker refreshes once a second; the agent measures CPU % since the previous read.
        await new Promise((r) => setTimeout(r, 1000));
      }
    });

  program
    .command('events')
    .description(
      'Get real time events: the cluster’s from a manager (with a cluster context and no -H), ' +
        'else the agent’s',
    )
    .option('--format <format>', "'json' for one JSON document per line, or a Go template")
    .option(
      '-f, --filter <filter>',
      'filter output: cluster type=, event=, service=, node=, scope=; agent type=, event=, ' +
        'container=, image=, volume=, network=, label=, scope=',
      collect,
    )
    .option('--since <time>', 'show events since a timestamp or relative (e.g. 10m)')
    .option('--until <time>', 'stream events until a timestamp or relative')
    .action(async (o: { format?: string; filter?: string[]; since?: string; until?: string }) => {
      const c = ctx();
      formatRows(o.format, []);
      if (!c.hostGiven && (c.contextName || new ContextStore().current()))
        return streamClusterEvents(c, {
          since: parseSince(o.since),
          until: parseSince(o.until),
          filter: o.filter,
          format: o.format,
        });
      return streamClusterEvents(
        c,
        {
          since: parseSince(o.since),
          until: parseSince(o.until),
          filter: o.filter,
          format: o.format,
        },
        'agent',
      );
    });

  program
    .command('logs')
    .description('Fetch the logs of a container')
    .argument('<container>')
    .option('-f, --follow', 'follow log output')
    .option('-n, --tail <n>', 'number of lines to show from the end of the logs', 'all')
    .option(
      '--since <t>',
      'show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)',
    )
    .option('--until <t>', 'show logs before a timestamp or relative')
    .option('-t, --timestamps', 'show timestamps')
    .option('--details', 'show extra details provided to logs (--log-opt labels, env, tag)')
    .action(
      async (
        id: string,
        o: {
          follow?: boolean;
          tail: string;
          since?: string;
          until?: string;
          timestamps?: boolean;
          details?: boolean;
        },
      ) => {
        const c = ctx();
        const res = await c.agent().open({
          path: `/containers/${id}/logs`,
          query: {
            follow: o.follow ? 1 : 0,
            tail: o.tail,
            since: parseSince(o.since),
            until: parseSince(o.until),
            timestamps: o.timestamps ? 1 : 0,
            details: o.details ? 1 : undefined,
          },
        });
        let buf = Buffer.alloc(0);
        for await (const chunk of res) {
          buf = Buffer.concat([buf, chunk as Buffer]);
          while (buf.length >= 8) {
            const len = buf.readUInt32BE(4);
            if (buf.length < 8 + len) break;
            (buf[0] === 2 ? c.err : c.out).write(buf.subarray(8, 8 + len));
            buf = buf.subarray(8 + len);
          }
        }
      },
    );
}
