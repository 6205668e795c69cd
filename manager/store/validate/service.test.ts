import { describe, expect, it } from 'vitest';
import { serviceSpecFixture } from '../fixtures.js';
import { checkServiceSpec } from './index.js';

const reason = (spec: unknown) => {
  try {
    checkServiceSpec(spec);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('service spec validation (what the API accepts)', () => {
  it('refuses a spec that is both replicated and global', () => {
    const spec = {
      ...serviceSpecFixture('web'),
      mode: { replicated: { replicas: 2 }, global: {} },
    };
    expect(reason(spec)).toMatch(/spec\.mode.*either replicated or global/);
  });

  it('refuses integers beyond 2^53 (absurd numbers)', () => {
    const spec = serviceSpecFixture('web');
    spec.taskTemplate.resources = { limits: { nanoCpus: 1e30 }, reservations: {} };
    expect(reason(spec)).toMatch(/nanoCpus.*out of range/);
  });
});
