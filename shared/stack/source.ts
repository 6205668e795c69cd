// Reads one stack file into plain data the way docker's compose loader sees it (YAML 1.2 core
// types plus Go yaml.v3's leading-zero octals, anchors, aliases and `<<` merge keys), and keeps
// where every value came from so later stages can name file:line:column in their errors.
// It refuses alias bombs and absurd nesting before building any data.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node as YamlNode,
  type ScalarTag,
} from 'yaml';
import { FlotillaError } from '../errors/index.js';
import type { Path, Position, Problems } from './problems.js';

/** Most alias expansions a file may cause (the yaml package's maxAliasCount). */
export const MAX_ALIAS_COUNT = 1000;
/** Deepest nesting of mappings and sequences accepted; real stack files stay under 12. */
export const MAX_DEPTH = 64;
/** Nodes reached through aliases that are still indexed for positions. */
const MAX_INDEXED_ALIAS_NODES = 20_000;

export interface SourceFile {
  /** The name used in messages (as given on the command line). */
  file: string;
  data: Record<string, unknown>;
  /** Position of the value (or key, for mapping entries) at a path. */
  positionOf(path: Path): Position | undefined;
}

// Go's yaml.v3 reads 0440 as octal (file modes); YAML 1.2 core would read 440.
const goOctal: ScalarTag = {
  identify: (v) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: /^[-+]?0[0-7]+$/,
  resolve: (s) => {
    const neg = s.startsWith('-');
    const digits = s.replace(/^[-+]?0/, '');
    const n = parseInt(digits, 8);
    return neg ? -n : n;
  },
};

const key = (path: Path) => path.join('\u0000');

export function parseSource(
  file: string,
  text: string,
  problems: Problems,
): SourceFile | undefined {
  checkFlowDepth(file, text);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    merge: true,
    prettyErrors: false,
    // The yaml package's uniqueKeys compares every key with every other (quadratic: 24 000
    // services took 8 s); checkDepthAndIndex finds duplicates with a set per mapping instead.
    uniqueKeys: false,
    customTags: (tags) => [goOctal, ...tags],
  });
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      problems.add(at(e.pos[0]), '', yamlMessage(e.message));
    }
    return undefined;
  }

  const positions = new Map<string, Position>();
  const duplicates = checkDepthAndIndex(file, doc.contents as YamlNode | null, positions, at);
  for (const d of duplicates) problems.add(d.pos, d.path, `duplicate key "${d.key}"`);
  if (duplicates.length > 0) return undefined;

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof Error && /alias/i.test(err.message)) {
      throw new FlotillaError(
        'STACK_ALIAS_LIMIT',
        { file, limit: MAX_ALIAS_COUNT },
        { cause: err },
      );
    }
    if (err instanceof RangeError) {
      throw new FlotillaError('STACK_DEPTH_LIMIT', {
        file,
        line: 1,
        column: 1,
        limit: MAX_DEPTH,
      });
    }
    throw err;
  }
  if (data === null || data === undefined) {
    // Nothing but comments or blanks: docker says "top-level object must be a mapping".
    problems.add({ file, line: 1, column: 1 }, '', 'the file is empty: it defines no services');
    return undefined;
  }
  // Aliases share objects in toJS output; later stages rewrite values in place.
  data = structuredClone(data);
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.add(at(0), '', 'top-level object must be a mapping');
    return undefined;
  }
  const positionOf = (path: Path): Position | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const p = positions.get(key(path.slice(0, n)));
      if (p) return p;
    }
    return undefined;
  };
  return { file, data: data as Record<string, unknown>, positionOf };
}

function yamlMessage(msg: string): string {
  // The yaml package appends "at line N, column M" and a code excerpt; we print our own position.
  return msg.replace(/ at line \d+, column \d+[\s\S]*$/, '').trim();
}

/**
 * Walks the document once: fails on nesting deeper than MAX_DEPTH (without recursing past it,
 * so a hostile file cannot overflow the stack) and records the position of every path. Paths
 * reached through aliases and merge keys are indexed up to a budget; beyond it, lookups fall back
 * to the nearest indexed parent.
 */
function checkDepthAndIndex(
  file: string,
  root: YamlNode | null,
  positions: Map<string, Position>,
  at: (offset: number) => Position,
): { key: string; path: Path; pos: Position }[] {
  const duplicates: { key: string; path: Path; pos: Position }[] = [];
  let aliasBudget = MAX_INDEXED_ALIAS_NODES;
  const visit = (node: unknown, path: Path, depth: number, viaAlias: boolean): void => {
    if (!node || typeof node !== 'object') return;
    if (viaAlias && --aliasBudget < 0) return;
    if (isAlias(node)) {
      if (viaAlias) return; // aliases inside aliased content: positions of the parent suffice
      const target = node.resolve(undefined as never);
      visit(target, path, depth, true);
      return;
    }
    const n = node as YamlNode;
    if (n.range && !positions.has(key(path))) positions.set(key(path), at(n.range[0]));
    if (isMap(n) || isSeq(n)) {
      if (depth >= MAX_DEPTH) {
        const pos = n.range ? at(n.range[0]) : { line: 1, column: 1 };
        throw new FlotillaError('STACK_DEPTH_LIMIT', {
          file,
          line: pos.line,
          column: pos.column,
          limit: MAX_DEPTH,
        });
      }
    }
    if (isMap(n)) {
      const merges: unknown[] = [];
      const keys = new Set<unknown>();
      for (const item of n.items) {
        if (!isPair(item)) continue;
        const k = isScalar(item.key) ? item.key.value : item.key;
        if (isScalar(item.key) && !viaAlias) {
          if (keys.has(k)) {
            const r = (item.key as YamlNode).range;
            duplicates.push({ key: String(k), path: [...path, String(k)], pos: at(r ? r[0] : 0) });
          }
          keys.add(k);
        }
        if (k === '<<' && isScalar(item.key)) {
          merges.push(item.value);
          continue;
        }
        const childPath = [...path, String(k)];
        const keyNode = item.key as YamlNode | null;
        // Errors about a mapping entry point at its value; fall back to the key.
        const valueNode = item.value as YamlNode | null;
        const range = valueNode && !isAlias(valueNode) ? valueNode.range : keyNode?.range;
        if (range && !positions.has(key(childPath))) positions.set(key(childPath), at(range[0]));
        visit(item.value, childPath, depth + 1, viaAlias);
      }
      // Merged keys come after the map's own keys, which win.
      for (const m of merges) {
        const sources = isSeq(m) ? m.items : [m];
        for (const s of sources) visit(s, path, depth, viaAlias);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => visit(item, [...path, i], depth + 1, viaAlias));
    }
  };
  visit(root, [], 0, false);
  return duplicates;
}

/**
 * The yaml parser recurses on flow collections ([[[[...), so deep ones are refused before
 * parsing; block nesting is bounded by indentation and checked on the parsed document.
 */
function checkFlowDepth(file: string, text: string): void {
  let depth = 0;
  let line = 1;
  let col = 0;
  let quote = '';
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    col++;
    if (c === '\n') {
      line++;
      col = 0;
      comment = false;
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) comment = true;
    else if (c === '"' || c === "'") {
      if (i === 0 || /[\s[{,:]/.test(text[i - 1])) quote = c;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_DEPTH) {
        throw new FlotillaError('STACK_DEPTH_LIMIT', { file, line, column: col, limit: MAX_DEPTH });
      }
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
}
