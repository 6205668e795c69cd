import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import { InMemoryObjectStore } from '../store/index.js';
import { issueAdminCertificate, listAdmins, revokeAdmin } from './cluster-admins.js';
import { ClusterCa } from './cluster-ca.js';
import { newKeyEncryptionKey } from './key-encryption.js';
import { createCsr, generateKeyPair } from './pki.js';

async function newCa() {
  const store = new InMemoryObjectStore();
  const kek = newKeyEncryptionKey();
  await ClusterCa.initialize(store, kek, 'test');
  const ca = new ClusterCa({ store, kek, log: silentLogger() });
  await ca.start();
  return { store, kek, ca };
}

describe('ClusterCa', () => {
  it('refuses to initialise a store that already holds a cluster', async () => {
    const { store, kek } = await newCa();
    await expect(ClusterCa.initialize(store, kek, 'again')).rejects.toMatchObject({
      code: 'CLUSTER_ALREADY_INITIALIZED',
    });
  });

  it('keeps only encrypted key material and token digests in the store', async () => {
    const { store, ca } = await newCa();
    const stored = JSON.stringify(await store.getCluster());
    expect(stored).not.toContain('PRIVATE KEY');
    expect(stored).not.toContain(ca.joinToken('worker').split('-').pop());
  });

  it('verifies join tokens by role and refuses rotated ones', async () => {
    const { ca } = await newCa();
    const worker = ca.joinToken('worker');
    expect(worker).toMatch(/^FLT-1-[0-9a-f]{64}-[a-z0-9]{25}$/);
    expect(ca.verifyJoinToken(worker)).toBe('worker');
    expect(ca.verifyJoinToken(ca.joinToken('manager'))).toBe('manager');
    const rotated = await ca.rotateJoinToken('worker');
    expect(rotated).not.toBe(worker);
    expect(ca.verifyJoinToken(rotated)).toBe('worker');
    expect(() => ca.verifyJoinToken(worker)).toThrow(/rotated/);
    expect(() => ca.verifyJoinToken('FLT-1-nope')).toThrow(/not a Flotilla join token/);
  });

  it('signs a CSR with the node id in CN and the role in OU', async () => {
    const { ca } = await newCa();
    const { keys } = await generateKeyPair();
    const csr = await createCsr('CN=whatever-the-node-asked', keys);
    const { certPem, nodeId } = await ca.issueNodeCertificate(csr, 'worker');
    expect(ca.identify(certPem)).toEqual({ nodeId, role: 'worker' });
    expect(await ca.verifyCertificate(certPem)).toBe(true);
    const x = new X509Certificate(certPem);
    expect(x.verify(new X509Certificate(ca.caCertPem).publicKey)).toBe(true);
  });

  it('revokes removed nodes and another manager learns it from the store', async () => {
    const { store, kek, ca } = await newCa();
    const other = new ClusterCa({ store, kek, log: silentLogger() });
    await other.start();
    await ca.revoke('n1');
    expect(ca.isRevoked('n1')).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(other.isRevoked('n1')).toBe(true);
    expect(other.isRevoked('n2')).toBe(false);
  });

  it('stores the address pools, and reads a cluster stored with one pool (before several)', async () => {
    const store = new InMemoryObjectStore();
    const kek = newKeyEncryptionKey();
    const pools = { cidrs: ['10.50.0.0/20', '10.60.0.0/20'], subnetPrefixLength: 26 };
    await ClusterCa.initialize(store, kek, 'test', { addressPool: pools });
    expect((await store.getCluster())?.addressPool).toEqual(pools);
    const ca = new ClusterCa({ store, kek, log: silentLogger() });
    await ca.start();
    expect(ca.cluster.addressPool).toEqual(pools);
    // As a manager from before several pools wrote it.
    await store.updateCluster((c) => ({
      ...c,
      addressPool: { cidr: '10.70.0.0/16', subnetPrefixLength: 25 },
    }));
    expect(ca.cluster.addressPool).toEqual({ cidrs: ['10.70.0.0/16'], subnetPrefixLength: 25 });
    const again = new ClusterCa({ store, kek, log: silentLogger() });
    await again.start();
    expect(again.cluster.addressPool).toEqual({ cidrs: ['10.70.0.0/16'], subnetPrefixLength: 25 });
    // Other writes keep the stored shape; it stays readable.
    await again.rotateJoinToken('worker');
    expect((await store.getCluster())?.addressPool).toEqual({
      cidr: '10.70.0.0/16',
      subnetPrefixLength: 25,
    });
    expect(again.cluster.addressPool.cidrs).toEqual(['10.70.0.0/16']);
  });

  it('cannot start with the wrong key-encryption key', async () => {
    const { store } = await newCa();
    const wrong = new ClusterCa({ store, kek: newKeyEncryptionKey(), log: silentLogger() });
    await expect(wrong.start()).rejects.toMatchObject({ code: 'CA_KEY_UNAVAILABLE' });
  });

  it('refuses a join token after its expiry, with the time it expired', async () => {
    const store = new InMemoryObjectStore();
    const kek = newKeyEncryptionKey();
    await ClusterCa.initialize(store, kek, 'test');
    let now = Date.parse('2026-01-01T00:00:00Z');
    const ca = new ClusterCa({ store, kek, log: silentLogger(), now: () => now });
    await ca.start();
    const token = ca.joinToken('worker');
    await ca.setJoinTokenExpiry('worker', 60e9);
    expect(ca.verifyJoinToken(token)).toBe('worker');
    now += 61_000;
    expect(() => ca.verifyJoinToken(token)).toThrow(
      /the worker join token expired at 2026-01-01T00:01:00.000Z/,
    );
    expect(ca.verifyJoinToken(ca.joinToken('manager'))).toBe('manager');
    // A default expiry applies to rotated tokens; 0 turns it off.
    await ca.setDefaultJoinTokenExpiry(3600e9);
    const rotated = await ca.rotateJoinToken('worker');
    expect(ca.cluster.joinTokens.worker.expiresAt).toBe(new Date(now + 3_600_000).toISOString());
    expect(ca.verifyJoinToken(rotated)).toBe('worker');
    await ca.setDefaultJoinTokenExpiry(0);
    expect(ca.cluster.joinTokens.worker.expiresAt).toBeUndefined();
  });

  it('records admins, refuses a second one of a name, and revokes by name', async () => {
    const { ca } = await newCa();
    const { keys } = await generateKeyPair();
    const csr = await createCsr('CN=ignored', keys);
    const { admin, certPem } = await issueAdminCertificate(ca, 'alice', csr);
    expect(ca.identify(certPem)).toEqual({ nodeId: admin.id, role: 'admin' });
    await expect(issueAdminCertificate(ca, 'alice', csr)).rejects.toMatchObject({
      code: 'ADMIN_ALREADY_EXISTS',
    });
    expect(listAdmins(ca).map((a) => a.name)).toEqual(['alice']);
    await revokeAdmin(ca, 'alice');
    expect(ca.isRevoked(admin.id)).toBe(true);
    expect(listAdmins(ca)).toEqual([]);
    await expect(revokeAdmin(ca, 'alice')).rejects.toMatchObject({ code: 'ADMIN_NOT_FOUND' });
  });
});
