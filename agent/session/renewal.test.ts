// The agent's renewal schedule and what it accepts, with an injected clock (fake timers) and a
// fake session; certificates come from a real cluster CA over an in-memory store.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentMessage } from '../../proto/index.js';
import { silentLogger } from '../../shared/log/index.js';
import { certificateValidity } from '../../shared/tls/index.js';
import { TestCa } from './ca-fixtures.js';
import { loadIdentity, saveIdentity, type NodeIdentity } from './identity.js';
import { CertificateRenewal } from './renewal.js';

async function setup() {
  const ca = await TestCa.create();
  const first = await ca.issueKeyAndCertificate('worker', 'node-1');
  const identity: NodeIdentity = { nodeId: 'node-1', managers: ['m:4242'], ...first };
  return { ca, identity };
}

/** Drains the promise chains the renewal starts (key generation, file writes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await vi.advanceTimersByTimeAsync(0);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('CertificateRenewal', () => {
  it('asks for a certificate at the planned point of the lifetime, then plans the next', async () => {
    const { ca, identity } = await setup();
    const { notBefore, notAfter } = certificateValidity(identity.certPem);
    vi.useFakeTimers({ now: notBefore.getTime(), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const sent: AgentMessage[] = [];
    const renewal = new CertificateRenewal({
      identity,
      hostname: 'alpha',
      log: silentLogger(),
      random: () => 0, // the earliest point: 50 % of the lifetime
    });
    renewal.start();
    renewal.attach((m) => (sent.push(m), true));
    const half = (notAfter.getTime() - notBefore.getTime()) / 2;
    await vi.advanceTimersByTimeAsync(half - 1000);
    expect(sent.filter((m) => m.renew)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);
    // Key generation runs on libuv's thread pool: wait for it in real time.
    await vi.waitFor(() => expect(sent.some((m) => m.renew)).toBe(true));
    const csr = sent.find((m) => m.renew)?.renew?.csrPem;
    expect(csr).toMatch(/CERTIFICATE REQUEST/);

    const issued = await ca.issueNodeCertificate(csr!, 'worker', 'node-1');
    const oldKey = identity.keyPem;
    renewal.handle({ payload: 'certificate', certificate: { ...issued, errorJson: '' } } as never);
    await vi.waitFor(() => expect(renewal.renewals).toBe(1));
    expect(identity.certPem).toBe(issued.certPem);
    expect(identity.keyPem).not.toBe(oldKey); // a new key each time
    expect(sent.at(-1)?.tls?.certNotAfter).toBe(
      certificateValidity(issued.certPem).notAfter.toISOString(),
    );
    renewal.stop();
  });

  it('renews at once when the manager asks, but only over a session', async () => {
    const { identity } = await setup();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sent: AgentMessage[] = [];
    const renewal = new CertificateRenewal({ identity, hostname: 'alpha', log: silentLogger() });
    renewal.start();
    renewal.renewNow('role changed');
    await settle();
    expect(sent).toHaveLength(0);
    renewal.attach((m) => (sent.push(m), true));
    await vi.waitFor(() => expect(sent.filter((m) => m.renew)).toHaveLength(1));
    renewal.stop();
  });

  it('refuses a certificate that is not for its key', async () => {
    const { ca, identity } = await setup();
    const sent: AgentMessage[] = [];
    const before = identity.certPem;
    const renewal = new CertificateRenewal({ identity, hostname: 'alpha', log: silentLogger() });
    renewal.attach((m) => (sent.push(m), true));
    renewal.renewNow('test');
    await vi.waitFor(() => expect(sent.some((m) => m.renew)).toBe(true));
    const other = await ca.issueKeyAndCertificate('worker', 'node-1');
    renewal.handle({
      payload: 'certificate',
      certificate: { certPem: other.certPem, caCertPem: other.caCertPem, errorJson: '' },
    } as never);
    await new Promise((r) => setImmediate(r));
    expect(identity.certPem).toBe(before);
    expect(renewal.renewals).toBe(0);
    renewal.stop();
  });

  it('writes the renewed key 0600 and the pair so that a restart loads it', async () => {
    const { ca, identity } = await setup();
    const dataRoot = await mkdtemp(join(tmpdir(), 'flotilla-renewal-'));
    try {
      await saveIdentity(dataRoot, identity);
      const sent: AgentMessage[] = [];
      const renewal = new CertificateRenewal({
        identity,
        dir: join(dataRoot, 'node'),
        hostname: 'alpha',
        log: silentLogger(),
      });
      renewal.attach((m) => (sent.push(m), true));
      renewal.renewNow('test');
      await vi.waitFor(() => expect(sent.some((m) => m.renew)).toBe(true));
      const issued = await ca.issueNodeCertificate(
        sent.find((m) => m.renew)!.renew!.csrPem!,
        'worker',
        'node-1',
      );
      renewal.handle({
        payload: 'certificate',
        certificate: { ...issued, errorJson: '' },
      } as never);
      await vi.waitFor(() => expect(renewal.renewals).toBe(1));
      const loaded = await loadIdentity(dataRoot);
      expect(loaded?.certPem).toBe(issued.certPem);
      expect(loaded?.keyPem).toBe(identity.keyPem);
      expect((await stat(join(dataRoot, 'node', 'key.pem'))).mode & 0o777).toBe(0o600);
      expect(await readFile(join(dataRoot, 'node', 'ca.pem'), 'utf8')).toBe(issued.caCertPem);
      renewal.stop();
    } finally {
      await rm(dataRoot, { recursive: true, force: true });
    }
  });
});
