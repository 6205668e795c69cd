// HostConfig's per-container runtime knobs (Dns, DnsSearch, DnsOptions, ExtraHosts, Sysctls,
// GroupAdd) → the create options `flotilla run --dns/--add-host/--sysctl/…` sends, checked by the
// same shared parsers (shared/engine/runtime-options.ts), errors naming the HostConfig field.
import type { ContainerCreateOptions } from '../../runtime/index.js';
import {
  checkDnsOption,
  checkDnsSearch,
  checkGroup,
  checkNameserver,
  checkSysctl,
  parseExtraHost,
} from '../../../shared/engine/index.js';
import { isSet, refuse } from './body-fields.js';

type Doc = Record<string, unknown>;

export const runtimeHostConfigFields = [
  'Dns',
  'DnsSearch',
  'DnsOptions',
  'ExtraHosts',
  'Sysctls',
  'GroupAdd',
];

type RuntimeOptions = Pick<
  ContainerCreateOptions,
  'dns' | 'dnsSearch' | 'dnsOptions' | 'extraHosts' | 'sysctls' | 'groupAdd'
>;

/** A list of strings, each checked by `check` under the field's name; unset → undefined. */
function each(hc: Doc, field: string, check: (v: string, option: string) => string) {
  const v = hc[field];
  if (!isSet(v)) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    refuse(`HostConfig.${field}`, 'must be a list of strings');
  return (v as string[]).map((x) => check(x, `HostConfig.${field}`));
}

function sysctls(v: unknown): Record<string, string> | undefined {
  if (!isSet(v)) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) refuse('HostConfig.Sysctls', 'must be an object');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Doc)) {
    if (typeof val !== 'string') refuse(`HostConfig.Sysctls.${k}`, 'must be a string');
    checkSysctl(k, val, 'HostConfig.Sysctls');
    out[k] = val;
  }
  return out;
}

export function runtimeOptions(hc: Doc): RuntimeOptions {
  const o: RuntimeOptions = {
    dns: each(hc, 'Dns', checkNameserver),
    dnsSearch: each(hc, 'DnsSearch', checkDnsSearch),
    dnsOptions: each(hc, 'DnsOptions', checkDnsOption),
    extraHosts: each(hc, 'ExtraHosts', parseExtraHost),
    sysctls: sysctls(hc.Sysctls),
    groupAdd: each(hc, 'GroupAdd', checkGroup),
  };
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
