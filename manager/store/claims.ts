// Claims: names that must be unique across the cluster, held by the object that uses them as a key
// /flotilla/v1/names/<space>/<name> whose value is the owner's id. A claim is created, kept and
// released in the same transaction as its owner's write (TxBuffer), so two managers writing at the
// same instant cannot both take a name, and a transaction compares only its own claims, never
// every other object. This file says which names each document holds and what a clash is called;
// TxBuffer (tx.ts) enforces the one rule across spaces (ingress vs host-mode ports).
import { FlotillaError } from '../../shared/errors/index.js';
import {
  isTerminal,
  type Config,
  type ContainerAttachment,
  type Network,
  type Node,
  type Secret,
  type Service,
  type Task,
} from '../../shared/model/index.js';
import type { ClaimSpace, ObjectKind } from './types.js';

export interface Claim {
  space: ClaimSpace;
  name: string;
}

/** The kinds of object that own claims of each space (an overlay address: a task, a VIP or a
 * standalone container's attachment). */
export const claimOwnerKinds: Record<ClaimSpace, readonly ObjectKind[]> = {
  services: ['service'],
  'ingress-ports': ['service'],
  'host-ports': ['service'],
  subnets: ['node'],
  networks: ['network'],
  'overlay-subnets': ['network'],
  vnis: ['network'],
  'overlay-addrs': ['task', 'service', 'attachment'],
  secrets: ['secret'],
  configs: ['config'],
};

/** The name of an address claim in a cluster network: `<networkId>/<ip>`. */
export function overlayAddrClaim(networkId: string, address: string): string {
  return `${networkId}/${address}`;
}

/** The name of an ingress port's claim: `<protocol>/<port>`. */
export function ingressPortClaim(protocol: string, port: number): string {
  return `${protocol}/${port}`;
}

/**
 * The name of a host-mode port's claim: `<protocol>/<port>/<serviceId>`. Many services may publish
 * one host-mode port (the scheduler keeps their tasks on different nodes), so each holds its own
 * key; an ingress claim of the port compares that none exists under `hostPortPrefix`.
 */
export function hostPortClaim(protocol: string, port: number, serviceId: string): string {
  return `${hostPortPrefix(protocol, port)}${serviceId}`;
}

/** The names of every host-mode claim of one port start with `<protocol>/<port>/`. */
export function hostPortPrefix(protocol: string, port: number): string {
  return `${protocol}/${port}/`;
}

/**
 * The names a stored document holds: a service its name, its ingress ports and its host-mode
 * ports as published (`endpoint.ports`, the manager's picks filled in) and its VIPs, a node its
 * subnet, a network its name, subnet and VNI, a task its overlay addresses until it has stopped
 * (a finished task's record stays for `service ps`, its addresses go back to the network), a
 * standalone container's attachment its address.
 */
export function claimsOf(kind: ObjectKind, doc: unknown): Claim[] {
  if (!doc) return [];
  if (kind === 'service') {
    const s = doc as Service;
    const out: Claim[] = [{ space: 'services', name: s.spec.name }];
    for (const p of s.endpoint?.ports ?? s.spec.endpointSpec.ports)
      if (p.mode === 'ingress' && p.published)
        out.push({ space: 'ingress-ports', name: ingressPortClaim(p.protocol, p.published) });
      else if (p.mode === 'host' && p.published)
        out.push({ space: 'host-ports', name: hostPortClaim(p.protocol, p.published, s.id) });
    for (const v of s.endpoint?.virtualIps ?? [])
      out.push({ space: 'overlay-addrs', name: overlayAddrClaim(v.networkId, v.address) });
    return out;
  }
  if (kind === 'task') {
    const t = doc as Task;
    if (!t.networks?.length || isTerminal(t.status.state)) return [];
    return t.networks.map((a) => ({
      space: 'overlay-addrs' as const,
      name: overlayAddrClaim(a.networkId, a.address),
    }));
  }
  if (kind === 'attachment') {
    const a = doc as ContainerAttachment;
    return [{ space: 'overlay-addrs', name: overlayAddrClaim(a.networkId, a.address) }];
  }
  if (kind === 'network') {
    const n = doc as Network;
    return [
      { space: 'networks', name: n.spec.name },
      { space: 'overlay-subnets', name: n.subnet },
      { space: 'vnis', name: String(n.vni) },
    ];
  }
  if (kind === 'node') {
    const subnet = (doc as Node).subnet;
    return subnet ? [{ space: 'subnets', name: subnet }] : [];
  }
  if (kind === 'secret' || kind === 'config') {
    const name = (doc as Secret | Config).spec.name;
    return [{ space: kind === 'secret' ? 'secrets' : 'configs', name }];
  }
  return [];
}

/**
 * The error for a write that claims a name another object holds. `claimant` is the document being
 * written; `holder` the holding object as this transaction sees it (if it exists).
 */
export function claimTaken(
  claim: Claim,
  claimant: unknown,
  holderId: string,
  holder: unknown,
): FlotillaError {
  switch (claim.space) {
    case 'services':
      return new FlotillaError('SERVICE_NAME_TAKEN', { name: claim.name });
    case 'ingress-ports': {
      const [protocol, port] = claim.name.split('/');
      return new FlotillaError('SERVICE_PORT_IN_USE', {
        port,
        protocol,
        mode: 'ingress',
        name: (claimant as Service).spec.name,
        holder: (holder as Service | undefined)?.spec.name ?? holderId,
        holderMode: 'ingress',
      });
    }
    case 'host-ports':
      // The name ends in the owner's id, so only a key written by hand can name another holder.
      return new FlotillaError('INTERNAL', {
        detail: `host-port claim ${claim.name} is held by ${holderId}`,
      });
    case 'secrets':
    case 'configs':
      return new FlotillaError('SECRET_NAME_TAKEN', {
        kind: claim.space === 'secrets' ? 'secret' : 'config',
        name: claim.name,
      });
    case 'subnets':
      return new FlotillaError('NODE_SUBNET_TAKEN', {
        subnet: claim.name,
        nodeId: (claimant as Node).id,
        holder: holderId,
      });
    case 'networks':
      return new FlotillaError('NETWORK_EXISTS', { name: claim.name });
    case 'overlay-subnets':
      return new FlotillaError('SUBNET_OVERLAP', {
        subnet: claim.name,
        other: `network ${(holder as Network | undefined)?.spec.name ?? holderId}`,
      });
    case 'vnis':
    case 'overlay-addrs':
      // Allocation picks free ones in the same transaction: only a hand-written key clashes.
      return new FlotillaError('INTERNAL', {
        detail: `${claim.space} claim ${claim.name} is held by ${holderId}`,
      });
  }
}

/**
 * The error for a port published in one mode while another service publishes it in the other
 * (an ingress port is open on every node, so no host-mode port may share its number).
 */
export function portModeClash(
  port: { protocol: string; port: number; mode: 'ingress' | 'host' },
  claimant: Service,
  holderId: string,
  holder: Service | undefined,
): FlotillaError {
  return new FlotillaError('SERVICE_PORT_IN_USE', {
    port: port.port,
    protocol: port.protocol,
    mode: port.mode,
    name: claimant.spec.name,
    holder: holder?.spec.name ?? holderId,
    holderMode: port.mode === 'ingress' ? 'host' : 'ingress',
  });
}

/** The protocol and port of an `ingress-ports` or `host-ports` claim name. */
export function portOfClaim(name: string): { protocol: string; port: number } {
  const [protocol, port] = name.split('/');
  return { protocol, port: Number(port) };
}
