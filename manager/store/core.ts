// The part of the object store that does not depend on etcd: the cache of every document, the
// transaction buffer with its mod_revision compares, retry on conflict, bounded batches and event
// delivery. EtcdObjectStore and InMemoryObjectStore supply only commit() and the raw event feed.
import type { Logger } from '../../shared/log/index.js';
import { silentLogger } from '../../shared/log/index.js';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Service } from '../../shared/model/index.js';
import { claimKey, claimsPrefix, clusterKey, parseClaimKey, parseObjectKey } from './keys.js';
import { chunkUnits, defaultTxnLimits, type StoreStats, type TxnLimits } from './limits.js';
import type { CommitResult, Compare, Op, RawEvent, RawKv } from './commit.js';
import { TxBuffer } from './tx.js';
import type {
  ClaimSpace,
  ClusterObject,
  ObjectKind,
  ObjectOf,
  ObjectStore,
  StoreEvent,
  StoreTx,
} from './types.js';
import { validateObject } from './validate/index.js';

interface Entry {
  modRevision: number;
  /** Parsed document: Node/Service/Task, an owner id (claim keys) or the cluster object. */
  doc: unknown;
}

const maxAttempts = 5;
/** How long a retry waits for the cache to see the change that beat it before trying anyway. */
const catchUpTimeoutMs = 5_000;

export abstract class StoreCore implements ObjectStore {
  protected readonly log: Logger;
  /** Revision of the last event applied to the cache. */
  protected revision = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly byKind: Record<ObjectKind, Map<string, unknown>> = {
    node: new Map(),
    service: new Map(),
    task: new Map(),
    network: new Map(),
    secret: new Map(),
    config: new Map(),
    attachment: new Map(),
  };
  /** Claim keys by space: name → owner id. */
  private readonly claimsBySpace: Record<ClaimSpace, Map<string, string>> = {
    services: new Map(),
    subnets: new Map(),
    'ingress-ports': new Map(),
    'host-ports': new Map(),
    networks: new Map(),
    'overlay-subnets': new Map(),
    vnis: new Map(),
    'overlay-addrs': new Map(),
    secrets: new Map(),
    configs: new Map(),
  };
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly clusterListeners = new Set<(c: ClusterObject | undefined) => void>();
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  /**
   * Documents this store is committing, by key: when the watch brings the same value back, the
   * cache takes the document already validated in the transaction instead of parsing and
   * validating it again (a tenth of the manager's time went to that for its own task writes at
   * 100,000 tasks). A value that differs (another writer) is parsed as always.
   */
  private readonly ownWrites = new Map<string, { key: string; value: string; doc: unknown }>();
  protected readonly limits: TxnLimits;
  readonly stats: StoreStats = {
    commits: 0,
    conflicts: 0,
    ops: 0,
    bytes: 0,
    maxOpsPerCommit: 0,
    events: 0,
  };

  constructor(log?: Logger, limits: TxnLimits = defaultTxnLimits) {
    this.log = (log ?? silentLogger()).child({ component: 'store' });
    this.limits = limits;
  }

  /** Atomically applies the compares and ops; implemented over etcd or in memory. */
  protected abstract commit(compares: Compare[], ops: Op[]): Promise<CommitResult>;

  /** Writes per transaction a batch uses unless told otherwise: large transactions cost etcd
   * less per write (one raft entry and one disk sync for all), within what the server accepts. */
  get batchOpsPerTx(): number {
    return this.limits.maxTxnOps > 128 ? Math.min(512, this.limits.maxTxnOps) : 100;
  }

  private async commitCounted(compares: Compare[], ops: Op[]): Promise<CommitResult> {
    const own: { key: string; value: string; doc: unknown }[] = [];
    for (const op of ops)
      if (op.type === 'put' && op.doc !== undefined) {
        const w = { key: op.key, value: op.value, doc: op.doc };
        this.ownWrites.set(op.key, w);
        own.push(w);
      }
    let res: CommitResult;
    try {
      res = await this.commit(compares, ops);
    } catch (err) {
      this.forgetOwnWrites(own);
      throw err;
    }
    // A success's entries go when their events are applied (or, should a re-list skip them,
    // when the writer has waited for its revision); a failure's at once.
    if (!res.succeeded) this.forgetOwnWrites(own);
    else this.afterApplied(res.revision, () => this.forgetOwnWrites(own));
    if (!res.succeeded) {
      this.stats.conflicts++;
      return res;
    }
    this.stats.commits++;
    this.stats.ops += ops.length;
    this.stats.maxOpsPerCommit = Math.max(this.stats.maxOpsPerCommit, ops.length);
    for (const op of ops)
      this.stats.bytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
    return res;
  }

  // ---- reads -------------------------------------------------------------------------------

  list<K extends ObjectKind>(kind: K): ObjectOf<K>[] {
    return [...this.byKind[kind].values()] as ObjectOf<K>[];
  }

  get<K extends ObjectKind>(kind: K, id: string): ObjectOf<K> | undefined {
    return this.byKind[kind].get(id) as ObjectOf<K> | undefined;
  }

  serviceByName(name: string): Service | undefined {
    const id = this.claimsBySpace.services.get(name);
    return id === undefined ? undefined : this.get('service', id);
  }

  claims(space: ClaimSpace): ReadonlyMap<string, string> {
    return this.claimsBySpace[space];
  }

  /** Cache entry of a raw key, for the transaction buffer. */
  entry(key: string): { modRevision: number; doc: unknown } | undefined {
    return this.entries.get(key);
  }

  /** Cached claim keys of a space whose names start with `namePrefix`, sorted (for TxBuffer). */
  claimKeysUnder(space: ClaimSpace, namePrefix: string): string[] {
    const out: string[] = [];
    for (const name of this.claimsBySpace[space].keys())
      if (name.startsWith(namePrefix)) out.push(claimKey(space, name));
    return out.sort();
  }

  async getCluster(): Promise<ClusterObject | undefined> {
    const doc = this.entries.get(clusterKey)?.doc as ClusterObject | undefined;
    return doc ? structuredClone(doc) : undefined;
  }

  /** Writes the cluster object, comparing it with the cached revision (STORE_CONFLICT if stale). */
  async putCluster(c: ClusterObject): Promise<void> {
    const base = this.entries.get(clusterKey)?.modRevision ?? 0;
    const res = await this.commitCounted(
      [{ key: clusterKey, modRevision: base }],
      [{ type: 'put', key: clusterKey, value: JSON.stringify(c) }],
    );
    if (!res.succeeded)
      throw new FlotillaError('STORE_CONFLICT', { kind: 'cluster', id: c.id, attempts: 1 });
    await this.waitFor(() => this.revision >= res.revision);
  }

  /** Read-modify-write of the cluster object, retried on conflict. */
  async updateCluster(fn: (c: ClusterObject) => ClusterObject): Promise<ClusterObject> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.getCluster();
      if (!current) throw new FlotillaError('STORE_NOT_FOUND', { kind: 'cluster', id: '-' });
      const next = fn(current);
      try {
        await this.putCluster(next);
        return next;
      } catch (err) {
        if (!(err instanceof FlotillaError) || err.code !== 'STORE_CONFLICT') throw err;
        if (attempt >= maxAttempts) throw err;
        await sleep(20 * attempt);
      }
    }
  }

  /** Called with the cluster object after every change of it (and once on subscribe). */
  onCluster(listener: (c: ClusterObject | undefined) => void): () => void {
    this.clusterListeners.add(listener);
    listener(this.entries.get(clusterKey)?.doc as ClusterObject | undefined);
    return () => this.clusterListeners.delete(listener);
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- writes ------------------------------------------------------------------------------

  async update<T>(fn: (tx: StoreTx) => T | Promise<T>): Promise<T> {
    let last: TxBuffer | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const tx = new TxBuffer(this, attempt);
      const result = await fn(tx);
      last = tx;
      const { compares, ops } = tx.compile(true);
      if (ops.length === 0) return result;
      const res = await this.commitCounted(compares, ops);
      if (res.succeeded) {
        await this.waitFor(() => this.revision >= res.revision);
        return result;
      }
      await this.catchUp(res);
    }
    const w = last?.firstWrite();
    throw new FlotillaError('STORE_CONFLICT', {
      kind: w?.kind ?? 'object',
      id: w?.id ?? '-',
      attempts: maxAttempts,
    });
  }

  async batch(
    fn: (tx: StoreTx) => void | Promise<void>,
    opts: { maxOpsPerTx?: number } = {},
  ): Promise<void> {
    // etcd refuses transactions of more operations (or compares) than its --max-txn-ops (128 by
    // default) and requests larger than its --max-request-bytes (1.5 MiB by default).
    const maxOps = Math.max(
      2,
      Math.min(opts.maxOpsPerTx ?? this.batchOpsPerTx, this.limits.maxTxnOps),
    );
    // Half the request limit: compares, keys and protobuf framing come on top of the values.
    const maxBytes = this.limits.maxRequestBytes / 2;
    const committed = new Set<string>();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const tx = new TxBuffer(this, attempt);
      await fn(tx);
      const units = tx.units().filter((u) => !committed.has(u.key));
      let lastRevision = 0;
      let conflict: CommitResult | undefined;
      for (const chunk of chunkUnits(units, maxOps, maxBytes)) {
        const res = await this.commitCounted(
          chunk.flatMap((u) => u.compares),
          chunk.flatMap((u) => u.ops),
        );
        if (!res.succeeded) {
          conflict = res;
          break;
        }
        for (const u of chunk) committed.add(u.key);
        lastRevision = res.revision;
      }
      if (lastRevision) await this.waitFor(() => this.revision >= lastRevision);
      if (!conflict) return;
      await this.catchUp(conflict);
    }
    throw new FlotillaError('STORE_CONFLICT', { kind: 'batch', id: '-', attempts: maxAttempts });
  }

  private forgetOwnWrites(own: readonly { key: string }[]): void {
    for (const w of own) if (this.ownWrites.get(w.key) === w) this.ownWrites.delete(w.key);
  }

  /** Runs `fn` once the cache has applied `revision` (at once if it has). */
  private afterApplied(revision: number, fn: () => void): void {
    void this.waitFor(() => this.revision >= revision).then(fn);
  }

  /** After a failed compare: wait until the cache holds the revisions that beat us. */
  private async catchUp(res: CommitResult): Promise<void> {
    const current = res.current;
    await this.waitFor(
      () =>
        current
          ? [...current].every(([k, rev]) => (this.entries.get(k)?.modRevision ?? 0) === rev)
          : this.revision >= res.revision,
      catchUpTimeoutMs,
    );
  }

  /** Resolves once `check` holds after an applied event (or at once); gives up after timeoutMs. */
  protected waitFor(check: () => boolean, timeoutMs = 30_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const w = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve();
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  // ---- the feed ----------------------------------------------------------------------------

  /** Applies watch events in revision order, then tells subscribers. Old events are ignored. */
  protected applyEvents(events: RawEvent[], headerRevision?: number): void {
    const out: StoreEvent[] = [];
    let clusterChanged = false;
    for (const ev of events) {
      // Several events share a revision (one transaction); only strictly older ones are stale.
      if (ev.modRevision < this.revision) continue;
      if (ev.type === 'put' && this.entries.get(ev.key)?.modRevision === ev.modRevision) continue;
      this.revision = ev.modRevision;
      this.stats.events++;
      const e = this.applyOne(ev);
      if (e) out.push(e);
      if (ev.key === clusterKey) clusterChanged = true;
    }
    if (headerRevision && headerRevision > this.revision) this.revision = headerRevision;
    this.deliver(out, clusterChanged);
  }

  /** Replaces the cache with a fresh listing (start, or after compaction) and emits the difference. */
  protected resetFrom(kvs: RawKv[], revision: number): void {
    const seen = new Set<string>();
    const out: StoreEvent[] = [];
    let clusterChanged = false;
    for (const kv of kvs) {
      seen.add(kv.key);
      if (this.entries.get(kv.key)?.modRevision === kv.modRevision) continue;
      const e = this.applyOne({ type: 'put', ...kv });
      if (e) out.push({ ...e, revision });
      if (kv.key === clusterKey) clusterChanged = true;
    }
    for (const key of [...this.entries.keys()]) {
      if (seen.has(key)) continue;
      const e = this.applyOne({ type: 'delete', key, modRevision: revision });
      if (e) out.push(e);
      if (key === clusterKey) clusterChanged = true;
    }
    this.revision = Math.max(this.revision, revision);
    this.deliver(out, clusterChanged);
  }

  private applyOne(ev: RawEvent): StoreEvent | undefined {
    if (ev.key.startsWith(claimsPrefix)) {
      this.applyClaim(ev);
      return undefined;
    }
    const obj = parseObjectKey(ev.key);
    if (ev.type === 'delete') {
      const prev = this.entries.get(ev.key);
      this.entries.delete(ev.key);
      if (!obj || !prev) return undefined;
      this.byKind[obj.kind].delete(obj.id);
      return {
        kind: obj.kind,
        type: 'delete',
        object: prev.doc,
        revision: ev.modRevision,
      } as StoreEvent;
    }
    let doc: unknown;
    const own = this.ownWrites.get(ev.key);
    if (own && own.value === ev.value) {
      this.ownWrites.delete(ev.key);
      doc = own.doc;
    } else
      try {
        doc = JSON.parse(ev.value);
        if (obj) validateObject(obj.kind, doc);
      } catch (err) {
        if (obj || ev.key === clusterKey) {
          // Keep the revision so compares stay exact, but never hand an invalid document out.
          this.log.warn({ err, key: ev.key }, 'invalid document in store, ignored');
          this.entries.set(ev.key, { modRevision: ev.modRevision, doc: undefined });
          if (obj) this.byKind[obj.kind].delete(obj.id);
          return undefined;
        } else return undefined;
      }
    if (!obj && ev.key !== clusterKey) return undefined;
    deepFreeze(doc);
    this.entries.set(ev.key, { modRevision: ev.modRevision, doc });
    if (!obj) return undefined;
    const previous = this.byKind[obj.kind].get(obj.id);
    this.byKind[obj.kind].set(obj.id, doc);
    return {
      kind: obj.kind,
      type: 'put',
      object: doc,
      previous,
      revision: ev.modRevision,
    } as StoreEvent;
  }

  /** Claim keys hold the owner's id as plain text (not JSON). */
  private applyClaim(ev: RawEvent): void {
    const claim = parseClaimKey(ev.key);
    if (ev.type === 'delete') {
      this.entries.delete(ev.key);
      if (claim) this.claimsBySpace[claim.space].delete(claim.name);
      return;
    }
    this.entries.set(ev.key, { modRevision: ev.modRevision, doc: ev.value });
    if (claim) this.claimsBySpace[claim.space].set(claim.name, ev.value);
  }

  private deliver(events: StoreEvent[], clusterChanged: boolean): void {
    for (const e of events) {
      for (const l of this.listeners) {
        try {
          l(e);
        } catch (err) {
          this.log.error({ err }, 'store subscriber threw');
        }
      }
    }
    if (clusterChanged) {
      const c = this.entries.get(clusterKey)?.doc as ClusterObject | undefined;
      for (const l of this.clusterListeners) {
        try {
          l(c);
        } catch (err) {
          this.log.error({ err }, 'cluster subscriber threw');
        }
      }
    }
    const ready = this.waiters.filter((w) => w.check());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

/** Cached documents are shared by every reader; freezing makes an accidental mutation throw. */
function deepFreeze(v: unknown): void {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
