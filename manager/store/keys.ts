// The etcd key layout of ARCHITECTURE.md. Everything Flotilla stores lives under one versioned prefix.
import type { ClaimSpace, ObjectKind } from './types.js';

export const rootPrefix = '/flotilla/v1/';
export const clusterKey = `${rootPrefix}cluster`;
export const electionKey = `${rootPrefix}election`;
/** Claim keys (manager/store/claims.ts): /flotilla/v1/names/<space>/<name> → owner id. */
export const claimsPrefix = `${rootPrefix}names/`;

const folder: Record<ObjectKind, string> = {
  node: 'nodes',
  service: 'services',
  task: 'tasks',
  network: 'networks',
  secret: 'secrets',
  config: 'configs',
  attachment: 'attachments',
};
const spaces: readonly ClaimSpace[] = [
  'services',
  'subnets',
  'ingress-ports',
  'host-ports',
  'networks',
  'overlay-subnets',
  'vnis',
  'overlay-addrs',
  'secrets',
  'configs',
];

export function objectKey(kind: ObjectKind, id: string): string {
  return `${rootPrefix}${folder[kind]}/${id}`;
}

export function claimKey(space: ClaimSpace, name: string): string {
  return `${claimsPrefix}${space}/${name}`;
}

/** The end of the key range holding every key that starts with `prefix` (etcd's range_end). */
export function prefixEnd(prefix: string): string {
  // Keys are ASCII here; the last character plus one bounds the prefix ('/' + 1 = '0').
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Which space and name a claim key holds (names may contain '/': 10.240.0.0/24, tcp/80/<id>). */
export function parseClaimKey(key: string): { space: ClaimSpace; name: string } | undefined {
  if (!key.startsWith(claimsPrefix)) return undefined;
  const rest = key.slice(claimsPrefix.length);
  const i = rest.indexOf('/');
  const space = rest.slice(0, i) as ClaimSpace;
  if (i < 0 || !spaces.includes(space)) return undefined;
  return { space, name: rest.slice(i + 1) };
}

/** Which object a key holds, or undefined for keys that are not node/service/task documents. */
export function parseObjectKey(key: string): { kind: ObjectKind; id: string } | undefined {
  if (!key.startsWith(rootPrefix)) return undefined;
  const [dir, id, extra] = key.slice(rootPrefix.length).split('/');
  if (!id || extra !== undefined) return undefined;
  for (const [kind, f] of Object.entries(folder) as [ObjectKind, string][]) {
    if (f === dir) return { kind, id };
  }
  return undefined;
}
