// The commit contract between StoreCore and its backends (etcd, in memory): the compares and
// operations of one transaction, its result, and the raw keys and events fed back into the cache.
/**
 * Expected mod_revision of a key at commit; 0 means the key must not exist. With `rangeEnd`, no
 * key may exist in [key, rangeEnd) (etcd: Version == 0 over the range; modRevision is then 0).
 */
export interface Compare {
  key: string;
  modRevision: number;
  rangeEnd?: string;
}
/** `doc`: the validated document a put's value encodes, when the writer has it (see ownWrites). */
export type Op =
  { type: 'put'; key: string; value: string; doc?: unknown } | { type: 'delete'; key: string };
export interface CommitResult {
  succeeded: boolean;
  /** Store revision after the commit (or at the failed compare). */
  revision: number;
  /** On failure: the current mod_revision of every compared key (0 = absent), and of the keys
   * found in compared ranges. */
  current?: Map<string, number>;
}
export interface RawKv {
  key: string;
  value: string;
  modRevision: number;
}
export type RawEvent =
  | { type: 'put'; key: string; value: string; modRevision: number }
  | { type: 'delete'; key: string; modRevision: number };
