// Normalises a service's `environment`: env_file contents first, then `environment`, with
// null or empty values taken from the interpolation environment, as docker does.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Dict, NormalizeContext } from './compose-types.js';
import { parseEnvText } from './env-file.js';
import type { Fields } from './normalize-units.js';
import { mapping, sortedObject, stringList } from './normalize-values.js';

export function environment(ctx: NormalizeContext, f: Fields, s: Dict): Dict | undefined {
  const env: Record<string, string | null> = {};
  const update = (vars: Record<string, string | null>) => {
    for (const [k, v] of Object.entries(vars)) {
      const fromEnv = ctx.lookup(k);
      env[k] = (v === null || v === '') && fromEnv !== undefined ? fromEnv : v;
    }
  };
  const files = stringList(s.env_file) ?? [];
  if (files.length > 0) {
    const vars: Record<string, string | null> = {};
    files.forEach((file, i) => {
      const p = isAbsolute(file) ? file : resolve(ctx.workingDir, file);
      try {
        for (const e of parseEnvText(readFileSync(p, 'utf8'))) vars[e.key] = e.value ?? null;
      } catch (err) {
        const path = typeof s.env_file === 'string' ? ['env_file'] : ['env_file', i];
        const reason =
          (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? 'no such file'
            : (err as Error).message;
        f.fail(path, `cannot read env file ${p}: ${reason}`);
      }
    });
    update(vars);
  }
  update(mapping(s.environment, '=', true) ?? {});
  return Object.keys(env).length ? sortedObject(Object.entries(env)) : undefined;
}
