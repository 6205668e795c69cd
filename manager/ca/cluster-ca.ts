// The cluster's root CA as every manager holds it: issues node, manager and admin certificates,
// computes and verifies join tokens, and keeps the set of revoked (removed) node ids current from
// the store. Bootstrapping a new cluster is ClusterCa.initialize. Who holds the KEK: kek-keeper.ts.
import { createHmac, randomBytes } from 'node:crypto';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { newId, type StoreCore } from '../store/index.js';
import { clusterDefaults, readClusterSettings, type ClusterSettings } from './cluster.js';
import { beginRotation } from './rotation.js';
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
import {
  expiryFrom,
  withRevoked,
  withRotatedKek,
  withSealedKek,
  withTokenExpiry,
} from './cluster-edits.js';
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

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

export class ClusterCa {
  private settings!: ClusterSettings;
  private caKey!: CryptoKey;
  /** The CA key in PEM, kept so that a KEK rotation can seal it again without the old KEK. */
  private caKeyPem!: string;
  /** The HMAC key of join-token secrets (cluster.tokenKeySealed, or the KEK of old clusters). */
  private tokenKey!: Buffer;
  /** The root whose key `caKey` holds: a CA rotation (on any manager) replaces it. */
  private caKeyDigest = '';
  /** Settles when `caKey` and `caKeyPem` are those of the signing root in the cluster object. */
  private keyReady: Promise<void> = Promise.resolve();
  private revoked = new Set<string>();
  private off?: () => void;
  private readonly listeners = new Set<(c: ClusterSettings) => void>();

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

  /**
   * A key that seals other secrets in the store (overlay network keys), derived from the join-token
   * key: that key is itself sealed by the KEK and survives KEK rotations, so what it seals does
   * not have to be sealed again. Available once the CA has started.
   */
  secretsKey(purpose: string): Buffer {
    return createHmac('sha256', this.tokenKey).update(`flotilla-secrets:${purpose}`).digest();
  }

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
    const createdAt = new Date().toISOString();
    let cluster: ClusterSettings = {
      id,
      name,
      createdAt,
      ca: { certPem, encryptedKeyPem: encrypt(kek, keyPem), digest: certificateDigest(certPem) },
      joinTokens: {
        worker: { digest: secretDigest(tokenSecret(tokenKey, id, 'worker', 1)), generation: 1 },
        manager: { digest: secretDigest(tokenSecret(tokenKey, id, 'manager', 1)), generation: 1 },
      },
      tokenKeySealed: encrypt(kek, tokenKey.toString('base64')),
      kek: { id: newId(), rotatedAt: createdAt, sealed: {} },
      admins: [],
      ...structuredClone(clusterDefaults),
      ...structuredClone(settings),
      revokedNodeIds: [],
    };
    if (firstManager)
      cluster = withSealedKek(cluster, firstManager.managerId, firstManager.publicKeyPem, kek);
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
    this.caKeyDigest = c.ca.digest;
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
    if (this.caKeyDigest && c.ca.digest !== this.caKeyDigest) this.followRootRotation(c);
    for (const l of this.listeners) l(this.settings);
  }

  get cluster(): ClusterSettings {
    return this.settings;
  }

  get caCertPem(): string {
    return this.settings.ca.certPem;
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
      const expiresAt = expiryFrom(this.now(), c.joinTokenExpiryNs);
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
        caKey: await this.signingKey(),
        validDays: this.certValidDays(),
        altNames,
      });
    } catch (err) {
      throw new FlotillaError('CSR_INVALID', { reason: (err as Error).message }, { cause: err });
    }
    return { certPem: this.withChain(certPem), nodeId, caCertPem: this.trustBundlePem };
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
      caKey: await this.signingKey(),
      validDays: role === 'admin' ? 365 : this.certValidDays(),
      altNames,
    });
    return { certPem: this.withChain(certPem), keyPem, caCertPem: this.trustBundlePem };
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
    const next = await this.deps.store.updateCluster((cur) =>
      withRevoked(cur as ClusterSettings, nodeId),
    );
    this.apply(next as ClusterSettings);
  }

  // Join-token expiry: `cluster join-token --expiry`, `cluster update --join-token-expiry`.

  /** The role's current token expires `expiryNs` from now (0: never). */
  async setJoinTokenExpiry(role: NodeRole, expiryNs: number): Promise<void> {
    const expiry = expiryFrom(this.now(), expiryNs);
    const next = await this.deps.store.updateCluster((cur) =>
      withTokenExpiry(cur as ClusterSettings, [role], expiry),
    );
    this.apply(next as ClusterSettings);
  }

  /** Tokens made from now on expire `expiryNs` after; the current ones `expiryNs` from now. */
  async setDefaultJoinTokenExpiry(expiryNs: number): Promise<void> {
    const expiry = expiryFrom(this.now(), expiryNs);
    const next = await this.deps.store.updateCluster((cur) => ({
      ...withTokenExpiry(cur as ClusterSettings, ['worker', 'manager'], expiry),
      joinTokenExpiryNs: expiryNs,
    }));
    this.apply(next as ClusterSettings);
  }

  /** Signs a CSR for an admin (cluster-admins.ts): subject ours, never the CSR's. */
  async signAdminCsr(csrPem: string, adminId: string): Promise<string> {
    try {
      const leaf = await signLeaf({
        csrPem,
        subject: `CN=${adminId}, OU=admin, O=${this.settings.id}`,
        caCertPem: this.caCertPem,
        caKey: await this.signingKey(),
        validDays: 365,
      });
      return this.withChain(leaf);
    } catch (err) {
      throw new FlotillaError('CSR_INVALID', { reason: (err as Error).message }, { cause: err });
    }
  }

  /** A read-modify-write of the cluster object, seen here at once (not only after the watch). */
  async edit(fn: (c: ClusterSettings) => ClusterSettings): Promise<void> {
    const next = await this.deps.store.updateCluster((cur) => fn(cur as ClusterSettings));
    this.apply(next as ClusterSettings);
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
    await this.keyReady; // the signing root's key, after a CA rotation
    const k = { newKek, caKeyPem: this.caKeyPem, tokenKey: this.tokenKey, nowMs: this.now() };
    const next = await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      return { ...withRotatedKek(c, k), ...reseal(c) };
    });
    this.apply(next as ClusterSettings);
    return this.settings;
  }

  /** Seals the current KEK for a manager (its first start after --init/--join, or a migration). */
  async sealKekFor(managerId: string, publicKeyPem: string, kek = this.kekNow()): Promise<void> {
    const next = await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      // A rotation this manager has not followed yet: sealing its old KEK would strand the joiner.
      try {
        decrypt(kek, c.ca.encryptedKeyPem);
      } catch (err) {
        throw new FlotillaError(
          'CA_KEY_UNAVAILABLE',
          { reason: 'a key rotation is in progress; try again', file: this.deps.kekFile ?? '-' },
          { cause: err },
        );
      }
      return withSealedKek(c, managerId, publicKeyPem, kek);
    });
    this.apply(next as ClusterSettings);
  }
  // ---- certificate lifecycle: expiry, renewal, root rotation (docs/design/pki.md) ----------

  /** Called with the cluster object after each change (rotation begun or done, new settings). */
  onChange(listener: (c: ClusterSettings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The roots to trust now: the signing root, and during a rotation the old one too. */
  get trustBundlePem(): string {
    const r = this.settings.ca.rotation;
    return r ? this.caCertPem.trimEnd() + '\n' + r.previousCertPem : this.caCertPem;
  }

  /** Lifetime of certificates issued now (cluster `--cert-expiry`), in days. */
  private certValidDays(): number {
    return (this.settings.certExpiryNs ?? clusterDefaults.certExpiryNs) / 86_400e9;
  }

  /** During a rotation a leaf travels with the cross-signed root, so old-root nodes accept it. */
  private withChain(leafPem: string): string {
    const r = this.settings.ca.rotation;
    return r ? leafPem.trimEnd() + '\n' + r.crossSignedPem : leafPem;
  }

  /** The key of the signing root (re-imported when a rotation on any manager replaced it). */
  private async signingKey(): Promise<CryptoKey> {
    await this.keyReady;
    return this.caKey;
  }

  /**
   * A CA rotation replaced the root: import its key, also for a later KEK rotation to seal the
   * right key. A KEK rotation alone changes only the seal, not the root, and needs nothing here.
   */
  private followRootRotation(c: ClusterSettings): void {
    const digest = c.ca.digest;
    this.caKeyDigest = digest;
    this.keyReady = this.keyReady.then(async () => {
      try {
        const pem = decrypt(this.kekNow(), c.ca.encryptedKeyPem);
        const key = await importPrivateKey(pem);
        if (this.caKeyDigest !== digest) return;
        this.caKeyPem = pem;
        this.caKey = key;
      } catch (err) {
        this.deps.log.error({ err }, 'importing the rotated CA key failed');
      }
    });
  }

  /** Sets the lifetime of certificates issued from now on (at least an hour, as Docker). */
  async setCertExpiry(ns: number): Promise<void> {
    const next = await this.deps.store.updateCluster((cur) => ({ ...cur, certExpiryNs: ns }));
    this.apply(next as ClusterSettings);
  }

  /**
   * Begins a root rotation (rotation.ts): new root, cross-signed by the old one, new join tokens.
   * @throws CA_ROTATION_IN_PROGRESS while one runs.
   */
  async rotateRoot(): Promise<void> {
    await this.keyReady;
    const next = await beginRotation(this.deps.store, this.kekNow(), (c) => {
      const tokens = { ...c.joinTokens };
      for (const role of ['worker', 'manager'] as const) {
        const generation = c.joinTokens[role].generation + 1;
        tokens[role] = {
          generation,
          digest: secretDigest(tokenSecret(this.tokenKey, c.id, role, generation)),
        };
      }
      return tokens;
    });
    this.apply(next);
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
