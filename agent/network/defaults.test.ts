import { describe, expect, it } from 'vitest';
import { namesFor } from './defaults.js';

describe('namesFor', () => {
  it('keeps the documented names on the default data root and derives others elsewhere', () => {
    expect(namesFor('/var/lib/flotilla/')).toEqual({
      namePrefix: 'flt',
      bridgeName: 'flt0',
      chainPrefix: 'FLOTILLA',
    });
    const a = namesFor('/tmp/agent-a');
    const b = namesFor('/tmp/agent-b');
    expect(a.namePrefix).toMatch(/^f[0-9a-f]{3}$/);
    expect(a.bridgeName.length).toBeLessThanOrEqual(15);
    expect(a.chainPrefix).toMatch(/^FLOTILLA-[0-9A-F]{3}$/);
    expect(a).not.toEqual(b);
  });
});
