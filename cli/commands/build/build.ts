// `build`: packs the context (honouring .dockerignore), sends it to the agent's /build and prints
// the NDJSON step output as it comes; `-q` prints only the image id. A stream ending in an error
// line fails the command with that error (it names the Dockerfile line).
import { createInterface } from 'node:readline';
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { FlotillaError, type ErrorBody } from '../../../shared/errors/index.js';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { contextEntries, packContext, readIgnoreFile } from './context-tar.js';

interface BuildFlags {
  tag: string[];
  file?: string;
  buildArg: string[];
  cache: boolean;
  quiet?: boolean;
  target?: string;
  network?: string;
}

export async function runBuild(c: CliContext, contextPath: string, o: BuildFlags): Promise<void> {
  const dir = resolve(contextPath);
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory())
    throw new FlotillaError('BUILD_CONTEXT_INVALID', {
      path: contextPath,
      reason: 'not a directory',
    });
  let dockerfile = 'Dockerfile';
  if (o.file) {
    const rel = relative(dir, resolve(o.file));
    if (rel.startsWith('..'))
      throw new FlotillaError('BUILD_CONTEXT_INVALID', {
        path: o.file,
        reason: 'the Dockerfile must be inside the build context',
      });
    dockerfile = rel.split('\\').join('/');
  }
  const buildArgs: Record<string, string> = {};
  for (const a of o.buildArg) {
    const eq = a.indexOf('=');
    if (eq === 0)
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        value: a,
        flag: '--build-arg',
        reason: 'expected KEY=VALUE',
      });
    // `--build-arg KEY` takes the value from the environment, as Docker does.
    if (eq < 0) {
      if (process.env[a] !== undefined) buildArgs[a] = process.env[a] as string;
    } else buildArgs[a.slice(0, eq)] = a.slice(eq + 1);
  }
  const patterns = await readIgnoreFile(dir);
  const entries = await contextEntries(dir, patterns, [dockerfile, '.dockerignore']);
  const res = await c.agent().open({
    method: 'POST',
    path: '/build',
    query: {
      // Several tags travel comma-separated (a tag cannot contain a comma).
      t: o.tag.length ? o.tag.join(',') : undefined,
      f: dockerfile,
      buildargs: JSON.stringify(buildArgs),
      nocache: o.cache ? undefined : 1,
      target: o.target,
      // Docker's API name; the agent refuses modes other than bridge (default) and none.
      networkmode: o.network,
    },
    stream: packContext(dir, entries),
    headers: { 'content-type': 'application/x-tar' },
  });
  let id: string | undefined;
  for await (const line of createInterface({ input: res, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const doc = JSON.parse(line) as { stream?: string; error?: ErrorBody; aux?: { ID?: string } };
    if (doc.error) throw FlotillaError.fromJSON(doc.error);
    if (doc.aux?.ID) id = doc.aux.ID;
    if (doc.stream && !o.quiet) c.out.write(doc.stream);
  }
  if (!id) throw new FlotillaError('INTERNAL', { detail: 'the build ended without an image id' });
  if (o.quiet) c.out.write(`${id}\n`);
}

export function registerBuildCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('build')
    .description('Build an image from a Dockerfile')
    .argument('<path>', 'build context directory')
    .option('-t, --tag <name>', 'name and optionally a tag (name:tag); repeatable', collect, [])
    .option('-f, --file <path>', 'Dockerfile (default PATH/Dockerfile)')
    .option('--build-arg <arg>', 'set a build-time variable (KEY=VALUE); repeatable', collect, [])
    .option('--no-cache', 'do not use the cache when building the image')
    .option('-q, --quiet', 'print only the image id')
    .option('--target <stage>', 'build up to this stage')
    .option('--network <mode>', 'network of RUN steps: bridge (default) or none')
    .action(async (path: string, o: BuildFlags) => {
      await runBuild(ctx(), path, o);
    });
}
