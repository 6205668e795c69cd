// A small in-memory ObjectStore for reconciler tests: copies on read and write like etcd would,
// applies each transaction atomically and emits events synchronously after commit. It exists so the
// cluster reconcilers can be tested before (and independently of) manager/store's own fake.
import { claimsOf } from '../../../manager/store/index.js';
import type {
  ClaimSpace,
  ClusterObject,
  ObjectKind,
  ObjectOf,
  ObjectStore,
  StoreEvent,
  StoreTx,
} from '../../../manager/store/types.js';
import type { Service } from '../../../shared/model/index.js';

type Op = { type: 'put' | 'delete'; kind: ObjectKind; id: string; object?: unknown };

export class MemoryObjectStore implements ObjectStore {
  private readonly maps: Record<ObjectKind, Map<string, unknown>> = {
    node: new Map(),
    service: new Map(),
    task: new Map(),
  };
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private cluster: ClusterObject | undefined;
  private revision = 0;
  /** Number of committed transactions, for tests that assert on batching. */
  txCount = 0;
  /** Number of objects written, for tests that assert writes are avoided. */
  writeCount = 0;

  list<K extends ObjectKind>(kind: K): ObjectOf<K>[] {
    return [...this.maps[kind].values()].map((o) => structuredClone(o) as ObjectOf<K>);
  }

  get<K extends ObjectKind>(kind: K, id: string): ObjectOf<K> | undefined {
    const o = this.maps[kind].get(id);
    return o === undefined ? undefined : (structuredClone(o) as ObjectOf<K>);
  }

  serviceByName(name: string): Service | undefined {
    return this.list('service').find((s) => s.spec.name === name);
  }

  /** Derived from the objects (this fake keeps no claim keys). */
  claims(space: ClaimSpace): ReadonlyMap<string, string> {
    const m = new Map<string, string>();
    for (const kind of ['service', 'node'] as const)
      for (const o of this.maps[kind].values())
        for (const c of claimsOf(kind, o)) if (c.space === space) m.set(c.name, (o as Service).id);
    return m;
  }

  async update<T>(fn: (tx: StoreTx) => T | Promise<T>): Promise<T> {
    const ops: Op[] = [];
    const result = await fn(this.tx(ops));
    this.commit(ops);
    return result;
  }

  async batch(
    fn: (tx: StoreTx) => void | Promise<void>,
    opts: { maxOpsPerTx?: number } = {},
  ): Promise<void> {
    const ops: Op[] = [];
    await fn(this.tx(ops));
    const size = opts.maxOpsPerTx ?? 128;
    for (let i = 0; i < ops.length; i += size) this.commit(ops.slice(i, i + size));
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async getCluster(): Promise<ClusterObject | undefined> {
    return this.cluster && structuredClone(this.cluster);
  }

  async putCluster(c: ClusterObject): Promise<void> {
    this.cluster = structuredClone(c);
  }

  /** Test helper: writes objects directly (one transaction each), emitting events. */
  seed<K extends ObjectKind>(kind: K, ...objects: ObjectOf<K>[]): void {
    this.commit(objects.map((o) => ({ type: 'put', kind, id: o.id, object: o })));
  }

  private tx(ops: Op[]): StoreTx {
    const pending = (kind: ObjectKind, id: string) => {
      for (let i = ops.length - 1; i >= 0; i--) {
        const op = ops[i];
        if (op.kind === kind && op.id === id) return op;
      }
      return undefined;
    };
    return {
      attempt: 1,
      get: <K extends ObjectKind>(kind: K, id: string) => {
        const op = pending(kind, id);
        if (op)
          return op.type === 'delete' ? undefined : (structuredClone(op.object) as ObjectOf<K>);
        return this.get(kind, id);
      },
      create: (kind, object) => {
        if (this.maps[kind].has(object.id) || pending(kind, object.id)?.type === 'put')
          throw new Error(`${kind} ${object.id} already exists`);
        ops.push({ type: 'put', kind, id: object.id, object: structuredClone(object) });
      },
      update: (kind, object) => {
        ops.push({ type: 'put', kind, id: object.id, object: structuredClone(object) });
      },
      delete: (kind, id) => {
        ops.push({ type: 'delete', kind, id });
      },
      claimOwner: (space, name) => {
        for (const kind of ['service', 'node'] as const) {
          const ids = new Set([...this.maps[kind].keys(), ...ops.map((o) => o.id)]);
          for (const id of ids) {
            const o = pending(kind, id);
            const doc = o ? (o.type === 'delete' ? undefined : o.object) : this.maps[kind].get(id);
            if (claimsOf(kind, doc).some((c) => c.space === space && c.name === name)) return id;
          }
        }
        return undefined;
      },
    };
  }

  private commit(ops: Op[]): void {
    if (ops.length === 0) return;
    this.txCount++;
    const events: StoreEvent[] = [];
    for (const op of ops) {
      this.revision++;
      this.writeCount++;
      const map = this.maps[op.kind];
      let object: unknown;
      if (op.type === 'delete') {
        object = map.get(op.id);
        if (object === undefined) continue;
        map.delete(op.id);
      } else {
        object = op.object;
        map.set(op.id, object);
      }
      events.push({
        kind: op.kind,
        type: op.type,
        object: structuredClone(object),
        revision: this.revision,
      } as StoreEvent);
    }
    for (const e of events) for (const l of this.listeners) l(e);
  }
}
