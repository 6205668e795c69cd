// Each e2e and chaos file brings up its own simulated machines (deploy/lib/machines.sh). Two files
// on one LAN subnet or prefix would take each other's routes and links if one ever ran while the
// other's machines were still up (a run cut short, or two runs on one host): the registry of the
// second cluster then never answers. This keeps every file's names its own.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const DEFAULT = { prefix: 'fle', lan: '10.98.0' }; // test/e2e/cluster-harness.ts
const QUICKSTART = { prefix: 'flt', lan: '10.99.0' }; // deploy/quickstart.sh

function clusterNames(file: string): { prefix: string; lan: string } | undefined {
  const src = readFileSync(file, 'utf8');
  if (/deploy\/quickstart\.sh|quickstart\.sh/.test(src) && !/new Cluster\(/.test(src)) {
    return QUICKSTART;
  }
  if (!/new Cluster\(/.test(src)) return undefined;
  const prefix = /prefix:\s*'([a-z0-9]+)'/.exec(src)?.[1] ?? DEFAULT.prefix;
  const lan = /lan(?:\s*=|:)\s*'([\d.]+)'/.exec(src)?.[1] ?? DEFAULT.lan;
  return { prefix, lan };
}

describe('simulated machines of the e2e and chaos files', () => {
  it('gives every file a prefix and a LAN subnet of its own', () => {
    const seen = new Map<string, string>();
    let files = 0;
    for (const dir of ['test/e2e', 'test/chaos']) {
      for (const f of readdirSync(join(repo, dir)).filter((n) => n.endsWith('.test.ts'))) {
        const names = clusterNames(join(repo, dir, f));
        if (!names) continue;
        files++;
        for (const key of [`prefix ${names.prefix}`, `lan ${names.lan}`]) {
          expect(seen.get(key), `${dir}/${f} and ${seen.get(key)} share ${key}`).toBeUndefined();
          seen.set(key, `${dir}/${f}`);
        }
      }
    }
    expect(files).toBeGreaterThanOrEqual(12);
  });
});
