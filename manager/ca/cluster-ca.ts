// The cluster's root CA as every manager holds it: issues node, manager and admin certificates,
// computes and verifies join tokens, and keeps the set of revoked (removed) node ids current from
// the store. Bootstrapping a new cluster is ClusterCa.initialize.
import { createHmac } from 'node:crypto';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { newId, type StoreCore } from '../store/index.js';
import { clusterDefaults, readClusterSettings, type ClusterSettings } from './cluster.js';
import { decrypt, encrypt } from './key-encryption.js';
import {
  certificateDigest,
  createCsr,
  createRootCertificate,
  generateKeyPair,
  importPrivateKey,
  signLeaf,
  subjectOf,
  verifyIssuedBy,
  type CryptoKey,
} from './pki.js';
import { formatToken, parseToken, sameDigest, secretDigest } from './tokens.js';

export type NodeRole = 'worker' | 'manager';
export type Identity = { nodeId: string; role: NodeRole | 'admin' };
export interface TlsCredentials {
  certPem: string;
  keyPem: string;
  caCertPem: string;
}

const nodeCertDays = 90;
const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

export class ClusterCa {
  private settings!: ClusterSettings;
  private caKey!: CryptoKey;
  private revoked = new Set<string>();
  private off?: () => void;

  constructor(
    private readonly deps: { store: StoreCore; kek: Buffer; log: Logger; kekFile?: string },
  ) {}

  /**
   * Creates the cluster object in an empty store (CLUSTER_ALREADY_INITIALIZED otherwise);
   * `settings` override the defaults (the address pool of `--init --default-addr-pool`).
   */
  static async initialize(
    store: StoreCore,
    kek: Buffer,
    name: string,
    settings: Partial<Pick<ClusterSettings, 'addressPool'>> = {},
  ): Promise<ClusterSettings> {
    const existing = await store.getCluster();
    if (existing)
      throw new FlotillaError('CLUSTER_ALREADY_INITIALIZED', {
        clusterId: existing.id,
        endpoints: 'the store',
      });
    const id = newId();
    const { keys, keyPem } = await generateKeyPair();
    const certPem = await createRootCertificate('flotilla-root-ca', id, keys);
    const cluster: ClusterSettings = {
      id,
      name,
      createdAt: new Date().toISOString(),
      ca: { certPem, encryptedKeyPem: encrypt(kek, keyPem), digest: certificateDigest(certPem) },
      joinTokens: {
        worker: { digest: secretDigest(tokenSecret(kek, id, 'worker', 1)), generation: 1 },
        manager: { digest: secretDigest(tokenSecret(kek, id, 'manager', 1)), generation: 1 },
      },
      ...structuredClone(clusterDefaults),
      ...structuredClone(settings),
      revokedNodeIds: [],
    };
    // putCluster compares against "absent", so two managers racing --init cannot both win.
    try {
      await store.putCluster(cluster);
    } catch (err) {
      const now = await store.getCluster();
      if (now)
        throw new FlotillaError(
          'CLUSTER_ALREADY_INITIALIZED',
          { clusterId: now.id, endpoints: 'the store' },
          { cause: err },
        );
      throw err;
    }
    return cluster;
  }

  /** Loads the cluster object and decrypts the CA key; follows changes (tokens, revocations). */
  async start(): Promise<void> {
    const c = (await this.deps.store.getCluster()) as ClusterSettings | undefined;
    if (!c) throw new FlotillaError('CLUSTER_NOT_INITIALIZED', { endpoints: 'the store' });
    let keyPem: string;
    try {
      keyPem = decrypt(this.deps.kek, c.ca.encryptedKeyPem);
    } catch (err) {
      throw new FlotillaError(
        'CA_KEY_UNAVAILABLE',
        {
          reason: 'the key-encryption key does not match',
          file: this.deps.kekFile ?? 'the key file',
        },
        { cause: err },
      );
    }
    this.caKey = await importPrivateKey(keyPem);
    this.apply(c);
    this.off = this.deps.store.onCluster((next) => {
      if (next) this.apply(next as ClusterSettings);
    });
  }

  async stop(): Promise<void> {
    this.off?.();
  }

  private apply(c: ClusterSettings): void {
    // Clusters initialised before several address pools hold the old shape of the pool.
    this.settings = readClusterSettings(c);
    this.revoked = new Set(c.revokedNodeIds ?? []);
  }

  get cluster(): ClusterSettings {
    return this.settings;
  }

  get caCertPem(): string {
    return this.settings.ca.certPem;
  }

  get kek(): Buffer {
    return this.deps.kek;
  }

  joinToken(role: NodeRole): string {
    const g = this.settings.joinTokens[role].generation;
    return formatToken(
      this.settings.ca.digest,
      tokenSecret(this.deps.kek, this.settings.id, role, g),
    );
  }

  /** Replaces the role's secret; tokens handed out before stop working at once. */
  async rotateJoinToken(role: NodeRole): Promise<string> {
    const next = await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      const generation = c.joinTokens[role].generation + 1;
      const digest = secretDigest(tokenSecret(this.deps.kek, c.id, role, generation));
      return { ...c, joinTokens: { ...c.joinTokens, [role]: { digest, generation } } };
    });
    this.apply(next as ClusterSettings);
    return this.joinToken(role);
  }

  /** The role a token admits; JOIN_TOKEN_REJECTED when malformed, for another CA, or stale. */
  verifyJoinToken(token: string): NodeRole {
    const t = parseToken(token);
    if (!t) throw new FlotillaError('JOIN_TOKEN_REJECTED', { reason: 'not a Flotilla join token' });
    if (!sameDigest(t.caDigest, this.settings.ca.digest))
      throw new FlotillaError('JOIN_TOKEN_REJECTED', {
        reason: 'it was made for another cluster CA',
      });
    const d = secretDigest(t.secret);
    for (const role of ['worker', 'manager'] as const)
      if (sameDigest(d, this.settings.joinTokens[role].digest)) return role;
    throw new FlotillaError('JOIN_TOKEN_REJECTED', { reason: 'unknown or rotated secret' });
  }

  /** Signs a node's CSR: CN = node id (new unless given), OU = role, O = cluster id. */
  async issueNodeCertificate(
    csrPem: string,
    role: NodeRole,
    nodeId: string = newId(),
    altNames?: { ips: string[]; dns: string[] },
  ): Promise<{ certPem: string; nodeId: string; caCertPem: string }> {
    if (this.revoked.has(nodeId)) throw new FlotillaError('CERTIFICATE_REVOKED', { nodeId });
    let certPem: string;
    try {
      certPem = await signLeaf({
        csrPem,
        subject: `CN=${nodeId}, OU=${role}, O=${this.settings.id}`,
        caCertPem: this.caCertPem,
        caKey: this.caKey,
        validDays: nodeCertDays,
        altNames,
      });
    } catch (err) {
      throw new FlotillaError('CSR_INVALID', { reason: (err as Error).message }, { cause: err });
    }
    return { certPem, nodeId, caCertPem: this.caCertPem };
  }

  /** A key and certificate made here (managers' own server identity, admin clients). */
  async issueKeyAndCertificate(
    role: NodeRole | 'admin',
    id: string,
    altNames?: { ips: string[]; dns: string[] },
  ): Promise<TlsCredentials> {
    const { keys, keyPem } = await generateKeyPair();
    const csrPem = await createCsr(`CN=${id}`, keys);
    const certPem = await signLeaf({
      csrPem,
      subject: `CN=${id}, OU=${role}, O=${this.settings.id}`,
      caCertPem: this.caCertPem,
      caKey: this.caKey,
      validDays: role === 'admin' ? 365 : nodeCertDays,
      altNames,
    });
    return { certPem, keyPem, caCertPem: this.caCertPem };
  }

  /** Who a certificate names. Callers get certificates from verified TLS sessions. */
  identify(certPem: string): Identity {
    const s = subjectOf(certPem);
    return fromSubject(s.cn, s.ou);
  }

  async verifyCertificate(certPem: string): Promise<boolean> {
    return verifyIssuedBy(certPem, this.caCertPem);
  }

  isRevoked(nodeId: string): boolean {
    return this.revoked.has(nodeId);
  }

  /** Adds a node id to the revoked set in the cluster object (node rm). */
  async revoke(nodeId: string): Promise<void> {
    const next = await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      const ids = new Set(c.revokedNodeIds ?? []);
      ids.add(nodeId);
      return { ...c, revokedNodeIds: [...ids] };
    });
    this.apply(next as ClusterSettings);
  }
}

export function fromSubject(cn: string | undefined, ou: string | undefined): Identity {
  if (!cn) throw new FlotillaError('CLIENT_CERT_REQUIRED', { reason: 'no common name' });
  if (ou !== 'worker' && ou !== 'manager' && ou !== 'admin')
    throw new FlotillaError('CLIENT_CERT_REQUIRED', { reason: `unknown role ${ou ?? ''}` });
  return { nodeId: cn, role: ou };
}

/** The secret of a token generation, derived so that no secret is ever stored. */
function tokenSecret(kek: Buffer, clusterId: string, role: NodeRole, generation: number): string {
  const mac = createHmac('sha256', kek).update(`${clusterId}:${role}:${generation}`).digest();
  return Array.from(mac.subarray(0, 25), (b) => alphabet[b % alphabet.length]).join('');
}
