// Published ports of a service as the cluster holds them: an ingress port is open on every node, so
// it must be unique cluster-wide (per protocol), and one the user leaves out (published 0/absent) is
// picked here from 30000-32767, as Swarm does. Called by every writer of a service spec (API create,
// update, stack deploy, rollback; the updater's automatic rollback) inside its store transaction.
import { FlotillaError } from '../../shared/errors/index.js';
import type { PortConfig, Service, ServiceSpec } from '../../shared/model/index.js';

/** Swarm's dynamic range for ingress ports the user did not choose. */
export const ingressPortRange: readonly [number, number] = [30000, 32767];

/** Ports as published: the manager's picks filled in (`Service.endpoint.ports`). */
export function publishedPorts(s: Pick<Service, 'spec' | 'endpoint'>): PortConfig[] {
  return s.endpoint?.ports ?? s.spec.endpointSpec.ports;
}

/**
 * The ports `spec` publishes once ingress ports without a number got one. A port assigned before
 * (`current`, the service's endpoint ports) is kept for the same target/protocol, so an update does
 * not move it. `others` are every other service.
 * @throws SERVICE_PORT_IN_USE when another service publishes the port in ingress mode, or the port
 *   is an ingress port and another service publishes it in any mode.
 * @throws INGRESS_PORTS_EXHAUSTED when no port of the range is free.
 */
export function resolvePorts(
  spec: ServiceSpec,
  current: readonly PortConfig[] | undefined,
  others: readonly Service[],
  opts: {
    /** Pick at random among the first `spread` free ports instead of the first (retries). */
    spread?: number;
    random?: () => number;
  } = {},
): PortConfig[] {
  const taken = new Map<string, { name: string; mode: PortConfig['mode'] }>();
  for (const o of others)
    for (const p of publishedPorts(o))
      if (p.published)
        taken.set(`${p.published}/${p.protocol}`, { name: o.spec.name, mode: p.mode });
  const declared = spec.endpointSpec.ports;
  for (const p of declared) {
    if (!p.published) continue;
    const holder = taken.get(`${p.published}/${p.protocol}`);
    if (holder && (p.mode === 'ingress' || holder.mode === 'ingress'))
      throw new FlotillaError('SERVICE_PORT_IN_USE', {
        port: p.published,
        protocol: p.protocol,
        mode: p.mode,
        name: spec.name,
        holder: holder.name,
        holderMode: holder.mode,
      });
  }
  // This spec's own fixed ports are taken too (for the picks below).
  const used = new Set(taken.keys());
  for (const p of declared) if (p.published) used.add(`${p.published}/${p.protocol}`);
  const reusable = (current ?? []).filter((p) => p.mode === 'ingress' && p.published);
  return declared.map((p) => {
    if (p.published || p.mode !== 'ingress') return { ...p };
    const before = reusable.find(
      (c) =>
        c.target === p.target &&
        c.protocol === p.protocol &&
        !used.has(`${c.published}/${c.protocol}`),
    );
    const published =
      before?.published ?? pick(p.protocol, used, spec.name, opts.spread ?? 1, opts.random);
    used.add(`${published}/${p.protocol}`);
    return { ...p, published };
  });
}

function pick(
  protocol: string,
  used: Set<string>,
  name: string,
  spread: number,
  random: () => number = Math.random,
): number {
  const [lo, hi] = ingressPortRange;
  const free: number[] = [];
  for (let port = lo; port <= hi && free.length < spread; port++)
    if (!used.has(`${port}/${protocol}`)) free.push(port);
  if (free.length === 0)
    throw new FlotillaError('INGRESS_PORTS_EXHAUSTED', { range: `${lo}-${hi}`, name });
  return free[Math.floor(random() * free.length)];
}
