// `images` / `image ls`, `image inspect`, `history` and `search`: listings in Docker's columns,
// `--format json` as one JSON document per line, or a Go template (cli/format).
import { checkDocumentFormat, formatDocument, formatRows } from '../../format/render.js';
import type { Command } from 'commander';
import { splitRepoTag } from '../../../shared/reference/index.js';
import { formatBytes } from '../../../shared/units/index.js';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { renderJsonLines, renderTable } from '../../render/table.js';
import { authHeader, registryOfImage } from '../../registry/index.js';

interface ImageSummary {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
}

/** Docker's HumanDuration: "About a minute ago", "3 hours ago", "2 weeks ago". */
export function ago(unixSeconds: number, nowMs = Date.now()): string {
  const s = Math.max(0, Math.floor(nowMs / 1000 - unixSeconds));
  if (s < 1) return 'Less than a second ago';
  if (s < 60) return `${s} seconds ago`;
  const m = Math.floor(s / 60);
  if (m === 1) return 'About a minute ago';
  if (m < 60) return `${m} minutes ago`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour ago';
  if (h < 48) return `${h} hours ago`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days ago`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks ago`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months ago`;
  return `${Math.floor(h / 24 / 365)} years ago`;
}

/** `-f k=v` flags as Docker's `filters` JSON; a value without `=` is a flag error (125). */
export function filtersQuery(flags: string[] | undefined): string | undefined {
  if (!flags?.length) return undefined;
  const filters: Record<string, string[]> = {};
  for (const f of flags) {
    const i = f.indexOf('=');
    if (i < 1)
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        flag: '--filter',
        value: f,
        reason: 'bad format of filter (expected name=value)',
      });
    (filters[f.slice(0, i)] ??= []).push(f.slice(i + 1));
  }
  return JSON.stringify(filters);
}

const short = (id: string, trunc = true) => (trunc ? id.replace(/^sha256:/, '').slice(0, 12) : id);

/** One row per repo:tag (an untagged image gets `<none> <none>`), as `docker images` shows. */
export function imageRows(list: ImageSummary[], digests: boolean, trunc = true) {
  const rows: { repo: string; tag: string; digest: string; img: ImageSummary }[] = [];
  for (const img of list) {
    const digestOf = (repo: string) =>
      img.RepoDigests.find((d) => d.startsWith(`${repo}@`))?.split('@')[1] ?? '<none>';
    if (img.RepoTags.length === 0) {
      if (digests && img.RepoDigests.length > 0)
        for (const d of img.RepoDigests) {
          const [repo, digest] = d.split('@');
          rows.push({ repo, tag: '<none>', digest, img });
        }
      else rows.push({ repo: '<none>', tag: '<none>', digest: '<none>', img });
      continue;
    }
    for (const t of img.RepoTags) {
      const { repo, tag = '<none>' } = splitRepoTag(t);
      rows.push({ repo, tag, digest: digestOf(repo), img });
    }
  }
  return rows.map((r) => ({ ...r, id: short(r.img.Id, trunc) }));
}

export function registerQueryCommands(program: Command, ctx: () => CliContext, inGroup: boolean) {
  const ls = program.command(inGroup ? 'ls' : 'images');
  if (inGroup) ls.alias('list');
  ls.description('List images')
    .argument('[repository]', 'only images of this repository (REPOSITORY[:TAG])')
    .option('-a, --all', 'show all images (default hides intermediate images)')
    .option('-q, --quiet', 'only show image IDs')
    .option('--digests', 'show digests')
    .option(
      '-f, --filter <filter>',
      'filter output: dangling=, label=, before=, since=, until=, reference=',
      collect,
    )
    .option('--no-trunc', "don't truncate output")
    .option('--format <format>', "'table', 'json' or a Go template ({{.Repository}}:{{.Tag}})")
    .action(
      async (
        repository: string | undefined,
        o: {
          quiet?: boolean;
          digests?: boolean;
          filter?: string[];
          trunc: boolean;
          format?: string;
        },
      ) => {
        const c = ctx();
        // The agent filters (agent/api/queries/images.ts), as it does for the docker CLI.
        const list = await c.agent().json<ImageSummary[]>({
          path: '/images',
          query: { filters: filtersQuery(o.filter) },
        });
        let rows = imageRows(list, Boolean(o.digests), o.trunc);
        if (repository) {
          const { repo, tag } = splitRepoTag(repository);
          rows = rows.filter((r) => r.repo === repo && (tag === undefined || r.tag === tag));
        }
        if (o.quiet) {
          c.out.write([...new Set(rows.map((r) => r.id))].map((id) => `${id}\n`).join(''));
          return;
        }
        const docs = rows.map((r) => ({
          Containers: 'N/A',
          CreatedAt: new Date(r.img.Created * 1000).toISOString(),
          CreatedSince: ago(r.img.Created),
          Digest: r.digest,
          ID: r.id,
          Repository: r.repo,
          Size: formatBytes(r.img.Size),
          Tag: r.tag,
        }));
        const templated = formatRows(o.format, docs, { ID: 'IMAGE ID', CreatedSince: 'CREATED' });
        if (templated !== undefined) return void c.out.write(templated);
        if (o.format === 'json') return void c.out.write(renderJsonLines(docs));
        const headers = o.digests
          ? ['REPOSITORY', 'TAG', 'DIGEST', 'IMAGE ID', 'CREATED', 'SIZE']
          : ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'];
        c.out.write(
          renderTable(
            headers,
            rows.map((r) => [
              r.repo,
              r.tag,
              ...(o.digests ? [r.digest] : []),
              r.id,
              ago(r.img.Created),
              formatBytes(r.img.Size),
            ]),
          ),
        );
      },
    );

  program
    .command('history')
    .description('Show the history of an image')
    .argument('<image>')
    .option('-q, --quiet', 'only show image IDs')
    .option('-H, --human', 'print sizes and dates in human readable format', true)
    .option('--no-trunc', "don't truncate output")
    .option('--format <format>', "'table', 'json' or a Go template ({{.CreatedBy}})")
    .action(async (image: string, o: { quiet?: boolean; trunc: boolean; format?: string }) => {
      const c = ctx();
      const entries = await c
        .agent()
        .json<{ Id: string; Created: number; CreatedBy: string; Size: number; Comment: string }[]>({
          path: `/images/${encodeURIComponent(image)}/history`,
        });
      const id = (e: { Id: string }) => (e.Id === '<missing>' ? e.Id : short(e.Id, o.trunc));
      if (o.quiet) return void c.out.write(entries.map((e) => `${id(e)}\n`).join(''));
      const docs = entries.map((e) => ({
        ID: id(e),
        CreatedAt: new Date(e.Created * 1000).toISOString(),
        CreatedSince: ago(e.Created),
        CreatedBy: e.CreatedBy,
        Size: formatBytes(e.Size),
        Comment: e.Comment,
      }));
      const templated = formatRows(o.format, docs, { ID: 'IMAGE', CreatedSince: 'CREATED' });
      if (templated !== undefined) return void c.out.write(templated);
      if (o.format === 'json')
        return void c.out.write(renderJsonLines(docs.map(({ CreatedAt: _, ...d }) => d)));
      const by = (s: string) => (o.trunc && s.length > 45 ? `${s.slice(0, 44)}…` : s);
      c.out.write(
        renderTable(
          ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'],
          entries.map((e) => [
            id(e),
            ago(e.Created),
            by(e.CreatedBy),
            formatBytes(e.Size),
            e.Comment,
          ]),
        ),
      );
    });
}

export function registerInspectCommand(group: Command, ctx: () => CliContext): void {
  group
    .command('inspect')
    .description('Display detailed information on one or more images')
    .argument('<image...>')
    .option('-f, --format <format>', "'json' (default) or a Go template ({{.Id}})")
    .action(async (names: string[], o: { format?: string }) => {
      const c = ctx();
      const template = o.format && o.format !== 'json' ? o.format : undefined;
      checkDocumentFormat(template, true);
      const docs = [];
      for (const n of names)
        docs.push(await c.agent().json({ path: `/images/${encodeURIComponent(n)}/json` }));
      if (template)
        return void c.out.write(docs.map((d) => formatDocument(template, d, true)).join(''));
      c.out.write(`${JSON.stringify(docs, null, 4)}\n`);
    });
}

export function registerSearchCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('search')
    .description('Search a registry for images')
    .argument('<term>', 'TERM, or REGISTRY/TERM for another registry than docker.io')
    .option('--limit <n>', 'max number of search results', (v) => parseInt(v, 10))
    .option('--format <format>', "'table', 'json' or a Go template ({{.Name}})")
    .action(async (term: string, o: { limit?: number; format?: string }) => {
      const c = ctx();
      formatRows(o.format, []);
      const found = await c.agent().json<{ name: string }[]>({
        path: '/images/search',
        query: { term, limit: o.limit },
        headers: await authHeader(registryOfImage(term)),
      });
      const docs = found.map((f) => ({ Name: f.name }));
      const templated = formatRows(o.format, docs);
      if (templated !== undefined) return void c.out.write(templated);
      if (o.format === 'json') return void c.out.write(renderJsonLines(docs));
      c.out.write(
        renderTable(
          ['NAME'],
          found.map((f) => [f.name]),
        ),
      );
    });
}
