// `flotilla manager` end to end: --init with the embedded etcd, the CLI through the generated
// context, refusals (second --init, empty store, bad spec, bad client certificate), joining a second
// manager and leader failover after kill -9; the config file (--config-file).
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Etcd3 } from 'etcd3';
import { createCsr, generateKeyPair } from '../../../manager/ca/index.js';
import { EtcdObjectStore } from '../../../manager/store/index.js';
import { nodeFixture } from '../../../manager/store/fixtures.js';
import { startTestEtcd, type TestEtcd } from './etcd-harness.js';
import { adminTls, bundleCli, cli, https, ManagerProcess, portPair } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'flt-mgr-'));
const managers: ManagerProcess[] = [];
const etcds: TestEtcd[] = [];

function env(configDir: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    FLOTILLA_CONFIG: configDir,
    FLOTILLA_LOG_LEVEL: 'warn',
  };
  delete e.FLOTILLA_CONTEXT;
  return e;
}

async function manager(name: string, configDir: string): Promise<ManagerProcess> {
  const m = new ManagerProcess(root, name, await portPair(), env(configDir));
  managers.push(m);
  return m;
}

beforeAll(async () => {
  await bundleCli();
});

afterAll(async () => {
  for (const m of managers) await m.stop('SIGKILL');
  for (const e of etcds) await e.cleanup();
  rmSync(root, { recursive: true, force: true });
});

describe('a single manager with the embedded etcd', () => {
  const cfg = join(root, 'cfg-1');
  const e = env(cfg);
  let m: ManagerProcess;

  beforeAll(async () => {
    m = await manager('m1', cfg);
    m.start(['--init', '--cluster-name', 'test']);
    await m.ready();
  });

  afterAll(async () => {
    await m.stop();
  });

  it('writes a context so that `cluster info` works at once', () => {
    const r = cli(e, 'cluster', 'info');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Cluster:\s+test/);
    expect(r.stdout).toMatch(/\[leader\]/);
    expect(cli(e, 'context', 'ls').stdout).toMatch(/test \*/);
  });

  it('prints join commands with tokens for the gRPC address', () => {
    const r = cli(e, 'cluster', 'join-token', 'worker');
    expect(r.stdout).toContain(`flotilla agent --join ${m.grpcAddr} --token FLT-1-`);
    const q = cli(e, 'cluster', 'join-token', 'manager', '-q').stdout.trim();
    expect(q).toMatch(/^FLT-1-[0-9a-f]{64}-[a-z0-9]{25}$/);
    const rotated = cli(e, 'cluster', 'join-token', 'manager', '-q', '--rotate').stdout.trim();
    expect(rotated).not.toBe(q);
  });

  it('creates, lists, inspects, scales and removes a service through the API', () => {
    const c = cli(
      e,
      'service',
      'create',
      '-d',
      '--name',
      'web',
      '--replicas',
      '2',
      '-p',
      '8080:80',
      '-e',
      'A=1',
      '--constraint',
      'node.role==worker',
      '--limit-memory',
      '64m',
      '--no-resolve-image', // no registry here to pin it from (else Docker's warning)
      'nginx:alpine',
    );
    expect(c.stderr).toBe('');
    const id = c.stdout.trim();
    expect(id).toMatch(/^[a-z0-9]{25}$/);
    const ls = cli(e, 'service', 'ls').stdout;
    expect(ls).toMatch(/ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS/);
    expect(ls).toMatch(
      new RegExp(
        `${id.slice(0, 12)}\\s+web\\s+replicated\\s+\\d/2\\s+nginx:alpine\\s+\\*:8080->80/tcp`,
      ),
    );
    const [svc] = JSON.parse(cli(e, 'service', 'inspect', 'web').stdout);
    expect(svc.spec.taskTemplate.containerSpec.env).toEqual(['A=1']);
    expect(svc.spec.taskTemplate.resources.limits.memoryBytes).toBe(64 * 1024 * 1024);
    expect(svc.spec.taskTemplate.restartPolicy).toEqual({
      condition: 'any',
      delayNs: 5e9,
      maxAttempts: 0,
      windowNs: 0,
    });
    expect(svc.spec.updateConfig.order).toBe('stop-first');
    expect(cli(e, 'service', 'scale', '-d', 'web=3').status).toBe(0);
    expect(JSON.parse(cli(e, 'service', 'inspect', id).stdout)[0].spec.mode).toEqual({
      replicated: { replicas: 3 },
    });
    const dup = cli(e, 'service', 'create', '--name', 'web', 'nginx');
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('a service named web already exists');
    expect(cli(e, 'service', 'rm', 'web').status).toBe(0);
    expect(cli(e, 'service', 'ls').stdout).not.toContain('web');
    const gone = cli(e, 'service', 'inspect', 'web');
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain('service web not found');
  });

  it('answers a bad service spec with 400 naming the field', async () => {
    const tls = adminTls(cfg, 'test');
    const spec = JSON.parse(
      JSON.stringify({ name: 'x', labels: {}, mode: { replicated: { replicas: 1 } } }),
    );
    const r = await https(m.apiAddr, 'POST', '/services', { spec }, tls);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('SERVICE_SPEC_INVALID');
    expect(r.body.message).toContain('spec.taskTemplate');
    const c = cli(e, 'service', 'create', '--name', 'bad', '--constraint', 'node.role', 'nginx');
    expect(c.status).toBe(1);
    expect(c.stderr).toContain('spec.taskTemplate.placement.constraints[0]');
  });

  it('refuses requests without a certificate of the cluster CA, but serves /ca and /join', async () => {
    const none = await https(m.apiAddr, 'GET', '/info');
    expect(none.status).toBe(403);
    expect(none.body.code).toBe('CLIENT_CERT_REQUIRED');
    // a certificate from a CA of its own
    const { keys, keyPem } = await generateKeyPair();
    const { X509CertificateGenerator } = await import('@peculiar/x509');
    const self = await X509CertificateGenerator.createSelfSigned({
      name: 'CN=intruder, OU=admin',
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as never,
    });
    const bad = await https(m.apiAddr, 'GET', '/info', undefined, {
      cert: self.toString('pem'),
      key: keyPem,
    });
    expect(bad.status).toBe(403);
    expect(bad.body.code).toBe('CLIENT_CERT_REQUIRED');
    const ca = await https(m.apiAddr, 'GET', '/ca');
    expect(ca.status).toBe(200);
    expect(ca.body.caCertPem).toContain('BEGIN CERTIFICATE');
    // a worker joins, gets a certificate, and may not use the API with it
    const token = cli(e, 'cluster', 'join-token', 'worker', '-q').stdout.trim();
    const w = await generateKeyPair();
    const joined = await https(m.apiAddr, 'POST', '/join', {
      token,
      csrPem: await createCsr('CN=w', w.keys),
    });
    expect(joined.status).toBe(200);
    expect(joined.body.role).toBe('worker');
    expect(joined.body.keyEncryptionKey).toBeUndefined();
    const asWorker = await https(m.apiAddr, 'GET', '/info', undefined, {
      cert: joined.body.certPem,
      key: w.keyPem,
    });
    expect(asWorker.status).toBe(403);
    const badToken = await https(m.apiAddr, 'POST', '/join', {
      // Change the last character (to a different one: the secret may already end in '0').
      token: token.slice(0, -1) + (token.endsWith('0') ? '1' : '0'),
      csrPem: 'x',
    });
    expect(badToken.status).toBe(403);
  });

  it('updates and removes nodes; the certificate of a removed node is refused', async () => {
    const token = cli(e, 'cluster', 'join-token', 'manager', '-q').stdout.trim();
    const k = await generateKeyPair();
    const joined = await https(m.apiAddr, 'POST', '/join', {
      token,
      csrPem: await createCsr('CN=n', k.keys),
    });
    expect(joined.body.role).toBe('manager');
    const nodeId: string = joined.body.nodeId;
    const mine = { cert: joined.body.certPem, key: k.keyPem };
    expect((await https(m.apiAddr, 'GET', '/info', undefined, mine)).status).toBe(200);

    const client = new Etcd3(m.embeddedEtcdClientOptions());
    const store = new EtcdObjectStore({ client });
    await store.start();
    await store.update((tx) => {
      tx.create('node', nodeFixture({ id: nodeId, status: { state: 'down', message: '' } }));
    });
    await store.stop();
    client.close();

    expect(cli(e, 'node', 'ls').stdout).toMatch(
      new RegExp(`${nodeId}\\s+node-1\\s+Down\\s+Active`),
    );
    const upd = cli(
      e,
      'node',
      'update',
      '--availability',
      'drain',
      '--label-add',
      'zone=a',
      nodeId,
    );
    expect(upd.status).toBe(0);
    const [n] = JSON.parse(cli(e, 'node', 'inspect', nodeId).stdout);
    expect(n.spec.availability).toBe('drain');
    expect(n.spec.labels).toEqual({ zone: 'a' });
    expect(cli(e, 'node', 'promote', nodeId).status).toBe(0);
    expect(JSON.parse(cli(e, 'node', 'inspect', nodeId).stdout)[0].spec.role).toBe('manager');
    expect(cli(e, 'node', 'rm', nodeId).status).toBe(0);
    expect(cli(e, 'node', 'ls').stdout).not.toContain(nodeId);
    const refused = await https(m.apiAddr, 'GET', '/info', undefined, mine);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('CERTIFICATE_REVOKED');
  });

  it('serves the API without TLS on the root-only unix socket', async () => {
    const socketPath = join(root, 'm1-run', 'manager.sock');
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    const body = await new Promise<string>((resolve, reject) => {
      const r = httpRequest({ socketPath, path: '/info' }, (res) => {
        let t = '';
        res.on('data', (c) => (t += c));
        res.on('end', () => resolve(t));
      });
      r.on('error', reject);
      r.end();
    });
    expect(JSON.parse(body).cluster.name).toBe('test');
  });

  it('refuses a second --init on the same store', async () => {
    const again = await manager('m1-again', join(root, 'cfg-again'));
    again.start(['--init', ...m.embeddedEtcdFlags()]);
    expect(await again.exited()).toBe(1);
    expect(again.stderr).toMatch(/a cluster \(\w+\) already exists/);
  });
});

describe('a config file', () => {
  const file = join(root, 'manager.json');

  it('gives the settings the flags do not, and the flags win over it', async () => {
    const cfg = join(root, 'cfg-file');
    writeFileSync(
      file,
      JSON.stringify({ clusterName: 'from-file', advertiseAddr: '10.255.255.1' }),
    );
    const m = await manager('m-file', cfg);
    m.start(['--init', '--config-file', file]);
    await m.ready();
    expect(cli(env(cfg), 'cluster', 'info').stdout).toMatch(/Cluster:\s+from-file/);
    // The harness's --advertise-addr 127.0.0.1, not the file's address, is what agents are told.
    expect(cli(env(cfg), 'cluster', 'join-token', 'worker').stdout).toContain(
      `--join ${m.grpcAddr} `,
    );
    await m.stop();
  });

  it('refuses an unknown key, naming it and the file, before anything starts', async () => {
    writeFileSync(file, JSON.stringify({ listen_api: '127.0.0.1:1' }));
    const m = await manager('m-badfile', join(root, 'cfg-badfile'));
    m.start(['--init', '--config-file', file]);
    expect(await m.exited()).toBe(1);
    expect(m.stderr).toContain(`invalid configuration in ${file}: unknown key "listen_api"`);
    expect(existsSync(m.dataRoot)).toBe(false);
  });
});

describe('a store without a cluster', () => {
  it('refuses to start without --init or --join', async () => {
    const t = await startTestEtcd();
    etcds.push(t);
    const m = await manager('empty', join(root, 'cfg-empty'));
    m.start(t.managerFlags());
    expect(await m.exited()).toBe(1);
    expect(m.stderr).toContain('no cluster exists in the store');
    expect(m.stderr).toContain('flotilla manager --init');
  });
});

describe('two managers on one etcd', () => {
  it('joins a second manager, and it takes over when the leader is killed', async () => {
    const t = await startTestEtcd();
    etcds.push(t);
    const cfg = join(root, 'cfg-ha');
    const a = await manager('a', cfg);
    a.start(['--init', ...t.managerFlags()]);
    await a.ready();
    const tls = adminTls(cfg, 'default');
    const token = cli(env(cfg), 'cluster', 'join-token', 'manager', '-q').stdout.trim();
    const b = await manager('b', join(root, 'cfg-ha-b'));
    b.start([...t.managerFlags(), '--join', a.grpcAddr, '--token', token]);
    await b.ready();
    const infoA = (await https(a.apiAddr, 'GET', '/info', undefined, tls)).body;
    // b registers itself (under its lease) just after it answers: on a loaded machine /info can
    // come before that, so wait for both to be listed before comparing.
    let infoB = (await https(b.apiAddr, 'GET', '/info', undefined, tls)).body;
    for (let i = 0; i < 120 && infoB.managers.length < 2; i++) {
      await new Promise((res) => setTimeout(res, 250));
      infoB = (await https(b.apiAddr, 'GET', '/info', undefined, tls)).body;
    }
    expect(infoA.manager.leader).toBe(true);
    expect(infoB.manager.leader).toBe(false);
    expect(infoB.leader.managerId).toBe(infoA.manager.id);
    expect(infoB.cluster.id).toBe(infoA.cluster.id);
    expect(infoB.managers.map((x: { managerId: string }) => x.managerId).sort()).toEqual(
      [infoA.manager.id, infoB.manager.id].sort(),
    );

    a.child!.kill('SIGKILL');
    let leader: string | undefined;
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      const r = await https(b.apiAddr, 'GET', '/info', undefined, tls).catch(() => undefined);
      leader = r?.body?.leader?.managerId;
      if (r?.body?.manager?.leader && leader === infoB.manager.id) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(leader).toBe(infoB.manager.id);
    // the survivor serves writes
    const created = await https(b.apiAddr, 'GET', '/services', undefined, tls);
    expect(created.status).toBe(200);
    await b.stop();
  });
});
