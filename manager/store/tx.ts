// One transaction's view and writes. Reads come from the cache, snapshotted the first time a key is
// touched (repeatable reads); each write records the mod_revision it was based on, compared at
// commit. Claims (claims.ts: service names, node subnets, ingress and host-mode ports) are taken
// and released in the same commit as the object that holds them, and a port is never published
// in ingress mode by one service and in host mode by another (see compareCrossing).
import { FlotillaError } from '../../shared/errors/index.js';
import type { Service } from '../../shared/model/index.js';
import {
  claimOwnerKinds,
  claimTaken,
  claimsOf,
  hostPortPrefix,
  ingressPortClaim,
  portModeClash,
  portOfClaim,
  type Claim,
} from './claims.js';
import { cloneJson } from './clone.js';
import type { Compare, Op } from './commit.js';
import { claimKey, objectKey, prefixEnd } from './keys.js';
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
  /** Claim keys under a prefix as this tx first listed them (each one snapshotted then). */
  private readonly listed = new Map<string, string[]>();

  constructor(
    private readonly cache: {
      entry(key: string): Snapshot | undefined;
      claimKeysUnder(space: ClaimSpace, namePrefix: string): string[];
    },
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
    // Keyed by key, or by the range (keys start with '/', so the two never meet).
    const cmp = new Map<string, Compare>();
    for (const u of units)
      for (const c of u.compares)
        cmp.set(c.rangeEnd === undefined ? c.key : `[${c.key},${c.rangeEnd})`, c);
    if (withReads)
      for (const [k, s] of this.snaps)
        if (!cmp.has(k)) cmp.set(k, { key: k, modRevision: s.modRevision });
    // etcd refuses a transaction naming a key twice: a claim one object releases and another takes
    // in the same tx (a swap of names) is written once, as the taker's put.
    const ops = new Map<string, Op>();
    for (const u of units)
      for (const op of u.ops) if (op.type === 'put' || !ops.has(op.key)) ops.set(op.key, op);
    return { compares: [...cmp.values()], ops: [...ops.values()] };
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
        const holder = this.ownerWrite(c.space, s.doc);
        if (!holder || this.holds(holder.kind, holder.final, key)) continue;
      }
      compares.push({ key, modRevision: s.modRevision });
      ops.push({ type: 'put', key, value: u.id });
      this.compareCrossing(c, compares);
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

  /**
   * A new ingress claim of a port and a new host-mode claim of it must not both commit. The host
   * claim compares the ingress key (absent, or as this tx saw it); the ingress claim compares that
   * no host-mode key of the port exists beyond those this tx saw (each compared at its revision:
   * checkClaims let them through because their holder gives them up here, or because this object
   * published the port before). So whichever commits second fails its compare and runs again on
   * a cache that holds the first, where checkClaims refuses it.
   */
  private compareCrossing(c: Claim, compares: Compare[]): void {
    const { protocol, port } = portOfClaim(c.name);
    if (c.space === 'host-ports') {
      const key = claimKey('ingress-ports', ingressPortClaim(protocol, port));
      compares.push({ key, modRevision: this.snap(key).modRevision });
      return;
    }
    if (c.space !== 'ingress-ports') return;
    const prefix = claimKey('host-ports', hostPortPrefix(protocol, port));
    let start = prefix;
    for (const key of this.hostPortKeys(protocol, port)) {
      compares.push({ key, modRevision: this.snap(key).modRevision });
      if (start < key) compares.push({ key: start, rangeEnd: key, modRevision: 0 });
      start = `${key}\0`; // the next key after `key`
    }
    compares.push({ key: start, rangeEnd: prefixEnd(prefix), modRevision: 0 });
  }

  /** Host-mode claim keys of a port as this tx first listed them from the cache. */
  private hostPortKeys(protocol: string, port: number): string[] {
    const name = hostPortPrefix(protocol, port);
    let keys = this.listed.get(name);
    if (!keys) {
      keys = this.cache.claimKeysUnder('host-ports', name);
      for (const k of keys) this.snap(k);
      this.listed.set(name, keys);
    }
    return keys;
  }

  /** Refuses publishing a port in one mode that another service publishes in the other. */
  private checkPortMode(c: Claim, service: Service): void {
    const { protocol, port } = portOfClaim(c.name);
    const clash = (mode: 'ingress' | 'host', holder: string) =>
      portModeClash(
        { protocol, port, mode },
        service,
        holder,
        this.view(objectKey('service', holder)) as Service | undefined,
      );
    if (c.space === 'host-ports') {
      const holder = this.ownerOf(
        claimKey('ingress-ports', ingressPortClaim(protocol, port)),
        'ingress-ports',
      );
      if (holder !== undefined && holder !== service.id) throw clash('host', holder);
      return;
    }
    const prefix = claimKey('host-ports', hostPortPrefix(protocol, port));
    const keys = new Set(this.hostPortKeys(protocol, port));
    for (const k of this.claimedHere.keys()) if (k.startsWith(prefix)) keys.add(k);
    for (const k of keys) {
      const holder = this.ownerOf(k, 'host-ports');
      if (holder !== undefined && holder !== service.id) throw clash('ingress', holder);
    }
  }

  /** The claim's holder in this tx: an object written here that holds it, else the stored
   * owner unless this tx's write of that owner gave it up. */
  private ownerOf(key: string, space: ClaimSpace): string | undefined {
    const here = this.claimedHere.get(key);
    if (here) return here;
    const owner = this.snap(key).doc;
    if (typeof owner !== 'string') return undefined;
    const ownerWrite = this.ownerWrite(space, owner);
    if (ownerWrite && !this.holds(ownerWrite.kind, ownerWrite.final, key)) return undefined;
    return owner;
  }

  /** This tx's write of a claim's owner (owners of some spaces are of several kinds). */
  private ownerWrite(space: ClaimSpace, owner: string): Unit | undefined {
    for (const kind of claimOwnerKinds[space]) {
      const w = this.writes.get(objectKey(kind, owner));
      if (w) return w;
    }
    return undefined;
  }

  private ownerDoc(space: ClaimSpace, owner: string): unknown {
    for (const kind of claimOwnerKinds[space]) {
      const doc = this.view(objectKey(kind, owner));
      if (doc !== undefined) return doc;
    }
    return undefined;
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
      if (c.space === 'ingress-ports' || c.space === 'host-ports')
        this.checkPortMode(c, doc as Service);
      const owner = this.ownerOf(ck, c.space);
      if (owner === undefined || owner === doc.id) continue;
      throw claimTaken(c, doc, owner, this.ownerDoc(c.space, owner));
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
