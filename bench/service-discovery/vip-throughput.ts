// Requests/s from one task to another across machines on an overlay, through the service's VIP vs
// to the task's address directly, in the same run. Root only. Two simulated machines (network
// namespaces on a veth LAN, deploy/lib/machines.sh), each with the agent's real overlay fabric
// (bridge + VXLAN, entries from a manager-shaped description); a client task namespace on machine 1
// with the agent's real VIP rules (VipRules, iptables-restore in its namespace), a server task on
// machine 2 (node:http, keep-alive). wrk (Debian's) runs inside the client's namespace; rounds
// alternate direct and VIP so load from elsewhere on the host falls on both. Prints one JSON document.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  DiscoveryTable,
  MemoryOverlayState,
  ReaderOverlayView,
} from '../../agent/network/discovery/index.js';
import { run, type RunOptions } from '../../agent/network/exec.js';
import { OverlayDriver } from '../../agent/network/overlay/driver.js';
import { OverlayFabric } from '../../agent/network/overlay/fabric.js';
import type { OverlayNetworkInfo } from '../../agent/network/overlay/state.js';
import type { PersistedState } from '../../agent/network/state.js';
import { nsenterRestore, VipRules } from '../../agent/network/vip/index.js';
import { silentLogger } from '../../shared/log/index.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
// run.sh builds into a directory of its own and says where the repository is.
const repo = process.env.FLT_REPO ?? join(import.meta.dirname, '../..');
const machinesScript = join(repo, 'deploy/lib/machines.sh');
const hex = randomBytes(1).toString('hex');
const lanPrefix = `fvb${hex}`;
const lan = `10.97.${randomBytes(1)[0]}`;
const net = {
  networkId: 'vipbench',
  name: 'vipbench',
  vni: 4000 + randomBytes(1)[0],
  subnet: '10.77.0.0/24',
  gateway: '10.77.0.1',
  internal: false,
  encrypted: false,
};
const client = { address: '10.77.0.10', ns: `${lanPrefix}c-client` };
const server = { address: '10.77.0.20', ns: `${lanPrefix}s-server` };
const vip = '10.77.0.2';
const port = 8080;

const sh = async (cmd: string, args: string[], opts?: RunOptions) => run(cmd, args, opts);

function machine(i: number) {
  const ns = `${lanPrefix}-m${i}`;
  const state: PersistedState = { networks: [], endpoints: [], peerRoutes: [] };
  const fabric = new OverlayFabric({
    exec: (cmd, args, opts?: RunOptions) =>
      run('nsenter', [`--net=/run/netns/${ns}`, cmd, ...args], opts),
    prefix: `fvb${i}`,
    underlayAddr: `${lan}.${10 + i}`,
    store: { state, save: async () => undefined },
    log: silentLogger(),
  });
  return {
    ns,
    addr: `${lan}.${10 + i}`,
    state,
    fabric,
    driver: new OverlayDriver(fabric),
    prefix: `fvb${i}`,
  };
}
type Machine = ReturnType<typeof machine>;

/** A task namespace on `m`, plugged into the overlay with `address` (eth1, as the agent does). */
async function task(m: Machine, ns: string, address: string): Promise<void> {
  await sh('ip', ['netns', 'add', ns]);
  await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const rec = await m.fabric.ensureNetwork({ ...net, address, aliases: [] });
  const iface = {
    network: net.name,
    networkId: net.networkId,
    ifName: 'eth1',
    hostVeth: `${m.prefix}${randomBytes(4).toString('hex')}`,
    ipv4: address,
    aliases: [],
  };
  m.state.endpoints.push({
    containerId: ns,
    name: ns,
    hostname: ns,
    mode: 'bridge',
    netns: ns,
    interfaces: [iface],
    ports: [],
  });
  await m.driver.plug(rec, iface, ns);
}

function description(): OverlayNetworkInfo {
  const ep = (address: string, m: Machine, serviceId: string) => ({
    address,
    nodeId: m.ns,
    nodeAddr: m.addr,
    taskId: `t${address}`,
    serviceId,
    names: [],
    serving: true,
  });
  return {
    ...net,
    endpoints: [ep(client.address, m1, 'client'), ep(server.address, m2, 'api')],
    services: [{ serviceId: 'api', name: 'api', aliases: [], endpointMode: 'vip', vip }],
    keys: [],
  };
}

function wrk(url: string, close: boolean): Promise<number> {
  const args = ['netns', 'exec', client.ns, 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`];
  if (close) args.push('-H', 'Connection: close');
  return sh('ip', [...args, url]).then((r) => {
    const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
    if (!m) throw new Error(`wrk printed no rate: ${r.stdout}${r.stderr}`);
    // Errors would make a rate meaningless (a refused VIP answers fast).
    if (/Socket errors|Non-2xx/.test(r.stdout)) throw new Error(`wrk saw errors: ${r.stdout}`);
    return Number(m[1]);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const m1 = machine(1);
const m2 = machine(2);
let httpd: ChildProcess | undefined;

async function main() {
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces, iptables)');
  await sh('env', [`FLT_LAN_PREFIX=${lan}`, 'bash', machinesScript, 'up', '2', lanPrefix]);
  await task(m1, client.ns, client.address);
  await task(m2, server.ns, server.address);
  for (const m of [m1, m2]) await m.fabric.replace([description()]);
  // The agent's VIP rules in the client's namespace, from the same description.
  const view = new MemoryOverlayState();
  view.applyNetworks([description()]);
  view.setContainer({
    containerId: 'client',
    netnsPath: `/run/netns/${client.ns}`,
    interfaces: [{ networkId: net.networkId, address: client.address }],
  });
  const vipRules = new VipRules({
    table: new DiscoveryTable(new ReaderOverlayView(view)),
    log: silentLogger(),
    restore: nsenterRestore,
    forget: async () => undefined,
  });
  await vipRules.start();
  await vipRules.settled();
  httpd = spawn(
    'ip',
    [
      'netns',
      'exec',
      server.ns,
      process.execPath,
      '-e',
      `require('node:http').createServer((q, s) => s.end('api\\n')).listen(${port}, '0.0.0.0')`,
    ],
    { stdio: 'ignore' },
  );
  let reached = false;
  for (let i = 0; i < 50 && !reached; i++) {
    const r = await sh(
      'ip',
      ['netns', 'exec', client.ns, 'busybox', 'wget', '-qO-', `http://${vip}:${port}/`],
      { allowFailure: true },
    );
    reached = r.code === 0 && r.stdout.trim() === 'api';
    if (!reached) await new Promise((res) => setTimeout(res, 200));
  }
  if (!reached) throw new Error(`the VIP ${vip}:${port} does not answer from the client task`);
  const result: Record<string, { directRps: number[]; vipRps: number[]; ratio: number }> = {};
  for (const [label, close] of [
    ['keepAlive', false],
    ['connectionPerRequest', true],
  ] as const) {
    const directRps: number[] = [];
    const vipRps: number[] = [];
    for (let r = 0; r < rounds; r++) {
      directRps.push(await wrk(`http://${server.address}:${port}/`, close));
      vipRps.push(await wrk(`http://${vip}:${port}/`, close));
    }
    result[label] = {
      directRps,
      vipRps,
      ratio: Number((median(vipRps) / median(directRps)).toFixed(3)),
    };
  }
  await vipRules.stop();
  console.log(
    JSON.stringify(
      {
        benchmark: 'service VIP vs task address, across machines on an overlay',
        simulated: false,
        machines:
          'two network namespaces on one host, veth LAN; VXLAN between them (real kernel path)',
        client: `wrk -t1 -c${connections} -d${seconds}s in the client task's namespace`,
        server: 'node:http in the server task namespace on the other machine',
        rounds,
        goal: 'vip/direct >= 0.9',
        ...result,
      },
      null,
      2,
    ),
  );
}

async function cleanup() {
  httpd?.kill('SIGKILL');
  for (const ns of [client.ns, server.ns])
    await sh('ip', ['netns', 'del', ns], { allowFailure: true });
  await sh('bash', [machinesScript, 'down', lanPrefix], { allowFailure: true });
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanup);
