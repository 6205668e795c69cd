// `node ls` (MANAGER STATUS) and `node ps` through the CLI against a real manager (embedded etcd,
// CA, API, dispatcher, reconcilers) and simulated agents (real join and session, fake containers).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContextStore } from '../../../cli/contexts/index.js';
import { main } from '../../../cli/main.js';
import { freePort } from '../../../manager/etcd/index.js';
import { runManager, type RunningManager } from '../../../manager/main.js';
import { rootPrefix } from '../../../manager/store/index.js';
import { createLogger } from '../../../shared/log/index.js';
import { startSimAgent, waitFor, type SimAgent } from '../../harness/cluster/index.js';

process.env.FLOTILLA_LOG_LEVEL ??= 'warn';
const log = createLogger({ proc: 'test', level: process.env.FLOTILLA_LOG_LEVEL as 'warn' });

let dir: string;
let manager: RunningManager;
const agents: SimAgent[] = [];
/** A manager record of another (pretend) manager on 10.9.9.8: live as far as the list goes. */
const otherManagerKey = `${rootPrefix}managers/other-manager`;

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((out += c.toString()), true)) as never;
  process.stderr.write = ((c: string | Uint8Array) => ((out += c.toString()), true)) as never;
  try {
    return { code: await main(argv), out };
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-node-cmds-'));
  let port: number;
  do port = await freePort();
  while (port >= 65000);
  const address = `127.0.0.1:${port}`;
  const contexts = new ContextStore(join(dir, 'config'));
  manager = await runManager(
    {
      dataRoot: join(dir, 'manager'),
      execRoot: join(dir, 'run'),
      listenGrpc: address,
      advertiseAddr: '127.0.0.1',
      init: true,
      socket: false,
    },
    {
      onInitialized: ({ clusterId, clusterName, apiAddr, admin }) => {
        contexts.save({ name: clusterName, clusterId, managers: [apiAddr] }, admin);
        contexts.use(clusterName);
      },
    },
  );
  process.env.FLOTILLA_CONFIG = join(dir, 'config');
  await manager.components.etcd!.put(otherManagerKey).value(
    JSON.stringify({
      managerId: 'other-manager',
      apiAddr: '10.9.9.8:4243',
      grpcAddr: '10.9.9.8:4242',
    }),
  );
  const worker = manager.components.ca.joinToken('worker');
  const mgr = manager.components.ca.joinToken('manager');
  // Sim agents advertise 127.0.0.1 unless told otherwise: the leader's own machine.
  const nodes: { hostname: string; token: string; addr?: string }[] = [
    { hostname: 'alpha', token: worker },
    { hostname: 'beta', token: worker },
    { hostname: 'gamma', token: mgr },
    { hostname: 'delta', token: mgr, addr: '10.9.9.9' },
    { hostname: 'epsilon', token: mgr, addr: '10.9.9.8' },
  ];
  for (const n of nodes) {
    const description = n.addr ? { addr: n.addr } : undefined;
    agents.push(
      await startSimAgent({ address, token: n.token, hostname: n.hostname, log, description }),
    );
  }
  const store = manager.components.store;
  await waitFor(
    '5 ready nodes',
    () => store.list('node').filter((n) => n.status.state === 'ready').length === 5,
  );
}, 120_000);

afterAll(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  await manager?.components.etcd
    ?.delete()
    .key(otherManagerKey)
    .catch(() => undefined);
  await manager?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The MANAGER STATUS cell of a hostname's row in `node ls` (blank for workers). */
function managerStatus(table: string, hostname: string): string {
  const row = table.split('\n').find((l) => l.includes(` ${hostname} `));
  expect(row, `row of ${hostname}`).toBeDefined();
  const m = /\s(Leader|Reachable|Unreachable)\s/.exec(row!);
  return m ? m[1] : '';
}

describe('node ls', () => {
  it('fills MANAGER STATUS from the election and the live managers', async () => {
    const ls = await cli('node', 'ls');
    expect(ls.code).toBe(0);
    expect(ls.out).toContain('MANAGER STATUS');
    expect(managerStatus(ls.out, 'gamma')).toBe('Leader');
    expect(managerStatus(ls.out, 'epsilon')).toBe('Reachable');
    expect(managerStatus(ls.out, 'delta')).toBe('Unreachable');
    expect(managerStatus(ls.out, 'alpha')).toBe('');
    expect(managerStatus(ls.out, 'beta')).toBe('');
    const pretty = await cli('node', 'inspect', '--pretty', 'gamma');
    expect(pretty.out).toMatch(
      /Manager Status:\n Address:\t\t127\.0\.0\.1:\d+\n Raft Status:\t\tReachable\n Leader:\t\tYes/,
    );
  });
});

describe('node ps', () => {
  it('lists the tasks on the named nodes only', async () => {
    const created = await cli(
      'service',
      'create',
      '--name',
      'web',
      '--replicas',
      '10',
      '-d',
      'busybox:1',
    );
    expect(created.code).toBe(0);
    const store = manager.components.store;
    const alpha = store.list('node').find((n) => n.description.hostname === 'alpha')!;
    await waitFor(
      'web running',
      () => store.list('task').filter((t) => t.status.state === 'running').length === 10,
    );
    const onAlpha = store.list('task').filter((t) => t.nodeId === alpha.id);
    expect(onAlpha.length).toBeGreaterThan(0);

    const ps = await cli('node', 'ps', 'alpha');
    expect(ps.code).toBe(0);
    expect(ps.out).toMatch(/^ID +NAME +IMAGE +NODE +DESIRED STATE +CURRENT STATE +ERROR +PORTS/);
    const rows = ps.out.trim().split('\n').slice(1);
    expect(rows).toHaveLength(onAlpha.length);
    for (const r of rows) expect(r).toMatch(/web\.\d+ +busybox:1 +alpha +Running +Running /);

    const quiet = await cli('node', 'ps', '-q', alpha.id, 'beta');
    const ids = quiet.out.trim().split('\n');
    const expected = store
      .list('task')
      .filter(
        (t) =>
          t.nodeId === alpha.id || store.get('node', t.nodeId!)?.description.hostname === 'beta',
      );
    expect(ids.sort()).toEqual(expected.map((t) => t.id).sort());
  }, 120_000);

  it('refuses an unknown node with exit status 1 and an unknown filter with 125', async () => {
    const missing = await cli('node', 'ps', 'no-such-node');
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/Error: .*no-such-node/);
    const filter = await cli('node', 'ps', '--filter', 'label=x', 'alpha');
    expect(filter.code).toBe(125);
    expect(filter.out).toContain('invalid value "label=x" for flag --filter');
  });
});
