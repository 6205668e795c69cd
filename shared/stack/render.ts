// Prints a normalised stack the way `docker stack config` does: version, services, networks,
// volumes, secrets, configs, then top-level x- fields, as YAML with two-space indentation.
import { stringify } from 'yaml';
import type { ComposeConfig, Dict } from './compose-types.js';

export function toDocument(cfg: ComposeConfig): Dict {
  const doc: Dict = { version: cfg.version, services: cfg.services };
  for (const k of ['networks', 'volumes', 'secrets', 'configs'] as const) {
    if (Object.keys(cfg[k]).length > 0) doc[k] = cfg[k];
  }
  return { ...doc, ...cfg.extras };
}

export function renderConfig(cfg: ComposeConfig): string {
  return stringify(toDocument(cfg), {
    indent: 2,
    lineWidth: 0,
    defaultStringType: 'PLAIN',
    defaultKeyType: 'PLAIN',
    nullStr: 'null',
    version: '1.1',
  });
}
