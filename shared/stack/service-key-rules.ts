// Service keys the stack path treats specially, as docker does: unsupported (ignored with one
// warning), deprecated (ignored with a reason) and forbidden (refused before anything else).
import type { Dict } from './compose-types.js';
import type { Problems } from './problems.js';
import type { SourceFile } from './source.js';

/** Keys the stack path ignores (docker's UnsupportedProperties). */
export const unsupportedKeys = [
  'build',
  'cgroupns_mode',
  'cgroup_parent',
  'devices',
  'domainname',
  'external_links',
  'ipc',
  'links',
  'mac_address',
  'network_mode',
  'pid',
  'privileged',
  'restart',
  'security_opt',
  'shm_size',
  'userns_mode',
];
export const deprecatedKeys: Record<string, string> = {
  container_name: 'Setting the container name is not supported.',
  expose:
    "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
};
const forbiddenKeys: Record<string, string> = {
  extends: 'Support for `extends` is not implemented yet.',
  volume_driver:
    'define a volume using the top-level `volumes` option and specify the driver there',
  volumes_from: 'share a volume by defining it in the top-level `volumes` option',
  cpu_quota: 'set resource limits using deploy.resources',
  cpu_shares: 'set resource limits using deploy.resources',
  cpuset: 'set resource limits using deploy.resources',
  mem_limit: 'set resource limits using deploy.resources',
  memswap_limit: 'set resource limits using deploy.resources',
};

/** docker refuses these keys before anything else; returns true if any was found. */
export function checkForbidden(src: SourceFile, problems: Problems): boolean {
  const services = src.data.services;
  if (!services || typeof services !== 'object') return false;
  let found = false;
  for (const [name, svc] of Object.entries(services as Dict)) {
    if (!svc || typeof svc !== 'object') continue;
    for (const k of Object.keys(svc as Dict)) {
      if (k in forbiddenKeys) {
        const path = ['services', name, k];
        problems.add(src.positionOf(path), path, `forbidden property: ${forbiddenKeys[k]}`);
        found = true;
      }
    }
  }
  return found;
}
