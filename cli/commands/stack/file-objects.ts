// The data of a stack's secrets and configs for `stack deploy` (read from `file:` or from the
// environment variable named by `environment:`), and their removal by `stack rm`. External ones
// are never read or sent: they must exist already, and the manager refuses the deploy if not.
import { readFileSync } from 'node:fs';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { StackFileObject } from '../../../shared/stack/index.js';
import { STACK_NAMESPACE_LABEL } from '../../../shared/stack/index.js';
import type { ManagerClient } from '../../clients/manager-client.js';

export interface StackFileInput {
  name: string;
  labels: Record<string, string>;
  /** base64 */
  data: string;
}

export function readStackFiles(
  kind: 'secret' | 'config',
  objects: readonly StackFileObject[],
  env: NodeJS.ProcessEnv = process.env,
): StackFileInput[] {
  return objects
    .filter((o) => !o.external)
    .map((o) => ({
      name: o.name,
      labels: o.labels,
      data: contentOf(kind, o, env).toString('base64'),
    }));
}

function contentOf(kind: string, o: StackFileObject, env: NodeJS.ProcessEnv): Buffer {
  if (o.environment !== undefined) {
    const v = env[o.environment];
    if (v === undefined)
      throw new FlotillaError('SECRET_INVALID', {
        kind,
        field: `${o.key}.environment`,
        reason: `environment variable ${o.environment} is not set`,
      });
    return Buffer.from(v);
  }
  if (!o.file)
    throw new FlotillaError('SECRET_INVALID', {
      kind,
      field: o.key,
      reason: 'needs file:, environment: or external: true',
    });
  try {
    return readFileSync(o.file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new FlotillaError(
      'SECRET_INVALID',
      {
        kind,
        field: `${o.key}.file`,
        reason: `${o.file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message}`,
      },
      { cause: err },
    );
  }
}

/** `stack rm`: the stack's secrets and configs, after its services. Returns how many. */
export async function removeStackFiles(
  client: ManagerClient,
  stack: string,
  out: NodeJS.WritableStream,
): Promise<number> {
  let n = 0;
  for (const kind of ['secret', 'config'] as const) {
    const items = await client.json<
      { id: string; spec: { name: string; labels: Record<string, string> } }[]
    >({
      path: `/${kind}s`,
    });
    for (const o of items.filter((x) => x.spec.labels[STACK_NAMESPACE_LABEL] === stack)) {
      out.write(`Removing ${kind} ${o.spec.name}\n`);
      await client.json({ method: 'DELETE', path: `/${kind}s/${o.id}` });
      n++;
    }
  }
  return n;
}
