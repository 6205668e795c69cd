// The CA rotation's certificate chains, checked with real TLS handshakes on loopback: a leaf of the
// new root sent with the cross-signed root verifies against either root, so nodes keep talking
// across the rotation; once the old root is dropped its leaves are refused.
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import type { Node } from '../../shared/model/index.js';
import {
  bundleDigests,
  issuerKeyDigest,
  publicKeyDigest,
  splitPemBundle,
} from '../../shared/tls/index.js';
import { InMemoryObjectStore } from '../store/index.js';
import { ClusterCa, type TlsCredentials } from './cluster-ca.js';
import type { ClusterSettings } from './cluster.js';
import { newKeyEncryptionKey } from './key-encryption.js';
import { completeRotation, rotationComplete, rotationProgress } from './rotation.js';

const loopback = { ips: ['127.0.0.1'], dns: ['localhost'] };

async function newCa() {
  const store = new InMemoryObjectStore();
  const kek = newKeyEncryptionKey();
  await ClusterCa.initialize(store, kek, 'test');
  const ca = new ClusterCa({ store, kek, log: silentLogger() });
  await ca.start();
  return { store, kek, ca };
}

/** One mutual-TLS handshake: did each side accept the other's chain? */
async function handshake(
  server: TlsCredentials & { trust: string },
  client: TlsCredentials & { trust: string },
): Promise<{ serverAccepted: boolean; clientAccepted: boolean }> {
  let serverSide: TLSSocket | undefined;
  const srv = createServer(
    {
      key: server.keyPem,
      cert: server.certPem,
      ca: server.trust,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (s) => {
      serverSide = s;
      s.end();
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const c = connect({
        host: '127.0.0.1',
        port,
        key: client.keyPem,
        cert: client.certPem,
        ca: client.trust,
        rejectUnauthorized: false,
      });
      c.once('secureConnect', () => {
        const clientAccepted = c.authorized;
        c.once('end', () =>
          resolve({ serverAccepted: Boolean(serverSide?.authorized), clientAccepted }),
        );
        c.resume();
      });
      c.once('error', reject);
    });
  } finally {
    srv.close();
  }
}

describe('CA rotation', () => {
  it('issues leaves of the new root that both old-root and new-root nodes accept', async () => {
    const { ca } = await newCa();
    const root1 = ca.caCertPem;
    const oldManager = await ca.issueKeyAndCertificate('manager', 'm1', loopback);
    const oldNode = await ca.issueKeyAndCertificate('worker', 'n1');

    await ca.rotateRoot();
    const root2 = ca.caCertPem;
    expect(root2).not.toBe(root1);
    expect(splitPemBundle(ca.trustBundlePem)).toEqual([root2, root1].map(normalise));
    const newManager = await ca.issueKeyAndCertificate('manager', 'm1', loopback);
    const newNode = await ca.issueKeyAndCertificate('worker', 'n2');
    expect(splitPemBundle(newNode.certPem)).toHaveLength(2); // leaf + cross-signed root

    // A node that has not renewed yet (trusts root1 only) and a manager already renewed.
    expect(
      await handshake({ ...newManager, trust: ca.trustBundlePem }, { ...oldNode, trust: root1 }),
    ).toEqual({ serverAccepted: true, clientAccepted: true });
    // A renewed node (trusts both) and a manager that has not renewed yet.
    expect(
      await handshake({ ...oldManager, trust: root1 }, { ...newNode, trust: ca.trustBundlePem }),
    ).toEqual({ serverAccepted: true, clientAccepted: true });
    // After the rotation: only root2 is trusted, and the new leaves still verify.
    expect(await handshake({ ...newManager, trust: root2 }, { ...newNode, trust: root2 })).toEqual({
      serverAccepted: true,
      clientAccepted: true,
    });
    // An old-root leaf is refused once the old root has been dropped.
    expect(await handshake({ ...newManager, trust: root2 }, { ...oldNode, trust: root2 })).toEqual({
      serverAccepted: false,
      clientAccepted: true,
    });
  });

  it('names the new root key as the issuer of a renewed leaf, whatever the node trusts', async () => {
    const { ca } = await newCa();
    const root1 = ca.caCertPem;
    const before = await ca.issueKeyAndCertificate('worker', 'n1');
    expect(issuerKeyDigest(before.certPem, root1)).toBe(publicKeyDigest(root1));
    await ca.rotateRoot();
    const after = await ca.issueKeyAndCertificate('worker', 'n1');
    expect(issuerKeyDigest(after.certPem, root1)).toBe(publicKeyDigest(ca.caCertPem));
    expect(issuerKeyDigest(before.certPem, ca.caCertPem)).toBeUndefined();
  });

  it('changes the join tokens and refuses the old ones', async () => {
    const { ca } = await newCa();
    const worker = ca.joinToken('worker');
    await ca.rotateRoot();
    expect(ca.joinToken('worker')).not.toBe(worker);
    expect(ca.verifyJoinToken(ca.joinToken('worker'))).toBe('worker');
    expect(() => ca.verifyJoinToken(worker)).toThrow(/another cluster CA/);
  });

  it('refuses a second rotation while one is in progress', async () => {
    const { ca } = await newCa();
    await ca.rotateRoot();
    await expect(ca.rotateRoot()).rejects.toMatchObject({ code: 'CA_ROTATION_IN_PROGRESS' });
  });

  it('lets another manager sign with the new root key after the rotation (failover)', async () => {
    const { store, kek, ca } = await newCa();
    const other = new ClusterCa({ store, kek, log: silentLogger() });
    await other.start();
    await ca.rotateRoot();
    const issued = await other.issueKeyAndCertificate('worker', 'n1');
    expect(issuerKeyDigest(issued.certPem, other.trustBundlePem)).toBe(
      publicKeyDigest(ca.caCertPem),
    );
  });

  it('completes once every node and manager renewed, dropping the old root', async () => {
    const { store, ca } = await newCa();
    await ca.rotateRoot();
    const c = ca.cluster as ClusterSettings;
    const newKey = publicKeyDigest(c.ca.certPem);
    const nodes = [node('a', newKey, bundleDigests(ca.trustBundlePem)), node('b', 'old', [])];
    expect(rotationComplete(rotationProgress(c, nodes, []))).toBe(false);
    nodes[1] = node('b', newKey, bundleDigests(ca.trustBundlePem));
    expect(rotationComplete(rotationProgress(c, nodes, ['m1']))).toBe(false); // m1 not renewed
    const withManager = {
      ...c,
      ca: { ...c.ca, rotation: { ...c.ca.rotation!, renewedManagerIds: ['m1'] } },
    };
    const p = rotationProgress(withManager, nodes, ['m1']);
    expect(p).toMatchObject({ rotating: true, nodes: { total: 2, renewed: 2, trustUpdated: 0 } });
    expect(rotationComplete(p)).toBe(true);
    expect(await completeRotation(store, c.ca.rotation!.startedAt)).toBe(true);
    expect(ca.cluster.ca.rotation).toBeUndefined();
    expect(ca.trustBundlePem).toBe(ca.caCertPem);
    expect(await completeRotation(store, c.ca.rotation!.startedAt)).toBe(false);
  });

  it('issues certificates for the cluster cert expiry', async () => {
    const { ca } = await newCa();
    await ca.setCertExpiry(3600e9);
    const { certPem } = await ca.issueKeyAndCertificate('worker', 'n1');
    const { X509Certificate } = await import('node:crypto');
    const cert = new X509Certificate(certPem);
    const lifetimeMs = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
    // One hour plus the five minutes of back-dating for clock skew.
    expect(lifetimeMs).toBe(3600_000 + 300_000);
  });
});

function normalise(pem: string): string {
  return splitPemBundle(pem)[0];
}

function node(id: string, issuerKeyDigest: string, trustDigests: string[]): Node {
  return {
    id,
    version: 1,
    createdAt: '',
    updatedAt: '',
    description: {
      hostname: id,
      addr: '',
      platform: { os: 'linux', architecture: 'x86_64' },
      resources: { nanoCpus: 0, memoryBytes: 0 },
      engineVersion: '',
      engineLabels: {},
      tlsInfo: { certNotAfter: new Date().toISOString(), issuerKeyDigest, trustDigests },
    },
    spec: { role: 'worker', availability: 'active', labels: {} },
    status: { state: 'ready', message: '' },
  };
}
