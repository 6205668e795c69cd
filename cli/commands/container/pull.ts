// `run`/`create` with Docker's --pull policy: `missing` (default) creates, and when the agent has
// no such image prints "Unable to find image 'x:latest' locally", pulls it (progress on stderr, so
// the container's stdout stays clean) and creates again; `always` pulls first; `never` only creates.
import { FlotillaError, isFlotillaError } from '../../../shared/errors/index.js';
import type { CliContext } from '../../context.js';
import { ProgressRenderer } from '../../render/progress.js';
import { authHeader, registryOfImage } from '../../registry/index.js';
import { followProgress } from '../../render/progress-stream.js';

/** `busybox` → `busybox:latest`, as Docker names the image it could not find. */
export function withDefaultTag(name: string): string {
  if (name.includes('@')) return name;
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':') ? name : `${name}:latest`;
}

async function pullToStderr(c: CliContext, name: string, platform?: string): Promise<void> {
  const res = await c.agent().open({
    method: 'POST',
    path: '/images/pull',
    query: { fromImage: name, ...(platform ? { platform } : {}) },
    headers: await authHeader(registryOfImage(name)),
  });
  const renderer = new ProgressRenderer(c.err);
  await followProgress(res, (e) => renderer.write(e));
}

export type PullPolicy = 'missing' | 'always' | 'never';

/** The --pull flag's value, checked (Docker's validatePullOpt). */
export function pullPolicy(value: unknown): PullPolicy {
  const policy = String(value ?? 'missing');
  if (policy !== 'missing' && policy !== 'always' && policy !== 'never')
    throw new FlotillaError('CONTAINER_OPTION_INVALID', {
      option: '--pull',
      value: policy,
      reason: 'use always, missing or never',
    });
  return policy;
}

export async function createWithPull<T>(
  c: CliContext,
  image: string,
  policy: PullPolicy,
  create: () => Promise<T>,
  /** --platform: the pull asks the registry for this platform's manifest. */
  platform?: string,
): Promise<T> {
  if (policy === 'always') await pullToStderr(c, image, platform);
  try {
    return await create();
  } catch (err) {
    if (policy !== 'missing' || !isFlotillaError(err) || err.code !== 'CONTAINER_IMAGE_NOT_FOUND')
      throw err;
  }
  c.err.write(`Unable to find image '${withDefaultTag(image)}' locally\n`);
  await pullToStderr(c, image, platform);
  return create();
}
