// A new cluster network from what `network create` (or a stack) asks for: the request checked
// field by field (driver, name, options, subnet and gateway), then subnet, gateway and VNI
// allocated in the transaction that creates it, which also claims its name, subnet and VNI.
import { FlotillaError } from '../../shared/errors/index.js';
import { isTerminal, type Network, type NetworkSpec } from '../../shared/model/index.js';
import { newId, type StoreCore, type StoreTx } from '../store/index.js';
import { newSealedKey, type StoredNetwork } from './keys.js';
import { allocateNetwork, reservedPools } from './pool.js';

/** What the API takes (the CLI's flags, or a stack's network). */
export interface NetworkCreateRequest {
  name: string;
  driver?: string;
  subnet?: string;
  gateway?: string;
  attachable?: boolean;
  internal?: boolean;
  labels?: Record<string, string>;
  /** --opt k=v / compose driver_opts: only `encrypted` is known. */
  options?: Record<string, string>;
}

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const predefined = new Set(['bridge', 'host', 'none', 'ingress']);
const knownOptions = new Set(['encrypted']);

/** The spec the request asks for; throws naming the bad field. */
export function networkSpecOf(r: NetworkCreateRequest): NetworkSpec {
  const driver = r.driver ?? 'overlay';
  if (driver !== 'overlay') throw new FlotillaError('NETWORK_DRIVER_UNSUPPORTED', { driver });
  if (predefined.has(r.name))
    throw new FlotillaError('NETWORK_PREDEFINED', { name: r.name, action: 'created' });
  if (!namePattern.test(r.name) || r.name.length > 200)
    throw new FlotillaError('NETWORK_NAME_INVALID', { name: r.name });
  const options = r.options ?? {};
  for (const k of Object.keys(options))
    if (!knownOptions.has(k)) throw new FlotillaError('NETWORK_OPTION_UNKNOWN', { key: k });
  const encrypted = 'encrypted' in options && options.encrypted !== 'false';
  const ipam = {
    ...(r.subnet ? { subnet: r.subnet } : {}),
    ...(r.gateway ? { gateway: r.gateway } : {}),
  };
  return {
    name: r.name,
    driver: 'overlay',
    labels: r.labels ?? {},
    internal: r.internal === true,
    attachable: r.attachable === true,
    encrypted,
    ...(Object.keys(ipam).length ? { ipam } : {}),
    driverOpts: encrypted ? { encrypted: '' } : {},
  };
}

/**
 * Creates the network in `tx`: subnet, gateway and VNI not used by another network nor by the
 * tasks of a removed one that are still stopping. `sealingKey` seals the first key of an
 * encrypted network. Returns the stored document.
 */
export function createNetwork(
  tx: StoreTx,
  store: StoreCore,
  spec: NetworkSpec,
  sealingKey: () => Buffer,
  nowMs: number,
  reserved: readonly string[] = reservedPools,
  /** The other networks (a stack passes those it created in this transaction too). */
  others: readonly Network[] = store.list('network'),
): StoredNetwork {
  const existing = store.claims('networks').get(spec.name);
  if (existing !== undefined && tx.get('network', existing))
    throw new FlotillaError('NETWORK_EXISTS', { name: spec.name });
  const taken = others.map((n) => ({ subnet: n.subnet, holder: `network ${n.spec.name}` }));
  const lingering = new Map<number, string>();
  for (const t of store.list('task'))
    if (!isTerminal(t.status.state))
      for (const a of t.networks ?? []) lingering.set(a.vni, a.subnet);
  for (const [, subnet] of lingering)
    taken.push({ subnet, holder: 'a removed network still in use' });
  const a = allocateNetwork(
    spec,
    taken,
    (vni) => lingering.has(vni) || tx.claimOwner('vnis', String(vni)) !== undefined,
    reserved,
  );
  const now = new Date(nowMs).toISOString();
  const network: StoredNetwork = {
    id: newId(),
    version: 1,
    createdAt: now,
    updatedAt: now,
    spec,
    ...a,
    ...(spec.encrypted ? { keys: [newSealedKey(sealingKey(), 1, nowMs)] } : {}),
  };
  tx.create('network', network);
  return network;
}
