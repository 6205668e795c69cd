// Checks Secret and Config documents, and the secret/config references of a container spec. A
// secret document must never carry its data in clear: only `sealed` (manager/secrets/cipher.ts).
import {
  fileTargetProblem,
  maxSecretBytes,
  secretNameProblem,
} from '../../../shared/model/index.js';
import { arr, fail, int, obj, optInt, optStr, str, strMap, time, type Obj } from './check.js';

function meta(d: Obj, kind: 'secret' | 'config'): Obj {
  str(d.id, 'id', { nonEmpty: true });
  int(d.version, 'version', { min: 0 });
  time(d.createdAt, 'createdAt');
  time(d.updatedAt, 'updatedAt');
  const spec = obj(d.spec, 'spec');
  const problem = secretNameProblem(str(spec.name, 'spec.name'));
  if (problem) fail('spec.name', problem);
  strMap(spec.labels, 'spec.labels');
  if (kind === 'secret' && 'data' in spec) fail('spec.data', 'a secret is stored sealed only');
  return spec;
}

export function validateSecret(v: unknown): void {
  const d = obj(v, 'secret');
  meta(d, 'secret');
  str(d.sealed, 'sealed', { nonEmpty: true });
  str(d.keyId, 'keyId', { nonEmpty: true });
  int(d.sizeBytes, 'sizeBytes', { min: 0, max: maxSecretBytes });
}

export function validateConfig(v: unknown): void {
  const d = obj(v, 'config');
  const spec = meta(d, 'config');
  const data = str(spec.data, 'spec.data');
  if (Buffer.byteLength(data, 'base64') > maxSecretBytes)
    fail('spec.data', `must be at most ${maxSecretBytes} bytes`);
}

/**
 * containerSpec.secrets / configs. As written by a client only the name is required; the manager
 * fills in the id and defaults (manager/secrets/references.ts) before storing.
 */
export function fileReferences(v: unknown, f: string): void {
  if (v === undefined) return;
  const targets = new Set<string>();
  arr(v, f, (item, rf) => {
    const r = obj(item, rf);
    optStr(r.id, `${rf}.id`);
    const problem = secretNameProblem(str(r.name, `${rf}.name`));
    if (problem) fail(`${rf}.name`, problem);
    const target = optStr(r.target, `${rf}.target`) ?? (r.name as string);
    const bad = fileTargetProblem(target);
    if (bad) fail(`${rf}.target`, bad);
    if (targets.has(target)) fail(`${rf}.target`, `${target} is used twice`);
    targets.add(target);
    for (const k of ['uid', 'gid'] as const)
      if (!/^\d*$/.test(optStr(r[k], `${rf}.${k}`) ?? '')) fail(`${rf}.${k}`, 'must be a number');
    optInt(r.mode, `${rf}.mode`, { min: 0, max: 0o7777 });
  });
}
