// Removes what an agent's network component leaves on the host once the agent is gone. By design
// an agent keeps its bridge and iptables chains across restarts (as Docker does), so a test that
// starts an agent with its own data root removes them itself: the FLOTILLA-<hash>-* chains and
// their jumps, the f<hash>* bridges and veths, and any f<hash>-* container namespace left over.
// Names come from the same function the agent uses (agent/network/defaults.ts).
import { namesFor } from '../../agent/network/defaults.js';
import { deleteLink, deleteNetns, listLinks, listNetns } from '../../agent/network/host/links.js';
import { IptablesRules } from '../../agent/network/rules/iptables.js';

export async function removeAgentNetwork(dataRoot: string): Promise<void> {
  const { namePrefix, chainPrefix } = namesFor(dataRoot);
  if (namePrefix === 'flt') throw new Error('refusing to remove the default data root network');
  for (const ns of await listNetns()) if (ns.startsWith(`${namePrefix}-`)) await deleteNetns(ns);
  for (const name of await listLinks()) if (name.startsWith(namePrefix)) await deleteLink(name);
  await new IptablesRules(chainPrefix).remove();
}
