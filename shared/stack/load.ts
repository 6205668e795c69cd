// The stack loader: reads one or more stack files, interpolates variables, validates against
// docker's schema, normalises and merges them. Nothing is returned unless every file is valid;
// otherwise one STACK_INVALID error lists every problem with file:line:column and field path.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FlotillaError } from '../errors/index.js';
import type { ComposeConfig } from './compose-types.js';
import { parseEnvText } from './env-file.js';
import { interpolateSource } from './interpolate.js';
import { mergeConfigs } from './merge.js';
import { composeVersion, normalizeFile } from './normalize.js';
import { Problems } from './problems.js';
import { stackSchema } from './schema.js';
import { checkForbidden, deprecatedKeys, unsupportedKeys } from './service-key-rules.js';
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
  /** Messages docker prints as warnings (host IPs dropped, deprecated external.name ...). */
  warnings: string[];
  /** Service keys the stack path ignores (`build`, `depends_on` is kept), sorted. */
  unsupported: string[];
  /** Deprecated service keys with docker's explanation. */
  deprecated: Record<string, string>;
}

const SUPPORTED_VERSION = /^3(\.\d+)?$/;

export function loadStackConfig(files: string[], opts: LoadOptions = {}): LoadedConfig {
  if (files.length === 0) throw new FlotillaError('STACK_NO_FILES');
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const paths = files.map((f) => resolve(cwd, f));
  const workingDir = dirname(paths[0]);

  const vars = new Map<string, string>();
  const dotEnvPath = resolve(workingDir, '.env');
  if (opts.dotEnv !== false && existsSync(dotEnvPath)) {
    try {
      for (const e of parseEnvText(readFileSync(dotEnvPath, 'utf8'), { stripQuotes: true })) {
        if (e.value !== undefined) vars.set(e.key, e.value);
      }
    } catch (err) {
      throw new FlotillaError('STACK_FILE_UNREADABLE', {
        file: dotEnvPath,
        reason: (err as Error).message,
      });
    }
  }
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars.set(k, v);
  const lookup = (name: string) => vars.get(name);

  const problems = new Problems();
  const warnings: string[] = [];
  const sources: SourceFile[] = [];
  files.forEach((name, i) => {
    let text: string;
    try {
      text = readFileSync(paths[i], 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new FlotillaError('STACK_FILE_UNREADABLE', {
        file: name,
        reason: e.code === 'ENOENT' ? 'no such file' : e.message,
      });
    }
    const src = parseSource(name, text, problems);
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

  const unsupported = new Set<string>();
  const deprecated: Record<string, string> = {};
  for (const src of sources) {
    for (const svc of Object.values((src.data.services as Record<string, unknown>) ?? {})) {
      for (const k of Object.keys((svc as Record<string, unknown>) ?? {})) {
        if (unsupportedKeys.includes(k)) unsupported.add(k);
        if (k in deprecatedKeys) deprecated[k] = deprecatedKeys[k];
      }
    }
  }
  return {
    config: mergeConfigs(configs),
    warnings,
    unsupported: [...unsupported].sort(),
    deprecated,
  };
}
