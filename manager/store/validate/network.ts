// Checks a cluster Network document on every store read and write (the API checks the spec it is
// given with checkNetworkSpec first, for a clear 400 naming the flag's field).
import { arr, bool, fail, int, obj, oneOf, optStr, str, strMap, time } from './check.js';

const cidrPattern = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\/\d{1,2}$/;
const ipPattern = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function validateNetworkSpec(v: unknown, f: string): void {
  const s = obj(v, f);
  str(s.name, `${f}.name`, { nonEmpty: true });
  oneOf(s.driver, `${f}.driver`, ['overlay']);
  strMap(s.labels, `${f}.labels`);
  for (const k of ['internal', 'attachable', 'encrypted'] as const)
    if (bool(s[k], `${f}.${k}`) === undefined) fail(`${f}.${k}`, 'required');
  strMap(s.driverOpts, `${f}.driverOpts`);
  if (s.ipam !== undefined) {
    const i = obj(s.ipam, `${f}.ipam`);
    const subnet = optStr(i.subnet, `${f}.ipam.subnet`);
    if (subnet !== undefined && !cidrPattern.test(subnet))
      fail(`${f}.ipam.subnet`, 'must be an IPv4 CIDR');
    const gw = optStr(i.gateway, `${f}.ipam.gateway`);
    if (gw !== undefined && !ipPattern.test(gw)) fail(`${f}.ipam.gateway`, 'must be an IPv4');
  }
}

export function validateNetwork(v: unknown): void {
  const n = obj(v, 'network');
  str(n.id, 'id', { nonEmpty: true });
  int(n.version, 'version', { min: 1 });
  time(n.createdAt, 'createdAt');
  time(n.updatedAt, 'updatedAt');
  validateNetworkSpec(n.spec, 'spec');
  if (!cidrPattern.test(str(n.subnet, 'subnet'))) fail('subnet', 'must be an IPv4 CIDR');
  if (!ipPattern.test(str(n.gateway, 'gateway'))) fail('gateway', 'must be an IPv4');
  int(n.vni, 'vni', { min: 1, max: 0xffffff });
  bool(n.removing, 'removing');
  // Encrypted networks: keys sealed by the cluster's key-encryption key (manager/networks/keys.ts).
  if (n.keys !== undefined)
    arr(n.keys, 'keys', (k, kf) => {
      const o = obj(k, kf);
      str(o.sealed, `${kf}.sealed`, { nonEmpty: true });
      int(o.spi, `${kf}.spi`, { min: 256 });
      int(o.generation, `${kf}.generation`, { min: 1 });
      time(o.createdAt, `${kf}.createdAt`);
    });
}

/** A task's overlay attachments (Task.networks). */
export function attachments(v: unknown, f: string): void {
  arr(v, f, (a, af) => {
    const o = obj(a, af);
    for (const k of ['networkId', 'name', 'subnet', 'gateway', 'address'] as const)
      str(o[k], `${af}.${k}`, { nonEmpty: true });
    int(o.vni, `${af}.vni`, { min: 1 });
    arr(o.aliases, `${af}.aliases`, (x, xf) => str(x, xf));
    bool(o.internal, `${af}.internal`);
    bool(o.encrypted, `${af}.encrypted`);
  });
}

/** A standalone container's attachment to an overlay (ContainerAttachment). */
export function validateAttachment(v: unknown): void {
  const a = obj(v, 'attachment');
  for (const k of ['id', 'nodeId', 'networkId', 'containerId', 'containerName'] as const)
    str(a[k], k, { nonEmpty: true });
  int(a.version, 'version', { min: 1 });
  time(a.createdAt, 'createdAt');
  arr(a.aliases, 'aliases', (x, xf) => str(x, xf, { nonEmpty: true }));
  if (!ipPattern.test(str(a.address, 'address'))) fail('address', 'must be an IPv4');
}
