// The manager side of the dashboard benchmark, in its own process so that its CPU time is its
// own: a real manager (embedded etcd, CA, API, dispatcher, reconcilers, dashboard). Protocol on
// stdio, one JSON per line:
//   out {"ready":true,"address","apiAddr","token","admin":{ca,cert,key}}
//   in "service <replicas>"               out {"running":<n>} once every replica runs
//   in "window <sec> <churn>"             out {"window":{cpuSec,...}}: the manager's CPU over SEC
//                                         seconds while the service is scaled up by CHURN and back
//                                         down every 5 s (tasks start and stop: the feed has work)
//   in "exit"
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../manager/etcd/index.js';
import { runManager } from '../../manager/main.js';
import { serviceSpecFixture } from '../../manager/store/fixtures.js';
import { newId } from '../../manager/store/index.js';
import type { Service, ServiceSpec } from '../../shared/model/index.js';

process.env.FLOTILLA_LOG_LEVEL ??= 'warn';

// Every replica at once, no monitoring window: the churn is what the feed has to follow.
const spec = (replicas: number): ServiceSpec => {
  const s = serviceSpecFixture('bench');
  const update = { ...s.updateConfig, parallelism: 0, monitorNs: 0 };
  return {
    ...s,
    mode: { replicated: { replicas } },
    taskTemplate: {
      ...s.taskTemplate,
      containerSpec: { ...s.taskTemplate.containerSpec, image: 'busybox:latest' },
    },
    updateConfig: update,
    rollbackConfig: update,
  };
};

const dir = await mkdtemp(join(tmpdir(), 'flotilla-dash-bench-'));
let port = await freePort();
while (port > 65000) port = await freePort();
const address = `127.0.0.1:${port}`;
let admin: { ca: string; cert: string; key: string } | undefined;
const manager = await runManager(
  {
    dataRoot: join(dir, 'manager'),
    execRoot: join(dir, 'run'),
    listenGrpc: address,
    advertiseAddr: '127.0.0.1',
    init: true,
    socket: false,
    defaultAddrPool: '10.128.0.0/9',
    apiJoinRatePerMinute: 0,
  },
  {
    onInitialized: (i) => {
      admin = { ca: i.admin.caCertPem, cert: i.admin.certPem, key: i.admin.keyPem };
    },
  },
);
const store = manager.components.store;
process.once('SIGTERM', () => void manager.stop().finally(() => process.exit(1)));
const say = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
say({
  ready: true,
  address,
  apiAddr: manager.components.config.listenApi,
  token: manager.components.ca.joinToken('worker'),
  admin,
});

const serviceId = newId();
const running = () =>
  store
    .list('task')
    .filter((t) => t.serviceId === serviceId && t.desiredState === 'running')
    .filter((t) => t.status.state === 'running').length;

async function setReplicas(n: number): Promise<void> {
  await store.update((tx) => {
    const now = new Date().toISOString();
    const cur = tx.get('service', serviceId);
    if (!cur) {
      const s: Service = {
        id: serviceId,
        version: 1,
        createdAt: now,
        updatedAt: now,
        spec: spec(n),
      };
      tx.create('service', s);
    } else
      tx.update('service', { ...cur, version: cur.version + 1, updatedAt: now, spec: spec(n) });
  });
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 200));
}

async function window(sec: number, churn: number) {
  const base = (store.get('service', serviceId)!.spec.mode as { replicated: { replicas: number } })
    .replicated.replicas;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let up = false;
  let changes = 0;
  const churner = setInterval(() => {
    up = !up;
    changes += 1;
    void setReplicas(up ? base + churn : base);
  }, 5000);
  await new Promise((r) => setTimeout(r, sec * 1000));
  clearInterval(churner);
  const cpu = process.cpuUsage(cpu0);
  const wallSec = (performance.now() - t0) / 1000;
  await setReplicas(base);
  await until(() => running() === base);
  return {
    wallSec: Math.round(wallSec * 10) / 10,
    cpuSec: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    scaleChanges: changes,
  };
}

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, a, b] = line.trim().split(/\s+/);
  if (cmd === 'service') {
    await setReplicas(Number(a));
    await until(() => running() === Number(a));
    say({ running: running() });
  }
  if (cmd === 'window') say({ window: await window(Number(a), Number(b)) });
  if (cmd === 'exit') break;
}
await manager.stop();
await rm(dir, { recursive: true, force: true });
process.exit(0);
