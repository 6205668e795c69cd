// Which answer a container on an overlay network gets for a name: only names of the networks the
// caller itself is attached to resolve; other cluster names are NXDOMAIN (never forwarded, so
// isolation holds for names too); names no network on this node knows go to the host's resolvers.
import { lower, type DiscoveryTable, type NetworkNames } from '../discovery/index.js';
import type { DnsDecision } from './server.js';

/** Answers `name` on one network the caller is on; undefined when the network does not know it. */
function answerOn(n: NetworkNames, name: string): string[] | undefined {
  const tasks = name.startsWith('tasks.') ? name.slice('tasks.'.length) : undefined;
  if (tasks !== undefined) {
    const s = n.services.get(tasks);
    if (s) return n.serving.get(s.serviceId) ?? [];
  }
  const s = n.services.get(name);
  if (s) return s.endpointMode === 'vip' && s.vip ? [s.vip] : (n.serving.get(s.serviceId) ?? []);
  const e = n.endpointNames.get(name);
  if (e) return e;
  return n.known.has(name) ? [] : undefined;
}

/**
 * Resolves `rawName` for the container whose address on `networkId` is `callerAddress`. The first
 * of the caller's networks (in interface order) that knows the name answers, as Docker's resolver
 * does. A known name with nothing serving (`tasks.x` with no running task) is NXDOMAIN; a service
 * in vip mode keeps its VIP (connections to it are refused while nothing serves). A source address
 * that is no local container on the network the query came in on is refused.
 */
export function lookupOverlayName(
  table: DiscoveryTable,
  networkId: string,
  callerAddress: string,
  rawName: string,
): DnsDecision {
  const caller = table.caller(networkId, callerAddress);
  if (!caller) return { kind: 'refused' };
  const name = lower(rawName);
  for (const i of caller.interfaces) {
    const n = table.names(i.networkId);
    const got = n && answerOn(n, name);
    if (got === undefined) continue;
    return got.length ? { kind: 'answer', addresses: got } : { kind: 'nxdomain' };
  }
  return table.knownAnywhere(name) ? { kind: 'nxdomain' } : { kind: 'forward' };
}
