// Lists every key the stack schema (schema.ts) allows, as key paths, next to its decision, and
// renders that list as the Markdown table of docs/design/stack.md. Children of an ignored or
// refused key need no decision of their own; children of an honoured key each need one.
import {
  keyDecisions,
  keysOutsideSchema,
  type KeyDecision,
  type KeyPath,
} from './key-decisions.js';
import { SECTIONS, sectionSchema } from './key-rules.js';
import type { Schema } from './schema.js';

export interface KeyRow {
  key: KeyPath;
  decision?: KeyDecision;
}

/** Every key path the schema allows for each section entry, in schema order. */
export function schemaKeys(
  schemaOf: (section: (typeof SECTIONS)[number]) => Schema = sectionSchema,
  decisions: Record<KeyPath, KeyDecision> = keyDecisions,
): KeyRow[] {
  const rows: KeyRow[] = [];
  const seen = new Set<KeyPath>();
  const visit = (s: Schema | undefined, key: KeyPath): void => {
    if (!s) return;
    if ('oneOf' in s) return s.oneOf.forEach((b) => visit(b, key));
    visit(s.items, key);
    for (const [, named] of s.pattern ?? []) visit(named, key);
    for (const [k, child] of Object.entries(s.props ?? {})) {
      const childKey = `${key}.${k}`;
      if (seen.has(childKey)) continue;
      seen.add(childKey);
      const decision = Object.hasOwn(decisions, childKey) ? decisions[childKey] : undefined;
      rows.push({ key: childKey, decision });
      if (decision?.status === 'honoured') visit(child, childKey);
    }
  };
  for (const section of SECTIONS) visit(schemaOf(section), section);
  return rows;
}

/** Decisions for keys the schema does not have and that are not declared as outside it. */
export function staleDecisions(rows: KeyRow[] = schemaKeys()): KeyPath[] {
  const inSchema = new Set(rows.map((r) => r.key));
  return Object.keys(keyDecisions).filter((k) => !inSchema.has(k) && !keysOutsideSchema.has(k));
}

function describe(d: KeyDecision): [string, string] {
  switch (d.status) {
    case 'honoured':
      return [
        'honoured',
        d.only ? `${d.by}; other values ${d.only.otherwise}: ${d.only.why}` : d.by,
      ];
    case 'warned':
      return ['warned', d.why ?? 'ignored, as `docker stack deploy` ignores it'];
    case 'deprecated':
      return ['warned (deprecated)', d.why];
    case 'refused':
      return ['refused', d.why];
  }
}

/** The Markdown table: one row per key of the schema plus the decided keys outside it. */
export function renderKeyTable(): string {
  const rows = schemaKeys();
  const listed = new Set(rows.map((r) => r.key));
  for (const k of Object.keys(keyDecisions))
    if (!listed.has(k)) rows.push({ key: k, decision: keyDecisions[k] });
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['| Key | Decision | By / why |', '| --- | --- | --- |'];
  for (const r of rows) {
    const [status, note] = r.decision ? describe(r.decision) : ['**undecided**', ''];
    lines.push(`| \`${r.key}\` | ${status} | ${esc(note)} |`);
  }
  return `${lines.join('\n')}\n`;
}
