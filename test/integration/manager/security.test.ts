// Access control against real managers, through the CLI: a demoted manager node loses the API at
// once, admin bundles (`cluster admin add` → `context import` → `admin rm`), join-token expiry,
// KEK rotation across manager restarts, and autolock (restart → locked → `cluster unlock`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr, generateKeyPair } from '../../../manager/ca/index.js';
import { clusterKey } from '../../../manager/store/index.js';
import { silentLogger } from '../../../shared/log/index.js';
import { startSimAgent, type SimAgent } from '../../harness/cluster/index.js';
import { startTestEtcd, type TestEtcd } from './etcd-harness.js';
import { bundleCli, bundlePath, cli, https, ManagerProcess, portPair } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'flt-sec-'));
const managers: ManagerProcess[] = [];
const etcds: TestEtcd[] = [];
const agents: SimAgent[] = [];

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

/** The CLI with stdin (cluster unlock reads the key from it). */
function cliInput(e: NodeJS.ProcessEnv, input: string, ...args: string[]) {
  const r = spawnSync('node', [bundlePath, ...args], {
    env: e,
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 240; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const mode = (f: string) => statSync(f).mode & 0o777;

beforeAll(async () => {
  await bundleCli();
});

afterAll(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  for (const m of managers) await m.stop('SIGKILL');
  for (const e of etcds) await e.cleanup();
  rmSync(root, { recursive: true, force: true });
});

describe('one manager: authorisation follows the store', () => {
  const cfg = join(root, 'cfg-1');
  const e = env(cfg);
  let m: ManagerProcess;

  beforeAll(async () => {
    m = await manager('m1', cfg);
    m.start(['--init', '--cluster-name', 'sec']);
    await m.ready();
  });

  afterAll(async () => {
    await m.stop();
  });

  it('refuses a demoted manager node on the API at once, and serves it again once promoted', async () => {
    const token = cli(e, 'cluster', 'join-token', 'manager', '-q').stdout.trim();
    const agent = await startSimAgent({
      address: m.grpcAddr,
      token,
      hostname: 'mgr-node',
      log: silentLogger(),
    });
    agents.push(agent);
    const id = agent.identity.nodeId;
    await until('the node record', () =>
      cli(e, 'node', 'ls').stdout.includes(id) ? true : undefined,
    );
    const mine = { cert: agent.identity.certPem, key: agent.identity.keyPem };
    expect((await https(m.apiAddr, 'GET', '/info', undefined, mine)).status).toBe(200);

    expect(cli(e, 'node', 'demote', id).status).toBe(0);
    const refused = await https(m.apiAddr, 'GET', '/info', undefined, mine);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('MANAGER_ROLE_REVOKED');

    expect(cli(e, 'node', 'promote', id).status).toBe(0);
    expect((await https(m.apiAddr, 'GET', '/info', undefined, mine)).status).toBe(200);

    // Its agent session carries no manager rights: it stays open through demote and promote.
    expect(agent.session.state).toBe('connected');

    // Removal revokes: the API refuses it, its session is cut and a new one refused.
    expect(cli(e, 'node', 'rm', '--force', id).status).toBe(0);
    const gone = await https(m.apiAddr, 'GET', '/info', undefined, mine);
    expect(gone.body.code).toBe('CERTIFICATE_REVOKED');
    const refusal = await until('the session refused', () =>
      agent.session.state !== 'connected' && agent.session.lastError
        ? agent.session.lastError
        : undefined,
    );
    expect(refusal.message).toContain(`node ${id} was removed from the cluster`);
  });

  it('issues an admin bundle that `context import` installs, and refuses it once revoked', () => {
    const file = join(root, 'alice.flotilla-context');
    const add = cli(e, 'cluster', 'admin', 'add', 'alice', '-o', file);
    expect(add.status, add.stderr).toBe(0);
    expect(mode(file)).toBe(0o600);
    expect(cli(e, 'cluster', 'admin', 'add', 'alice', '-o', join(root, 'again')).stderr).toContain(
      'an admin named alice already exists',
    );

    const cfg2 = join(root, 'cfg-alice');
    const e2 = env(cfg2);
    const imp = cli(e2, 'context', 'import', file);
    expect(imp.status, imp.stderr).toBe(0);
    expect(cli(e2, 'context', 'ls', '-q').stdout.trim()).toBe('sec-alice');
    expect(cli(e2, 'context', 'use', 'sec-alice').status).toBe(0);
    expect(mode(cfg2)).toBe(0o700);
    expect(mode(join(cfg2, 'contexts', 'sec-alice.json'))).toBe(0o600);
    expect(mode(join(cfg2, 'contexts', 'sec-alice', 'key.pem'))).toBe(0o600);
    const info = cli(e2, 'cluster', 'info');
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toContain('Cluster:\tsec');
    expect(cli(e2, 'service', 'ls').status).toBe(0);

    const ls = cli(e, 'cluster', 'admin', 'ls');
    expect(ls.stdout).toMatch(/\salice\s/);
    expect(ls.stdout).toContain('admin-'); // the admin of `manager --init`

    expect(cli(e, 'cluster', 'admin', 'rm', 'alice').status).toBe(0);
    const refused = cli(e2, 'cluster', 'info');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/admin certificate \w+ was revoked/);
    expect(cli(e, 'cluster', 'admin', 'ls').stdout).not.toMatch(/\salice\s/);
    // The name is free again; the old bundle stays refused.
    expect(cli(e, 'cluster', 'admin', 'add', 'alice', '-o', join(root, 'alice2')).status).toBe(0);
    expect(cli(e2, 'cluster', 'info').status).toBe(1);

    // export → import under another name → rm
    expect(cli(e, 'context', 'export', 'sec', join(root, 'sec.export')).status).toBe(0);
    expect(mode(join(root, 'sec.export'))).toBe(0o600);
    expect(cli(e2, 'context', 'import', 'copy', join(root, 'sec.export')).status).toBe(0);
    expect(cli(e2, '--context', 'copy', 'cluster', 'info').status).toBe(0);
    expect(cli(e2, 'context', 'rm', 'copy').status).toBe(0);
    expect(cli(e2, 'context', 'ls', '-q').stdout).not.toContain('copy');
  });

  it('creates a context from certificate files and from another context, and inspects it', () => {
    const cfg3 = join(root, 'cfg-create');
    const e3 = env(cfg3);
    // The files of the context `manager --init` wrote: what an operator copies by hand.
    const sec = JSON.parse(cli(e, 'context', 'inspect', 'sec').stdout) as {
      name: string;
      managers: string[];
      tls: { caFile: string; certFile: string; keyFile: string };
      certificate: { subject: string; validTo: string };
    }[];
    expect(sec[0].name).toBe('sec');
    expect(sec[0].certificate.subject).toContain('OU=admin');
    const { caFile, certFile, keyFile } = sec[0].tls;
    const made = cli(
      e3,
      'context',
      'create',
      'by-hand',
      '--manager',
      sec[0].managers[0],
      '--ca',
      caFile,
      '--cert',
      certFile,
      '--key',
      keyFile,
      '--description',
      'copied files',
    );
    expect(made.status, made.stderr).toBe(0);
    expect(mode(join(cfg3, 'contexts', 'by-hand.json'))).toBe(0o600);
    const info = cli(e3, '--context', 'by-hand', 'cluster', 'info');
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toContain('Cluster:\tsec');
    expect(cli(e3, 'context', 'create', 'second', '--from', 'by-hand').status).toBe(0);
    const inspected = JSON.parse(cli(e3, 'context', 'inspect', 'second').stdout) as {
      name: string;
      managers: string[];
    }[];
    expect(inspected.map((c) => [c.name, c.managers])).toEqual([['second', sec[0].managers]]);
    // A missing file is one clear error, and no context is written.
    const bad = cli(
      e3,
      'context',
      'create',
      'broken',
      '--manager',
      sec[0].managers[0],
      '--ca',
      '/nonexistent',
      '--cert',
      certFile,
      '--key',
      keyFile,
    );
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('/nonexistent');
    expect(cli(e3, 'context', 'ls', '-q').stdout).not.toContain('broken');
  });

  it('refuses an expired join token with a clear error', async () => {
    const set = cli(e, 'cluster', 'join-token', '--expiry', '1s', 'worker');
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/This token expires at \d{4}-/);
    const token = cli(e, 'cluster', 'join-token', 'worker', '-q').stdout.trim();
    const k = await generateKeyPair();
    const csrPem = await createCsr('CN=n', k.keys);
    const refused = await until('the token to expire', async () => {
      const r = await https(m.apiAddr, 'POST', '/join', { token, csrPem });
      return r.status === 403 ? r : undefined;
    });
    expect(refused.body.code).toBe('JOIN_TOKEN_EXPIRED');
    expect(refused.body.message).toMatch(/the worker join token expired at \d{4}-/);

    // A rotated token has no expiry unless the cluster sets one.
    const fresh = cli(e, 'cluster', 'join-token', '--rotate', 'worker', '-q').stdout.trim();
    expect((await https(m.apiAddr, 'POST', '/join', { token: fresh, csrPem })).status).toBe(200);
    expect(cli(e, 'cluster', 'update', '--join-token-expiry', '1h').status).toBe(0);
    expect(cli(e, 'cluster', 'join-token', 'worker').stdout).toContain('This token expires at');
    expect(cli(e, 'cluster', 'update', '--join-token-expiry', 'soon').status).toBe(125);
  });
});

describe('two managers on one etcd: KEK rotation', () => {
  it('rotates the KEK in the store; both managers restart and serve with it', async () => {
    const t = await startTestEtcd();
    etcds.push(t);
    const cfg = join(root, 'cfg-kek');
    const e = env(cfg);
    const a = await manager('ka', cfg);
    a.start(['--init', ...t.managerFlags()]);
    await a.ready();
    const token = cli(e, 'cluster', 'join-token', 'manager', '-q').stdout.trim();
    const worker = cli(e, 'cluster', 'join-token', 'worker', '-q').stdout.trim();
    const b = await manager('kb', join(root, 'cfg-kek-b'));
    b.start([...t.managerFlags(), '--join', a.grpcAddr, '--token', token]);
    await b.ready();
    const client = t.client();
    const read = async () => JSON.parse((await client.get(clusterKey).string())!);
    const before = await read();
    expect(Object.keys(before.kek.sealed)).toHaveLength(2);
    // Only sealed material in the store; on disk a seal key, no plain KEK.
    expect(JSON.stringify(before)).not.toContain('PRIVATE KEY');
    expect(mode(join(a.dataRoot, 'manager-seal-key'))).toBe(0o600);

    const rot = cli(e, 'cluster', 'update', '--rotate-key');
    expect(rot.status, rot.stderr).toBe(0);
    const after = await read();
    expect(after.kek.id).not.toBe(before.kek.id);
    expect(after.ca.encryptedKeyPem).not.toBe(before.ca.encryptedKeyPem);
    expect(after.tokenKeySealed).not.toBe(before.tokenKeySealed);
    // Join tokens survive the rotation.
    expect(cli(e, 'cluster', 'join-token', 'worker', '-q').stdout.trim()).toBe(worker);

    for (const m of [b, a]) {
      await m.stop();
      m.exitCode = null;
      m.start(t.managerFlags());
      await m.ready();
    }
    expect(cli(e, 'cluster', 'info').status).toBe(0);
    // b issues certificates with the CA key it opened with the new KEK.
    const k = await generateKeyPair();
    const joined = await https(b.apiAddr, 'POST', '/join', {
      token: worker,
      csrPem: await createCsr('CN=n', k.keys),
    });
    expect(joined.status).toBe(200);
    // A manager that joins after the rotation gets the new KEK.
    const c = await manager('kc', join(root, 'cfg-kek-c'));
    c.start([...t.managerFlags(), '--join', b.grpcAddr, '--token', token]);
    await c.ready();
    expect(Object.keys((await read()).kek.sealed)).toHaveLength(3);
    for (const m of [a, b, c]) await m.stop();
  });
});

describe('autolock', () => {
  it('keeps a restarted manager locked until `cluster unlock` gives the key', async () => {
    const cfg = join(root, 'cfg-lock');
    const e = env(cfg);
    const m = await manager('lock', cfg);
    m.start(['--init']);
    await m.ready();
    const sealFile = join(m.dataRoot, 'manager-seal-key');
    expect(readFileSync(sealFile, 'utf8')).toContain('BEGIN PRIVATE KEY');

    const on = cli(e, 'cluster', 'update', '--autolock=true');
    expect(on.status, on.stderr).toBe(0);
    const key = /FLTKEY-1-\S+/.exec(on.stdout)![0];
    expect(cli(e, 'cluster', 'unlock-key', '-q').stdout.trim()).toBe(key);
    // Every manager re-seals its key file under the unlock key: no plain key left on disk.
    await until('the sealed key file', () =>
      readFileSync(sealFile, 'utf8').includes('PRIVATE KEY') ? undefined : true,
    );
    expect(mode(sealFile)).toBe(0o600);

    await m.stop();
    m.exitCode = null;
    m.start([]);
    await m.ready(); // GET /ca answers while locked
    const locked = cli(e, 'cluster', 'info');
    expect(locked.status).toBe(1);
    expect(locked.stderr).toContain('this manager is locked');
    expect(locked.stderr).toContain('flotilla cluster unlock');

    const wrong = cliInput(e, 'FLTKEY-1-' + 'A'.repeat(43) + '\n', 'cluster', 'unlock');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('the unlock key is not correct');
    const ok = cliInput(e, key + '\n', 'cluster', 'unlock');
    expect(ok.status, ok.stderr).toBe(0);
    await until('the unlocked API', () =>
      cli(e, 'cluster', 'info').status === 0 ? true : undefined,
    );
    const again = cliInput(e, key, 'cluster', 'unlock');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('this manager is not locked');

    // A rotated unlock key is the one a later restart needs.
    const rotated = cli(e, 'cluster', 'unlock-key', '--rotate', '-q').stdout.trim();
    expect(rotated).toMatch(/^FLTKEY-1-/);
    expect(rotated).not.toBe(key);
    await until('the re-sealed key file', () =>
      cli(e, 'cluster', 'unlock-key', '-q').stdout.trim() === rotated ? true : undefined,
    );
    expect(cli(e, 'cluster', 'update', '--autolock=false').status).toBe(0);
    await until('the plain key file', () =>
      readFileSync(sealFile, 'utf8').includes('PRIVATE KEY') ? true : undefined,
    );
    expect(cli(e, 'cluster', 'unlock-key').stderr).toContain('autolock is off');
    await m.stop();
    m.exitCode = null;
    m.start([]);
    await m.ready();
    await until('the API after a plain restart', () =>
      cli(e, 'cluster', 'info').status === 0 ? true : undefined,
    );
    await m.stop();
  });
});
