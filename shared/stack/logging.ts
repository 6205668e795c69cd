// A compose service's `logging: {driver, options}` → the task's log driver (Swarm's
// TaskTemplate.LogDriver). Checked here, so a stack with an unknown driver or option is refused
// before anything is deployed; without `driver`, the options go to each agent's default driver.
import type { LogDriverConfig } from '../engine/index.js';
import { validateLogDriver } from '../engine/index.js';

export function stackLogDriver(logging: unknown): LogDriverConfig | undefined {
  if (!logging || typeof logging !== 'object') return undefined;
  const l = logging as { driver?: unknown; options?: Record<string, unknown> | null };
  const options = Object.fromEntries(
    Object.entries(l.options ?? {})
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
  const name = typeof l.driver === 'string' ? l.driver : '';
  if (name) validateLogDriver(name, options);
  if (!name && !Object.keys(options).length) return undefined;
  return Object.keys(options).length ? { name, options } : { name };
}
