// Normalises a service's `volumes` (mounts): short syntax expanded by volumes.ts, long syntax
// checked, and bind sources made absolute against the working directory (`~` from HOME).
import { isAbsolute, join } from 'node:path';
import type { Dict, NormalizeContext } from './compose-types.js';
import type { Fields } from './normalize-units.js';
import { set, str } from './normalize-values.js';
import { parseVolumeSpec, type ComposeVolume } from './volumes.js';

function resolveBindSource(ctx: NormalizeContext, source: string): string {
  let p = source;
  if (p.startsWith('~')) {
    const home = ctx.lookup('HOME');
    if (home === undefined)
      ctx.warnings.push("cannot expand '~', because the environment lacks HOME");
    else p = p.replace('~', home);
  }
  if (!isAbsolute(p) && !/^[A-Za-z]:[\\/]/.test(p) && !p.startsWith('\\\\')) {
    p = join(ctx.workingDir, p);
    if (p.length > 1) p = p.replace(/\/+$/, '');
  }
  return p;
}

export function serviceVolumes(
  ctx: NormalizeContext,
  f: Fields,
  v: unknown,
): ComposeVolume[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: ComposeVolume[] = [];
  v.forEach((item, i) => {
    let vol: ComposeVolume;
    if (typeof item === 'string') {
      try {
        vol = parseVolumeSpec(item);
      } catch (err) {
        f.fail(['volumes', i], (err as Error).message);
        return;
      }
    } else {
      const o = item as Dict;
      vol = {};
      const x = vol as Dict;
      for (const k of ['type', 'source', 'target', 'read_only', 'consistency']) set(x, k, o[k]);
      if (o.bind) set(x, 'bind', { ...(o.bind as Dict) });
      if (o.volume) set(x, 'volume', { ...(o.volume as Dict) });
      if (o.tmpfs) set(x, 'tmpfs', { ...(o.tmpfs as Dict) });
      if (
        o.type !== undefined &&
        !['bind', 'volume', 'tmpfs', 'npipe', 'cluster'].includes(str(o.type))
      )
        f.fail(
          ['volumes', i, 'type'],
          `expected bind, volume or tmpfs, got ${JSON.stringify(o.type)}`,
        );
    }
    if (vol.type === 'bind') {
      if (!vol.source) {
        f.fail(
          ['volumes', i],
          'invalid mount config for type "bind": field Source must not be empty',
        );
        return;
      }
      vol.source = resolveBindSource(ctx, vol.source);
    }
    out.push(vol);
  });
  return out;
}
