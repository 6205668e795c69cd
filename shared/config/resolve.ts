// Settings come from, in order of precedence: command-line flags, FLOTILLA_* environment variables,
// then a JSON config file (e.g. /etc/flotilla/agent.json). Absent everywhere, the default applies.
import { readFileSync } from 'node:fs';
import { FlotillaError } from '../errors/index.js';

/** Reads an optional JSON config file; a missing file is an empty config, a broken one an error. */
export function readConfigFile(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new FlotillaError(
      'INVALID_CONFIG',
      { file, reason: (err as Error).message },
      { cause: err },
    );
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new FlotillaError(
      'INVALID_CONFIG',
      { file, reason: (err as Error).message },
      { cause: err },
    );
  }
}

/**
 * Reads a settings file (see readConfigFile) and checks it against the settings' defaults: a key
 * the settings do not have, a key only a flag may give, or a value of another type than the
 * default's is refused with INVALID_CONFIG naming the file and the key.
 */
export function readSettingsFile<T extends object>(
  file: string,
  defaults: T,
  opts: { flagOnly?: readonly string[] } = {},
): Partial<T> {
  const doc = readConfigFile(file);
  const fail = (reason: string) => new FlotillaError('INVALID_CONFIG', { file, reason });
  for (const [key, value] of Object.entries(doc)) {
    if (!Object.prototype.hasOwnProperty.call(defaults, key))
      throw fail(`unknown key "${key}" (known: ${Object.keys(defaults).join(', ')})`);
    if (opts.flagOnly?.includes(key))
      throw fail(`"${key}" is a one-time action: give it as a command-line flag`);
    const like = (defaults as Record<string, unknown>)[key];
    const ok = Array.isArray(like)
      ? Array.isArray(value) && value.every((v) => typeof v === 'string')
      : typeof value === typeof like;
    if (!ok)
      throw fail(
        `"${key}" must be ${Array.isArray(like) ? 'a list of strings' : `a ${typeof like}`}`,
      );
  }
  return doc as Partial<T>;
}

/** The env variable for a setting: dataRoot → FLOTILLA_DATA_ROOT. */
export function envName(key: string): string {
  return 'FLOTILLA_' + key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * Picks each setting from flags, then environment, then file, then defaults.
 * `flags` holds only what was given on the command line (undefined = not given).
 */
export function resolveSettings<T extends object>(
  defaults: T,
  flags: Partial<T>,
  file: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const key of Object.keys(defaults)) {
    const flag = flags[key as keyof T];
    const fromEnv = env[envName(key)];
    const dflt = (defaults as Record<string, unknown>)[key];
    if (flag !== undefined) out[key] = flag;
    else if (fromEnv !== undefined) out[key] = coerce(fromEnv, dflt);
    else if (file[key] !== undefined) out[key] = file[key];
  }
  return out as T;
}

function coerce(text: string, like: unknown): unknown {
  if (typeof like === 'number') return Number(text);
  if (typeof like === 'boolean') return text === '1' || text === 'true';
  if (Array.isArray(like)) return text.split(',').filter(Boolean);
  return text;
}
