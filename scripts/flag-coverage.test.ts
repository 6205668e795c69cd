// Keeps docs/flags.md in step with the CLI and its tests, and fails when a flag that no test drives
// appears (a new flag comes with its test). Flags untested before this check existed are listed in
// scripts/flag-coverage-baseline.json; the list may only shrink.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flagCoverage, renderFlagsDoc, type FlagRow } from './flag-coverage.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const docPath = join(root, 'docs/flags.md');
const baselinePath = join(root, 'scripts/flag-coverage-baseline.json');
const key = (r: FlagRow) => `${r.command} ${r.flag}`;

describe('CLI flag coverage', () => {
  it('lists every flag with the test that drives it, and no new flag goes untested', async () => {
    const rows = await flagCoverage(root);
    const doc = renderFlagsDoc(rows);
    const uncovered = rows.filter((r) => !r.covered).map(key);
    if (process.env.UPDATE_FLAGS_DOC === '1') {
      writeFileSync(docPath, doc);
      writeFileSync(baselinePath, JSON.stringify(uncovered, null, 2) + '\n');
    }
    const baseline = new Set(JSON.parse(readFileSync(baselinePath, 'utf8')) as string[]);
    expect(
      uncovered.filter((k) => !baseline.has(k)),
      'flags with no test',
    ).toEqual([]);
    expect(readFileSync(docPath, 'utf8'), 'docs/flags.md is out of date').toBe(doc);
  });

  it('finds a flag only in a test that also names its command', async () => {
    const rows = await flagCoverage(root);
    const expose = rows.find((r) => r.command === 'run' && r.flag === '--expose');
    expect(expose?.covered?.file).toBe('test/integration/runtime/resources.test.ts');
    // `--expose` is a `run` flag: no `service create --expose` row borrows its test.
    expect(rows.some((r) => r.command === 'service create' && r.flag === '--expose')).toBe(false);
  });

  it('credits a flag only to an invocation of its own command', async () => {
    const rows = await flagCoverage(root);
    const row = (command: string, flag: string) =>
      rows.find((r) => r.command === command && r.flag === flag);
    // query.test.ts passes `load -i` and `create` in other invocations; a metrics test `rm -f`.
    expect(row('create', '--interactive')?.covered?.file).not.toBe(
      'test/integration/engine-api/query.test.ts',
    );
    expect(row('image rm', '--force')?.covered?.file).not.toBe(
      'test/integration/engine-api/query.test.ts',
    );
    expect(row('load', '--input')?.covered).toBeDefined();
  });
});
