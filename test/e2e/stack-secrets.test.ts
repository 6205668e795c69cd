// Issue 13's proof on three machines: a stack with a secret (short and long syntax, custom target
// and mode), a config at a custom path and extra_hosts runs three replicas across the machines,
// each reading them; the secret's value is in no file under the manager's or any agent's data
// root; `secret rm` of a used secret is refused and `stack rm` removes them. A service from a
// registry that requires a login runs everywhere with --with-registry-auth and fails with a clear
// task error without it; its image is pinned to a digest, so re-pushing the tag mid-deploy and
// scaling up still runs the first image on every node.
//
// Root only. Its own names (flk, 10.93.0) so it never meets the other e2e files' clusters.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildImage, busyboxLayer } from '../harness/image-builder.js';
import { run } from './harness/index.js';
import { Cluster, jsonLines, useCluster, waitFor, type TaskRow } from './cluster-harness.js';

const isRoot = process.getuid?.() === 0;
const user = { username: 'deployer', password: `pw-${randomBytes(6).toString('hex')}` };
const secretValue = `s3cret-${randomBytes(12).toString('hex')}`;

describe.runIf(isRoot)('stacks with secrets, configs and private images', () => {
  const lan = '10.93.0';
  const privateRegistry = `${lan}.11:5001`;
  // The manager pins digests: it reaches both registries over plain HTTP, as the agents do.
  const c = new Cluster({
    prefix: 'flk',
    lan,
    insecureRegistries: [privateRegistry, `${lan}.11:5000`],
  });
  useCluster(c);
  const basic = 'Basic ' + Buffer.from(`${user.username}:${user.password}`).toString('base64');
  const priv = `${privateRegistry}/e2e/priv`;

  /** A busybox image that prints VERSION and stays up. */
  const versioned = (version: string) =>
    buildImage({
      layers: [busyboxLayer(), [{ type: 'file', path: 'version', content: `${version}\n` }]],
      config: { Cmd: ['/bin/sh', '-c', 'cat /version; exec sleep 100000'] },
    });

  /** `cat` (or any command) in every running task of SERVICE, on whichever machine it runs. */
  async function inEveryTask(service: string, ...cmd: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const i of c.machines)
      for (const name of await c.containersOn(i, service)) {
        const r = await c.fltOn(i, 'exec', name, ...cmd);
        expect(r.code, `${name} on m${i}: ${r.output}`).toBe(0);
        out.push(r.stdout);
      }
    return out;
  }

  it('a stack with a secret, a config and extra_hosts: every task reads them, no disk holds the secret', async () => {
    const dir = join(c.dir, 'app');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'db_password.txt'), secretValue);
    writeFileSync(join(dir, 'app.conf'), 'listen = 8080\n');
    writeFileSync(
      join(dir, 'stack.yml'),
      [
        "version: '3.8'",
        'networks:',
        '  default:',
        '    external: true',
        '    name: bridge',
        'services:',
        '  app:',
        `    image: ${c.image('web:v1')}`,
        '    secrets:',
        '      - db_password',
        '      - source: db_password',
        '        target: custom/pw',
        '        mode: 0400',
        '    configs:',
        '      - source: app_conf',
        '        target: /etc/app/app.conf',
        '    extra_hosts:',
        '      - "db.internal:10.1.2.3"',
        '    deploy:',
        '      replicas: 3',
        '      placement: { max_replicas_per_node: 1 }',
        'secrets:',
        '  db_password:',
        '    file: ./db_password.txt',
        'configs:',
        '  app_conf:',
        '    file: ./app.conf',
        '',
      ].join('\n'),
    );
    const d = await c.flt('stack', 'deploy', '-d', '-c', join(dir, 'stack.yml'), 'app');
    expect(d.code, d.output).toBe(0);
    const tasks = await c.converged('app_app', 3);
    expect(new Set(tasks.map((t) => t.nodeId)).size).toBe(3);

    // Pinned: the manager asked the registry, as Docker's daemon does.
    const inspect = await c.flt('service', 'inspect', 'app_app');
    const [svc] = JSON.parse(inspect.stdout) as {
      spec: { taskTemplate: { containerSpec: { image: string } } };
    }[];
    expect(svc.spec.taskTemplate.containerSpec.image).toMatch(
      new RegExp(`^${c.image('web:v1')}@sha256:[a-f0-9]{64}$`),
    );
    expect(inspect.stdout).not.toContain(secretValue);

    expect(await inEveryTask('app_app', 'cat', '/run/secrets/db_password')).toEqual(
      Array(3).fill(secretValue),
    );
    expect(await inEveryTask('app_app', 'cat', '/run/secrets/custom/pw')).toEqual(
      Array(3).fill(secretValue),
    );
    expect(await inEveryTask('app_app', 'stat', '-c', '%a', '/run/secrets/custom/pw')).toEqual(
      Array(3).fill('400\n'),
    );
    expect(await inEveryTask('app_app', 'cat', '/etc/app/app.conf')).toEqual(
      Array(3).fill('listen = 8080\n'),
    );
    for (const hosts of await inEveryTask('app_app', 'cat', '/etc/hosts'))
      expect(hosts).toMatch(/^10\.1\.2\.3\s+db\.internal$/m);

    // Not a byte of it under the manager's data root (etcd's files) or any agent's.
    for (const root of [join(c.dir, 'manager'), ...c.machines.map((i) => c.dataRoot(i))]) {
      const g = await run('grep', ['-r', '-D', 'skip', '-l', '-F', secretValue, root]);
      expect(g.code, `${root}: ${g.output}`).toBe(1);
    }
    // Nor in the manager's or the agents' logs.
    const g = await run('grep', ['-r', '-D', 'skip', '-l', '-F', secretValue, join(c.dir, 'logs')]);
    expect(g.code, g.output).toBe(1);
  });

  it('refuses secret rm while the stack uses it; stack rm removes its secrets and configs', async () => {
    const rm = await c.flt('secret', 'rm', 'app_db_password');
    expect(rm.code).toBe(1);
    expect(rm.output).toContain('app_app');
    expect((await c.flt('secret', 'ls')).stdout).toContain('app_db_password');

    const r = await c.flt('stack', 'rm', 'app');
    expect(r.code, r.output).toBe(0);
    await waitFor('the stack gone', async () => {
      const s = await c.flt('secret', 'ls');
      const k = await c.flt('config', 'ls');
      return !s.stdout.includes('app_db_password') && !k.stdout.includes('app_app_conf');
    });
  });

  it('a private image runs on every machine with --with-registry-auth, and fails clearly without', async () => {
    // The registry that requires a login, on machine 1.
    const dir = join(c.dir, 'registry-private');
    mkdirSync(join(dir, 'data'), { recursive: true });
    const htpasswd = execFileSync('htpasswd', ['-Bbn', user.username, user.password]);
    writeFileSync(join(dir, 'htpasswd'), htpasswd);
    writeFileSync(
      join(dir, 'config.yml'),
      [
        'version: 0.1',
        'log: { level: warn, accesslog: { disabled: true } }',
        `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
        `http: { addr: ${privateRegistry} }`,
        `auth: { htpasswd: { realm: e2e, path: ${join(dir, 'htpasswd')} } }`,
        '',
      ].join('\n'),
    );
    c.startProc('registry-private', 1, '/usr/bin/docker-registry', [
      'serve',
      join(dir, 'config.yml'),
    ]);
    try {
      await waitFor(
        'the private registry',
        async () => (await fetch(`http://${privateRegistry}/v2/`)).status === 401,
        60_000,
      );
      const v1 = await versioned('one');
      const v2 = await versioned('two');
      await c.push('e2e/priv', 'latest', v1, { registry: privateRegistry, authorization: basic });

      // Without the flag: the manager cannot pin it (warning) and no node can pull it.
      const bare = await c.flt(
        'service',
        'create',
        '-d',
        '--name',
        'bare',
        '--replicas',
        '1',
        priv,
      );
      expect(bare.code, bare.output).toBe(0);
      expect(bare.stderr).toContain(`image ${priv} could not be accessed on a registry`);
      const failed = await waitFor('a task error', async () => {
        const ps = await c.flt('service', 'ps', '--no-trunc', 'bare');
        return /--with-registry-auth/.test(ps.stdout) ? ps.stdout : undefined;
      });
      expect(failed).toContain(`pulling ${priv}`);
      expect(failed).toContain(`needs credentials for ${privateRegistry}`);
      expect((await c.flt('service', 'rm', 'bare')).code).toBe(0);

      // Logged in, and deployed with the flag: three machines, pinned to v1.
      const login = await c.fltOn(
        1,
        'login',
        privateRegistry,
        '-u',
        user.username,
        '-p',
        user.password,
      );
      expect(login.code, login.output).toBe(0);
      const file = join(c.dir, 'priv.yml');
      writeFileSync(
        file,
        [
          "version: '3.8'",
          'networks:',
          '  default:',
          '    external: true',
          '    name: bridge',
          'services:',
          '  p:',
          `    image: ${priv}`,
          '    deploy:',
          '      replicas: 3',
          '',
        ].join('\n'),
      );
      const d = await c.flt('stack', 'deploy', '-d', '--with-registry-auth', '-c', file, 'pv');
      expect(d.code, d.output).toBe(0);
      expect(d.stderr).not.toContain('could not be accessed');
      const tasks = await c.converged('pv_p', 3);
      expect(new Set(tasks.map((t) => t.nodeId)).size).toBe(3);
      const pinned = `${priv}:latest@${v1.manifestDigest}`;
      expect(tasks.map((t) => t.spec.containerSpec.image)).toEqual(Array(3).fill(pinned));
      const inspect = await c.flt('service', 'inspect', 'pv_p');
      expect(inspect.stdout).not.toContain(user.password);

      // The tag moves mid-deploy; new tasks still run the pinned digest on every node.
      await c.push('e2e/priv', 'latest', v2, { registry: privateRegistry, authorization: basic });
      const scale = await c.flt('service', 'scale', '-d', 'pv_p=6');
      expect(scale.code, scale.output).toBe(0);
      const scaled = await c.converged('pv_p', 6);
      expect(scaled.map((t: TaskRow) => t.spec.containerSpec.image)).toEqual(Array(6).fill(pinned));
      expect(await inEveryTask('pv_p', 'cat', '/version')).toEqual(Array(6).fill('one\n'));

      // The password is in no file of the cluster (data roots, etcd, logs); the CLI's login store
      // holds it base64-encoded, as Docker's config.json does.
      const g = await run('grep', ['-r', '-D', 'skip', '-l', '-F', user.password, c.dir]);
      expect(g.code, g.output).toBe(1);
      const ps = jsonLines<TaskRow>(
        (await c.flt('service', 'ps', 'pv_p', '--format', 'json')).stdout,
      );
      expect(ps.every((t) => !JSON.stringify(t).includes(user.password))).toBe(true);

      // Opting out: --no-resolve-image keeps the image as written; a bad --resolve-image is 125.
      const nr = await c.flt(
        'service',
        'create',
        '-d',
        '--no-resolve-image',
        '--with-registry-auth',
        '--name',
        'nr',
        priv,
      );
      expect(nr.code, nr.output).toBe(0);
      const [nrs] = JSON.parse((await c.flt('service', 'inspect', 'nr')).stdout) as {
        spec: { taskTemplate: { containerSpec: { image: string } } };
      }[];
      expect(nrs.spec.taskTemplate.containerSpec.image).toBe(priv);
      expect((await c.flt('service', 'rm', 'nr')).code).toBe(0);
      const bad = await c.flt('stack', 'deploy', '--resolve-image', 'sometimes', '-c', file, 'pv');
      expect(bad.code).toBe(125);
      expect(bad.stderr).toContain('--resolve-image');
    } finally {
      await c.stopProc('registry-private', 'SIGTERM', 5_000);
    }
  });
});
