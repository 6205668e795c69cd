// One transaction's view and writes. Reads come from the cache, snapshotted the first time a key is
// touched (repeatable reads); each write records the mod_revision it was based on, compared at
// commit. Service names are claimed and released through /names/services/<name> in the same commit.
import { FlotillaError } from '../../shared/errors/index.js';
import type { Service } from '../../shared/model/index.js';
import { cloneJson } from './clone.js';
import type { Compare, Op } from './core.js';
import { objectKey, serviceNameKey } from './keys.js';
import type { ObjectKind, ObjectOf, StoreTx } from './types.js';
import { validateObject } from './validate/index.js';

interface Snapshot {
  modRevision: number;
  doc: unknown;
}

interface Unit {
  key: string;
  kind: ObjectKind;
  id: string;
  /** The document the write replaces (undefined = created here). */
  baseDoc: unknown;
  /** The document after the tx; null = deleted. */
  final: { id: string } | null;
}

export interface CompiledUnit {
  key: string;
  kind: ObjectKind;
  id: string;
  compares: Compare[];
  ops: Op[];
}

export class TxBuffer implements StoreTx {
  private readonly snaps = new Map<string, Snapshot>();
  private readonly writes = new Map<string, Unit>();

  constructor(private readonly cache: { entry(key: string): Snapshot | undefined }) {}

  get<K extends ObjectKind>(kind: K, id: string): ObjectOf<K> | undefined {
    const doc = this.view(objectKey(kind, id));
    return doc === undefined ? undefined : cloneJson(doc as ObjectOf<K>);
  }

  create<K extends ObjectKind>(kind: K, object: ObjectOf<K>): void {
    validateObject(kind, object);
    const key = objectKey(kind, object.id);
    if (this.view(key) !== undefined)
      throw new FlotillaError('STORE_ALREADY_EXISTS', { kind, id: object.id });
    if (kind === 'service') this.claimName((object as Service).spec.name, object.id);
    this.write(kind, object.id, cloneJson(object));
  }

  update<K extends ObjectKind>(kind: K, object: ObjectOf<K>): void {
    validateObject(kind, object);
    const key = objectKey(kind, object.id);
    if (this.view(key) === undefined)
      throw new FlotillaError('STORE_NOT_FOUND', { kind, id: object.id });
    if (kind === 'service') this.claimName((object as Service).spec.name, object.id);
    this.write(kind, object.id, cloneJson(object));
  }

  delete(kind: ObjectKind, id: string): void {
    if (this.view(objectKey(kind, id)) === undefined)
      throw new FlotillaError('STORE_NOT_FOUND', { kind, id });
    this.write(kind, id, null);
  }

  firstWrite(): Unit | undefined {
    return this.writes.values().next().value;
  }

  /** Each written object with its own compares and ops (batches commit units independently). */
  units(): CompiledUnit[] {
    const out: CompiledUnit[] = [];
    for (const u of this.writes.values()) {
      if (u.baseDoc === undefined && u.final === null) continue; // created and deleted here
      const compares: Compare[] = [{ key: u.key, modRevision: this.snap(u.key).modRevision }];
      const ops: Op[] = [
        u.final
          ? { type: 'put', key: u.key, value: JSON.stringify(u.final) }
          : { type: 'delete', key: u.key },
      ];
      if (u.kind === 'service') {
        const oldName = (u.baseDoc as Service | undefined)?.spec.name;
        const newName = (u.final as Service | null)?.spec.name;
        if (oldName !== newName) {
          if (oldName) {
            const k = serviceNameKey(oldName);
            compares.push({ key: k, modRevision: this.snap(k).modRevision });
            ops.push({ type: 'delete', key: k });
          }
          if (newName) {
            const k = serviceNameKey(newName);
            compares.push({ key: k, modRevision: this.snap(k).modRevision });
            ops.push({ type: 'put', key: k, value: u.id });
          }
        }
      }
      out.push({ key: u.key, kind: u.kind, id: u.id, compares, ops });
    }
    return out;
  }

  /** All writes as one transaction; with `withReads`, every key read is compared as well. */
  compile(withReads: boolean): { compares: Compare[]; ops: Op[] } {
    const units = this.units();
    const cmp = new Map<string, number>();
    for (const u of units) for (const c of u.compares) cmp.set(c.key, c.modRevision);
    if (withReads) for (const [k, s] of this.snaps) if (!cmp.has(k)) cmp.set(k, s.modRevision);
    return {
      compares: [...cmp].map(([key, modRevision]) => ({ key, modRevision })),
      ops: units.flatMap((u) => u.ops),
    };
  }

  private snap(key: string): Snapshot {
    let s = this.snaps.get(key);
    if (!s) {
      const e = this.cache.entry(key);
      s = { modRevision: e?.modRevision ?? 0, doc: e?.doc };
      this.snaps.set(key, s);
    }
    return s;
  }

  private view(key: string): unknown {
    const w = this.writes.get(key);
    if (w) return w.final ?? undefined;
    return this.snap(key).doc;
  }

  private write(kind: ObjectKind, id: string, final: { id: string } | null): void {
    const key = objectKey(kind, id);
    const prev = this.writes.get(key);
    this.writes.set(key, {
      key,
      kind,
      id,
      baseDoc: prev ? prev.baseDoc : this.snap(key).doc,
      final,
    });
  }

  /** SERVICE_NAME_TAKEN unless `name` is free or already `id`'s, as seen by this tx. */
  private claimName(name: string, id: string): void {
    for (const u of this.writes.values()) {
      if (u.kind === 'service' && u.id !== id && (u.final as Service | null)?.spec.name === name)
        throw new FlotillaError('SERVICE_NAME_TAKEN', { name });
    }
    const owner = this.snap(serviceNameKey(name)).doc;
    if (typeof owner !== 'string' || owner === id) return;
    const ownerWrite = this.writes.get(objectKey('service', owner));
    if (ownerWrite && (ownerWrite.final as Service | null)?.spec.name !== name) return;
    throw new FlotillaError('SERVICE_NAME_TAKEN', { name });
  }
}
