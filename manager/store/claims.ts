// Claims: names that must be unique across the cluster, held by the object that uses them as a key
// /flotilla/v1/names/<space>/<name> whose value is the owner's id. A claim is created, kept and
// released in the same transaction as its owner's write (TxBuffer), so two managers writing at the
// same instant cannot both take a name, and a transaction compares only its own claims, never
// every other object. This file says which names each document holds and what a clash is called;
// TxBuffer (tx.ts) enforces the one rule across spaces (ingress vs host-mode ports).
import { FlotillaError } from '../../shared/errors/index.js';
import type { Node, Service } from '../../shared/model/index.js';
import type { ClaimSpace, ObjectKind } from './types.js';

export interface Claim {
  space: ClaimSpace;
  name: string;
}

/** The kind of object that owns claims of each space. */
export const claimOwnerKind: Record<ClaimSpace, ObjectKind> = {
  services: 'service',
  'ingress-ports': 'service',
  'host-ports': 'service',
  subnets: 'node',
};

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
 * ports as published (`endpoint.ports`, the manager's picks filled in), a node its subnet. Tasks
 * hold none.
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
    return out;
  }
  if (kind === 'node') {
    const subnet = (doc as Node).subnet;
    return subnet ? [{ space: 'subnets', name: subnet }] : [];
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
    case 'subnets':
      return new FlotillaError('NODE_SUBNET_TAKEN', {
        subnet: claim.name,
        nodeId: (claimant as Node).id,
        holder: holderId,
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
