// The log drivers a container or a service may name, with Docker's names and option names, and the
// checks every entry point shares (CLI flags, stack `logging:`, the manager's service validation,
// the agent's create). Pure: whether a driver can run on a host is the agent's question.
import { FlotillaError } from '../errors/index.js';
import type { LogDriverConfig } from '../model/index.js';
import { parseBytes } from '../units/index.js';

export const logDriverNames = [
  'json-file',
  'local',
  'journald',
  'syslog',
  'none',
  'k8s-file',
] as const;
export type LogDriverName = (typeof logDriverNames)[number];

export type { LogDriverConfig };

// Dual logging (Docker 20.10): drivers that send elsewhere keep a local copy `logs` reads.
const cacheOpts = ['cache-disabled', 'cache-max-size'];
const fileOpts = ['max-size', 'max-file', 'compress'];
// Docker's loginfo.ExtraAttributes: labels and env of the container recorded with each entry,
// which `logs --details` shows (json-file keeps them in each line's "attrs", journald as fields).
const attrOpts = ['labels', 'labels-regex', 'env', 'env-regex'];
const optionsOf: Record<LogDriverName, string[]> = {
  'json-file': [...fileOpts, ...attrOpts, 'tag'],
  local: fileOpts,
  'k8s-file': ['max-size', 'max-file'],
  journald: [...attrOpts, 'tag', ...cacheOpts],
  syslog: ['syslog-address', 'syslog-facility', 'syslog-format', 'tag', ...cacheOpts],
  none: [],
};

/** Docker's facility names (log/syslog), in code order. */
export const syslogFacilities = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv',
  'ftp', '', '', '', '', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6',
  'local7',
]; // prettier-ignore

const tagFields = ['ID', 'FullID', 'Name', 'ImageName', 'ImageID', 'ImageFullID', 'DaemonName'];

function bad(driver: string, option: string, value: string, reason: string): FlotillaError {
  return new FlotillaError('LOG_OPT_INVALID', { driver, option, value, reason });
}

function checkValue(driver: string, k: string, v: string): void {
  switch (k) {
    case 'max-size':
    case 'cache-max-size':
      if (v !== '-1') parseBytes(v, `--log-opt ${k}`);
      return;
    case 'max-file':
      if (!/^[1-9]\d*$/.test(v)) throw bad(driver, k, v, 'must be a positive integer');
      return;
    case 'compress':
    case 'cache-disabled':
      if (v !== 'true' && v !== 'false') throw bad(driver, k, v, 'use true or false');
      return;
    case 'syslog-format':
      if (!['', 'rfc3164', 'rfc5424', 'rfc5424micro'].includes(v))
        throw bad(driver, k, v, 'use rfc3164, rfc5424 or rfc5424micro');
      return;
    case 'syslog-facility':
      if (!syslogFacilities.includes(v) || !v) throw bad(driver, k, v, 'not a syslog facility');
      return;
    case 'syslog-address':
      parseSyslogAddress(v, driver);
      return;
    case 'labels-regex':
    case 'env-regex':
      try {
        new RegExp(v);
      } catch {
        throw bad(driver, k, v, 'not a regular expression');
      }
      return;
    case 'tag':
      for (const m of v.matchAll(/\{\{\s*\.(\w+)\s*\}\}/g))
        if (!tagFields.includes(m[1]))
          throw bad(driver, k, v, `unknown template field .${m[1]} (use ${tagFields.join(', ')})`);
      return;
  }
}

export interface SyslogAddress {
  protocol: 'udp' | 'tcp' | 'unix' | 'unixgram';
  /** host:port, or a socket path for unix and unixgram. */
  address: string;
}

/** `udp://host:port` (port 514 by default), `tcp://…`, `unix:///path`, `unixgram:///path`. */
export function parseSyslogAddress(v: string, driver = 'syslog'): SyslogAddress {
  const m = /^(udp|tcp|unix|unixgram):\/\/(.+)$/.exec(v);
  if (!m)
    throw bad(driver, 'syslog-address', v, 'use udp://, tcp://, unix:// or unixgram:// (no TLS)');
  const protocol = m[1] as SyslogAddress['protocol'];
  if (protocol === 'unix' || protocol === 'unixgram') {
    if (!m[2].startsWith('/')) throw bad(driver, 'syslog-address', v, 'needs an absolute path');
    return { protocol, address: m[2] };
  }
  const hp = /^(\[[0-9a-fA-F:.]+\]|[^:/[\]]+)(?::(\d{1,5}))?$/.exec(m[2]);
  if (!hp || (hp[2] !== undefined && (Number(hp[2]) < 1 || Number(hp[2]) > 65535)))
    throw bad(driver, 'syslog-address', v, 'use HOST:PORT');
  return { protocol, address: `${hp[1]}:${hp[2] ?? '514'}` };
}

/**
 * Checks a driver and its options; throws LOG_DRIVER_UNKNOWN, LOG_OPT_UNKNOWN or LOG_OPT_INVALID
 * naming the culprit. `undefined` name = the default driver (its options are checked by the agent).
 */
export function validateLogDriver(name: string, options: Record<string, string> = {}): void {
  if (!(logDriverNames as readonly string[]).includes(name))
    throw new FlotillaError('LOG_DRIVER_UNKNOWN', { driver: name });
  const allowed = optionsOf[name as LogDriverName];
  for (const [k, v] of Object.entries(options)) {
    if (!allowed.includes(k))
      throw new FlotillaError('LOG_OPT_UNKNOWN', {
        driver: name,
        option: k,
        supported: allowed.length ? allowed.join(', ') : 'no options',
      });
    checkValue(name, k, v);
  }
}

/** Parses repeated `--log-opt KEY=VALUE` flags; `field` names the flag in the error. */
export function parseLogOptFlags(
  values: string[] = [],
  field = '--log-opt',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of values) {
    const i = o.indexOf('=');
    if (i < 1)
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        flag: field,
        value: o,
        reason: 'use KEY=VALUE',
      });
    out[o.slice(0, i)] = o.slice(i + 1);
  }
  return out;
}
