// Service discovery costs on this machine. (1) DNS answer latency: a client process asks the
// overlay DNS server (caller-scoped lookup over 10,000 tasks) on loopback, beside a bare UDP echo
// server (the floor: node:dgram round trip) in the same run. (2) Endpoint-change propagation,
// SIMULATED: one task of 10,000 stops serving; time to apply the change to the view, re-index,
// and render the rules of every local namespace on the network (no kernel); as root, also one real
// iptables-restore of such a namespace's rules into a scratch namespace. Prints one JSON document.
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import {
  DiscoveryTable,
  MemoryOverlayState,
  ReaderOverlayView,
} from '../../agent/network/discovery/index.js';
import { lookupOverlayName } from '../../agent/network/dns/overlay-lookup.js';
import { NetworkDnsServer } from '../../agent/network/dns/server.js';
import {
  namespaceRules,
  renderChainUpdate,
  nsenterRestore,
  renderVipFragment,
  VipRules,
} from '../../agent/network/vip/index.js';
import { silentLogger } from '../../shared/log/index.js';

const exec = promisify(execFile);
const tasks = Number(process.env.BENCH_TASKS ?? 10_000);
const services = Number(process.env.BENCH_SERVICES ?? 100);
const localContainers = Number(process.env.BENCH_LOCAL ?? 10);
const queries = Number(process.env.BENCH_QUERIES ?? 5000);
const changes = Number(process.env.BENCH_CHANGES ?? 200);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(3));
};
const summary = (xs: number[]) => ({ p50Ms: pct(xs, 50), p99Ms: pct(xs, 99), n: xs.length });

/** One network, `services` vip services sharing `tasks` serving endpoints, and the local callers. */
function bigView(netns = (c: number) => `/run/netns/bench-${c}`): MemoryOverlayState {
  const v = new MemoryOverlayState();
  const addr = (i: number) => `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
  v.applyNetworks([
    {
      networkId: 'n',
      name: 'big',
      subnet: '10.100.0.0/14',
      gateway: '10.100.0.1',
      services: Array.from({ length: services }, (_, s) => ({
        serviceId: `svc${s}`,
        name: `s_svc${s}`,
        aliases: [`svc${s}`],
        endpointMode: 'vip',
        vip: addr(2 + s),
      })),
      endpoints: Array.from({ length: tasks }, (_, t) => ({
        address: addr(1000 + t),
        nodeId: `node${t % 1000}`,
        taskId: `t${t}`,
        serviceId: `svc${t % services}`,
        names: [`s_svc${t % services}.${t}.t${t}`],
        serving: true,
      })),
    },
  ]);
  for (let c = 0; c < localContainers; c++)
    v.setContainer({
      containerId: `local${c}`,
      netnsPath: netns(c),
      interfaces: [{ networkId: 'n', address: c === 0 ? '127.0.0.1' : addr(1000 + c) }],
    });
  return v;
}

/** Sequential queries from a child process; per-query round trip in ms. */
async function askFromChild(port: number, names: string[]): Promise<number[]> {
  const script = `
    const s = require('node:dgram').createSocket('udp4');
    const names = ${JSON.stringify(names)};
    const q = (id, name) => { const p=[Buffer.from([id>>8,id&255,1,0,0,1,0,0,0,0,0,0])];
      for (const l of name.split('.')) p.push(Buffer.from([l.length]), Buffer.from(l));
      p.push(Buffer.from([0,0,1,0,1])); return Buffer.concat(p); };
    const out = []; let i = 0, t0 = 0;
    s.on('message', () => { out.push(Number(process.hrtime.bigint() - t0) / 1e6); next(); });
    const next = () => { if (i === names.length) { console.log(JSON.stringify(out)); s.close(); return; }
      t0 = process.hrtime.bigint(); s.send(q(i & 0xffff, names[i++]), ${port}, '127.0.0.1'); };
    next();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.on('close', r));
  return (JSON.parse(out) as number[]).slice(Math.min(200, names.length / 10)); // warm-up dropped
}

async function dnsLatency() {
  const table = new DiscoveryTable(new ReaderOverlayView(bigView()));
  const server = new NetworkDnsServer({
    address: '127.0.0.1',
    port: 0,
    subnet: '127.0.0.0/8',
    ttlSec: 0,
    upstreams: [],
    log: silentLogger(),
    resolve: (name, client) => lookupOverlayName(table, 'n', client, name),
  });
  await server.start();
  const port = (server as unknown as { socket: { address(): { port: number } } }).socket.address()
    .port;
  const echo = createSocket('udp4');
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  echo.on('message', (m, ri) => echo.send(m, ri.port, ri.address));
  const names = (f: (i: number) => string) => Array.from({ length: queries }, (_, i) => f(i));
  const result = {
    udpEchoFloorFirst: summary(
      await askFromChild(
        echo.address().port,
        names(() => 'x'),
      ),
    ),
    vipName: summary(
      await askFromChild(
        port,
        names((i) => `svc${i % services}`),
      ),
    ),
    tasksName: summary(
      await askFromChild(
        port,
        names((i) => `tasks.svc${i % services}`),
      ),
    ),
    taskName: summary(
      await askFromChild(
        port,
        names((i) => `s_svc${i % services}.${i % tasks}.t${i % tasks}`),
      ),
    ),
    udpEchoFloor: summary(
      await askFromChild(
        echo.address().port,
        names(() => 'x'),
      ),
    ),
  };
  await server.stop();
  echo.close();
  return result;
}

async function propagation() {
  const view = bigView();
  const table = new DiscoveryTable(new ReaderOverlayView(view));
  let rendered = 0;
  const vip = new VipRules({
    table,
    log: silentLogger(),
    restore: async (_ns, rules) => void (rendered += rules.length),
    forget: async () => {},
  });
  await vip.start();
  const times: number[] = [];
  for (let i = 0; i < changes; i++) {
    const t = 1000 + ((i * 7919) % tasks);
    const address = `10.${100 + (t >> 16)}.${(t >> 8) & 255}.${t & 255}`;
    const t0 = process.hrtime.bigint();
    view.applyChanges([
      {
        networkId: 'n',
        upsertEndpoints: [
          { address, serviceId: `svc${(t - 1000) % services}`, serving: i % 2 === 1 },
        ],
      },
    ]);
    await vip.settled();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const text = vip.render('local0')!;
  await vip.stop();
  const nsRules = namespaceRules([renderVipFragment(table.names('n')!)]);
  const oneChain = renderChainUpdate(nsRules, [[...nsRules.chains.keys()][0]]);
  let realRestoreMs: ReturnType<typeof summary> | string = 'skipped (needs root)';
  let realChainUpdateMs: ReturnType<typeof summary> | string = 'skipped (needs root)';
  if (process.getuid?.() === 0) {
    const ns = `fltbench-${randomBytes(3).toString('hex')}`;
    await exec('ip', ['netns', 'add', ns]);
    try {
      const timeRestore = async (input: string, extra: string[]) => {
        const real: number[] = [];
        for (let i = 0; i < 10; i++) {
          const t0 = process.hrtime.bigint();
          await new Promise<void>((res, rej) => {
            const argv = ['--net=/run/netns/' + ns, 'iptables-restore', '-w', ...extra];
            const p = execFile('nsenter', argv, (e) => (e ? rej(e) : res()));
            p.stdin!.end(input);
          });
          real.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        return summary(real);
      };
      realRestoreMs = await timeRestore(text, []);
      realChainUpdateMs = await timeRestore(oneChain, ['--noflush']);
    } finally {
      await exec('ip', ['netns', 'del', ns]);
    }
  }
  return {
    simulated: true,
    what: 'one task of the network stops/starts serving: view apply + re-index + render of every local namespace on the network (kernel apply replaced by a no-op)',
    tasks,
    services,
    localNamespaces: localContainers,
    rulesPerNamespace: text.split('\n').filter((l) => l.startsWith('-A')).length,
    recomputeAndRender: summary(times),
    realFullRestoreOfOneNamespace: realRestoreMs,
    realChainUpdateOfOneNamespace: realChainUpdateMs,
    bytesRendered: rendered,
  };
}

/**
 * As root: the same change, applied for real. `localContainers` scratch namespaces hold the rules
 * of 10,000 tasks; the time from the change reaching the view to every namespace's rules rewritten
 * (nsenter + iptables-restore, conntrack cleanup included).
 */
async function realPropagation() {
  if (process.getuid?.() !== 0) return 'skipped (needs root)';
  const tag = randomBytes(3).toString('hex');
  const names = Array.from({ length: localContainers }, (_, c) => `fltbench-${tag}-${c}`);
  for (const n of names) await exec('ip', ['netns', 'add', n]);
  try {
    const view = bigView((c) => `/run/netns/${names[c]}`);
    let lastRestore = 0n;
    const vip = new VipRules({
      table: new DiscoveryTable(new ReaderOverlayView(view)),
      log: silentLogger(),
      restore: async (path, rules, noflush) => {
        await nsenterRestore(path, rules, noflush);
        lastRestore = process.hrtime.bigint();
      },
    });
    let t0 = process.hrtime.bigint();
    await vip.start();
    const firstWriteMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const times: number[] = [];
    const rulesTimes: number[] = [];
    for (let i = 0; i < Math.min(changes, 20); i++) {
      const t = 1000 + ((i * 7919) % tasks);
      const address = `10.${100 + (t >> 16)}.${(t >> 8) & 255}.${t & 255}`;
      t0 = process.hrtime.bigint();
      view.applyChanges([
        {
          networkId: 'n',
          upsertEndpoints: [
            { address, serviceId: `svc${(t - 1000) % services}`, serving: i % 2 === 1 },
          ],
        },
      ]);
      await vip.settled();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      rulesTimes.push(Number(lastRestore - t0) / 1e6);
    }
    await vip.stop();
    return {
      namespaces: localContainers,
      firstWriteOfAllMs: Math.round(firstWriteMs),
      changeToAllNamespacesRulesRewritten: summary(rulesTimes),
      changeToAllDoneWithConntrackCleanup: summary(times),
    };
  } finally {
    for (const n of names) await exec('ip', ['netns', 'del', n]).catch(() => {});
  }
}

const out = {
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  dnsAnswerLatency: await dnsLatency(),
  endpointChangePropagation: await propagation(),
  endpointChangeOnThisNodeReal: await realPropagation(),
};
console.log(JSON.stringify(out, null, 2));
