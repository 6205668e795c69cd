// Compares our normalisation with `docker stack config` on the 40 real stack files of
// test/fixtures/stacks/cases (outputs captured once by test/fixtures/stacks/generate.sh):
// the same document as data where docker accepts a file, a rejection where docker rejects it.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadStackConfig } from './load.js';
import { toDocument } from './render.js';

const root = fileURLToPath(new URL('../../test/fixtures/stacks/', import.meta.url));
const casesDir = `${root}cases`;
const caseEnv = JSON.parse(readFileSync(`${root}case-env.json`, 'utf8')) as Record<
  string,
  Record<string, string>
>;
const expected = readdirSync(`${root}expected`).sort();

function load(name: string) {
  const file = `${name.replace(/@.*$/, '')}.yml`;
  const env = { HOME: '/home/user', PATH: '/usr/bin:/bin', ...(caseEnv[name] ?? {}) };
  return loadStackConfig([file], { cwd: casesDir, env, dotEnv: false });
}

/** Paths under test/fixtures/stacks/ are written as $FIXTURES/ in the fixtures. */
function portable(doc: unknown): unknown {
  return JSON.parse(JSON.stringify(doc).split(root).join('$FIXTURES/'));
}

describe('docker stack config parity', () => {
  for (const entry of expected.filter((e) => e.endsWith('.yml'))) {
    const name = entry.slice(0, -4);
    it(`normalises ${name} as docker does`, () => {
      const want = parse(readFileSync(`${root}expected/${entry}`, 'utf8'), { version: '1.2' });
      const got = portable(toDocument(load(name).config));
      expect(got).toEqual(want);
    });
  }
  for (const entry of expected.filter((e) => e.endsWith('.error'))) {
    const name = entry.slice(0, -6);
    it(`rejects ${name} as docker does`, () => {
      expect(() => load(name)).toThrow();
    });
  }
});
