// Per container: which driver logs it (its own or the agent's default, merged as dockerd merges
// them), whether this host can run that driver, where its files live, and what conmon's spool
// keeps. The spool is conmon's k8s-file `ctr.log`: the log itself for k8s-file, and for every
// other readable or shipping driver the durable buffer the agent's shipper reads from.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseSyslogAddress,
  validateLogDriver,
  type LogDriverConfig,
} from '../../../../shared/engine/index.js';
import { FlotillaError } from '../../../../shared/errors/index.js';
import { parseBytes } from '../../../../shared/units/index.js';
import type { ContainerCreateOptions } from '../../types.js';
import { defaultLogLimits, parseLogOpts, type LogLimits } from '../rotation.js';
import { checkJournald } from './journald.js';
import type { FileLimits } from './rotating-file.js';

/** dockerd's default driver. */
export const defaultLogDriver: LogDriverConfig = { name: 'json-file' };

/**
 * The container's driver and options: its own; or, without --log-driver, the agent's default
 * driver with the container's --log-opt over the default's options (dockerd does the same).
 */
export function resolveLogConfig(
  o: ContainerCreateOptions,
  agentDefault: LogDriverConfig = defaultLogDriver,
): { logDriver: string; logOpts?: Record<string, string> } {
  const name = o.logDriver || agentDefault.name;
  const base = name === agentDefault.name ? agentDefault.options : undefined;
  const opts = { ...base, ...o.logOpts };
  return { logDriver: name, logOpts: Object.keys(opts).length ? opts : undefined };
}

/** Names and options as the shared checks see them, then what only this host can tell. */
export function checkLogConfig(driver: string, opts: Record<string, string> = {}): void {
  validateLogDriver(driver, opts);
  if (driver === 'journald') checkJournald();
  if (driver === 'syslog') {
    const a = parseSyslogAddress(opts['syslog-address'] ?? 'unixgram:///dev/log');
    if ((a.protocol === 'unix' || a.protocol === 'unixgram') && !existsSync(a.address))
      throw new FlotillaError('LOG_DRIVER_UNAVAILABLE', {
        driver: 'syslog',
        reason: `${a.address} does not exist${opts['syslog-address'] ? '' : ' (no local syslog daemon; set syslog-address)'}`,
      });
  }
}

/** Where the driver's own file is (json-file, local), as Docker lays them out. */
export function driverLogPath(driver: string, dir: string, id: string): string | undefined {
  if (driver === 'json-file') return join(dir, `${id}-json.log`);
  if (driver === 'local') return join(dir, 'local-logs', 'container.log');
  return undefined;
}

/** Docker's defaults: json-file 10m × 3 here (Docker's is unbounded), local 20m × 5 compressed. */
export function fileLimits(driver: string, opts: Record<string, string> = {}): FileLimits {
  const local = driver === 'local';
  const size = opts['max-size'];
  return {
    maxSizeBytes:
      size === '-1'
        ? 0
        : size
          ? parseBytes(size, '--log-opt max-size')
          : local
            ? 20 * 1024 * 1024
            : defaultLogLimits.maxSizeBytes,
    maxFiles: opts['max-file'] ? Number(opts['max-file']) : local ? 5 : defaultLogLimits.maxFiles,
    compress: opts.compress ? opts.compress === 'true' : local,
  };
}

/** Drivers the agent forwards from the spool (the rest: k8s-file is the spool, none has none). */
export function isShipped(driver: string): boolean {
  return driver !== 'k8s-file' && driver !== 'none';
}

/** journald and syslog keep the spool as Docker's dual-logging cache unless cache-disabled. */
export function hasReadCache(driver: string, opts: Record<string, string> = {}): boolean {
  return (driver === 'journald' || driver === 'syslog') && opts['cache-disabled'] !== 'true';
}

const spoolOnly: LogLimits = { maxSizeBytes: 1024 * 1024, maxFiles: 2 };

/** How large conmon's ctr.log may grow before the agent rotates it. */
export function spoolLimits(driver: string, opts: Record<string, string> = {}): LogLimits {
  if (driver === 'k8s-file') return parseLogOpts(opts);
  if (hasReadCache(driver, opts)) {
    const size = opts['cache-max-size'];
    return {
      maxSizeBytes:
        size === '-1' ? 0 : size ? parseBytes(size, '--log-opt cache-max-size') : 20 * 1024 * 1024,
      maxFiles: 2,
    };
  }
  return spoolOnly;
}
