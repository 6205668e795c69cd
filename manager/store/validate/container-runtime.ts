// Checks the runtime fields of a container spec (hosts, DNS, sysctls, ulimits, capabilities,
// groups, TTY) with the parsers the CLI and the agent use, naming the field that fails.
import {
  checkCapability,
  checkDnsOption,
  checkDnsSearch,
  checkGroup,
  checkNameserver,
  checkSysctl,
  checkUlimit,
  parseExtraHost,
} from '../../../shared/engine/index.js';
import { isFlotillaError } from '../../../shared/errors/index.js';
import { arr, bool, fail, int, obj, str, strArr, strMap, type Obj } from './check.js';

/** Runs a shared check; its refusal becomes a failure of `field`. */
function checked(field: string, check: () => unknown): void {
  try {
    check();
  } catch (err) {
    if (!isFlotillaError(err)) throw err;
    fail(field, String(err.params.reason ?? err.message));
  }
}

const propagations = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

export function containerRuntime(c: Obj, f: string): void {
  if (c.hosts !== undefined)
    strArr(c.hosts, `${f}.hosts`).forEach((line, i) => {
      const [ip, ...names] = line.trim().split(/\s+/);
      if (!names.length) fail(`${f}.hosts[${i}]`, 'must be "IP hostname [alias...]"');
      for (const n of names) checked(`${f}.hosts[${i}]`, () => parseExtraHost(`${n}:${ip}`));
    });
  if (c.dnsConfig !== undefined) {
    const d = obj(c.dnsConfig, `${f}.dnsConfig`);
    const list = (k: string, check: (v: string) => unknown) => {
      if (d[k] !== undefined)
        strArr(d[k], `${f}.dnsConfig.${k}`).forEach((v, i) =>
          checked(`${f}.dnsConfig.${k}[${i}]`, () => check(v)),
        );
    };
    list('nameservers', checkNameserver);
    list('search', checkDnsSearch);
    list('options', checkDnsOption);
  }
  if (c.sysctls !== undefined)
    for (const [k, v] of Object.entries(strMap(c.sysctls, `${f}.sysctls`)))
      checked(`${f}.sysctls.${k}`, () => checkSysctl(k, v));
  if (c.ulimits !== undefined)
    arr(c.ulimits, `${f}.ulimits`, (u, uf) => {
      const o = obj(u, uf);
      const name = str(o.name, `${uf}.name`);
      const soft = int(o.soft, `${uf}.soft`, { min: 0 });
      const hard = int(o.hard, `${uf}.hard`, { min: 0 });
      checked(uf, () => checkUlimit({ name, soft, hard }));
    });
  for (const k of ['capabilityAdd', 'capabilityDrop'] as const)
    if (c[k] !== undefined)
      strArr(c[k], `${f}.${k}`).forEach((v, i) =>
        checked(`${f}.${k}[${i}]`, () => checkCapability(v)),
      );
  if (c.groups !== undefined)
    strArr(c.groups, `${f}.groups`).forEach((g, i) =>
      checked(`${f}.groups[${i}]`, () => checkGroup(g)),
    );
  bool(c.tty, `${f}.tty`);
  bool(c.openStdin, `${f}.openStdin`);
}

export function mountOptions(m: Obj, f: string): void {
  bool(m.noCopy, `${f}.noCopy`);
  if (m.noCopy && m.type !== 'volume') fail(`${f}.noCopy`, 'only volume mounts take nocopy');
  if (m.propagation !== undefined) {
    if (m.type !== 'bind') fail(`${f}.propagation`, 'only bind mounts take a propagation');
    if (!propagations.includes(String(m.propagation)))
      fail(`${f}.propagation`, `must be one of ${propagations.join(', ')}`);
  }
}
