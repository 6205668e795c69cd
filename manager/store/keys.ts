// The etcd key layout of ARCHITECTURE.md. Everything Flotilla stores lives under one versioned prefix.
import type { ObjectKind } from './types.js';

export const rootPrefix = '/flotilla/v1/';
export const clusterKey = `${rootPrefix}cluster`;
export const electionKey = `${rootPrefix}election`;
export const serviceNamePrefix = `${rootPrefix}names/services/`;

const folder: Record<ObjectKind, string> = { node: 'nodes', service: 'services', task: 'tasks' };

export function objectKey(kind: ObjectKind, id: string): string {
  return `${rootPrefix}${folder[kind]}/${id}`;
}

export function serviceNameKey(name: string): string {
  return serviceNamePrefix + name;
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
