// What a stopped agent's network leaves on the host, removed (`flotilla agent cleanup`): its
// container namespaces and veths, its bridges and overlay (VXLAN) devices, its xfrm states and
// policies, its peer routes and its iptables chains with their jumps. Names come from the agent's data root as at start (namesFor) and from its state file;
// nothing of another agent matches them. The caller holds the agent's locks.
import { join } from 'node:path';
import { isOurNetns, vethPattern } from './attachments.js';
import { namesFor } from './defaults.js';
import { run } from './exec.js';
import { deleteLink, deleteNetns, deleteRoute, listLinks, listNetns } from './host/links.js';
import { restoreLoopbackOut } from './host/loopback-out.js';
import { overlayLinkPattern } from './overlay/names.js';
import { reqidFor, XfrmProgrammer } from './overlay/xfrm.js';
import { IptablesRules } from './rules/iptables.js';
import { StateFile } from './state.js';

export interface NetworkNames {
  dataRoot: string;
  bridgeName?: string;
  namePrefix?: string;
  chainPrefix?: string;
}

/** Removes the network leftovers of the agent on `dataRoot`; returns what it removed. */
export async function removeNetworkLeftovers(o: NetworkNames): Promise<string[]> {
  const names = namesFor(o.dataRoot);
  const prefix = o.namePrefix ?? names.namePrefix;
  const bridge = o.bridgeName ?? names.bridgeName;
  const state = await new StateFile(join(o.dataRoot, 'network')).load();
  const removed: string[] = [];
  for (const ns of await listNetns())
    if (isOurNetns(prefix, ns)) {
      await deleteNetns(ns);
      removed.push(`netns ${ns}`);
    }
  const veth = vethPattern(prefix);
  const userBridge = new RegExp(`^${prefix}br[0-9a-f]{${12 - prefix.length}}$`);
  const bridges = new Set([bridge, ...state.networks.map((n) => n.bridge)]);
  const overlay = overlayLinkPattern(prefix);
  for (const l of await listLinks())
    if (veth.test(l) || userBridge.test(l) || bridges.has(l) || overlay.test(l)) {
      await deleteLink(l);
      removed.push(`link ${l}`);
    }
  for (const r of state.peerRoutes) {
    await deleteRoute(r.subnet, r.via);
    removed.push(`route ${r.subnet} via ${r.via}`);
  }
  // Before the chains go: their raw DROP is what makes route_localnet safe on these interfaces.
  await restoreLoopbackOut(state.loopbackOut ?? []);
  // Encrypted overlays' SAs and policies, found in the kernel by the agent's reqid.
  const xfrm = new XfrmProgrammer(run, () => '', reqidFor(prefix));
  await xfrm.clear();
  const rules = new IptablesRules(o.chainPrefix ?? names.chainPrefix);
  const chains = await ourChains(Object.values(rules.chains).slice(1));
  await rules.remove();
  removed.push(...chains.map((c) => `chain ${c}`));
  // The endpoints are gone with their namespaces; the next start's reconcile drops their records.
  return removed;
}

/** Which of `names` exist now, in any table (ingress chains counted with the DNAT chain). */
async function ourChains(names: string[]): Promise<string[]> {
  const save = (await run('iptables-save', [], { allowFailure: true })).stdout;
  return names.filter((n) => save.includes(`:${n} `));
}
