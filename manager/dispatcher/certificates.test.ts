// What the dispatcher does with certificates over sessions: signs with the role in the store, asks
// for a renewal once per reason (role change, rotation), and sends a new trust bundle.
import { describe, expect, it } from 'vitest';
import type { ManagerMessage } from '../../proto/index.js';
import { silentLogger } from '../../shared/log/index.js';
import { nodeFixture } from '../store/fixtures.js';
import { InMemoryObjectStore } from '../store/index.js';
import { SessionCertificates, type SessionCertificateAuthority } from './certificates.js';
import type { AgentSession } from './session.js';

function fakeCa() {
  const listeners = new Set<() => void>();
  const state = { signingKey: 'k1', trust: { digests: ['r1'], pem: 'R1' } };
  const issued: { nodeId: string; role: string }[] = [];
  const ca: SessionCertificateAuthority = {
    issue: async (nodeId, role) => {
      issued.push({ nodeId, role });
      return { certPem: `cert ${role}`, caCertPem: state.trust.pem };
    },
    signingKeyDigest: () => state.signingKey,
    trust: () => state.trust,
    onChange: (l) => (listeners.add(l), () => listeners.delete(l)),
  };
  return { ca, state, issued, changed: () => listeners.forEach((l) => l()) };
}

function fakeSession(nodeId: string) {
  const sent: ManagerMessage[] = [];
  const session = { nodeId, log: silentLogger(), send: (m: ManagerMessage) => sent.push(m) };
  return { session: session as unknown as AgentSession, sent };
}

async function setup() {
  const store = new InMemoryObjectStore();
  const node = nodeFixture({ id: 'n1' });
  await store.update((tx) => tx.create('node', node));
  const f = fakeCa();
  const certs = new SessionCertificates({ store, ca: f.ca, log: silentLogger() });
  certs.start();
  const s = fakeSession('n1');
  const tls = {
    certNotAfter: new Date().toISOString(),
    issuerKeyDigest: 'k1',
    trustDigests: ['r1'],
  };
  certs.opened(s.session, 'worker', tls);
  return { store, certs, ...f, ...s, tls };
}

describe('SessionCertificates', () => {
  it('asks nothing of an agent whose certificate is current', async () => {
    const { sent } = await setup();
    expect(sent).toEqual([]);
  });

  it('asks a promoted node to renew at once, once, and signs with the role in the store', async () => {
    const { store, certs, sent, session, issued } = await setup();
    await store.update((tx) => {
      const n = tx.get('node', 'n1')!;
      n.spec.role = 'manager';
      tx.update('node', n);
    });
    certs.nodeChanged(store.get('node', 'n1')!);
    certs.nodeChanged(store.get('node', 'n1')!);
    expect(sent.filter((m) => m.renewNow)).toHaveLength(1);
    expect(sent[0].renewNow?.reason).toMatch(/role changed from worker to manager/);
    await certs.renew(session, 'csr');
    expect(issued).toEqual([{ nodeId: 'n1', role: 'manager' }]);
    expect(sent.at(-1)?.certificate?.certPem).toBe('cert manager');
    certs.nodeChanged(store.get('node', 'n1')!);
    expect(sent.filter((m) => m.renewNow)).toHaveLength(1);
  });

  it('asks every agent to renew when the CA rotates, and sends the trust bundle when it ends', async () => {
    const { certs, sent, state, changed, tls } = await setup();
    state.signingKey = 'k2';
    state.trust = { digests: ['r2', 'r1'], pem: 'R2R1' };
    changed();
    expect(sent.at(-1)?.renewNow?.reason).toMatch(/rotating/);
    await certs.reported('n1', { ...tls, issuerKeyDigest: 'k2', trustDigests: ['r2', 'r1'] });
    expect(sent).toHaveLength(1);
    state.trust = { digests: ['r2'], pem: 'R2' };
    changed();
    expect(sent.at(-1)?.trust?.caCertPem).toBe('R2');
  });

  it('records what the agent reports in the node description', async () => {
    const { store, certs, tls } = await setup();
    await certs.reported('n1', { ...tls, certNotAfter: '2027-01-01T00:00:00.000Z' });
    expect(store.get('node', 'n1')?.description.tlsInfo?.certNotAfter).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('refuses to renew a node that is no longer in the store', async () => {
    const { store, certs, session, sent } = await setup();
    await store.update((tx) => tx.delete('node', 'n1'));
    await certs.renew(session, 'csr');
    expect(JSON.parse(sent.at(-1)!.certificate!.errorJson!).code).toBe('NODE_NOT_FOUND');
  });
});
