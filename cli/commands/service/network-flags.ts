// `--network` of `service create|update` (and --network-add/--network-rm): NAME, NAME,alias=A, or
// Docker's long form name=NAME,alias=A (repeatable keys); and --endpoint-mode vip|dnsrr. The
// manager resolves names to networks; only the syntax and the aliases are checked here.
import { FlotillaError } from '../../../shared/errors/index.js';
import type { NetworkAttachmentConfig, ServiceSpec } from '../../../shared/model/index.js';

const dnsLabel = /^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;

function bad(flag: string, value: string, reason: string): FlotillaError {
  return new FlotillaError('INVALID_FLAG_VALUE', { flag, value, reason });
}

/** One --network value as an attachment. */
export function parseNetwork(s: string, flag = '--network'): NetworkAttachmentConfig {
  const parts = s.split(',');
  let target = '';
  const aliases: string[] = [];
  parts.forEach((p, i) => {
    const eq = p.indexOf('=');
    if (eq < 0) {
      if (i > 0 || p === '') throw bad(flag, s, `expected key=value, got "${p}"`);
      target = p;
      return;
    }
    const k = p.slice(0, eq);
    const v = p.slice(eq + 1);
    if (k === 'name' || k === 'target') target = v;
    else if (k === 'alias') {
      if (!v.split('.').every((l) => dnsLabel.test(l)))
        throw bad(flag, s, `alias "${v}" is not a DNS name`);
      aliases.push(v);
    } else if (k === 'driver-opt')
      throw bad(flag, s, 'driver-opt is not supported (the overlay driver takes none per service)');
    else throw bad(flag, s, `unknown key "${k}" (name, alias)`);
  });
  if (!target) throw bad(flag, s, 'no network name');
  return aliases.length ? { target, aliases } : { target };
}

export function parseEndpointMode(v: string): 'vip' | 'dnsrr' {
  if (v !== 'vip' && v !== 'dnsrr') throw bad('--endpoint-mode', v, 'must be vip or dnsrr');
  return v;
}

/** Applies --network (create: the whole list) and --endpoint-mode to a spec. */
export function applyNetworkFlags(
  spec: ServiceSpec,
  f: { network?: string[]; endpointMode?: string },
): void {
  if (f.network) spec.taskTemplate.networks = f.network.map((n) => parseNetwork(n));
  if (f.endpointMode !== undefined) spec.endpointSpec.mode = parseEndpointMode(f.endpointMode);
}

/**
 * --network-rm (by name or id: `ids` maps the names the user may give to the stored targets), then
 * --network-add; an attachment to a network already listed replaces it.
 */
export function updateNetworks(
  current: NetworkAttachmentConfig[],
  f: { networkAdd?: string[]; networkRm?: string[] },
  ids: ReadonlyMap<string, string>,
): NetworkAttachmentConfig[] {
  const idOf = (ref: string) => ids.get(ref) ?? ref;
  const rm = new Set((f.networkRm ?? []).map(idOf));
  const add = (f.networkAdd ?? []).map((n) => parseNetwork(n, '--network-add'));
  const adding = new Set(add.map((a) => idOf(a.target)));
  return [...current.filter((a) => !rm.has(a.target) && !adding.has(idOf(a.target))), ...add];
}
