// One transaction's view and writes. Reads come from the cache, snapshotted the first time a key is
// touched (repeatable reads); each write records the mod_revision it was based on, compared at
// commit. Claims (claims.ts: service names, node subnets, ingress ports) are taken and released in
// the same commit as the object that holds them.
import { FlotillaError } from '../../shared/errors/index.js';
import { claimOwnerKind, claimTaken, claimsOf, type Claim } from './claims.js';
import { cloneJson } from './clone.js';
import type { Compare, Op } from './core.js';
import { claimKey, objectKey } from './keys.js';
import type { ClaimSpace, ObjectKind, ObjectOf, StoreTx } from './types.js';
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
  /** Claim key → id of the object written in this tx that holds it. */
  private readonly claimedHere = new Map<string, string>();

  constructor(
    private readonly cache: { entry(key: string): Snapshot | undefined },
    readonly attempt = 1,
  ) {}

  get<K extends ObjectKind>(kind: K, id: string): ObjectOf<K> | undefined {
    const doc = this.view(objectKey(kind, id));
    return doc === undefined ? undefined : cloneJson(doc as ObjectOf<K>);
  }

  create<K extends ObjectKind>(kind: K, object: ObjectOf<K>): void {
    validateObject(kind, object);
    const key = objectKey(kind, object.id);
    if (this.view(key) !== undefined)
      throw new FlotillaError('STORE_ALREADY_EXISTS', { kind, id: object.id });
    this.checkClaims(kind, object);
    this.write(kind, object.id, cloneJson(object));
  }

  update<K extends ObjectKind>(kind: K, object: ObjectOf<K>): void {
    validateObject(kind, object);
    const key = objectKey(kind, object.id);
    if (this.view(key) === undefined)
      throw new FlotillaError('STORE_NOT_FOUND', { kind, id: object.id });
    this.checkClaims(kind, object);
    this.write(kind, object.id, cloneJson(object));
  }

  delete(kind: ObjectKind, id: string): void {
    if (this.view(objectKey(kind, id)) === undefined)
      throw new FlotillaError('STORE_NOT_FOUND', { kind, id });
    this.write(kind, id, null);
  }

  claimOwner(space: ClaimSpace, name: string): string | undefined {
    return this.ownerOf(claimKey(space, name), space);
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
          ? { type: 'put', key: u.key, value: JSON.stringify(u.final), doc: u.final }
          : { type: 'delete', key: u.key },
      ];
      this.compileClaims(u, compares, ops);
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
    // etcd refuses a transaction naming a key twice: a claim one object releases and another takes
    // in the same tx (a swap of names) is written once, as the taker's put.
    const ops = new Map<string, Op>();
    for (const u of units)
      for (const op of u.ops) if (op.type === 'put' || !ops.has(op.key)) ops.set(op.key, op);
    return {
      compares: [...cmp].map(([key, modRevision]) => ({ key, modRevision })),
      ops: [...ops.values()],
    };
  }

  /**
   * The claim keys a unit writes. A claim the document holds is created when absent (compare:
   * absent) and compared when already the object's; one it no longer holds is deleted if it is
   * the object's. A claim whose key another object holds although the document already held it
   * before this tx (two nodes given one subnet before claims existed) is left to its holder. Keys
   * of objects written before claims existed are created on their next write (backfill).
   */
  private compileClaims(u: Unit, compares: Compare[], ops: Op[]): void {
    const now = claimsOf(u.kind, u.final);
    const nowKeys = new Set(now.map((c) => claimKey(c.space, c.name)));
    for (const c of now) {
      const key = claimKey(c.space, c.name);
      const s = this.snap(key);
      if (s.doc === u.id) {
        compares.push({ key, modRevision: s.modRevision });
        continue;
      }
      if (typeof s.doc === 'string') {
        const holder = this.writes.get(objectKey(claimOwnerKind[c.space], s.doc));
        if (!holder || this.holds(holder.kind, holder.final, key)) continue;
      }
      compares.push({ key, modRevision: s.modRevision });
      ops.push({ type: 'put', key, value: u.id });
    }
    for (const c of claimsOf(u.kind, u.baseDoc)) {
      const key = claimKey(c.space, c.name);
      if (nowKeys.has(key)) continue;
      const s = this.snap(key);
      if (s.doc !== u.id) continue;
      compares.push({ key, modRevision: s.modRevision });
      ops.push({ type: 'delete', key });
    }
  }

  /** The claim's holder in this tx: an object written here that holds it, else the stored
   * owner unless this tx's write of that owner gave it up. */
  private ownerOf(key: string, space: ClaimSpace): string | undefined {
    const here = this.claimedHere.get(key);
    if (here) return here;
    const owner = this.snap(key).doc;
    if (typeof owner !== 'string') return undefined;
    const ownerWrite = this.writes.get(objectKey(claimOwnerKind[space], owner));
    if (ownerWrite && !this.holds(ownerWrite.kind, ownerWrite.final, key)) return undefined;
    return owner;
  }

  private holds(kind: ObjectKind, doc: unknown, key: string): boolean {
    return claimsOf(kind, doc).some((c) => claimKey(c.space, c.name) === key);
  }

  /** Refuses a write that newly claims a name another object holds (claims.ts names the error). */
  private checkClaims(kind: ObjectKind, doc: { id: string }): void {
    const key = objectKey(kind, doc.id);
    const prev = this.writes.get(key);
    const before = new Set(
      claimsOf(kind, prev ? prev.baseDoc : this.snap(key).doc).map((c) =>
        claimKey(c.space, c.name),
      ),
    );
    for (const c of claimsOf(kind, doc)) {
      const ck = claimKey(c.space, c.name);
      if (before.has(ck)) continue;
      const owner = this.ownerOf(ck, c.space);
      if (owner === undefined || owner === doc.id) continue;
      throw claimTaken(c, doc, owner, this.view(objectKey(claimOwnerKind[c.space], owner)));
    }
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
    if (prev) this.index(prev.kind, prev.final, id, false);
    this.writes.set(key, {
      key,
      kind,
      id,
      baseDoc: prev ? prev.baseDoc : this.snap(key).doc,
      final,
    });
    this.index(kind, final, id, true);
  }

  private index(kind: ObjectKind, doc: unknown, id: string, add: boolean): void {
    for (const c of claimsOf(kind, doc) as Claim[]) {
      const ck = claimKey(c.space, c.name);
      if (add) this.claimedHere.set(ck, id);
      else if (this.claimedHere.get(ck) === id) this.claimedHere.delete(ck);
    }
  }
}
