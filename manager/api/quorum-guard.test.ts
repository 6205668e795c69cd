import { describe, expect, it } from 'vitest';
import { QuorumGuard } from './quorum-guard.js';

describe('QuorumGuard', () => {
  it('refuses with NO_QUORUM only after the tolerance without a leader, and lets go once one is back', async () => {
    let now = 0;
    let leader = '7';
    let fail = false;
    const guard = new QuorumGuard({
      status: async () => {
        if (fail) throw new Error('connect ECONNREFUSED');
        return { leader };
      },
      clock: { now: () => now },
      toleranceMs: 3000,
    });
    await guard.look();
    expect(() => guard.check()).not.toThrow();
    leader = '0';
    await guard.look();
    now = 2000; // an election takes a moment: not refused yet
    await guard.look();
    expect(() => guard.check()).not.toThrow();
    now = 3500;
    expect(() => guard.check()).toThrow(/no quorum.*elect no leader/);
    // A member that does not answer changes nothing, either way.
    fail = true;
    await guard.look();
    expect(() => guard.check()).toThrow(expect.objectContaining({ code: 'NO_QUORUM' }));
    fail = false;
    leader = '9';
    await guard.look();
    expect(() => guard.check()).not.toThrow();
    fail = true;
    now = 10_000;
    await guard.look();
    expect(() => guard.check()).not.toThrow();
  });
});
