// docs/status.md is a matrix of features, each with the tests that prove it (`file` › test name).
// This keeps it honest: every named file must exist and hold a test of exactly that name, and a
// row that claims anything but "missing" must name at least one test.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const states = ['works', 'partial', 'not wired', 'missing'];
const reference = /`([^`]+\.test\.ts)` › (.*?)(?=; `[^`]+\.test\.ts` › | — |$)/g;

interface Row {
  line: number;
  feature: string;
  state: string;
  tests: { file: string; name: string }[];
}

/** The table rows of the matrix (header and separator rows left out); `\|` is a literal bar. */
export function parseMatrix(markdown: string): Row[] {
  const rows: Row[] = [];
  markdown.split('\n').forEach((text, i) => {
    if (!text.startsWith('|')) return;
    const cells = text
      .slice(1, text.trimEnd().endsWith('|') ? text.trimEnd().length - 1 : undefined)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));
    if (cells.length !== 3 || cells[1] === 'state' || /^-+$/.test(cells[1])) return;
    const tests = [...cells[2].matchAll(reference)].map((m) => ({ file: m[1], name: m[2] }));
    rows.push({ line: i + 1, feature: cells[0], state: cells[1], tests });
  });
  return rows;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every way the matrix can be wrong, one line each; empty when it is true to the tests. */
export function checkMatrix(markdown: string, base: string): string[] {
  const problems: string[] = [];
  for (const row of parseMatrix(markdown)) {
    const at = `docs/status.md:${row.line} (${row.feature})`;
    if (!states.includes(row.state)) problems.push(`${at}: unknown state "${row.state}"`);
    if (row.state !== 'missing' && row.tests.length === 0)
      problems.push(`${at}: "${row.state}" names no test`);
    for (const t of row.tests) {
      const path = join(base, t.file);
      if (!existsSync(path)) {
        problems.push(`${at}: no file ${t.file}`);
        continue;
      }
      const call = new RegExp(`\\b(it|test|describe)(\\.\\w+)*\\(\\s*(['"\`])${escape(t.name)}\\3`);
      if (!call.test(readFileSync(path, 'utf8')))
        problems.push(`${at}: no test "${t.name}" in ${t.file}`);
    }
  }
  return problems;
}

describe('docs/status.md', () => {
  const doc = readFileSync(join(root, 'docs/status.md'), 'utf8');

  it('names only tests that exist, and a test for every claim', () => {
    expect(parseMatrix(doc).length).toBeGreaterThan(40);
    expect(checkMatrix(doc, root)).toEqual([]);
  });

  it('catches a missing file, a renamed test and a claim without a test', () => {
    const planted = [
      '| feature | state | proved by |',
      '| ------- | ----- | --------- |',
      '| a | works | `test/e2e/nowhere.test.ts` › does it |',
      '| b | works | `scripts/status-matrix.test.ts` › a test that is not there |',
      '| c | partial | — |',
      '| d | works | `scripts/status-matrix.test.ts` › names only tests that exist, and a test for every claim |',
      '| e | missing | — |',
    ].join('\n');
    expect(checkMatrix(planted, root)).toEqual([
      'docs/status.md:3 (a): no file test/e2e/nowhere.test.ts',
      'docs/status.md:4 (b): no test "a test that is not there" in scripts/status-matrix.test.ts',
      'docs/status.md:5 (c): "partial" names no test',
    ]);
  });

  it('reads escaped bars and a remark after the test name', () => {
    const [row] = parseMatrix(
      '| x | partial | `a.test.ts` › one \\| two; `b.test.ts` › three — but not four |',
    );
    expect(row.tests).toEqual([
      { file: 'a.test.ts', name: 'one | two' },
      { file: 'b.test.ts', name: 'three' },
    ]);
  });
});
