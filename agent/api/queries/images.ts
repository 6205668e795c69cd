// The image listing both GET /images routes answer (Flotilla's `/images`, Docker's
// `/images/json`) with Docker's filters: dangling, label, before, since, until, reference.
import type { ImageService, ImageSummary } from '../../image/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { parseDurationMs } from '../../../shared/units/index.js';
import { parseFilters } from './containers.js';

export const imageFilterKeys = ['dangling', 'label', 'before', 'since', 'until', 'reference'];

/** Go's path.Match over a familiar name: `*` and `?` stop at `/`, `[...]` is a class. */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern
          .slice(i + 1, end)
          .replace(/^\^/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Docker's reference.FamiliarMatch: the pattern matches `name:tag` or the bare name, so
 * `busybox` matches `busybox:latest` and `busybox:*` every tag of busybox.
 */
export function matchesReference(pattern: string, familiar: string): boolean {
  const re = globToRegExp(pattern);
  const name = familiar.replace(/(@.*|:[^:/]*)$/, '');
  return re.test(familiar) || re.test(name);
}

/** `until`: a Unix timestamp, an RFC 3339 date, or a duration before now (Docker's forms). */
function untilSeconds(v: string, nowMs: number): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (!Number.isNaN(t)) return t / 1000;
  return (nowMs - parseDurationMs(v, 'until')) / 1000;
}

/** Parses and checks Docker's `filters` for images; unknown keys and bad values are refused. */
export function imageFilters(raw: string | undefined): Map<string, string[]> {
  const filters = parseFilters(raw, (k) => imageFilterKeys.includes(k));
  const dangling = filters.get('dangling');
  if (dangling && !dangling.every((v) => v === 'true' || v === 'false' || v === '1' || v === '0'))
    throw new FlotillaError('INVALID_FILTER', { filter: `dangling=${dangling.join(',')}` });
  return filters;
}

/** The listing, newest first, with each image's labels (from its config). */
export async function listImages(
  images: ImageService,
  filters: Map<string, string[]>,
  nowMs = Date.now(),
): Promise<ImageSummary[]> {
  const createdOf = (ref: string) => Date.parse(images.find(ref).created) / 1000;
  // A before=/since= image that does not exist is "No such image", as Docker answers.
  const before = (filters.get('before') ?? []).map(createdOf);
  const since = (filters.get('since') ?? []).map(createdOf);
  const until = (filters.get('until') ?? []).map((v) => untilSeconds(v, nowMs));
  const dangling = filters.get('dangling')?.map((v) => v === 'true' || v === '1');
  const labels = filters.get('label') ?? [];
  const references = filters.get('reference');
  const out: ImageSummary[] = [];
  for (const summary of images.list()) {
    const rec = images.find(summary.Id);
    const created = Date.parse(rec.created) / 1000;
    if (before.length && !before.some((t) => created < t)) continue;
    if (since.length && !since.some((t) => created > t)) continue;
    if (until.length && !until.some((t) => created <= t)) continue;
    if (dangling && !dangling.includes(summary.RepoTags.length === 0)) continue;
    const config = (await images.config(rec)).config as { Labels?: Record<string, string> };
    const own = config?.Labels ?? {};
    if (!labelsMatch(labels, own)) continue;
    let repoTags = summary.RepoTags;
    if (references) {
      // Docker keeps only the names that matched, and drops an image none of whose names did.
      repoTags = repoTags.filter((t) => references.some((p) => matchesReference(p, t)));
      if (repoTags.length === 0) continue;
    }
    out.push({ ...summary, RepoTags: repoTags, Labels: own });
  }
  return out;
}

export const imagePruneFilterKeys = ['dangling', 'until', 'label', 'label!'];

/** Docker's MatchKVList: every `k` or `k=v` of the filter holds for these labels. */
function labelsMatch(wanted: string[], own: Record<string, string>): boolean {
  return wanted.every((l) => {
    const [k, v] = l.split(/=(.*)/);
    return v === undefined ? k in own : own[k] === v;
  });
}

/**
 * `image prune`'s filters (Docker's ImagesPrune): `dangling=false` widens to every unused image
 * (`-a`), `until` keeps images created after it, `label` prunes only matching images and
 * `label!` spares matching ones. `all` (Flotilla's own query) is `dangling=false`.
 */
export function imagePruneFilters(
  images: ImageService,
  raw: string | undefined,
  all: boolean,
  nowMs = Date.now(),
): { all: boolean; match: (id: string) => Promise<boolean> } {
  const filters = parseFilters(raw, (k) => imagePruneFilterKeys.includes(k));
  const dangling = filters.get('dangling');
  if (dangling && !dangling.every((v) => ['true', 'false', '1', '0'].includes(v)))
    throw new FlotillaError('INVALID_FILTER', { filter: `dangling=${dangling.join(',')}` });
  const until = (filters.get('until') ?? []).map((v) => untilSeconds(v, nowMs));
  const labels = filters.get('label') ?? [];
  const notLabels = filters.get('label!') ?? [];
  return {
    all: all || Boolean(dangling?.some((v) => v === 'false' || v === '0')),
    match: async (id) => {
      const rec = images.find(id);
      const created = Date.parse(rec.created) / 1000;
      if (until.length && !until.every((t) => created < t)) return false;
      if (!labels.length && !notLabels.length) return true;
      const own =
        ((await images.config(rec)).config as { Labels?: Record<string, string> } | undefined)
          ?.Labels ?? {};
      if (!labelsMatch(labels, own)) return false;
      return !(notLabels.length && labelsMatch(notLabels, own));
    },
  };
}
