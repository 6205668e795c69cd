// The ObjectStore over etcd: commits are etcd transactions comparing mod_revision (and, for a new
// ingress port claim, that a key range is empty); the cache is filled by a range read of
// /flotilla/v1/ and kept current by a watch from the next revision. After a disconnect the watch
// resumes from the last applied revision; if that was compacted, it re-lists.
import {
  CompareResult,
  CompareTarget,
  type Etcd3,
  type ICompare,
  type IKeyValue,
  type IRequestOp,
  type Watcher,
} from 'etcd3';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { CommitResult, Compare, Op, RawEvent } from './commit.js';
import { StoreCore, sleep } from './core.js';
import { etcdFailure } from './etcd-failure.js';
import type { TxnLimits } from './limits.js';
import { clusterKey, rootPrefix } from './keys.js';

export interface EtcdObjectStoreDeps {
  client: Etcd3;
  log?: Logger;
  /** For error messages only. */
  endpoints?: string;
  /** What the etcd server accepts per transaction. @default etcd's defaults (128 ops, 1.5 MiB) */
  limits?: TxnLimits;
  /** Told each transaction's duration and outcome (metrics). */
  onCommit?: (durationMs: number, outcome: 'committed' | 'conflict' | 'error') => void;
}

export class EtcdObjectStore extends StoreCore {
  private watcher?: Watcher;
  private stopped = false;
  private restarting = false;

  constructor(private readonly deps: EtcdObjectStoreDeps) {
    super(deps.log, deps.limits);
  }

  /** Lists everything under /flotilla/v1/ and starts the watch. STORE_UNAVAILABLE if etcd is down. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.relist();
    await this.watchFrom(this.revision + 1);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const w = this.watcher;
    this.watcher = undefined;
    await w?.cancel().catch(() => undefined);
  }

  /** The revision of the cache (last event applied). */
  cacheRevision(): number {
    return this.revision;
  }

  /**
   * Waits until the cached cluster object is at least as new as etcd's: a write made by another
   * manager (the KEK it sealed for us on join) is in `getCluster()` afterwards. (Not the header
   * revision: it counts writes outside our prefix, which the watch never delivers.)
   */
  async catchUpOnCluster(): Promise<void> {
    let modRevision: number;
    try {
      const res = await this.deps.client.get(clusterKey).exec();
      modRevision = Number(res.kvs[0]?.mod_revision ?? 0);
    } catch (err) {
      throw this.unavailable(err);
    }
    await this.waitFor(() => (this.entry(clusterKey)?.modRevision ?? 0) >= modRevision);
  }

  protected async commit(compares: Compare[], ops: Op[]): Promise<CommitResult> {
    // The raw txn request: etcd3's builder (client.if(...).and(...)) cannot set a compare's
    // range_end, which the "no host-mode claim of this port" compare needs (claims.ts).
    const b = (s: string) => Buffer.from(s);
    const startedMs = performance.now();
    const observe = (outcome: 'committed' | 'conflict' | 'error') =>
      this.deps.onCommit?.(performance.now() - startedMs, outcome);
    try {
      const res = await this.deps.client.kv.txn({
        compare: compares.map(toCompare),
        success: ops.map((op): IRequestOp =>
          op.type === 'put'
            ? { request_put: { key: b(op.key), value: b(op.value) } }
            : { request_delete_range: { key: b(op.key) } },
        ),
        // On failure, what each compare saw: the key's revision, or the keys found in the range.
        failure: compares.map((x): IRequestOp => ({
          request_range:
            x.rangeEnd === undefined
              ? { key: b(x.key), keys_only: true }
              : { key: b(x.key), range_end: b(x.rangeEnd), keys_only: true, limit: 16 },
        })),
      });
      const revision = Number(res.header.revision);
      observe(res.succeeded ? 'committed' : 'conflict');
      if (res.succeeded) return { succeeded: true, revision };
      const current = new Map<string, number>();
      compares.forEach((x, i) => {
        const kvs = res.responses[i]?.response_range?.kvs ?? [];
        if (x.rangeEnd === undefined) current.set(x.key, kvs[0] ? Number(kvs[0].mod_revision) : 0);
        else for (const kv of kvs) current.set(kv.key.toString(), Number(kv.mod_revision));
      });
      return { succeeded: false, revision, current };
    } catch (err) {
      observe('error');
      throw this.unavailable(err);
    }
  }

  private unavailable(err: unknown): FlotillaError {
    return etcdFailure(err, this.deps.endpoints ?? 'etcd');
  }

  private async relist(): Promise<void> {
    try {
      const res = await this.deps.client.getAll().prefix(rootPrefix).exec();
      this.resetFrom(
        res.kvs.map((kv) => ({
          key: kv.key.toString(),
          value: kv.value.toString(),
          modRevision: Number(kv.mod_revision),
        })),
        Number(res.header.revision),
      );
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  private async watchFrom(revision: number): Promise<void> {
    const w = await this.deps.client
      .watch()
      .prefix(rootPrefix)
      .startRevision(String(revision))
      // No previous values: the cache holds them already, and asking for them made etcd read and
      // send every document twice (one event per task write at 100,000 tasks).
      .create();
    if (this.stopped) {
      await w.cancel().catch(() => undefined);
      return;
    }
    this.watcher = w;
    w.on('data', (res) => {
      // The header revision also counts writes outside our prefix, so only events move the cache.
      this.applyEvents(res.events.map((e) => toRaw(e.type, e.kv)));
    });
    // etcd3 resumes by itself, but from the revision of its *connect* header, which can skip events
    // after a quick second disconnect; resume ourselves from the last revision we applied.
    w.on('disconnected', () => void this.restart(w, 'disconnected'));
    w.on('error', (err) => void this.restart(w, 'error', err));
  }

  private async restart(w: Watcher, why: string, err?: unknown): Promise<void> {
    if (this.stopped || this.restarting || this.watcher !== w) return;
    this.restarting = true;
    this.watcher = undefined;
    this.log.warn({ err, why, revision: this.revision }, 'store watch lost, resuming');
    await w.cancel().catch(() => undefined);
    try {
      for (let attempt = 0; !this.stopped; attempt++) {
        try {
          // A compacted start revision cancels the watch with an error; detect it up front.
          const compacted = await this.isCompacted(this.revision + 1);
          if (compacted) {
            this.log.warn({ revision: this.revision }, 'watch revision compacted, re-listing');
            await this.relist();
          }
          await this.watchFrom(this.revision + 1);
          this.log.info({ revision: this.revision }, 'store watch resumed');
          return;
        } catch (e) {
          this.log.debug({ err: e, attempt }, 'store watch resume failed, retrying');
          await sleep(Math.min(200 * 2 ** attempt, 2000));
        }
      }
    } finally {
      this.restarting = false;
    }
  }

  /** True when etcd no longer keeps history at `revision` (a range read at it fails). */
  private async isCompacted(revision: number): Promise<boolean> {
    try {
      await this.deps.client
        .get(rootPrefix + 'cluster')
        .revision(String(revision))
        .exec();
      return false;
    } catch (err) {
      const msg = String((err as Error)?.message ?? err);
      if (/compacted/i.test(msg)) return true;
      if (/future revision/i.test(msg)) return false;
      throw err;
    }
  }
}

function toCompare(x: Compare): ICompare {
  const key = Buffer.from(x.key);
  const equal = CompareResult.Equal;
  // Over a range: Version == 0 holds for every key of [key, rangeEnd), so for none existing (a
  // range without keys compares as one absent key; etcd >= 3.3).
  if (x.rangeEnd !== undefined)
    return {
      key,
      range_end: Buffer.from(x.rangeEnd),
      target: CompareTarget.Version,
      result: equal,
      version: 0,
    };
  // A missing key has create_revision 0; mod_revision is compared for existing ones.
  return x.modRevision === 0
    ? { key, target: CompareTarget.Create, result: equal, create_revision: 0 }
    : { key, target: CompareTarget.Mod, result: equal, mod_revision: x.modRevision };
}

function toRaw(type: string, kv: IKeyValue): RawEvent {
  const key = kv.key.toString();
  const modRevision = Number(kv.mod_revision);
  return type === 'Delete'
    ? { type: 'delete', key, modRevision }
    : { type: 'put', key, value: kv.value.toString(), modRevision };
}
