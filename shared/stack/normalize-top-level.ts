// Normalises the top-level networks, volumes (incl. x-cluster-spec), secrets and configs:
// external names resolved with docker's deprecation warnings and conflict checks, files absolute.
import { isAbsolute, join } from 'node:path';
import type { Dict, NormalizeContext } from './compose-types.js';
import { Fields } from './normalize-units.js';
import { extrasOf, mapping, set } from './normalize-values.js';

function externalOf(o: Dict): { external: boolean; name?: string } {
  const e = o.external;
  if (e && typeof e === 'object') return { external: true, name: (e as Dict).name as string };
  return { external: e === true };
}

export function normalizeNetwork(ctx: NormalizeContext, name: string, n: Dict): Dict {
  const out: Dict = {};
  const ext = externalOf(n);
  let netName = n.name as string | undefined;
  if (ext.external) {
    if (ext.name) {
      if (netName) {
        ctx.problems.add(
          ctx.src.positionOf(['networks', name]),
          ['networks', name],
          'network.external.name and network.name conflict; only use network.name',
        );
      }
      ctx.warnings.push(
        `network ${name}: network.external.name is deprecated in favor of network.name`,
      );
      netName = ext.name;
    } else if (!netName) netName = name;
  }
  set(out, 'name', netName);
  set(out, 'driver', n.driver);
  set(out, 'driver_opts', mapping(n.driver_opts, '=', false));
  if (n.ipam) {
    const ipam = n.ipam as Dict;
    const x: Dict = {};
    set(x, 'driver', ipam.driver);
    set(x, 'config', ipam.config);
    set(out, 'ipam', x);
  }
  set(out, 'external', ext.external);
  set(out, 'internal', n.internal);
  set(out, 'attachable', n.attachable);
  set(out, 'labels', mapping(n.labels, '=', false));
  // docker keeps x- fields only on external networks (a quirk of its loader).
  if (ext.external) Object.assign(out, extrasOf(n));
  return out;
}

export function normalizeVolume(ctx: NormalizeContext, name: string, v: Dict): Dict {
  const out: Dict = {};
  const ext = externalOf(v);
  let volName = v.name as string | undefined;
  const path = ['volumes', name];
  if (ext.external) {
    for (const k of ['driver', 'driver_opts', 'labels']) {
      if (v[k] !== undefined)
        ctx.problems.add(
          ctx.src.positionOf([...path, k]),
          path,
          `conflicting parameters "external" and "${k}" specified for volume "${name}"`,
        );
    }
    if (ext.name) {
      if (volName)
        ctx.problems.add(
          ctx.src.positionOf(path),
          path,
          'volume.external.name and volume.name conflict; only use volume.name',
        );
      ctx.warnings.push(
        `volume ${name}: volume.external.name is deprecated in favor of volume.name`,
      );
      volName = ext.name;
    } else if (!volName) volName = name;
  }
  set(out, 'name', volName);
  set(out, 'driver', v.driver);
  set(out, 'driver_opts', mapping(v.driver_opts, '=', false));
  set(out, 'external', ext.external);
  set(out, 'labels', mapping(v.labels, '=', false));
  if (ext.external) Object.assign(out, extrasOf(v));
  if (v['x-cluster-spec'])
    out['x-cluster-spec'] = clusterSpec(new Fields(ctx, path), v['x-cluster-spec'] as Dict);
  return out;
}

function clusterSpec(f: Fields, c: Dict): Dict {
  const out: Dict = {};
  set(out, 'group', c.group);
  if (c.access_mode) {
    const a = c.access_mode as Dict;
    const x: Dict = {};
    set(x, 'scope', a.scope);
    set(x, 'sharing', a.sharing);
    if (a.mount_volume) x.mount_volume = a.mount_volume;
    if (a.block_volume) x.block_volume = {};
    out.access_mode = x;
  }
  if (c.accessibility_requirements) {
    const r = c.accessibility_requirements as Dict;
    const x: Dict = {};
    for (const k of ['requisite', 'preferred']) {
      if (Array.isArray(r[k]))
        x[k] = (r[k] as Dict[]).map((t) => ({ segments: mapping(t.segments, '=', false) }));
    }
    out.accessibility_requirements = x;
  }
  if (c.capacity_range) {
    const r = c.capacity_range as Dict;
    const x: Dict = {};
    const p = ['x-cluster-spec', 'capacity_range'];
    set(x, 'required_bytes', f.size(r.required_bytes, [...p, 'required_bytes']));
    set(x, 'limit_bytes', f.size(r.limit_bytes, [...p, 'limit_bytes']));
    out.capacity_range = x;
  }
  set(out, 'secrets', c.secrets);
  set(out, 'availability', c.availability);
  return out;
}

export function normalizeFileObject(
  ctx: NormalizeContext,
  kind: 'secrets' | 'configs',
  name: string,
  o: Dict,
): Dict {
  const out: Dict = {};
  const ext = externalOf(o);
  const single = kind === 'secrets' ? 'secret' : 'config';
  const path = [kind, name];
  let objName = o.name as string | undefined;
  let file = o.file as string | undefined;
  if (ext.external) {
    if (ext.name) {
      if (objName)
        ctx.problems.add(
          ctx.src.positionOf(path),
          path,
          `${single}.external.name and ${single}.name conflict; only use ${single}.name`,
        );
      ctx.warnings.push(
        `${single} ${name}: ${single}.external.name is deprecated in favor of ${single}.name`,
      );
      objName = ext.name;
    } else if (!objName) objName = name;
  } else if (o.driver) {
    if (file)
      ctx.problems.add(
        ctx.src.positionOf(path),
        path,
        `${single}.driver and ${single}.file conflict; only use ${single}.driver`,
      );
  } else {
    file = isAbsolute(file ?? '') ? file : join(ctx.workingDir, file ?? '');
  }
  set(out, 'name', objName);
  // `environment:` (compose spec): the content comes from that variable, not from a file.
  if (typeof o.environment === 'string') {
    file = undefined;
    set(out, 'environment', o.environment);
  }
  set(out, 'file', file);
  set(out, 'external', ext.external);
  set(out, 'labels', mapping(o.labels, '=', false));
  Object.assign(out, extrasOf(o));
  set(out, 'driver', o.driver);
  set(out, 'driver_opts', mapping(o.driver_opts, '=', false));
  set(out, 'template_driver', o.template_driver);
  return out;
}
