// Turns one validated, interpolated stack file into the normalised shape `docker stack config`
// prints. Key order follows docker's structs (cli/compose/types) so the rendered YAML reads like
// docker's; services and the top-level sections are normalised by their own modules.
import type { ComposeConfig, Dict, NormalizeContext } from './compose-types.js';
import { normalizeService } from './normalize-service.js';
import { normalizeFileObject, normalizeNetwork, normalizeVolume } from './normalize-top-level.js';
import { extrasOf } from './normalize-values.js';

export function composeVersion(data: Dict): string {
  const v = data.version === undefined || data.version === null ? '' : String(data.version);
  return v === '' || v === '3' ? '3.13' : v;
}

export function normalizeFile(ctx: NormalizeContext): ComposeConfig {
  const d = ctx.src.data;
  const cfg: ComposeConfig = {
    file: ctx.src.file,
    version: composeVersion(d),
    services: {},
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    extras: extrasOf(d),
  };
  for (const [name, svc] of Object.entries((d.services as Dict | null) ?? {})) {
    cfg.services[name] = normalizeService(ctx, name, (svc ?? {}) as Dict);
  }
  for (const [name, n] of Object.entries((d.networks as Dict | null) ?? {})) {
    cfg.networks[name] = normalizeNetwork(ctx, name, (n ?? {}) as Dict);
  }
  for (const [name, v] of Object.entries((d.volumes as Dict | null) ?? {})) {
    cfg.volumes[name] = normalizeVolume(ctx, name, (v ?? {}) as Dict);
  }
  for (const kind of ['secrets', 'configs'] as const) {
    for (const [name, o] of Object.entries((d[kind] as Dict | null) ?? {})) {
      cfg[kind][name] = normalizeFileObject(ctx, kind, name, (o ?? {}) as Dict);
    }
  }
  return cfg;
}
