// `flotilla service logs [-f] [--tail N] [-t] SERVICE`: the logs of every task of a service, each
// line prefixed `name.slot.taskid@node |`, merged by time (or as they come, with -f).
//
// Where logs come from: the manager's GET /services/:id/logs (NDJSON), which reads every task's
// container log from its agent over the session stream and merges them by time (or streams them
// with -f). A task whose node cannot be reached yields an error record, printed on stderr.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { FlotillaError, type ErrorBody } from '../../../shared/errors/index.js';
import type { Node, Service, Task } from '../../../shared/model/index.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';

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
        const tasks = await client.json<Task[]>({ path: '/tasks', query: { service: s.id } });
        const nodes = new Map(
          (await client.json<Node[]>({ path: '/nodes' })).map((n) => [n.id, n]),
        );
        const byId = new Map(tasks.map((t) => [t.id, t]));
        const width = Math.max(
          0,
          ...tasks.filter((t) => t.status.containerId).map((t) => taskPrefix(s, t, nodes).length),
        );
        const res = await client.stream({
          path: `/services/${encodeURIComponent(s.id)}/logs`,
          query: { follow: o.follow ? 'true' : undefined, tail: o.tail },
        });
        let lines = 0;
        const failed: string[] = [];
        for await (const raw of createInterface({ input: res, crlfDelay: Infinity })) {
          if (!raw) continue;
          const r = JSON.parse(raw) as LogRecord;
          const t = byId.get(r.taskId);
          const prefix = t
            ? taskPrefix(s, t, nodes)
            : `${s.spec.name}.${r.slot}.${r.taskId.slice(0, 12)}@${r.node}`;
          if (r.error) {
            failed.push(r.node);
            c.err.write(`error from node ${r.node}: ${r.error.message}\n`);
            continue;
          }
          lines++;
          const text = o.timestamps ? `${r.time} ${r.line}` : r.line;
          (r.stream === 'stderr' ? c.err : c.out).write(`${prefix.padEnd(width)} | ${text}\n`);
        }
        if (failed.length > 0 && lines === 0 && !o.follow)
          throw new FlotillaError('SERVICE_LOGS_UNAVAILABLE', {
            task: '',
            node: failed[0],
            reason: 'its agent is not connected to a manager',
          });
      },
    );
}

interface LogRecord {
  taskId: string;
  slot: number;
  node: string;
  stream?: 'stdout' | 'stderr';
  time: string;
  line: string;
  error?: ErrorBody;
}
