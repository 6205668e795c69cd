// `--log-driver` / `--log-opt` of `service create` and `service update` → ContainerSpec.logDriver.
// Docker drops --log-opt given without --log-driver; we refuse it instead of ignoring it.
import { FlotillaError } from '../../../shared/errors/index.js';
import {
  parseLogOptFlags,
  validateLogDriver,
  type LogDriverConfig,
} from '../../../shared/engine/index.js';

export function logDriverFromFlags(f: {
  logDriver?: string;
  logOpt?: string[];
}): LogDriverConfig | undefined {
  const options = parseLogOptFlags(f.logOpt);
  if (f.logDriver === undefined) {
    if (f.logOpt?.length)
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        flag: '--log-opt',
        value: f.logOpt[0],
        reason: 'needs --log-driver (the options belong to a driver)',
      });
    return undefined;
  }
  validateLogDriver(f.logDriver, options);
  return Object.keys(options).length ? { name: f.logDriver, options } : { name: f.logDriver };
}
