// A context bundle: one file with everything a context needs (manager addresses, CA certificate,
// client certificate and key), written by `cluster admin add` and `context export`, read by
// `context import`. It holds a private key: written 0600, never to a file that already exists.
import { readFileSync, writeFileSync } from 'node:fs';
import { FlotillaError } from '../../shared/errors/index.js';
import type { ContextPem } from './store.js';

export interface ContextBundle extends ContextPem {
  kind: 'flotilla-context';
  version: 1;
  name: string;
  clusterId: string;
  managers: string[];
  description?: string;
}

export function makeBundle(b: Omit<ContextBundle, 'kind' | 'version'>): ContextBundle {
  return { kind: 'flotilla-context', version: 1, ...b };
}

/** Writes the bundle to `file` (0600; refuses to overwrite), or returns its text for stdout. */
export function writeBundle(b: ContextBundle, file: string): void {
  try {
    writeFileSync(file, JSON.stringify(b, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FlotillaError(
      'INVALID_ARGUMENT',
      { detail: code === 'EEXIST' ? `${file} already exists` : `cannot write ${file}: ${code}` },
      { cause: err },
    );
  }
}

export function readBundle(file: string, text?: string): ContextBundle {
  const bad = (reason: string) => new FlotillaError('CONTEXT_BUNDLE_INVALID', { file, reason });
  let doc: Partial<ContextBundle>;
  try {
    doc = JSON.parse(text ?? readFileSync(file, 'utf8')) as Partial<ContextBundle>;
  } catch (err) {
    throw bad((err as NodeJS.ErrnoException).code ?? 'not JSON');
  }
  if (doc.kind !== 'flotilla-context' || doc.version !== 1) throw bad('unknown kind or version');
  for (const k of ['name', 'clusterId', 'caCertPem', 'certPem', 'keyPem'] as const)
    if (typeof doc[k] !== 'string' || !doc[k]) throw bad(`${k} is missing`);
  if (!Array.isArray(doc.managers) || doc.managers.length === 0) throw bad('managers is missing');
  return doc as ContextBundle;
}
