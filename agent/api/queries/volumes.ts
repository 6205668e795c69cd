// GET /volumes for every client (`docker volume ls`, docker-py, `flotilla volume ls`): Docker's
// filters `name` (a regular expression matched anywhere), `driver`, `label` (key or key=value),
// `label!` and `dangling` (used by no container); any other key is refused as Docker does.
import type { VolumeInfo } from '../../../shared/engine/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ContainerRuntime } from '../../runtime/index.js';
import { parseFilters } from './containers.js';

const keys = ['name', 'driver', 'label', 'label!', 'dangling'];

function hasLabel(v: VolumeInfo, want: string): boolean {
  const i = want.indexOf('=');
  if (i < 0) return want in v.Labels;
  return v.Labels[want.slice(0, i)] === want.slice(i + 1);
}

function dangling(raw: string): boolean {
  if (['true', '1'].includes(raw.toLowerCase())) return true;
  if (['false', '0'].includes(raw.toLowerCase())) return false;
  throw new FlotillaError('INVALID_ARGUMENT', {
    detail: `invalid filter 'dangling=${raw}'`,
  });
}

export async function listVolumes(
  runtime: ContainerRuntime,
  rawFilters: string | undefined,
): Promise<{ Volumes: VolumeInfo[]; Warnings: string[] }> {
  const f = parseFilters(rawFilters, (k) => keys.includes(k));
  let volumes = await runtime.volumes.list();
  const names = f.get('name');
  if (names) volumes = volumes.filter((v) => names.some((n) => new RegExp(n).test(v.Name)));
  const drivers = f.get('driver');
  if (drivers) volumes = volumes.filter((v) => drivers.includes(v.Driver));
  for (const l of f.get('label') ?? []) volumes = volumes.filter((v) => hasLabel(v, l));
  for (const l of f.get('label!') ?? []) volumes = volumes.filter((v) => !hasLabel(v, l));
  const d = f.get('dangling');
  if (d?.length) {
    const want = dangling(d[0]);
    const used = new Set((await runtime.list({ all: true })).flatMap((c) => c.mounts ?? []));
    volumes = volumes.filter((v) => used.has(v.Name) !== want);
  }
  return { Volumes: volumes, Warnings: [] };
}
