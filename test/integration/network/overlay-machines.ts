// Simulated machines for the overlay data plane: network namespaces on one LAN bridge
// (deploy/lib/machines.sh), each running the overlay fabric and driver with every command entered
// into its namespace, and "containers" as namespaces plugged into its overlays. Messages are
// crafted here as the manager would send them; no manager runs.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { run, type RunOptions } from '../../../agent/network/exec.js';
import { OverlayDriver } from '../../../agent/network/overlay/driver.js';
import { OverlayFabric } from '../../../agent/network/overlay/fabric.js';
import type {
  OverlayEndpointInfo,
  OverlayKeyInfo,
  OverlayNetworkInfo,
} from '../../../agent/network/overlay/state.js';
import type { InterfaceRecord, PersistedState } from '../../../agent/network/state.js';
import { silentLogger } from '../../../shared/log/index.js';
import type { TaskNetworkAttachment } from '../../../shared/model/index.js';
import { sh, shOk } from './helpers.js';

const machinesScript = join(import.meta.dirname, '../../../deploy/lib/machines.sh');

export interface TestNet {
  networkId: string;
  name: string;
  vni: number;
  subnet: string;
  gateway: string;
  internal: boolean;
  encrypted: boolean;
  keys: OverlayKeyInfo[];
}

export interface Container {
  id: string;
  netns: string;
  address: string;
  machine: Machine;
}

export class Machine {
  readonly store: { state: PersistedState; save(): Promise<void> } = {
    state: { networks: [], endpoints: [], peerRoutes: [] },
    save: async () => undefined,
  };
  readonly fabric: OverlayFabric;
  readonly driver: OverlayDriver;

  constructor(
    readonly ns: string,
    readonly addr: string,
    readonly prefix: string,
  ) {
    this.fabric = new OverlayFabric({
      exec: (cmd, args, opts?: RunOptions) =>
        run('nsenter', [`--net=/run/netns/${ns}`, cmd, ...args], opts),
      prefix,
      underlayAddr: addr,
      store: this.store,
      log: silentLogger(),
    });
    this.driver = new OverlayDriver(this.fabric);
  }

  /** A container namespace on `net` with `address` (eth1, as the agent plugs a task's overlay). */
  async container(net: TestNet, address: string): Promise<Container> {
    const id = randomBytes(32).toString('hex');
    const netns = `${this.prefix}-${id.slice(0, 12)}`;
    await sh('ip', ['netns', 'add', netns]);
    await sh('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    const rec = await this.fabric.ensureNetwork(attachment(net, address));
    const iface: InterfaceRecord = {
      network: net.name,
      networkId: net.networkId,
      ifName: 'eth1',
      hostVeth: `${this.prefix}${id.slice(0, 14 - this.prefix.length)}1`,
      ipv4: address,
      aliases: [],
    };
    this.store.state.endpoints.push({
      containerId: id,
      name: id.slice(0, 12),
      hostname: id.slice(0, 12),
      mode: 'bridge',
      netns,
      interfaces: [iface],
      ports: [],
    });
    await this.driver.plug(rec, iface, netns);
    return { id, netns, address, machine: this };
  }

  /** Removes a container as detach does: unplug, forget, devices go with the last one. */
  async remove(c: Container): Promise<void> {
    const st = this.store.state;
    const e = st.endpoints.find((x) => x.containerId === c.id)!;
    for (const i of e.interfaces) await this.driver.unplug(i);
    st.endpoints = st.endpoints.filter((x) => x !== e);
    await shOk('ip', ['netns', 'del', c.netns]);
    for (const i of e.interfaces) await this.fabric.releaseIfUnused(i.networkId!);
  }

  /** Inside this machine's namespace. */
  sh(cmd: string, args: string[]): Promise<string> {
    return sh('nsenter', [`--net=/run/netns/${this.ns}`, cmd, ...args]);
  }

  /** This agent's devices, xfrm states and policies: what must be gone after teardown. */
  async leftovers(): Promise<string[]> {
    const out: string[] = [];
    const links = await this.sh('ip', ['-o', 'link', 'show']);
    for (const l of links.split('\n')) {
      const name = /^\d+:\s+([^:@\s]+)/.exec(l)?.[1];
      if (name?.startsWith(this.prefix)) out.push(`link ${name}`);
    }
    const states = (await this.sh('ip', ['xfrm', 'state', 'list', 'nokeys'])).trim();
    if (states) out.push(`xfrm state ${states}`);
    const policies = (await this.sh('ip', ['xfrm', 'policy', 'list'])).trim();
    if (policies) out.push(`xfrm policy ${policies}`);
    return out;
  }
}

export function attachment(net: TestNet, address: string): TaskNetworkAttachment {
  return {
    networkId: net.networkId,
    name: net.name,
    subnet: net.subnet,
    gateway: net.gateway,
    vni: net.vni,
    address,
    aliases: [],
    internal: net.internal,
    encrypted: net.encrypted,
  };
}

export function endpoint(c: Container): OverlayEndpointInfo {
  return {
    address: c.address,
    nodeId: c.machine.ns,
    nodeAddr: c.machine.addr,
    taskId: c.id.slice(0, 25),
    serviceId: 'svc',
    names: [],
    serving: true,
  };
}

/** The network as the manager describes it to a node, with every endpoint of `containers`. */
export function describe(net: TestNet, containers: Container[]): OverlayNetworkInfo {
  return {
    networkId: net.networkId,
    name: net.name,
    vni: net.vni,
    subnet: net.subnet,
    gateway: net.gateway,
    internal: net.internal,
    encrypted: net.encrypted,
    endpoints: containers.map(endpoint),
    services: [],
    keys: net.keys,
  };
}

export interface Lan {
  prefix: string;
  machines: Machine[];
  bridge: string;
}

/** `count` machines on a LAN of their own (10.98.<r>.0/24) named `<prefix>-m<i>`. */
export async function machinesUp(count: number): Promise<Lan> {
  const hex = randomBytes(2).toString('hex').slice(0, 2);
  const prefix = `ov${hex}`;
  const lan = `10.98.${randomBytes(1)[0]}`;
  await sh('env', [`FLT_LAN_PREFIX=${lan}`, 'bash', machinesScript, 'up', String(count), prefix]);
  const machines = Array.from(
    { length: count },
    (_, i) => new Machine(`${prefix}-m${i + 1}`, `${lan}.${11 + i}`, `o${hex}${i + 1}`),
  );
  return { prefix, machines, bridge: `${prefix}-lan` };
}

export async function machinesDown(lan: Lan): Promise<void> {
  for (const m of lan.machines)
    for (const ns of (await shOk('ip', ['netns', 'list'])).split('\n'))
      if (ns.startsWith(`${m.prefix}-`)) await shOk('ip', ['netns', 'del', ns.split(' ')[0]]);
  await shOk('bash', [machinesScript, 'down', lan.prefix]);
}

/** One ICMP echo from a container namespace; true when answered. */
export async function ping(from: Container, addr: string): Promise<boolean> {
  const r = await run(
    'ip',
    ['netns', 'exec', from.netns, 'busybox', 'ping', '-c', '1', '-W', '2', addr],
    {
      allowFailure: true,
    },
  );
  return r.code === 0;
}
