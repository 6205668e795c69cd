// The embedded etcd accepts only the manager: an unprivileged local user (nobody, through setpriv)
// can neither read nor write a key over plain HTTP, over TLS without a client certificate, or with
// etcdctl, and cannot read the certificates that would let them. Root with the manager's client
// certificate can, which shows the refusals are not for a wrong port.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdPkiFiles } from '../../../manager/etcd/index.js';
import { bundleCli, ManagerProcess, portPair } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'flt-etcd-lock-'));
let m: ManagerProcess;
let port: number;

/** Runs a command as the unprivileged user nobody (uid/gid 65534, no supplementary groups). */
function asNobody(cmd: string, ...args: string[]) {
  const r = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', '--', cmd, ...args],
    { encoding: 'utf8', timeout: 30_000, cwd: '/' },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const rangeBody = JSON.stringify({ key: b64('/flotilla'), range_end: b64('/flotillb') });
const putBody = JSON.stringify({ key: b64('/flotilla/v1/cluster'), value: b64('{}') });

beforeAll(async () => {
  await bundleCli();
  // The test root itself is open, so only the manager's own modes protect what is under it.
  chmodSync(root, 0o755);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FLOTILLA_CONFIG: join(root, 'cfg'),
    FLOTILLA_LOG_LEVEL: 'warn',
  };
  delete env.FLOTILLA_CONTEXT;
  m = new ManagerProcess(root, 'm', await portPair(), env);
  m.start(['--init']);
  await m.ready();
  port = (
    JSON.parse(readFileSync(join(m.dataRoot, 'etcd-ports.json'), 'utf8')) as {
      clientPort: number;
    }
  ).clientPort;
});

afterAll(async () => {
  await m?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the embedded etcd, tried as an unprivileged local user', () => {
  it('refuses plain HTTP reads and writes', () => {
    for (const [path, body] of [
      ['/v3/kv/range', rangeBody],
      ['/v3/kv/put', putBody],
    ]) {
      const r = asNobody(
        'curl',
        '-sS',
        '-m',
        '10',
        '-X',
        'POST',
        `http://127.0.0.1:${port}${path}`,
        '-d',
        body,
      );
      expect(r.status, r.out).not.toBe(0);
      expect(r.out).not.toMatch(/"header"|"kvs"|"revision"/);
    }
  });

  it('refuses TLS without a client certificate', () => {
    for (const [path, body] of [
      ['/v3/kv/range', rangeBody],
      ['/v3/kv/put', putBody],
    ]) {
      const r = asNobody(
        'curl',
        '-sS',
        '-k',
        '-m',
        '10',
        '-X',
        'POST',
        `https://127.0.0.1:${port}${path}`,
        '-d',
        body,
      );
      expect(r.status, r.out).not.toBe(0);
      expect(r.out).not.toMatch(/"header"|"kvs"|"revision"/);
    }
    const get = asNobody(
      'etcdctl',
      `--endpoints=https://127.0.0.1:${port}`,
      '--insecure-skip-tls-verify',
      '--command-timeout=5s',
      'get',
      '/flotilla',
      '--prefix',
      '--keys-only',
    );
    expect(get.status, get.out).not.toBe(0);
    expect(get.out).not.toContain('/flotilla/v1/cluster');
    const put = asNobody(
      'etcdctl',
      `--endpoints=https://127.0.0.1:${port}`,
      '--insecure-skip-tls-verify',
      '--command-timeout=5s',
      'put',
      '/flotilla/x',
      'y',
    );
    expect(put.status, put.out).not.toBe(0);
  });

  it('cannot read the manager data root or the etcd certificates and keys', () => {
    const pki = etcdPkiFiles(join(m.dataRoot, 'etcd-pki'));
    for (const f of [
      pki.clientKeyFile,
      pki.serverKeyFile,
      join(m.dataRoot, 'etcd-pki', 'ca-key.pem'),
    ]) {
      expect(asNobody('cat', f).status).not.toBe(0);
    }
    expect(asNobody('ls', m.dataRoot).status).not.toBe(0);
    expect(statSync(m.dataRoot).mode & 0o777).toBe(0o700);
    expect(statSync(join(m.dataRoot, 'etcd-pki')).mode & 0o777).toBe(0o700);
    for (const f of [
      pki.clientKeyFile,
      pki.serverKeyFile,
      join(m.dataRoot, 'etcd-pki', 'ca-key.pem'),
    ])
      expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(statSync(join(m.dataRoot, 'etcd.log')).mode & 0o777).toBe(0o600);
  });

  it('answers the manager’s client certificate (so the refusals above are not a wrong port)', () => {
    const pki = etcdPkiFiles(join(m.dataRoot, 'etcd-pki'));
    const r = spawnSync(
      'etcdctl',
      [
        `--endpoints=https://127.0.0.1:${port}`,
        `--cacert=${pki.caFile}`,
        `--cert=${pki.clientCertFile}`,
        `--key=${pki.clientKeyFile}`,
        'get',
        '/flotilla/v1/cluster',
        '--keys-only',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('/flotilla/v1/cluster');
  });
});
