// The secrets and configs of a stack deploy, inside the deploy's transaction. Each declared object
// has a logical name (`<stack>_<key>`); its first version takes that name, and content that differs
// from the current version becomes a new object `<name>-v<N>` (objects are immutable), so the
// services that use it get a new spec and roll. Versions no service spec (current or previous)
// uses any more are removed. Content is compared by opening the stored data, never by a digest
// kept in the clear.
import { FlotillaError } from '../../shared/errors/index.js';
import type { Config, Secret, ServiceSpec } from '../../shared/model/index.js';
import type { ObjectStore, StoreTx } from '../store/index.js';
import type { SecretsKeySource } from './data-key.js';
import { newConfig, newSecret, type FileObjectInput } from './objects.js';
import { filePayload } from './payload.js';
import { referencedIds, type FileKind } from './references.js';

export const STACK_OBJECT_LABEL = 'com.flotilla.stack.object';
const VERSION_LABEL = 'com.flotilla.stack.version';
const NAMESPACE = 'com.docker.stack.namespace';

export interface StackFileChange {
  kind: FileKind;
  /** The logical name (as services name it in the stack file). */
  name: string;
  /** The object holding the current content. */
  object: string;
  state: 'created' | 'new-version' | 'unchanged';
}

/**
 * Creates what is new or changed; returns logical name → object name for rewriting the specs'
 * references, and what changed (for the deploy's output). Objects are built before the
 * transaction (sealing needs the data key); `pick` runs inside it.
 */
export async function prepareStackFiles(
  keys: SecretsKeySource | undefined,
  kind: FileKind,
  stack: string,
  inputs: readonly FileObjectInput[],
): Promise<Map<string, Secret | Config>> {
  const out = new Map<string, Secret | Config>();
  for (const input of inputs) {
    if (input.labels?.[NAMESPACE] !== stack)
      throw new FlotillaError('SECRET_INVALID', {
        kind,
        field: `${input.name} label ${NAMESPACE}`,
        reason: `must be "${stack}"`,
      });
    const labels = { ...input.labels, [STACK_OBJECT_LABEL]: input.name };
    if (kind === 'secret') {
      if (!keys)
        throw new FlotillaError('SECRET_KEY_UNAVAILABLE', { reason: 'no key-encryption key' });
      out.set(input.name, await newSecret(keys, { ...input, labels }));
    } else out.set(input.name, newConfig({ ...input, labels }));
  }
  return out;
}

/** In the transaction: reuse the version with the same content, or create the next one. */
export function pickStackFiles(
  tx: StoreTx,
  store: ObjectStore,
  keys: SecretsKeySource | undefined,
  kind: FileKind,
  prepared: Map<string, Secret | Config>,
  inputs: readonly FileObjectInput[],
): { names: Map<string, string>; changes: StackFileChange[] } {
  const names = new Map<string, string>();
  const changes: StackFileChange[] = [];
  for (const input of inputs) {
    const versions = versionsOf(store, kind, input.name);
    const data = Buffer.from(input.data, 'base64');
    const same = versions.find((v) => filePayload(store, keys, kind, v.id)?.equals(data));
    if (same) {
      names.set(input.name, same.spec.name);
      changes.push({ kind, name: input.name, object: same.spec.name, state: 'unchanged' });
      continue;
    }
    const doc = structuredClone(prepared.get(input.name)!);
    const n = Math.max(0, ...versions.map((v) => Number(v.spec.labels[VERSION_LABEL] ?? 1))) + 1;
    doc.spec.name = n === 1 ? input.name : `${input.name}-v${n}`;
    doc.spec.labels[VERSION_LABEL] = String(n);
    tx.create(kind, doc as never);
    names.set(input.name, doc.spec.name);
    changes.push({
      kind,
      name: input.name,
      object: doc.spec.name,
      state: n === 1 ? 'created' : 'new-version',
    });
  }
  return { names, changes };
}

/** Points the specs' references at the versions picked (by logical name). */
export function renameReferences(spec: ServiceSpec, kind: FileKind, names: Map<string, string>) {
  const refs = spec.taskTemplate.containerSpec[kind === 'secret' ? 'secrets' : 'configs'];
  for (const r of refs ?? []) {
    const picked = names.get(r.name);
    if (picked && picked !== r.name) {
      r.name = picked;
      r.id = '';
    }
  }
}

/**
 * Removes the stack's versions that no service spec uses (current or previous, so a rollback
 * still finds its files). `specs`: every service spec as the transaction leaves it.
 */
export function pruneStackFiles(
  tx: StoreTx,
  store: ObjectStore,
  kind: FileKind,
  stack: string,
  specs: readonly { spec: ServiceSpec; previousSpec?: ServiceSpec }[],
  keep: ReadonlySet<string>,
): string[] {
  const used = new Set<string>();
  for (const s of specs)
    for (const spec of [s.spec, s.previousSpec])
      if (spec) for (const id of referencedIds({ spec }, kind)) used.add(id);
  const removed: string[] = [];
  for (const o of store.list(kind))
    if (
      o.spec.labels[NAMESPACE] === stack &&
      o.spec.labels[STACK_OBJECT_LABEL] &&
      o.spec.labels[VERSION_LABEL] &&
      !used.has(o.id) &&
      !keep.has(o.spec.name)
    ) {
      tx.delete(kind, o.id);
      removed.push(o.spec.name);
    }
  return removed;
}

function versionsOf(store: ObjectStore, kind: FileKind, logical: string): (Secret | Config)[] {
  return (store.list(kind) as (Secret | Config)[]).filter(
    (o) => o.spec.labels[STACK_OBJECT_LABEL] === logical,
  );
}
