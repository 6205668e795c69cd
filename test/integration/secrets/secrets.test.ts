// Secrets and configs end to end: a real manager (embedded etcd) and a real agent (runc + conmon)
// joined to it, driven through the CLI. A service reads its secret and config at default and
// custom targets with the modes and owners asked for; no byte of the secret is in the manager's
// data root (etcd's files included), the agent's data root, or what `service inspect` prints;
// `secret rm` of a secret in use is refused; `--secret-add` rolls the service; removing the
// service removes the task's tmpfs.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../../shared/model/index.js';
import {
  adminTls,
  bundleCli as bundleManagerCli,
  bundlePath,
  cli,
  https,
  ManagerProcess,
  portPair,
} from '../manager/harness.js';
import { bundleCli as bundleAgentCli, TestAgent, waitFor } from '../runtime/harness.js';

const root = mkdtempSync('/tmp/flt-secrets-');
const cfg = join(root, 'cfg');
const env: NodeJS.ProcessEnv = { ...process.env, FLOTILLA_CONFIG: cfg, FLOTILLA_LOG_LEVEL: 'info' };
delete env.FLOTILLA_CONTEXT;
/** The secret's value: random, so that finding it anywhere is never a coincidence. */
const secretValue = `s3cret-${randomBytes(16).toString('hex')}`;
const configValue = 'listen = 8080\nname = flotilla\n';

let m: ManagerProcess;
let agent: TestAgent;

const flt = (...args: string[]) => cli(env, ...args);
const fltIn = (input: string, ...args: string[]) => {
  const r = spawnSync('node', [bundlePath, ...args], { env, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

async function tasks(service: string): Promise<Task[]> {
  const r = await https(
    m.apiAddr,
    'GET',
    `/tasks?service=${service}`,
    undefined,
    adminTls(cfg, 'secrets'),
  );
  return r.status === 200 ? (r.body as Task[]) : [];
}

/** The container of the service's running task at `version` (or any version). */
async function runningContainer(service: string, version?: number): Promise<string> {
  return waitFor(
    `${service} running${version ? ` at version ${version}` : ''}`,
    async () =>
      (await tasks(service)).find(
        (t) =>
          t.desiredState === 'running' &&
          t.status.state === 'running' &&
          (version === undefined || t.serviceVersion === version),
      )?.status.containerId,
    { timeoutMs: 120_000, everyMs: 500 },
  );
}

async function exec(containerId: string, ...cmd: string[]) {
  return agent.cli(['exec', containerId, ...cmd]);
}

/** Every regular file under `dir` (symlinks not followed) whose bytes contain `needle`. */
async function filesContaining(
  dir: string,
  needle: Buffer,
  skip: string[] = [],
): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (d: string): Promise<void> => {
    if (skip.includes(d)) return;
    for (const name of await readdir(d).catch(() => [] as string[])) {
      const p = join(d, name);
      const st = await lstat(p).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) await walk(p);
      else if (st.isFile() && (await readFile(p).catch(() => Buffer.alloc(0))).includes(needle))
        hits.push(p);
    }
  };
  await walk(dir);
  return hits;
}

beforeAll(async () => {
  await Promise.all([bundleManagerCli(), bundleAgentCli()]);
  m = new ManagerProcess(root, 'm1', await portPair(), env);
  m.start(['--init', '--cluster-name', 'secrets']);
  await m.ready();
  const token = flt('cluster', 'join-token', 'worker', '-q').stdout.trim();
  agent = new TestAgent(['--join', m.grpcAddr, '--token', token]);
  await agent.start();
  await agent.loadBusybox();
  await waitFor('the agent ready in the cluster', () => {
    const r = flt('node', 'ls', '--format', 'json');
    return r.status === 0 && r.stdout.includes('"ready"');
  });
}, 240_000);

afterAll(async () => {
  flt('service', 'rm', 'web');
  flt('stack', 'rm', 'shop');
  if (agent) {
    // Containers first (the agent keeps them over a stop by design), then any task tmpfs a failed
    // test left mounted, then the agent, its network and its files.
    const ids = agent.ids();
    if (ids.length) await agent.cli(['rm', '-f', '-v', ...ids]);
    for (const l of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
      const mountPoint = l.split(' ')[4];
      if (mountPoint?.startsWith(join(agent.execRoot, 'secrets') + '/'))
        spawnSync('umount', ['-l', mountPoint]);
    }
    await agent.destroy();
  }
  await m?.stop();
  rmSync(root, { recursive: true, force: true });
}, 120_000);

describe('secrets and configs on a real cluster', () => {
  it('creates a secret from stdin and a config from a file, and lists them as docker does', () => {
    const created = fltIn(
      secretValue,
      'secret',
      'create',
      '--label',
      'env=test',
      'db_password',
      '-',
    );
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(created.stdout.trim()).toMatch(/^[a-z0-9]{25}$/);
    const file = join(root, 'pw');
    writeFileSync(file, secretValue, { mode: 0o600 });
    const confFile = join(root, 'app.conf');
    writeFileSync(confFile, configValue);
    expect(flt('config', 'create', '--label', 'tier=web', 'app_conf', confFile).status).toBe(0);

    const ls = flt('secret', 'ls');
    expect(ls.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+DRIVER\s+CREATED\s+UPDATED/);
    expect(ls.stdout).toContain('db_password');
    expect(flt('config', 'ls').stdout).toMatch(/^ID\s+NAME\s+CREATED\s+UPDATED/);
    const json = flt('config', 'ls', '--format', 'json').stdout;
    expect(JSON.parse(json.trim()).spec.labels).toEqual({ tier: 'web' });
    expect(flt('secret', 'ls', '--format', 'json').stdout).not.toContain(secretValue);

    const inspect = flt('secret', 'inspect', 'db_password');
    expect(JSON.parse(inspect.stdout)[0].spec).toEqual({
      name: 'db_password',
      labels: { env: 'test' },
    });
    expect(inspect.stdout).not.toContain(secretValue);
    expect(flt('secret', 'inspect', '--pretty', 'db_password').stdout).not.toContain(secretValue);
    expect(flt('config', 'inspect', '--pretty', 'app_conf').stdout).toContain('listen = 8080');

    const again = flt('secret', 'create', 'db_password', file);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('secret db_password already exists');
    const badName = flt('secret', 'create', '-bad', file);
    expect(badName.status).not.toBe(0);
    const big = join(root, 'big');
    writeFileSync(big, Buffer.alloc(500 * 1024 + 1, 1));
    const tooBig = flt('secret', 'create', 'too_big', big);
    expect(tooBig.status).toBe(1);
    expect(tooBig.stderr).toContain('more than the limit');
  });

  it('refuses a service naming an unknown secret, creating nothing', () => {
    const r = flt('service', 'create', '--name', 'ghost', '--secret', 'nope', 'busybox:latest');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('No such secret: nope');
    expect(flt('service', 'ls', '-q').stdout.trim()).toBe('');
  });

  it('mounts the secret and config read-only with the targets, owners and modes asked for', async () => {
    const r = flt(
      'service',
      'create',
      '--name',
      'web',
      '--secret',
      'db_password',
      '--secret',
      'source=db_password,target=custom_pw,uid=1000,gid=2000,mode=0400',
      '--config',
      'source=app_conf,target=/etc/app.conf,mode=0440',
      '--detach',
      // A local image (no registry to ask for its digest): Docker's opt-out, or a warning.
      '--no-resolve-image',
      'busybox:latest',
      'sleep',
      '3600',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const cid = await runningContainer('web');

    expect((await exec(cid, 'cat', '/run/secrets/db_password')).stdout).toBe(secretValue);
    expect((await exec(cid, 'cat', '/run/secrets/custom_pw')).stdout).toBe(secretValue);
    expect((await exec(cid, 'cat', '/etc/app.conf')).stdout).toBe(configValue);
    const modes = await exec(
      cid,
      'stat',
      '-c',
      '%a %u %g %n',
      '/run/secrets/db_password',
      '/run/secrets/custom_pw',
      '/etc/app.conf',
    );
    expect(modes.stdout.trim().split('\n')).toEqual([
      '444 0 0 /run/secrets/db_password',
      '400 1000 2000 /run/secrets/custom_pw',
      '440 0 0 /etc/app.conf',
    ]);
    const write = await exec(cid, 'sh', '-c', 'echo x > /run/secrets/db_password');
    expect(write.status).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);
  });

  it('keeps the secret out of etcd, the data roots, service inspect and the logs', async () => {
    const needles = [
      Buffer.from(secretValue),
      Buffer.from(Buffer.from(secretValue).toString('base64')),
    ];
    const inspect = flt('service', 'inspect', 'web');
    expect(inspect.status).toBe(0);
    for (const n of needles) {
      expect(inspect.stdout).not.toContain(n.toString());
      expect(await filesContaining(m.dataRoot, n)).toEqual([]);
      expect(await filesContaining(agent.dataRoot, n)).toEqual([]);
      // The exec root holds the task's tmpfs (memory, by design); nothing else there has it.
      expect(await filesContaining(agent.execRoot, n, [join(agent.execRoot, 'secrets')])).toEqual(
        [],
      );
      expect(m.stderr).not.toContain(n.toString());
    }
    // The manager's data root holds etcd's files: make sure the walk saw them.
    expect(existsSync(m.dataRoot) && readdirSync(m.dataRoot).length).toBeTruthy();
  });

  it('refuses to remove a secret or config a service uses, naming the service', () => {
    const r = flt('secret', 'rm', 'db_password');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('secret db_password is in use by the following service(s): web');
    const c = flt('config', 'rm', 'app_conf');
    expect(c.status).toBe(1);
    expect(c.stderr).toContain('config app_conf is in use by the following service(s): web');
  });

  it('rolls the service when a secret is added, and the new task reads it', async () => {
    const file = join(root, 'pw2');
    writeFileSync(file, 'second-secret');
    expect(flt('secret', 'create', 'api_key', file).status).toBe(0);
    const before = JSON.parse(flt('service', 'inspect', 'web').stdout)[0].version as number;
    const u = flt(
      'service',
      'update',
      '--detach',
      '--secret-add',
      'source=api_key,target=api',
      'web',
    );
    expect(u.stderr).toBe('');
    expect(u.status).toBe(0);
    const cid = await runningContainer('web', before + 1);
    expect((await exec(cid, 'cat', '/run/secrets/api')).stdout).toBe('second-secret');
    expect((await exec(cid, 'cat', '/run/secrets/db_password')).stdout).toBe(secretValue);

    // Removing and moving: the next task has no api file, and the config at its new path.
    const u2 = flt(
      'service',
      'update',
      '--detach',
      '--secret-rm',
      'api_key',
      '--config-rm',
      'app_conf',
      '--config-add',
      'source=app_conf,target=/etc/moved.conf',
      'web',
    );
    expect(u2.stderr).toBe('');
    const cid2 = await runningContainer('web', before + 2);
    expect((await exec(cid2, 'cat', '/etc/moved.conf')).stdout).toBe(configValue);
    expect((await exec(cid2, 'ls', '/run/secrets')).stdout.split(/\s+/).sort()).toEqual([
      '',
      'custom_pw',
      'db_password',
    ]);
  });

  it('removes the task files with the service, then lets the secret go', async () => {
    expect(flt('service', 'rm', 'web').status).toBe(0);
    await waitFor(
      'the task tmpfs removed',
      () => {
        const dir = join(agent.execRoot, 'secrets');
        const left = existsSync(dir) ? readdirSync(dir) : [];
        const mounted = readFileSync('/proc/self/mountinfo', 'utf8').includes(dir + '/');
        return left.length === 0 && !mounted;
      },
      { timeoutMs: 60_000, everyMs: 500 },
    );
    expect(flt('secret', 'rm', 'db_password', 'api_key').status).toBe(0);
    expect(flt('config', 'rm', 'app_conf').status).toBe(0);
    expect(flt('secret', 'ls', '-q').stdout.trim()).toBe('');
  });

  it('deploys a stack with secrets and configs, rolls a changed secret, and stack rm removes them', async () => {
    const dir = join(root, 'stack');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pw.txt'), 'stack-pw-1');
    const file = join(dir, 'stack.yml');
    writeFileSync(
      file,
      [
        'services:',
        '  app:',
        '    image: busybox:latest',
        '    command: ["sleep", "3600"]',
        '    secrets:',
        '      - db_pw',
        '      - source: db_pw',
        '        target: other',
        '        mode: 0400',
        '    configs:',
        '      - source: app_conf',
        '        target: /etc/app.conf',
        'secrets:',
        '  db_pw:',
        '    file: ./pw.txt',
        'configs:',
        '  app_conf:',
        '    environment: APP_CONF',
        '',
      ].join('\n'),
    );
    const deploy = () =>
      cli(
        { ...env, APP_CONF: 'from-env\n' },
        'stack',
        'deploy',
        '--resolve-image',
        'never', // a local image: no registry to pin it from
        '-c',
        file,
        '-d',
        'shop',
      );
    const first = deploy();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('Creating secret shop_db_pw');
    expect(first.stdout).toContain('Creating config shop_app_conf');
    let cid = await runningContainer('shop_app');
    expect((await exec(cid, 'cat', '/run/secrets/db_pw')).stdout).toBe('stack-pw-1');
    expect((await exec(cid, 'stat', '-c', '%a', '/run/secrets/other')).stdout.trim()).toBe('400');
    expect((await exec(cid, 'cat', '/etc/app.conf')).stdout).toBe('from-env\n');

    // Unchanged: nothing new. Changed: a new version, and the service rolls to it.
    expect(deploy().stdout).not.toContain('secret');
    writeFileSync(join(dir, 'pw.txt'), 'stack-pw-2');
    const second = deploy();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(
      'Updating secret shop_db_pw: its content changed, new version shop_db_pw-v2',
    );
    expect(second.stdout).toContain('Updating service shop_app');
    cid = await runningContainer('shop_app', 2);
    expect((await exec(cid, 'cat', '/run/secrets/db_pw')).stdout).toBe('stack-pw-2');

    const rm = flt('stack', 'rm', 'shop');
    expect(rm.status).toBe(0);
    expect(rm.stdout).toContain('Removing secret shop_db_pw-v2');
    expect(rm.stdout).toContain('Removing config shop_app_conf');
    expect(flt('secret', 'ls').stdout).not.toContain('shop_');
    const configs = await https(m.apiAddr, 'GET', '/configs', undefined, adminTls(cfg, 'secrets'));
    expect(JSON.stringify(configs.body)).not.toContain('shop_');
  });
});
