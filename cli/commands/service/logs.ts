// `flotilla service logs [-f] [--tail N] [-t] SERVICE`: the logs of every task of a service, each
// line prefixed `name.slot.taskid@node |`, merged by time (or as they come, with -f).
//
// Where logs come from: the manager has no path to an agent's container logs yet (the session
// stream carries assignments and status only), so the CLI reads each task's container from the
// agent it can reach (-H / FLOTILLA_HOST, the local one). Tasks on nodes it cannot reach are
// reported on stderr, one line per node. See docs/design/update.md.
import type { IncomingMessage } from 'node:http';
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Node, Service, Task } from '../../../shared/model/index.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';

interface LogLine {
  time: string;
  prefix: string;
  text: string;
  stream: 1 | 2;
}

/** Docker's multiplexed stream: 8-byte header (stream, 0, 0, 0, length BE) then the payload. */
export async function* demux(res: AsyncIterable<Buffer | string>): AsyncGenerator<[1 | 2, string]> {
  let buf = Buffer.alloc(0);
  const partial: Record<1 | 2, string> = { 1: '', 2: '' };
  for await (const chunk of res) {
    buf = Buffer.concat([buf, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    while (buf.length >= 8) {
      const len = buf.readUInt32BE(4);
      if (buf.length < 8 + len) break;
      const stream = buf[0] === 2 ? 2 : 1;
      const text = partial[stream] + buf.subarray(8, 8 + len).toString('utf8');
      buf = buf.subarray(8 + len);
      const lines = text.split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const l of lines) yield [stream, l];
    }
  }
  for (const s of [1, 2] as const) if (partial[s]) yield [s, partial[s]];
}

/** "web.1.abcdef123456@node-1" as docker prints it. */
export function taskPrefix(service: Service, t: Task, nodes: Map<string, Node>): string {
  const host = t.nodeId ? (nodes.get(t.nodeId)?.description.hostname ?? t.nodeId) : '';
  return `${service.spec.name}.${t.slot || t.nodeId}.${t.id.slice(0, 12)}@${host}`;
}

export function registerServiceLogs(service: Command, ctx: () => CliContext): void {
  service
    .command('logs')
    .description('Fetch the logs of a service')
    .argument('<service>')
    .option('-f, --follow', 'follow log output')
    .option('-n, --tail <n>', 'number of lines to show from the end of each task', 'all')
    .option('-t, --timestamps', 'show timestamps')
    .option('--no-task-ids', 'do not include task IDs in output')
    .action(
      async (
        ref: string,
        o: { follow?: boolean; tail: string; timestamps?: boolean; taskIds?: boolean },
      ) => {
        const c = ctx();
        const client = managerClient(c);
        const s = await client.json<Service>({ path: `/services/${encodeURIComponent(ref)}` });
        const tasks = (await client.json<Task[]>({ path: '/tasks', query: { service: s.id } }))
          .filter((t) => t.status.containerId)
          .sort((a, b) => a.slot - b.slot || a.createdAt.localeCompare(b.createdAt));
        const nodes = new Map(
          (await client.json<Node[]>({ path: '/nodes' })).map((n) => [n.id, n]),
        );
        const unreachable = new Map<string, string>();
        const width = Math.max(0, ...tasks.map((t) => taskPrefix(s, t, nodes).length));
        const collected: LogLine[] = [];
        const print = (l: LogLine) => {
          const text = o.timestamps ? `${l.time} ${l.text}` : l.text;
          (l.stream === 2 ? c.err : c.out).write(`${l.prefix.padEnd(width)} | ${text}\n`);
        };
        await Promise.all(
          tasks.map(async (t) => {
            let res: IncomingMessage;
            try {
              res = await c.agent().open({
                path: `/containers/${t.status.containerId}/logs`,
                query: { follow: o.follow ? 1 : 0, tail: o.tail, timestamps: 1 },
              });
            } catch (err) {
              const host = nodes.get(t.nodeId ?? '')?.description.hostname ?? t.nodeId ?? '?';
              unreachable.set(host, (err as Error).message);
              return;
            }
            const prefix = taskPrefix(s, t, nodes);
            for await (const [stream, raw] of demux(res)) {
              const i = raw.indexOf(' ');
              const line = { time: raw.slice(0, i), text: raw.slice(i + 1), prefix, stream };
              if (o.follow) print(line);
              else collected.push(line);
            }
          }),
        );
        collected.sort((a, b) => a.time.localeCompare(b.time));
        for (const l of collected) print(l);
        for (const [host, why] of unreachable)
          c.err.write(`error from node ${host}: logs not reachable from here (${why})\n`);
        if (tasks.length > 0 && unreachable.size > 0 && collected.length === 0 && !o.follow) {
          const t = tasks[0];
          throw new FlotillaError('SERVICE_LOGS_UNAVAILABLE', {
            task: t.id.slice(0, 12),
            node: nodes.get(t.nodeId ?? '')?.description.hostname ?? t.nodeId ?? '?',
            reason: 'not on the agent this CLI reaches',
          });
        }
      },
    );
}
