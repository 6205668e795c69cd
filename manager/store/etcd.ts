// The ObjectStore over etcd: commits are etcd transactions comparing mod_revision; the cache is
// filled by a range read of /flotilla/v1/ and kept current by a watch from the next revision. After
// a disconnect the watch resumes from the last applied revision; if that was compacted, it re-lists.
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import {
  StoreCore,
  sleep,
  type CommitResult,
  type Compare,
  type Op,
  type RawEvent,
} from './core.js';
import type { TxnLimits } from './limits.js';
import { rootPrefix } from './keys.js';

export interface EtcdObjectStoreDeps {
  client: Etcd3;
  log?: Logger;
  /** For error messages only. */
  endpoints?: string;
  /** What the etcd server accepts per transaction. @default etcd's defaults (128 ops, 1.5 MiB) */
  limits?: TxnLimits;
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

  protected async commit(compares: Compare[], ops: Op[]): Promise<CommitResult> {
    const c = this.deps.client;
    try {
      // etcd3 builds a txn from a first compare; with none, compare something always true.
      const [first, ...rest] = compares;
      let txn = first
        ? c.if(first.key, cmpColumn(first), '==', first.modRevision)
        : c.if(rootPrefix, 'Version', '>', -1);
      for (const x of rest) txn = txn.and(x.key, cmpColumn(x), '==', x.modRevision);
      const res = await txn
        .then(
          ...ops.map((op) =>
            op.type === 'put' ? c.put(op.key).value(op.value) : c.delete().key(op.key),
          ),
        )
        .else(...compares.map((x) => c.get(x.key)))
        .commit();
      const revision = Number(res.header.revision);
      if (res.succeeded) return { succeeded: true, revision };
      const current = new Map<string, number>();
      compares.forEach((x, i) => {
        const kv = res.responses[i]?.response_range?.kvs?.[0];
        current.set(x.key, kv ? Number(kv.mod_revision) : 0);
      });
      return { succeeded: false, revision, current };
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  private unavailable(err: unknown): FlotillaError {
    if (err instanceof FlotillaError) return err;
    return new FlotillaError(
      'STORE_UNAVAILABLE',
      { endpoints: this.deps.endpoints ?? 'etcd', reason: (err as Error)?.message ?? String(err) },
      { cause: err },
    );
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

function cmpColumn(x: Compare): 'Mod' | 'Create' {
  // A missing key has create_revision 0; mod_revision is compared for existing ones.
  return x.modRevision === 0 ? 'Create' : 'Mod';
}

function toRaw(type: string, kv: IKeyValue): RawEvent {
  const key = kv.key.toString();
  const modRevision = Number(kv.mod_revision);
  return type === 'Delete'
    ? { type: 'delete', key, modRevision }
    : { type: 'put', key, value: kv.value.toString(), modRevision };
}
