import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { SecretsKeyring } from '../../secrets/index.js';
import { serviceSpecFixture } from '../../store/fixtures.js';
import { InMemoryObjectStore } from '../../store/index.js';
import type { ApiDeps } from '../context.js';
import { installErrorHandling } from '../errors.js';
import { stackRoutes } from './stacks.js';

const ns = { 'com.docker.stack.namespace': 'shop' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function api() {
  const store = new InMemoryObjectStore();
  await store.putCluster({ id: 'c1' });
  const kek = randomBytes(32);
  const app = Fastify();
  installErrorHandling(app);
  const secretsKey = new SecretsKeyring({ store, kek: { current: () => kek } });
  stackRoutes(app, { store, secretsKey } as unknown as ApiDeps);
  const deploy = (secret: { name: string; external?: boolean; data?: string }) => {
    const spec = serviceSpecFixture('shop_app', { labels: ns });
    spec.taskTemplate.containerSpec.secrets = [
      { id: '', name: secret.name, target: 'pw', uid: '0', gid: '0', mode: 0o444 },
    ];
    const secrets = secret.external ? [] : [{ name: secret.name, labels: ns, data: secret.data }];
    return app.inject({
      method: 'POST',
      url: '/stacks/shop/deploy',
      payload: { services: [spec], secrets },
    });
  };
  return { store, deploy };
}

describe('stack deploy with secrets', () => {
  it('refuses a missing external secret and creates nothing at all', async () => {
    const { store, deploy } = await api();
    const r = await deploy({ name: 'not_there', external: true });
    expect(r.statusCode).toBe(404);
    expect(r.json().message).toBe('No such secret: not_there');
    expect(store.list('service')).toEqual([]);
    expect(store.list('secret')).toEqual([]);
  });

  it('keeps unchanged content, and rolls the service to a new version when it changes', async () => {
    const { store, deploy } = await api();
    expect((await deploy({ name: 'shop_pw', data: b64('one') })).json().created).toHaveLength(1);
    const same = (await deploy({ name: 'shop_pw', data: b64('one') })).json();
    expect(same.unchanged).toHaveLength(1);
    expect(same.files).toEqual([
      { kind: 'secret', name: 'shop_pw', object: 'shop_pw', state: 'unchanged' },
    ]);
    const changed = (await deploy({ name: 'shop_pw', data: b64('two') })).json();
    expect(changed.updated).toEqual([expect.objectContaining({ name: 'shop_app', version: 2 })]);
    expect(changed.files[0]).toMatchObject({ object: 'shop_pw-v2', state: 'new-version' });
    const svc = store.list('service')[0];
    const v2 = store.list('secret').find((s) => s.spec.name === 'shop_pw-v2')!;
    expect(svc.spec.taskTemplate.containerSpec.secrets![0]).toMatchObject({ id: v2.id });
    // v1 stays while the previous spec (a rollback) uses it; a third version retires it.
    await deploy({ name: 'shop_pw', data: b64('three') });
    expect(
      store
        .list('secret')
        .map((s) => s.spec.name)
        .sort(),
    ).toEqual(['shop_pw-v2', 'shop_pw-v3']);
  });
});
