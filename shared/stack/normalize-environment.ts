// Normalises a service's `environment`: env_file contents first, then `environment`, with
// null or empty values taken from the interpolation environment, as docker does.
import { isAbsolute, resolve } from 'node:path';
import { isFlotillaError } from '../errors/index.js';
import type { Dict, NormalizeContext } from './compose-types.js';
import { parseEnvText } from './env-file.js';
import type { Fields } from './normalize-units.js';
import { mapping, sortedObject, stringList } from './normalize-values.js';
import { readStackText } from './source-bytes.js';

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
      const path = typeof s.env_file === 'string' ? ['env_file'] : ['env_file', i];
      try {
        // Capped and checked like a stack file: `env_file: /dev/zero` must not eat the memory.
        const text = readStackText(p, p, ctx.problems);
        for (const e of parseEnvText(text ?? '')) vars[e.key] = e.value ?? null;
      } catch (err) {
        let reason = (err as Error).message;
        if (isFlotillaError(err) && err.code === 'STACK_FILE_TOO_LARGE')
          reason = `more than ${String(err.params.limit)} bytes`;
        else if (isFlotillaError(err) && err.code === 'STACK_FILE_UNREADABLE')
          reason = String(err.params.reason);
        f.fail(path, `cannot read env file ${p}: ${reason}`);
      }
    });
    update(vars);
  }
  update(mapping(s.environment, '=', true) ?? {});
  return Object.keys(env).length ? sortedObject(Object.entries(env)) : undefined;
}
