// Normalises a service's `ports`: short syntax expanded by ports.ts, long syntax checked
// (port range, mode, protocol) and trimmed to the fields docker prints.
import type { Dict, NormalizeContext } from './compose-types.js';
import type { Fields } from './normalize-units.js';
import { set, str } from './normalize-values.js';
import { parsePortSpec, type ComposePort } from './ports.js';

export function servicePorts(
  ctx: NormalizeContext,
  f: Fields,
  v: unknown,
): ComposePort[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: ComposePort[] = [];
  v.forEach((item, i) => {
    if (typeof item === 'number' || typeof item === 'string') {
      try {
        out.push(...parsePortSpec(String(item), ctx.warnings));
      } catch (err) {
        f.fail(
          ['ports', i],
          `invalid port ${JSON.stringify(String(item))}: ${(err as Error).message}`,
        );
      }
      return;
    }
    const o = item as Dict;
    const p: ComposePort = {};
    set(p as Dict, 'mode', o.mode);
    for (const k of ['target', 'published'] as const) {
      const n = o[k];
      if (typeof n === 'number') {
        if (n < 0 || n > 65535) f.fail(['ports', i, k], `port ${n} is out of range 0-65535`);
        else if (n !== 0) p[k] = n;
      }
    }
    set(p as Dict, 'protocol', o.protocol);
    if (o.mode !== undefined && !['ingress', 'host'].includes(str(o.mode)))
      f.fail(['ports', i, 'mode'], `expected ingress or host, got ${JSON.stringify(o.mode)}`);
    if (o.protocol !== undefined && !['tcp', 'udp', 'sctp'].includes(str(o.protocol)))
      f.fail(
        ['ports', i, 'protocol'],
        `expected tcp, udp or sctp, got ${JSON.stringify(o.protocol)}`,
      );
    out.push(p);
  });
  return out;
}
