// Removes what an agent's network component leaves on the host once the agent is gone. By design
// an agent keeps its bridge and iptables chains across restarts (as Docker does), so a test that
// starts an agent with its own data root removes them itself: the FLOTILLA-<hash>-* chains and
// their jumps, the f<hash>* bridges and veths, and any f<hash>-* container namespace left over,
// and its peer routes (a cluster agent's, on the host's interface: they outlive its bridge, and one
// left over refused the next agent on that subnet).
// Names come from the same function the agent uses (agent/network/defaults.ts).
import { join } from 'node:path';
import { namesFor } from '../../agent/network/defaults.js';
import {
  deleteLink,
  deleteNetns,
  deleteRoute,
  listLinks,
  listNetns,
} from '../../agent/network/host/links.js';
import { IptablesRules } from '../../agent/network/rules/iptables.js';
import { StateFile } from '../../agent/network/state.js';

export async function removeAgentNetwork(dataRoot: string): Promise<void> {
  const { namePrefix, chainPrefix } = namesFor(dataRoot);
  if (namePrefix === 'flt') throw new Error('refusing to remove the default data root network');
  for (const ns of await listNetns()) if (ns.startsWith(`${namePrefix}-`)) await deleteNetns(ns);
  for (const name of await listLinks()) if (name.startsWith(namePrefix)) await deleteLink(name);
  await new IptablesRules(chainPrefix).remove();
  const { peerRoutes } = await new StateFile(join(dataRoot, 'network')).load();
  for (const r of peerRoutes) await deleteRoute(r.subnet, r.via);
}
