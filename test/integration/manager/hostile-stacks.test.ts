// `flotilla stack deploy` against a real manager (embedded etcd, API) with the hostile corpus
// (test/harness/hostile-stacks.ts): each file is refused with exit status 1 and one error line,
// and an etcd watch over the whole store sees no service, task, network, secret, config or name
// claim written, not even for a moment. Also `stack deploy --dry-run`, which changes nothing,
// and hostile specs sent straight to the API.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Etcd3, type Watcher } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileStacks } from '../../harness/hostile-stacks.js';
import {
  adminTls,
  bundleCli,
  bundlePath,
  cli,
  https,
  ManagerProcess,
  portPair,
} from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'flt-hostile-'));
const cfg = join(root, 'cfg');
const env: NodeJS.ProcessEnv = { ...process.env, FLOTILLA_CONFIG: cfg, FLOTILLA_LOG_LEVEL: 'warn' };
delete env.FLOTILLA_CONTEXT;
delete env.TOKEN; // required-variable.yml needs it unset
let m: ManagerProcess;
let etcd: Etcd3;
let watcher: Watcher;
/** Every key written or deleted in etcd since the watch started. */
const written: string[] = [];
// What a deploy would write: objects and their name claims. (The manager itself keeps writing
// its cluster document, election, heartbeats and manager record.)
const deployKeys = /^\/flotilla\/v1\/(services|tasks|networks|secrets|configs|volumes|names)\//;
const tls = () => adminTls(cfg, 'hostile');

beforeAll(async () => {
  await bundleCli();
  m = new ManagerProcess(root, 'm1', await portPair(), env);
  m.start(['--init', '--cluster-name', 'hostile']);
  await m.ready();
  etcd = new Etcd3(m.embeddedEtcdClientOptions());
  watcher = await etcd.watch().prefix('/flotilla/v1/').create();
  watcher.on('put', (kv) => written.push(kv.key.toString()));
  watcher.on('delete', (kv) => written.push(kv.key.toString()));
});

afterAll(async () => {
  await watcher?.cancel();
  etcd?.close();
  await m?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** The CLI run from the file's directory, so messages name the file as the user gave it. */
function deploy(file: string, ...flags: string[]) {
  const r = spawnSync(
    'node',
    [bundlePath, 'stack', 'deploy', '-d', ...flags, '-c', basename(file), 'hostile'],
    { env, cwd: dirname(file), encoding: 'utf8', timeout: 60_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function storedKeys(): Promise<string[]> {
  const keys = await etcd.getAll().prefix('/flotilla/v1/').keys();
  return keys.filter((k) => deployKeys.test(k));
}

describe('hostile stack files against a real manager', () => {
  const corpus = hostileStacks(mkdtempSync(join(root, 'generated-')));

  it('start from an empty store', async () => {
    expect(await storedKeys()).toEqual([]);
  });

  it.each(corpus.map((h) => [h.name, h] as const))(
    '%s is refused with one error line and nothing created',
    async (_name, h) => {
      const r = deploy(h.path);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      const errors = lines.filter((l) => l.startsWith('Error: '));
      expect(errors, r.stderr).toHaveLength(1);
      expect(errors[0].slice('Error: '.length)).toMatch(h.error);
      // Besides the error, only its hint and warnings: no stack trace.
      expect(
        lines.filter((l) => !/^(Error|Hint|WARNING): /.test(l)),
        r.stderr,
      ).toEqual([]);
      expect(await storedKeys()).toEqual([]);
      const services = await https(m.apiAddr, 'GET', '/services', undefined, tls());
      expect(services.body).toEqual([]);
    },
  );

  it('wrote nothing at any moment while the hostile files were deployed', () => {
    expect(written.filter((k) => deployKeys.test(k))).toEqual([]);
  });

  it('refuses hostile specs sent straight to the API, writing nothing', async () => {
    const spec = (over: Record<string, unknown>) => ({
      name: 'hostile_web',
      labels: { 'com.docker.stack.namespace': 'hostile' },
      mode: { replicated: { replicas: 1 } },
      taskTemplate: {
        containerSpec: { image: 'nginx:1', env: [], labels: {}, mounts: [] },
        resources: { limits: {}, reservations: {} },
        restartPolicy: { condition: 'any', delayNs: 5e9, maxAttempts: 0, windowNs: 0 },
        placement: { constraints: [], preferences: [], maxReplicasPerNode: 0 },
        networks: [],
        forceUpdate: 0,
      },
      updateConfig: upd,
      rollbackConfig: upd,
      endpointSpec: { mode: 'vip', ports: [] },
      ...over,
    });
    const upd = {
      parallelism: 1,
      delayNs: 0,
      failureAction: 'pause',
      monitorNs: 5e9,
      maxFailureRatio: 0,
      order: 'stop-first',
    };
    const bad = [
      { mode: { replicated: { replicas: 1e12 } } },
      { mode: { replicated: { replicas: 2 }, global: {} } },
      { name: 'hostile\u0000web' },
      { name: 'x'.repeat(100) },
    ];
    for (const over of bad) {
      const body = { services: [spec({ name: 'hostile_ok' }), spec(over)] };
      const r = await https(m.apiAddr, 'POST', '/stacks/hostile/deploy', body, tls());
      expect(r.status, JSON.stringify(over)).toBe(400);
      expect(r.body.code).toBe('SERVICE_SPEC_INVALID');
    }
    expect(await storedKeys()).toEqual([]);
  });
});

describe('stack deploy --dry-run', () => {
  const file = join(root, 'dry.yml');
  const stack = (web: string, extra = '') =>
    `services:\n  web:\n    image: ${web}\n    deploy:\n      replicas: 2\n${extra}`;

  it('prints what would be created and creates nothing', async () => {
    writeFileSync(file, stack('nginx:1', '  old:\n    image: busybox:1\n    isolation: default\n'));
    const r = cli(
      env,
      'stack',
      'deploy',
      '--dry-run',
      '--resolve-image',
      'never',
      '-c',
      file,
      'dry',
    );
    expect(r.stderr).toBe('WARNING: Ignoring unsupported options: isolation\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      'Dry run: nothing was changed.\nWould create service dry_old\nWould create service dry_web\n',
    );
    expect(cli(env, 'stack', 'ls').stdout).not.toMatch(/dry/);
    expect((await storedKeys()).filter((k) => k.includes('/services/'))).toEqual([]);
  });

  it('after a deploy, shows the field diff of a changed file and the removals of --prune', async () => {
    expect(
      cli(env, 'stack', 'deploy', '-d', '--resolve-image', 'never', '-c', file, 'dry').status,
    ).toBe(0);
    // The watch that saw nothing during the hostile files does see a real deploy's writes.
    for (let i = 0; i < 50 && !written.some((k) => k.includes('/services/')); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(written.filter((k) => k.includes('/services/')).length).toBeGreaterThan(0);
    const before = cli(env, 'service', 'inspect', 'dry_web').stdout;
    writeFileSync(
      file,
      stack('nginx:2', '  api:\n    image: busybox:1\n').replace('replicas: 2', 'replicas: 3'),
    );
    const r = cli(
      env,
      'stack',
      'deploy',
      '--dry-run',
      '--prune',
      '--resolve-image',
      'never',
      '-c',
      file,
      'dry',
    );
    expect(r.status, r.stderr).toBe(0);
    const id = JSON.parse(before)[0].id as string;
    expect(r.stdout).toBe(
      [
        'Dry run: nothing was changed.',
        'Would remove service dry_old',
        `Would update service dry_web (id: ${id})`,
        '  mode.replicated.replicas: 2 → 3',
        '  taskTemplate.containerSpec.image: "nginx:1" → "nginx:2"',
        'Would create service dry_api',
        '',
      ].join('\n'),
    );
    // Nothing changed: same spec, same version.
    const [was] = JSON.parse(before);
    const [now] = JSON.parse(cli(env, 'service', 'inspect', 'dry_web').stdout);
    expect([now.version, now.spec]).toEqual([was.version, was.spec]);
    expect(cli(env, 'stack', 'services', 'dry', '--format', 'json').stdout).toMatch(/dry_old/);
    expect(cli(env, 'stack', 'services', 'dry', '--format', 'json').stdout).not.toMatch(/dry_api/);
  });
});
