// Certificate lifecycle against a real manager process (embedded etcd, CLI through its context) and
// three simulated agents (the real join, session client and renewal): `cluster update
// --cert-expiry`, a role change re-issuing a node certificate with the new role and the short
// expiry over the open session, and `cluster ca --rotate` completing without any session lost.
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinCluster } from '../../../agent/session/index.js';
import { createLogger } from '../../../shared/log/index.js';
import {
  bundleDigests,
  certificateValidity,
  issuerKeyDigest,
  publicKeyDigest,
} from '../../../shared/tls/index.js';
import { startSimAgent, type SimAgent } from '../../harness/cluster/index.js';
import { bundleCli, bundlePath, cli, ManagerProcess, portPair } from '../manager/harness.js';

const log = createLogger({ proc: 'test', level: 'silent' });
const root = mkdtempSync(join(tmpdir(), 'flt-certs-'));
const cfg = join(root, 'cfg');
const env: NodeJS.ProcessEnv = { ...process.env, FLOTILLA_CONFIG: cfg, FLOTILLA_LOG_LEVEL: 'warn' };
delete env.FLOTILLA_CONTEXT;
let m: ManagerProcess;
const agents: SimAgent[] = [];

async function until<T>(what: string, check: () => T | undefined | false, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}\n${m.stderr.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function flt(...args: string[]) {
  return cli(env, ...args);
}

/** The CLI without blocking this process: the simulated agents must answer meanwhile. */
function fltAsync(
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', [bundlePath, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

interface NodeDoc {
  id: string;
  spec: { role: string };
  status: { state: string };
  description: { tlsInfo?: { certNotAfter: string; issuerKeyDigest: string } };
}
function nodes(): NodeDoc[] {
  return flt('node', 'ls', '--format', 'json')
    .stdout.split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as NodeDoc);
}

function subject(certPem: string): string {
  return new X509Certificate(certPem).subject;
}

beforeAll(async () => {
  await bundleCli();
  m = new ManagerProcess(root, 'm1', await portPair(), env);
  m.start(['--init', '--cluster-name', 'certs']);
  await m.ready();
  const token = flt('cluster', 'join-token', 'worker', '-q').stdout.trim();
  for (const hostname of ['alpha', 'beta', 'gamma'])
    agents.push(await startSimAgent({ address: m.grpcAddr, token, hostname, log }));
  await until('3 sessions with a certificate report', () => {
    const n = nodes();
    return n.length === 3 && n.every((x) => x.status.state === 'ready' && x.description.tlsInfo);
  });
}, 120_000);

afterAll(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  await m?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('certificate expiry', () => {
  it('shows each node certificate expiry in node inspect (90 days by default)', () => {
    const n = nodes()[0];
    const days = (Date.parse(n.description.tlsInfo!.certNotAfter) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);
    const pretty = flt('node', 'inspect', '--pretty', n.id).stdout;
    expect(pretty).toContain(`Certificate Expiry:\t${n.description.tlsInfo!.certNotAfter}`);
  });

  it('refuses --cert-expiry below one hour with exit 125 naming the flag', () => {
    const r = flt('cluster', 'update', '--cert-expiry', '59m');
    expect(r.status).toBe(125);
    expect(r.stderr).toContain('--cert-expiry');
    expect(flt('cluster', 'update', '--cert-expiry', 'soon').status).toBe(125);
  });

  it('stores --cert-expiry in the cluster object', () => {
    const r = flt('cluster', 'update', '--cert-expiry', '1h');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(flt('cluster', 'info').stdout).toMatch(/Cert expiry:\s+1h0m0s/);
  });
});

describe('renewal after a role change', () => {
  it('re-issues the certificate with the new role and the new expiry over the open session', async () => {
    const a = agents[0];
    const opened = a.session.sessionsOpened;
    expect(subject(a.identity.certPem)).toContain('OU=worker');
    expect(flt('node', 'promote', a.identity.nodeId).status).toBe(0);
    await until('a manager certificate', () => subject(a.identity.certPem).includes('OU=manager'));
    const v = certificateValidity(a.identity.certPem);
    // 1 h, plus 5 minutes back-dated for clock skew.
    expect(v.notAfter.getTime() - v.notBefore.getTime()).toBe(3_900_000);
    await until('the new expiry in node inspect', () =>
      nodes().some(
        (n) =>
          n.id === a.identity.nodeId &&
          n.description.tlsInfo?.certNotAfter === v.notAfter.toISOString(),
      ),
    );
    expect(flt('node', 'demote', a.identity.nodeId).status).toBe(0);
    await until('a worker certificate again', () =>
      subject(a.identity.certPem).includes('OU=worker'),
    );
    expect(a.session.sessionsOpened).toBe(opened);
    expect(a.renewal.renewals).toBe(2);
  });
});

describe('cluster ca --rotate', () => {
  it('re-issues every certificate under a new root without losing a session', async () => {
    const oldToken = flt('cluster', 'join-token', 'worker', '-q').stdout.trim();
    const oldRoot = flt('cluster', 'ca').stdout;
    const opened = agents.map((a) => a.session.sessionsOpened);
    const managerCertBefore = readFileSync(join(m.dataRoot, 'certificates', 'manager.pem'), 'utf8');

    const r = await fltAsync('cluster', 'ca', '--rotate');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rotated TLS certificates: +\[=+\] 4\/4 nodes/);
    expect(r.stdout).toMatch(/rotated CA certificates: +\[=+\] 4\/4 nodes/);
    const newRoot = flt('cluster', 'ca').stdout;
    expect(newRoot).toMatch(/BEGIN CERTIFICATE/);
    expect(newRoot).not.toBe(oldRoot);
    expect(r.stdout).toContain(newRoot);

    for (const a of agents) {
      expect(issuerKeyDigest(a.identity.certPem, a.identity.caCertPem)).toBe(
        publicKeyDigest(newRoot),
      );
      expect(bundleDigests(a.identity.caCertPem)).toEqual(bundleDigests(newRoot));
    }
    expect(agents.map((a) => a.session.sessionsOpened)).toEqual(opened);
    expect(nodes().every((n) => n.status.state === 'ready')).toBe(true);
    // The manager serves a certificate of the new root, written again on disk.
    const managerCert = readFileSync(join(m.dataRoot, 'certificates', 'manager.pem'), 'utf8');
    expect(managerCert).not.toBe(managerCertBefore);
    expect(issuerKeyDigest(managerCert, newRoot)).toBe(publicKeyDigest(newRoot));

    // New join tokens; the old one names the old CA and is refused.
    const newToken = flt('cluster', 'join-token', 'worker', '-q').stdout.trim();
    expect(newToken).not.toBe(oldToken);
    await expect(
      joinCluster({ address: m.grpcAddr, token: oldToken, hostname: 'late' }),
    ).rejects.toMatchObject({ code: 'JOIN_CA_MISMATCH' });
    // A node joining now trusts only the new root and reaches the renewed servers.
    agents.push(
      await startSimAgent({ address: m.grpcAddr, token: newToken, hostname: 'delta', log }),
    );
    await until('delta ready', () => agents[3].session.state === 'connected');
    // An agent that reconnects presents its renewed certificate.
    await agents[1].session.stop();
    await agents[1].restart();
    await until('beta back', () => agents[1].session.state === 'connected');
  }, 120_000);

  it('keeps the CLI context working after the rotation', async () => {
    // The admin context still works: the CLI renewed its own certificate during the rotation.
    expect(flt('node', 'ls').status).toBe(0);
  });
});
