// The cluster's root CA as every manager holds it: issues node, manager and admin certificates,
// computes and verifies join tokens, and keeps the set of revoked (removed) node ids current from
// the store. Bootstrapping a new cluster is ClusterCa.initialize. Who holds the KEK: kek-keeper.ts.
import { createHmac, randomBytes } from 'node:crypto';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { newId, type StoreCore } from '../store/index.js';
import {
  clusterDefaults,
  readClusterSettings,
  type AdminRecord,
  type ClusterSettings,
} from './cluster.js';
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
import { sealFor } from './seal.js';
import { formatToken, parseToken, sameDigest, secretDigest } from './tokens.js';

export type NodeRole = 'worker' | 'manager';
export type Identity = { nodeId: string; role: NodeRole | 'admin' };
export interface TlsCredentials {
  certPem: string;
  keyPem: string;
  caCertPem: string;
}

/** Where the KEK comes from: fixed, or a KekKeeper that follows rotations. */
export interface KekSource {
  current(): Buffer;
}

const nodeCertDays = 90;
const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

export class ClusterCa {
  private settings!: ClusterSettings;
  private caKey!: CryptoKey;
  /** The CA key in PEM, kept so that a KEK rotation can seal it again without the old KEK. */
  private caKeyPem!: string;
  /** The HMAC key of join-token secrets (cluster.tokenKeySealed, or the KEK of old clusters). */
  private tokenKey!: Buffer;
  private revoked = new Set<string>();
  private off?: () => void;

  constructor(
    private readonly deps: {
      store: StoreCore;
      kek: Buffer | KekSource;
      log: Logger;
      kekFile?: string;
      /** @default Date.now */
      now?: () => number;
    },
  ) {}

  private kekNow(): Buffer {
    const k = this.deps.kek;
    return Buffer.isBuffer(k) ? k : k.current();
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /**
   * Creates the cluster object in an empty store (CLUSTER_ALREADY_INITIALIZED otherwise);
   * `settings` override the defaults (the address pool of `--init --default-addr-pool`).
   */
  static async initialize(
    store: StoreCore,
    kek: Buffer,
    name: string,
    settings: Partial<Pick<ClusterSettings, 'addressPool'>> = {},
    /** The first manager's seal key: the KEK is sealed for it in the cluster object. */
    firstManager?: { managerId: string; publicKeyPem: string },
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
    const tokenKey = randomBytes(32);
    const now = new Date().toISOString();
    const cluster: ClusterSettings = {
      id,
      name,
      createdAt: new Date().toISOString(),
      ca: { certPem, encryptedKeyPem: encrypt(kek, keyPem), digest: certificateDigest(certPem) },
      joinTokens: {
        worker: { digest: secretDigest(tokenSecret(tokenKey, id, 'worker', 1)), generation: 1 },
        manager: { digest: secretDigest(tokenSecret(tokenKey, id, 'manager', 1)), generation: 1 },
      },
      tokenKeySealed: encrypt(kek, tokenKey.toString('base64')),
      kek: {
        id: newId(),
        rotatedAt: now,
        sealed: firstManager
          ? {
              [firstManager.managerId]: {
                publicKeyPem: firstManager.publicKeyPem,
                sealed: sealFor(firstManager.publicKeyPem, kek),
              },
            }
          : {},
      },
      admins: [],
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
    const kek = this.kekNow();
    try {
      keyPem = decrypt(kek, c.ca.encryptedKeyPem);
      this.tokenKey = c.tokenKeySealed
        ? Buffer.from(decrypt(kek, c.tokenKeySealed), 'base64')
        : kek;
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
    this.caKeyPem = keyPem;
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
    return this.kekNow();
  }

  joinToken(role: NodeRole): string {
    const g = this.settings.joinTokens[role].generation;
    return formatToken(
      this.settings.ca.digest,
      tokenSecret(this.tokenKey, this.settings.id, role, g),
    );
  }

  /** Replaces the role's secret; tokens handed out before stop working at once. */
  async rotateJoinToken(role: NodeRole): Promise<string> {
    const next = await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      const generation = c.joinTokens[role].generation + 1;
      const digest = secretDigest(tokenSecret(this.tokenKey, c.id, role, generation));
      const expiresAt = this.expiryFrom(c.joinTokenExpiryNs);
      return {
        ...c,
        joinTokens: { ...c.joinTokens, [role]: { digest, generation, ...expiresAt } },
      };
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
    for (const role of ['worker', 'manager'] as const) {
      const state = this.settings.joinTokens[role];
      if (!sameDigest(d, state.digest)) continue;
      if (state.expiresAt && Date.parse(state.expiresAt) <= this.now())
        throw new FlotillaError('JOIN_TOKEN_EXPIRED', { role, expiresAt: state.expiresAt });
      return role;
    }
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

  /**
   * Adds an id to the revoked set in the cluster object (node rm, admin rm); a manager's sealed
   * KEK goes in the same write, so it gets no later KEK.
   */
  async revoke(nodeId: string): Promise<void> {
    const next = await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      const ids = new Set(c.revokedNodeIds ?? []);
      ids.add(nodeId);
      const out: ClusterSettings = { ...c, revokedNodeIds: [...ids] };
      if (c.kek?.sealed[nodeId]) {
        const sealed = { ...c.kek.sealed };
        delete sealed[nodeId];
        out.kek = { ...c.kek, sealed };
      }
      return out;
    });
    this.apply(next as ClusterSettings);
  }

  // Join-token expiry: `cluster join-token --expiry`, `cluster update --join-token-expiry`.

  private expiryFrom(ns: number | undefined): { expiresAt?: string } {
    return ns && ns > 0 ? { expiresAt: new Date(this.now() + ns / 1e6).toISOString() } : {};
  }

  /** The role's current token expires `expiryNs` from now (0: never). */
  async setJoinTokenExpiry(role: NodeRole, expiryNs: number): Promise<void> {
    const next = await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      const { expiresAt: _old, ...state } = c.joinTokens[role];
      return {
        ...c,
        joinTokens: { ...c.joinTokens, [role]: { ...state, ...this.expiryFrom(expiryNs) } },
      };
    });
    this.apply(next as ClusterSettings);
  }

  /** Tokens made from now on expire `expiryNs` after; the current ones `expiryNs` from now. */
  async setDefaultJoinTokenExpiry(expiryNs: number): Promise<void> {
    const next = await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      const joinTokens = { ...c.joinTokens };
      for (const role of ['worker', 'manager'] as const) {
        const { expiresAt: _old, ...state } = c.joinTokens[role];
        joinTokens[role] = { ...state, ...this.expiryFrom(expiryNs) };
      }
      return { ...c, joinTokens, joinTokenExpiryNs: expiryNs };
    });
    this.apply(next as ClusterSettings);
  }

  // Admin certificates (`cluster admin add|ls|rm`): CN = a new unique id, OU = admin.

  /** Admins not revoked, oldest first. */
  admins(): AdminRecord[] {
    return (this.settings.admins ?? []).filter((a) => !this.revoked.has(a.id));
  }

  adminById(id: string): AdminRecord | undefined {
    return (this.settings.admins ?? []).find((a) => a.id === id);
  }

  /** Signs the CSR of a new admin named `name` (ADMIN_ALREADY_EXISTS while one is current). */
  async issueAdminCertificate(
    name: string,
    csrPem: string,
  ): Promise<{ admin: AdminRecord; certPem: string; caCertPem: string }> {
    const admin: AdminRecord = { id: newId(), name, createdAt: new Date(this.now()).toISOString() };
    let certPem: string;
    try {
      certPem = await signLeaf({
        csrPem,
        subject: `CN=${admin.id}, OU=admin, O=${this.settings.id}`,
        caCertPem: this.caCertPem,
        caKey: this.caKey,
        validDays: 365,
      });
    } catch (err) {
      throw new FlotillaError('CSR_INVALID', { reason: (err as Error).message }, { cause: err });
    }
    // Recorded before the certificate leaves this manager: every admin certificate is listed.
    const next = await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      const revoked = new Set(c.revokedNodeIds ?? []);
      if ((c.admins ?? []).some((a) => a.name === name && !revoked.has(a.id)))
        throw new FlotillaError('ADMIN_ALREADY_EXISTS', { name });
      return { ...c, admins: [...(c.admins ?? []), admin] };
    });
    this.apply(next as ClusterSettings);
    return { admin, certPem, caCertPem: this.caCertPem };
  }

  /** A key made here and an admin certificate for it (the context `manager --init` writes). */
  async issueAdminKeyAndCertificate(name: string): Promise<TlsCredentials> {
    const { keys, keyPem } = await generateKeyPair();
    const csrPem = await createCsr(`CN=${name}`, keys);
    const { certPem, caCertPem } = await this.issueAdminCertificate(name, csrPem);
    return { certPem, keyPem, caCertPem };
  }

  /** Revokes the admin named `name` (or with that id): its certificate is refused at once. */
  async revokeAdmin(nameOrId: string): Promise<AdminRecord> {
    const a = this.admins().find((x) => x.name === nameOrId || x.id === nameOrId);
    if (!a) throw new FlotillaError('ADMIN_NOT_FOUND', { name: nameOrId });
    await this.revoke(a.id);
    return a;
  }

  // The KEK: rotation and sealing it for managers (kek-keeper.ts holds this manager's copy).

  /**
   * One write: the CA key and the token key sealed under `newKek`, and `newKek` sealed for every
   * manager that has an entry. Managers open their entry when they see the new id.
   */
  async rotateKeyEncryptionKey(
    newKek: Buffer,
    /** More fields sealed under the KEK (the unlock key), sealed again in the same write. */
    reseal: (c: ClusterSettings) => Partial<ClusterSettings> = () => ({}),
  ): Promise<ClusterSettings> {
    const next = await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      const sealed: NonNullable<ClusterSettings['kek']>['sealed'] = {};
      for (const [id, e] of Object.entries(c.kek?.sealed ?? {}))
        if (!(c.revokedNodeIds ?? []).includes(id))
          sealed[id] = { publicKeyPem: e.publicKeyPem, sealed: sealFor(e.publicKeyPem, newKek) };
      return {
        ...c,
        ca: { ...c.ca, encryptedKeyPem: encrypt(newKek, this.caKeyPem) },
        tokenKeySealed: encrypt(newKek, this.tokenKey.toString('base64')),
        kek: { id: newId(), rotatedAt: new Date(this.now()).toISOString(), sealed },
        ...reseal(c),
      };
    });
    this.apply(next as ClusterSettings);
    return this.settings;
  }

  /** Seals the current KEK for a manager (its first start after --init/--join, or a migration). */
  async sealKekFor(managerId: string, publicKeyPem: string, kek = this.kekNow()): Promise<void> {
    const next = await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      const kekState = c.kek ?? { id: newId(), rotatedAt: c.createdAt, sealed: {} };
      return {
        ...c,
        kek: {
          ...kekState,
          sealed: {
            ...kekState.sealed,
            [managerId]: { publicKeyPem, sealed: sealFor(publicKeyPem, kek) },
          },
        },
      };
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
function tokenSecret(
  tokenKey: Buffer,
  clusterId: string,
  role: NodeRole,
  generation: number,
): string {
  const mac = createHmac('sha256', tokenKey).update(`${clusterId}:${role}:${generation}`).digest();
  return Array.from(mac.subarray(0, 25), (b) => alphabet[b % alphabet.length]).join('');
}
