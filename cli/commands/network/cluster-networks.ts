// `flotilla network` against a manager (a cluster context and no -H): overlay networks as cluster
// objects, printed as `docker network` prints swarm-scope networks (SCOPE swarm, inspect's IPAM,
// Options and Labels).
import { renderTableOr } from '../../format/render.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Network } from '../../../shared/model/index.js';
import { managerClient } from '../../clients/manager-client.js';
import { ContextStore } from '../../contexts/index.js';
import type { CliContext } from '../../context.js';
import { renderJsonLines } from '../../render/table.js';

/** Cluster commands go to the manager when a cluster context is chosen and no -H names an agent. */
export function usesCluster(c: CliContext): boolean {
  return !c.hostGiven && Boolean(c.contextName || new ContextStore().current());
}

export interface ClusterNetworkCreateFlags {
  subnet?: string;
  gateway?: string;
  attachable?: boolean;
  internal?: boolean;
  label?: string[];
  opt?: string[];
}

/** `--opt k=v` / `-o k=v` (a bare `encrypted` means encrypted=""). */
export function optionsOf(list: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of list) {
    const i = o.indexOf('=');
    if (i === 0)
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        flag: '--opt',
        value: o,
        reason: 'expected KEY=VALUE',
      });
    if (i < 0) out[o] = '';
    else out[o.slice(0, i)] = o.slice(i + 1);
  }
  return out;
}

export async function createClusterNetwork(
  c: CliContext,
  name: string,
  f: ClusterNetworkCreateFlags,
  labels: Record<string, string>,
): Promise<void> {
  const res = await managerClient(c).json<{ id: string }>({
    method: 'POST',
    path: '/networks',
    body: {
      name,
      driver: 'overlay',
      ...(f.subnet ? { subnet: f.subnet } : {}),
      ...(f.gateway ? { gateway: f.gateway } : {}),
      attachable: f.attachable === true,
      internal: f.internal === true,
      labels,
      options: optionsOf(f.opt),
    },
  });
  c.out.write(`${res.id}\n`);
}

export async function listClusterNetworks(
  c: CliContext,
  o: { quiet?: boolean; trunc: boolean; format?: string },
): Promise<void> {
  const nets = await managerClient(c).json<Network[]>({ path: '/networks' });
  const id = (n: Network) => (o.trunc ? n.id.slice(0, 12) : n.id);
  if (o.quiet) return void c.out.write(nets.map((n) => `${id(n)}\n`).join(''));
  if (o.format === 'json') return void c.out.write(renderJsonLines(nets.map(dockerView)));
  c.out.write(
    renderTableOr(
      o.format,
      ['ID', 'Name', 'Driver', 'Scope'],
      ['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'],
      nets.map((n) => [id(n), n.spec.name, n.spec.driver, 'swarm']),
    ),
  );
}

type Inspected = Network & {
  services: { id: string; name: string; vip: string }[];
  tasks: { taskId: string; nodeId: string; address: string; state: string }[];
};

/** A network as `docker network inspect` shows a swarm-scope one (plus its services' VIPs). */
function dockerView(n: Network | Inspected) {
  return {
    Name: n.spec.name,
    Id: n.id,
    Created: n.createdAt,
    Scope: 'swarm',
    Driver: n.spec.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
    Internal: n.spec.internal,
    Attachable: n.spec.attachable,
    Ingress: false,
    Options: {
      'com.docker.network.driver.overlay.vxlanid_list': String(n.vni),
      ...n.spec.driverOpts,
    },
    Labels: n.spec.labels,
    ...('services' in n
      ? {
          Services: Object.fromEntries(n.services.map((s) => [s.name, { ID: s.id, VIP: s.vip }])),
          Tasks: n.tasks.map((t) => ({
            ID: t.taskId,
            Node: t.nodeId,
            Address: t.address,
            State: t.state,
          })),
        }
      : {}),
  };
}

export async function inspectClusterNetworks(c: CliContext, refs: string[]): Promise<void> {
  const client = managerClient(c);
  const out = [];
  for (const r of refs)
    out.push(
      dockerView(await client.json<Inspected>({ path: `/networks/${encodeURIComponent(r)}` })),
    );
  c.out.write(`${JSON.stringify(out, null, 4)}\n`);
}

export async function removeClusterNetworks(c: CliContext, refs: string[]): Promise<void> {
  const client = managerClient(c);
  for (const r of refs) {
    await client.json({ method: 'DELETE', path: `/networks/${encodeURIComponent(r)}` });
    c.out.write(`${r}\n`);
  }
}

export async function pruneClusterNetworks(c: CliContext): Promise<void> {
  const r = await managerClient(c).json<{ removed: string[] }>({
    method: 'POST',
    path: '/networks/prune',
  });
  if (r.removed.length)
    c.out.write(`Deleted Networks:\n${r.removed.map((n) => `${n}\n`).join('')}`);
}
