// The stack loader: reads one or more stack files, interpolates variables, validates against
// docker's schema, normalises and merges them. Nothing is returned unless every file is valid;
// otherwise one STACK_INVALID error lists every problem with file:line:column and field path.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FlotillaError, isFlotillaError } from '../errors/index.js';
import type { ComposeConfig } from './compose-types.js';
import { parseEnvText } from './env-file.js';
import { interpolateSource } from './interpolate.js';
import { mergeConfigs } from './merge.js';
import { composeVersion, normalizeFile } from './normalize.js';
import { Problems, type Problem } from './problems.js';
import { stackSchema } from './schema.js';
import { checkDeployable } from './deploy-checks.js';
import { applyKeyDecisions, checkForbidden, type KeyFindings } from './key-rules.js';
import { readStackText } from './source-bytes.js';
import { parseSource, type SourceFile } from './source.js';
import { validateSource } from './validate.js';

export interface LoadOptions {
  /** Variables for interpolation. @default process.env */
  env?: Record<string, string | undefined>;
  /** Directory relative file names are resolved against. @default process.cwd() */
  cwd?: string;
  /** Read `.env` beside the first file for interpolation (the environment wins). @default true */
  dotEnv?: boolean;
}

export interface LoadedConfig {
  config: ComposeConfig;
  /**
   * One line each: ignored keys ("Ignoring unsupported options: isolation"), deprecated keys,
   * then what docker warns about (host IPs dropped, external.name ...) and depends_on cycles.
   */
  warnings: string[];
  /**
   * What `stack deploy` refuses although `docker stack config` prints the file: refused keys,
   * services without an image, undeclared references, conflicting modes, numbers out of range.
   */
  refusals: Problem[];
}

const SUPPORTED_VERSION = /^3(\.\d+)?$/;

export function loadStackConfig(files: string[], opts: LoadOptions = {}): LoadedConfig {
  if (files.length === 0) throw new FlotillaError('STACK_NO_FILES');
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const paths = files.map((f) => resolve(cwd, f));
  const workingDir = dirname(paths[0]);

  const vars = new Map<string, string>();
  const dotEnvProblems = new Problems();
  const dotEnvPath = resolve(workingDir, '.env');
  if (opts.dotEnv !== false && existsSync(dotEnvPath)) {
    try {
      const text = readStackText('.env', dotEnvPath, dotEnvProblems);
      for (const e of parseEnvText(text ?? '', { stripQuotes: true })) {
        if (e.value !== undefined) vars.set(e.key, e.value);
      }
    } catch (err) {
      if (isFlotillaError(err)) throw err;
      throw new FlotillaError('STACK_FILE_UNREADABLE', {
        file: dotEnvPath,
        reason: (err as Error).message,
      });
    }
  }
  dotEnvProblems.throwIfAny();
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars.set(k, v);
  const lookup = (name: string) => vars.get(name);

  const problems = new Problems();
  const warnings: string[] = [];
  const sources: SourceFile[] = [];
  files.forEach((name, i) => {
    const text = readStackText(name, paths[i], problems);
    const src = text === undefined ? undefined : parseSource(name, text, problems);
    if (src) sources.push(src);
  });
  problems.throwIfAny(files);

  let version: string | undefined;
  for (const src of sources) {
    const v = composeVersion(src.data);
    if (!SUPPORTED_VERSION.test(v)) {
      problems.add(
        src.positionOf(['version']),
        'version',
        `unsupported Compose file version: ${String(src.data.version)} (stacks need version 3.x or none)`,
      );
    } else if (version !== undefined && v !== version) {
      problems.add(
        src.positionOf(['version']),
        'version',
        `version mismatched between two composefiles: ${version} and ${v}`,
      );
    }
    version ??= v;
    checkForbidden(src, problems);
  }
  problems.throwIfAny(files);

  for (const src of sources) interpolateSource(src, lookup, problems);
  for (const src of sources) validateSource(src, stackSchema, problems);
  problems.throwIfAny(files);

  const configs = sources.map((src) =>
    normalizeFile({ src, workingDir, lookup, problems, warnings }),
  );
  problems.throwIfAny(files);

  const keys: KeyFindings = { warnings: new Map(), refusals: [] };
  for (const src of sources) applyKeyDecisions(src, keys);
  const config = mergeConfigs(configs);
  const deploy = checkDeployable(config, sources);
  // Ignored keys first, as docker prints them, then the loader's own warnings.
  const keyLines = [...keys.warnings.values()].sort((a, b) => rank(a) - rank(b) || cmp(a, b));
  return {
    config,
    warnings: [...keyLines, ...warnings, ...deploy.warnings],
    refusals: [...keys.refusals, ...deploy.problems],
  };
}

const rank = (line: string) => (line.startsWith('Ignoring unsupported') ? 0 : 1);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
