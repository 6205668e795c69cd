// Checks the values of the runtime keys a stack service may set (extra_hosts, sysctls, ulimits,
// dns, dns_search, dns_opt, group_add, cap_add/cap_drop, bind propagation) with the parsers `run`
// and `service create` use; each problem at its field's position.
import {
  checkCapability,
  checkDnsOption,
  checkDnsSearch,
  checkGroup,
  checkNameserver,
  checkSysctl,
  checkUlimit,
  parseExtraHost,
} from '../engine/index.js';
import { isFlotillaError } from '../errors/index.js';
import type { Dict } from './compose-types.js';
import type { Fields } from './normalize-units.js';
import { hostsList, mapping, str, stringList } from './normalize-values.js';
import type { Path } from './problems.js';

const propagations = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

function checked(f: Fields, path: Path, check: () => unknown): void {
  try {
    check();
  } catch (err) {
    if (!isFlotillaError(err)) throw err;
    const { value, reason } = err.params;
    f.fail(path, `invalid value ${JSON.stringify(String(value))}: ${String(reason)}`);
  }
}

function eachOf(f: Fields, s: Dict, key: string, check: (v: string) => unknown): void {
  const list = stringList(s[key]);
  const single = typeof s[key] === 'string';
  list?.forEach((v, i) => checked(f, single ? [key] : [key, i], () => check(v)));
}

export function checkRuntimeKeys(f: Fields, s: Dict): void {
  const hosts = hostsList(s.extra_hosts) ?? [];
  hosts.forEach((h, i) =>
    checked(f, Array.isArray(s.extra_hosts) ? ['extra_hosts', i] : ['extra_hosts'], () =>
      parseExtraHost(h, 'extra_hosts'),
    ),
  );
  for (const [k, v] of Object.entries(mapping(s.sysctls, '=', false) ?? {}))
    checked(f, ['sysctls', k], () => checkSysctl(k, v ?? '', 'sysctls'));
  for (const [k, v] of Object.entries((s.ulimits as Dict | undefined) ?? {})) {
    const u =
      typeof v === 'number'
        ? { name: k, soft: v, hard: v }
        : { name: k, soft: Number((v as Dict).soft), hard: Number((v as Dict).hard) };
    checked(f, ['ulimits', k], () => checkUlimit(u, 'ulimits'));
  }
  eachOf(f, s, 'dns', (v) => checkNameserver(v, 'dns'));
  eachOf(f, s, 'dns_search', (v) => checkDnsSearch(v, 'dns_search'));
  eachOf(f, s, 'dns_opt', (v) => checkDnsOption(v, 'dns_opt'));
  eachOf(f, s, 'group_add', (v) => checkGroup(v, 'group_add'));
  eachOf(f, s, 'cap_add', (v) => checkCapability(v, 'cap_add'));
  eachOf(f, s, 'cap_drop', (v) => checkCapability(v, 'cap_drop'));
  if (Array.isArray(s.volumes))
    s.volumes.forEach((v, i) => {
      const p = (v as Dict | null)?.bind as Dict | undefined;
      if (p?.propagation !== undefined && !propagations.includes(str(p.propagation)))
        f.fail(
          ['volumes', i, 'bind', 'propagation'],
          `invalid propagation ${JSON.stringify(p.propagation)} (use one of ${propagations.join(', ')})`,
        );
    });
}
