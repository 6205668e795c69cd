import { describe, expect, it } from 'vitest';
import type { IngressService } from './ingress.js';
import { diffIngress, IngressSet } from './ingress-changes.js';

const svc = (id: string, addrs: string[], published = 8080): IngressService => ({
  serviceId: id,
  name: `svc-${id}`,
  ports: [{ published, target: 80, protocol: 'tcp' }],
  addrs: [...addrs].sort(),
});

/** A small deterministic random generator (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSet(r: () => number): IngressService[] {
  const out: IngressService[] = [];
  for (const id of ['a', 'b', 'c', 'd'])
    if (r() < 0.7) {
      const addrs = Array.from({ length: 8 }, (_, i) => `10.0.0.${i}`).filter(() => r() < 0.5);
      out.push(svc(id, addrs, r() < 0.8 ? 8080 : 9090));
    }
  return out.sort((x, y) => x.name.localeCompare(y.name));
}

describe('diffIngress / IngressSet', () => {
  it('sends only the addresses that changed', () => {
    const before = [svc('a', ['10.0.0.1', '10.0.0.2'])];
    const after = [svc('a', ['10.0.0.2', '10.0.0.3'])];
    expect(diffIngress(before, after)).toEqual([
      { serviceId: 'a', addedAddrs: ['10.0.0.3'], removedAddrs: ['10.0.0.1'] },
    ]);
    expect(diffIngress(after, after)).toEqual([]);
  });

  it('sends the whole entry of a new service or changed ports, and removals', () => {
    const before = [svc('a', ['10.0.0.1']), svc('b', ['10.0.0.2'])];
    const after = [svc('a', ['10.0.0.1'], 9090), svc('c', [])];
    expect(diffIngress(before, after)).toEqual([
      { serviceId: 'a', set: after[0] },
      { serviceId: 'c', set: after[1] },
      { serviceId: 'b', removed: true },
    ]);
  });

  it('applying the diff of any two sets gives the second, in the same order', () => {
    const r = rng(42);
    for (let i = 0; i < 500; i++) {
      const a = randomSet(r);
      const b = randomSet(r);
      const set = new IngressSet();
      set.replace(a);
      set.apply(diffIngress(a, b));
      expect(set.list()).toEqual(b);
    }
  });
});
