// Endpoint-change propagation at cluster scale, SIMULATED in one process: the manager's real
// OverlayRounds over an in-memory store with BENCH_NODES nodes and BENCH_TASKS running tasks on one
// overlay network, and one fake session per node. Each session serialises what it is sent with the
// real Session serializer (the proto), deserialises it as its agent would, and applies the change
// to its node's copy of the network (endpoint by address, O(change)). Measured per change: from
// the store write that stops a task (desired state shutdown) to the moment every node has applied
// it. Not measured: gRPC transport, the agents' kernel work (bench.ts and vip-throughput.ts do
// that part), several processes. Prints one JSON document.
import { loadDispatcherProto } from '../../proto/index.js';
import type { ManagerMessage } from '../../proto/index.js';
import { OverlayRounds } from '../../manager/dispatcher/overlay-rounds.js';
import type { AgentSession } from '../../manager/dispatcher/session.js';
import { InMemoryObjectStore } from '../../manager/store/index.js';
import {
  nodeFixture,
  serviceFixture,
  serviceSpecFixture,
  taskFixture,
} from '../../manager/store/fixtures.js';
import { silentLogger } from '../../shared/log/index.js';
import type { Network, Task } from '../../shared/model/index.js';

const nodes = Number(process.env.BENCH_NODES ?? 1000);
const tasks = Number(process.env.BENCH_TASKS ?? 10_000);
const services = Number(process.env.BENCH_SERVICES ?? 100);
const changes = Number(process.env.BENCH_CHANGES ?? 50);

const t0 = '2026-01-01T00:00:00.000Z';
const net: Network = {
  id: 'bench-net',
  version: 1,
  createdAt: t0,
  updatedAt: t0,
  spec: {
    name: 'big',
    driver: 'overlay',
    labels: {},
    internal: false,
    attachable: false,
    encrypted: false,
    driverOpts: {},
  },
  subnet: '10.100.0.0/16',
  gateway: '10.100.0.1',
  vni: 4096,
};
const addr = (i: number) => `10.100.${(i >> 8) & 255}.${i & 255}`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1));
};

type Endpoint = { address: string; serving?: boolean };
type Change = {
  networkId: string;
  upsertEndpoints?: Endpoint[];
  removedEndpoints?: string[];
  set?: unknown;
  removed?: boolean;
};

async function main() {
  const store = new InMemoryObjectStore();
  const nodeDocs = Array.from({ length: nodes }, (_, i) =>
    nodeFixture({
      id: `node${i}`,
      description: { ...nodeFixture().description, addr: `192.0.${i >> 8}.${i & 255}` },
    }),
  );
  const svcDocs = Array.from({ length: services }, (_, s) => {
    const spec = serviceSpecFixture(`s_svc${s}`);
    spec.taskTemplate.networks = [{ target: net.id, aliases: [] }];
    return serviceFixture(`s_svc${s}`, {
      id: `svc${s}`,
      spec,
      endpoint: { ports: [], virtualIps: [{ networkId: net.id, address: addr(2 + s) }] },
    });
  });
  const taskDocs: Task[] = Array.from({ length: tasks }, (_, i) =>
    taskFixture(svcDocs[i % services]!, Math.floor(i / services) + 1, {
      id: `task${i}`,
      nodeId: `node${i % nodes}`,
      status: { state: 'running', timestamp: t0, message: '' },
      networks: [
        {
          networkId: net.id,
          name: net.spec.name,
          subnet: net.subnet,
          gateway: net.gateway,
          vni: net.vni,
          address: addr(1000 + i),
          aliases: [],
          internal: false,
          encrypted: false,
        },
      ],
    }),
  );
  await store.seed('network', net);
  await store.seed('node', ...nodeDocs);
  await store.seed('service', ...svcDocs);
  await store.seed('task', ...taskDocs);

  const session = loadDispatcherProto().flotilla.v1.Dispatcher.service.Session;
  const serialize = session.responseSerialize as (m: ManagerMessage) => Buffer;
  const deserialize = session.responseDeserialize as (b: Buffer) => {
    overlayChanges?: { changes: Change[] };
  };
  /** Per node: what it changed of the network since the complete set (address → endpoint | gone). */
  const held = new Map<string, Map<string, Endpoint | null>>();
  let waiting = 0;
  let done: (() => void) | undefined;
  let bytesPerNode = 0;
  const sessions = new Map<string, AgentSession>();
  for (const n of nodeDocs) {
    const mine = new Map<string, Endpoint | null>();
    held.set(n.id, mine);
    const fake = {
      nodeId: n.id,
      send(msg: ManagerMessage) {
        // The complete set: one decoded copy stands for every node's (10,000 endpoints x 1,000 nodes
        // would not fit beside the other helpers' work); changes are applied per node below.
        if (!msg.overlayChanges) return;
        const bytes = serialize(msg);
        bytesPerNode = bytes.length;
        for (const c of deserialize(bytes).overlayChanges?.changes ?? []) {
          for (const e of c.upsertEndpoints ?? []) mine.set(e.address, e);
          for (const a of c.removedEndpoints ?? []) mine.set(a, null);
        }
        if (--waiting === 0) done?.();
      },
    };
    sessions.set(n.id, fake as unknown as AgentSession);
  }
  const rounds = new OverlayRounds({ store, log: silentLogger(), sessions });
  store.subscribe((e) => rounds.onStoreEvent(e));
  const setupStart = process.hrtime.bigint();
  rounds.start();
  for (const s of sessions.values()) rounds.opened(s);
  const setupMs = Number(process.hrtime.bigint() - setupStart) / 1e6;

  const times: number[] = [];
  for (let i = 0; i < changes; i++) {
    const id = `task${(i * 7919) % tasks}`;
    waiting = nodes;
    const applied = new Promise<void>((r) => (done = r));
    const start = process.hrtime.bigint();
    await store.update((tx) => {
      const t = tx.get('task', id)!;
      tx.update('task', { ...t, desiredState: 'shutdown' });
    });
    await applied;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    const sample = held.get('node0')!.get(store.get('task', id)!.networks![0]!.address);
    if (!sample || sample.serving) throw new Error(`node0 did not see ${id} stop serving`);
  }
  rounds.stop();
  console.log(
    JSON.stringify(
      {
        benchmark: 'endpoint-change propagation: a task stops → every node has the change',
        simulated: true,
        what: 'one process: the real manager OverlayRounds over an in-memory store, one fake session per node serialising and deserialising with the real proto and applying the change; no gRPC transport, no kernel',
        nodes,
        tasks,
        services,
        changes,
        setupMs: Number(setupMs.toFixed(0)),
        changeBytesPerNode: bytesPerNode,
        propagationMs: { p50: pct(times, 50), p99: pct(times, 99), max: pct(times, 100) },
        goal: 'p99 <= 2000 ms',
      },
      null,
      2,
    ),
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
