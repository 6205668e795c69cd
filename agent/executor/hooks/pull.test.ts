import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../shared/errors/index.js';
import { silentLogger } from '../../../shared/log/index.js';
import type { Credentials } from '../../../shared/engine/index.js';
import type { HookContext, ImagePuller } from '../types.js';
import { pullHook } from './pull.js';

const image = 'reg:5000/private/app:v1';
const unauthorized = () =>
  new FlotillaError('REGISTRY_UNAUTHORIZED', {
    ref: image,
    registry: 'reg:5000',
    detail: 'no credentials',
  });

function context(images: ImagePuller, creds?: Credentials): HookContext {
  return {
    task: {
      pullAuthId: creds ? 'svc.a1' : undefined,
      spec: { containerSpec: { image } },
    } as unknown as HookContext['task'],
    engine: {} as HookContext['engine'],
    images,
    pullAuth: { forTask: async (t) => (t.pullAuthId ? creds : undefined) },
    log: silentLogger(),
    signal: new AbortController().signal,
    nodeId: 'n1',
    createOptions: { image },
    report: () => undefined,
    onFinish: () => undefined,
    fail: () => undefined,
  };
}

describe('pull hook', () => {
  it("pulls with the service's registry credentials", async () => {
    const seen: unknown[] = [];
    const creds = { username: 'u', password: 'p' };
    await pullHook.run(
      context({ pull: async (ref, o) => void seen.push([ref, o?.credentials]) }, creds),
    );
    expect(seen).toEqual([[image, creds]]);
  });

  it('fails the task saying --with-registry-auth when the registry wants credentials it has not', async () => {
    const err = await pullHook
      .run(
        context({
          pull: async () => {
            throw unauthorized();
          },
          find: () => {
            throw new Error('not local');
          },
        }),
      )
      .catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('TASK_PULL_UNAUTHORIZED');
    expect((err as Error).message).toContain('without --with-registry-auth');
    expect((err as Error).message).toContain('needs credentials for reg:5000');
  });

  it('goes on with the local image, as Swarm does, when one is there', async () => {
    await pullHook.run(
      context({
        pull: async () => {
          throw unauthorized();
        },
        find: () => ({}),
      }),
    );
  });

  it("passes the registry's own error on when the service's credentials were refused", async () => {
    const err = await pullHook
      .run(
        context(
          {
            pull: async () => {
              throw unauthorized();
            },
            find: () => {
              throw new Error('not local');
            },
          },
          { username: 'u', password: 'wrong' },
        ),
      )
      .catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('REGISTRY_UNAUTHORIZED');
  });
});
