// Rolling updates end to end through the manager API: a real manager (embedded etcd, CA, API,
// dispatcher, reconcilers) and three simulated agents (real join, session and executor over a fake
// container engine). The CLI's own code paths (stack deploy, convergence wait, stack rm) drive it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagerClient } from '../../../cli/clients/manager-client.js';
import { main } from '../../../cli/main.js';
import { ContextStore } from '../../../cli/contexts/index.js';
import { waitForConvergence } from '../../../cli/convergence.js';
import { deployStack } from '../../../cli/commands/stack/deploy.js';
import { removeStacks } from '../../../cli/commands/stack/list.js';
import { freePort } from '../../../manager/etcd/index.js';
import { runManager, type RunningManager } from '../../../manager/main.js';
import type { ObjectStore } from '../../../manager/store/types.js';
import { isFlotillaError } from '../../../shared/errors/index.js';
import { createLogger } from '../../../shared/log/index.js';
import type { Service, ServiceSpec } from '../../../shared/model/index.js';
import { loadStack } from '../../../shared/stack/index.js';
import { startSimAgent, type SimAgent } from '../../harness/cluster/index.js';

process.env.FLOTILLA_LOG_LEVEL ??= 'warn';
const log = createLogger({
  proc: 'test',
  level: (process.env.FLOTILLA_LOG_LEVEL as 'warn') ?? 'silent',
});

let dir: string;
let manager: RunningManager;
let store: ObjectStore;
let client: ManagerClient;
const agents: SimAgent[] = [];
/** Images whose containers fail to be created on every agent (a bad image, at once). */
const failing = new Set<string>();

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

class Sink extends Writable {
  text = '';
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.text += c.toString();
    cb();
  }
}

const stackFile = `
services:
  web:
    image: busybox:1
    deploy:
      replicas: 4
      update_config: { parallelism: 2, monitor: 1s, failure_action: pause }
  api:
    image: busybox:1
    deploy:
      replicas: 2
      update_config: { parallelism: 1, monitor: 2s, failure_action: rollback }
      rollback_config: { parallelism: 0, monitor: 1s }
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-update-'));
  let port: number;
  do port = await freePort();
  while (port >= 65000);
  const address = `127.0.0.1:${port}`;
  const contexts = new ContextStore(join(dir, 'config'));
  manager = await runManager(
    {
      dataRoot: join(dir, 'manager'),
      execRoot: join(dir, 'run'),
      listenGrpc: address,
      advertiseAddr: '127.0.0.1',
      init: true,
      socket: false,
    },
    {
      // What `flotilla manager --init` does: an admin context for the CLI.
      onInitialized: ({ clusterId, clusterName, apiAddr, admin }) => {
        contexts.save({ name: clusterName, clusterId, managers: [apiAddr] }, admin);
        contexts.use(clusterName);
      },
    },
  );
  store = manager.components.store;
  client = new ManagerClient(contexts.resolve());
  const token = manager.components.ca.joinToken('worker');
  for (const hostname of ['alpha', 'beta', 'gamma']) {
    const a = await startSimAgent({ address, token, hostname, log });
    const create = a.engine.create.bind(a.engine);
    a.engine.create = async (opts) => {
      if (failing.has(opts.image)) throw new Error(`pull access denied for ${opts.image}`);
      return create(opts);
    };
    agents.push(a);
  }
  await waitFor(
    '3 ready nodes',
    () => store.list('node').filter((n) => n.status.state === 'ready').length === 3,
  );
}, 120_000);

afterAll(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  await manager?.stop();
  await rm(dir, { recursive: true, force: true });
});

const byName = (name: string) => store.list('service').find((s) => s.spec.name === name)!;
const tasksOf = (s: Service) => store.list('task').filter((t) => t.serviceId === s.id);

async function update(name: string, patch: (s: ServiceSpec) => void): Promise<number> {
  const s = await client.json<Service>({ path: `/services/${name}` });
  const spec = structuredClone(s.spec);
  patch(spec);
  const r = await client.json<{ version: number }>({
    method: 'POST',
    path: `/services/${s.id}/update`,
    body: { version: s.version, spec },
  });
  return r.version;
}

async function converge(name: string, version?: number): Promise<string> {
  const out = new Sink();
  await waitForConvergence(client, byName(name).id, { out, version, pollMs: 100 });
  return out.text;
}

describe('rolling updates over a real manager', () => {
  it('deploys a stack of two services and waits for them to converge', async () => {
    const file = join(dir, 'shop.yml');
    await writeFile(file, stackFile);
    const stack = loadStack('shop', [file]);
    const r = await deployStack(client, 'shop', stack.services, false, false, stack.networks);
    expect(r.created.map((s) => s.name).sort()).toEqual(['shop_api', 'shop_web']);
    const text = await converge('shop_web');
    expect(text).toContain('overall progress: 4 out of 4 tasks');
    expect(text).toContain('verify: Service converged');
    await converge('shop_api');
    // Deploying the same file again changes nothing.
    const again = await deployStack(client, 'shop', stack.services, false, false, stack.networks);
    expect(again.unchanged).toHaveLength(2);
    expect(again.created).toHaveLength(0);
  }, 120_000);

  it('refuses a stack with one invalid service and deploys none of it', async () => {
    const file = join(dir, 'bad.yml');
    await writeFile(file, stackFile.replace(/shop/g, 'x'));
    const stack = loadStack('other', [file]);
    stack.services[1].taskTemplate.containerSpec.image = 'has spaces';
    const err = await deployStack(
      client,
      'other',
      stack.services,
      false,
      false,
      stack.networks,
    ).catch((e: unknown) => e);
    expect(isFlotillaError(err) && err.code).toBe('SERVICE_SPEC_INVALID');
    expect(store.list('service').filter((s) => s.spec.name.startsWith('other_'))).toHaveLength(0);
  });

  it('scales a service', async () => {
    const v = await update('shop_web', (s) => (s.mode = { replicated: { replicas: 6 } }));
    const text = await converge('shop_web', v);
    expect(text).toContain('overall progress: 6 out of 6 tasks');
    expect(tasksOf(byName('shop_web')).filter((t) => t.status.state === 'running')).toHaveLength(6);
  }, 120_000);

  it('updates the image two tasks at a time, never more than two replicas down', async () => {
    const web = byName('shop_web');
    let maxDown = 0;
    const sample = () => {
      const up = new Set(
        tasksOf(web)
          .filter((t) => t.status.state === 'running')
          .map((t) => t.slot),
      );
      maxDown = Math.max(maxDown, 6 - up.size);
    };
    const unsubscribe = store.subscribe(sample);
    try {
      const v = await update('shop_web', (s) => (s.taskTemplate.containerSpec.image = 'busybox:2'));
      await converge('shop_web', v);
    } finally {
      unsubscribe();
    }
    const s = byName('shop_web');
    expect(s.updateStatus).toMatchObject({ state: 'completed', message: 'update completed' });
    const live = tasksOf(s).filter((t) => t.desiredState === 'running');
    expect(live.map((t) => t.spec.containerSpec.image)).toEqual(Array(6).fill('busybox:2'));
    expect(live.every((t) => t.status.state === 'running')).toBe(true);
    expect(maxDown).toBeGreaterThan(0);
    expect(maxDown).toBeLessThanOrEqual(2);
  }, 120_000);

  it('rolls back automatically when the new tasks fail at once', async () => {
    failing.add('bad:1');
    const v = await update('shop_api', (s) => (s.taskTemplate.containerSpec.image = 'bad:1'));
    const err = await converge('shop_api', v).catch((e: unknown) => e);
    expect(isFlotillaError(err) && err.code).toBe('SERVICE_ROLLED_BACK');
    const s = byName('shop_api');
    expect(s.updateStatus?.state).toBe('rollback_completed');
    expect(s.spec.taskTemplate.containerSpec.image).toBe('busybox:1');
    expect(s.previousSpec?.taskTemplate.containerSpec.image).toBe('bad:1');
    await waitFor('2 api tasks running busybox:1', () => {
      const live = tasksOf(s).filter((t) => t.desiredState === 'running');
      return (
        live.length === 2 &&
        live.every(
          (t) => t.status.state === 'running' && t.spec.containerSpec.image === 'busybox:1',
        )
      );
    });
  }, 120_000);

  it('pauses a failing update and resumes it with another update', async () => {
    failing.add('bad:2');
    const v = await update('shop_web', (s) => (s.taskTemplate.containerSpec.image = 'bad:2'));
    const err = await converge('shop_web', v).catch((e: unknown) => e);
    expect(isFlotillaError(err) && err.code).toBe('SERVICE_UPDATE_PAUSED');
    const paused = byName('shop_web');
    expect(paused.updateStatus?.state).toBe('paused');
    expect(paused.updateStatus?.message).toMatch(
      /^update paused due to failure or early termination of task \w+$/,
    );
    // At most the first batch was touched; the rest still run the old image.
    const old = tasksOf(paused).filter(
      (t) => t.desiredState === 'running' && t.spec.containerSpec.image === 'busybox:2',
    );
    expect(old.length).toBeGreaterThanOrEqual(4);

    // The image is fixed upstream; `service update` with nothing changed resumes the update.
    failing.delete('bad:2');
    const v2 = await update('shop_web', () => undefined);
    await converge('shop_web', v2);
    const s = byName('shop_web');
    expect(s.updateStatus).toMatchObject({ state: 'completed', serviceVersion: v2 });
    const live = tasksOf(s).filter((t) => t.desiredState === 'running');
    expect(live.map((t) => t.spec.containerSpec.image)).toEqual(Array(6).fill('bad:2'));
  }, 180_000);

  it('drives the same through the CLI verbs', async () => {
    process.env.FLOTILLA_CONFIG = join(dir, 'config');
    const cli = async (...argv: string[]) => {
      let out = '';
      const write = process.stdout.write.bind(process.stdout);
      const errWrite = process.stderr.write.bind(process.stderr);
      process.stdout.write = ((c: string | Uint8Array) => ((out += c.toString()), true)) as never;
      process.stderr.write = ((c: string | Uint8Array) => ((out += c.toString()), true)) as never;
      try {
        return { code: await main(argv), out };
      } finally {
        process.stdout.write = write;
        process.stderr.write = errWrite;
      }
    };
    const created = await cli(
      'service',
      'create',
      '--name',
      'cli-web',
      '--replicas',
      '2',
      '--update-monitor',
      '0s',
      'busybox:1',
    );
    expect(created.code).toBe(0);
    expect(created.out).toContain('overall progress: 2 out of 2 tasks');
    expect(created.out).toContain('verify: Service converged');
    const updated = await cli(
      'service',
      'update',
      '--image',
      'busybox:2',
      '--env-add',
      'A=1',
      'cli-web',
    );
    expect(updated.code).toBe(0);
    expect(updated.out).toMatch(/1\/2: running +\[=+>\]/);
    const pretty = await cli('service', 'inspect', '--pretty', 'cli-web');
    expect(pretty.out).toMatch(/UpdateStatus:\n State:\t\tcompleted/);
    const back = await cli('service', 'rollback', 'cli-web');
    expect(back.code).toBe(0);
    expect(back.out).toContain('rollback: manually requested rollback');
    expect(byName('cli-web').spec.taskTemplate.containerSpec.image).toBe('busybox:1');
    const scaled = await cli('service', 'scale', 'cli-web=3');
    expect(scaled.code).toBe(0);
    expect(scaled.out).toContain('overall progress: 3 out of 3 tasks');
    const ls = await cli('service', 'ls');
    expect(ls.out).toMatch(/cli-web +replicated +3\/3 \(rollback completed\)/);
    const stacks = await cli('stack', 'ls');
    expect(stacks.out).toMatch(/shop +2/);
    const ps = await cli('stack', 'ps', 'shop');
    expect(ps.out).toContain('shop_web.1');
    expect((await cli('service', 'rm', 'cli-web')).code).toBe(0);
  }, 180_000);

  it('removes the stack, leaving no service or task', async () => {
    const out = new Sink();
    await removeStacks(client, ['shop'], { out, wait: true, pollMs: 100 });
    expect(out.text).toContain('Removing service shop_api');
    const ids = new Set(['shop_api', 'shop_web']);
    expect(store.list('service').filter((s) => ids.has(s.spec.name))).toHaveLength(0);
    await waitFor('no tasks left', () => store.list('task').length === 0);
    await waitFor('no containers left', () =>
      agents.every((a) => [...a.engine.containers.values()].every((c) => c.state !== 'running')),
    );
  }, 120_000);
});
