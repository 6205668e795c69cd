// `run`/`create` flags for the container's runtime that `service create` and stacks share:
// --add-host (host-gateway too), --dns, --dns-search, --dns-option, --sysctl, --group-add, --ulimit.
// Values go through shared/engine's parsers; a refusal is a flag error (status 125) naming the flag.
import type { Command } from 'commander';
import {
  checkDnsOption,
  checkDnsSearch,
  checkGroup,
  checkNameserver,
  parseExtraHost,
  parseSysctl,
  parseUlimit,
  type ContainerCreateOptions,
} from '../../../shared/engine/index.js';
import { FlotillaError, isFlotillaError } from '../../../shared/errors/index.js';
import { collect } from '../../repeatable.js';

/** Runs a shared parser for `flag`; its CONTAINER_OPTION_INVALID becomes INVALID_FLAG_VALUE. */
export function asFlagError<T>(flag: string, value: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!isFlotillaError(err) || err.code !== 'CONTAINER_OPTION_INVALID') throw err;
    throw new FlotillaError('INVALID_FLAG_VALUE', {
      flag,
      value,
      reason: String(err.params.reason),
    });
  }
}

/** Parses each value of a repeatable flag. */
export function eachFlag<T>(flag: string, list: unknown, parse: (v: string) => T): T[] {
  return ((list as string[] | undefined) ?? []).map((v) => asFlagError(flag, v, () => parse(v)));
}

export function addRuntimeRunFlags(cmd: Command): Command {
  return cmd
    .option(
      '--add-host <host:ip>',
      'add a custom host-to-IP mapping (ip may be host-gateway)',
      collect,
    )
    .option('--dns <ip>', 'set custom DNS servers', collect)
    .option('--dns-search <domain>', 'set custom DNS search domains', collect)
    .option('--dns-option <opt>', 'set DNS options', collect)
    .option('--sysctl <k=v>', 'namespaced kernel parameter', collect)
    .option('--group-add <group>', 'add additional groups to join', collect);
}

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length ? list : undefined);

export function runtimeRunOptions(
  f: Record<string, unknown>,
): Pick<
  ContainerCreateOptions,
  'extraHosts' | 'dns' | 'dnsSearch' | 'dnsOptions' | 'sysctls' | 'groupAdd' | 'ulimits'
> {
  const sysctls = Object.fromEntries(eachFlag('--sysctl', f.sysctl, (v) => parseSysctl(v)));
  return {
    extraHosts: nonEmpty(eachFlag('--add-host', f.addHost, (v) => parseExtraHost(v))),
    dns: nonEmpty(eachFlag('--dns', f.dns, (v) => checkNameserver(v))),
    dnsSearch: nonEmpty(eachFlag('--dns-search', f.dnsSearch, (v) => checkDnsSearch(v))),
    dnsOptions: nonEmpty(eachFlag('--dns-option', f.dnsOption, (v) => checkDnsOption(v))),
    sysctls: Object.keys(sysctls).length ? sysctls : undefined,
    groupAdd: nonEmpty(eachFlag('--group-add', f.groupAdd, (v) => checkGroup(v))),
    ulimits: eachFlag('--ulimit', f.ulimit, (v) => parseUlimit(v)),
  };
}
