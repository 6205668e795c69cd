import { describe, expect, it } from 'vitest';
import { MemberChoice } from './member-choice.js';

const own = 'https://127.0.0.1:1';
const b = 'https://10.0.0.2:2';
const c = 'https://10.0.0.3:3';

function make(members = [own, b, c]) {
  const clock = { t: 1_000, now: () => clock.t };
  let r = 0;
  // A fixed sequence instead of Math.random: the others come in a known order.
  const choice = new MemberChoice({ own, members, clock, random: () => (r = (r + 0.37) % 1) });
  return { choice, clock };
}

describe('MemberChoice', () => {
  it('puts the own member first, then every other member once', () => {
    const { choice } = make();
    for (let i = 0; i < 10; i++) {
      const order = choice.order();
      expect(order[0]).toBe(own);
      expect(order.slice(1).sort()).toEqual([b, c]);
    }
  });

  it('puts a failed own member last for 5 s, then first again', () => {
    const { choice, clock } = make();
    choice.failed(own);
    expect(choice.order().at(-1)).toBe(own);
    expect(choice.order().slice(0, 2).sort()).toEqual([b, c]);
    clock.t += 4_999;
    expect(choice.order().at(-1)).toBe(own);
    clock.t += 1;
    expect(choice.order()[0]).toBe(own);
  });

  it('takes a member back at once when it answers', () => {
    const { choice } = make();
    choice.failed(own);
    choice.answered(own);
    expect(choice.order()[0]).toBe(own);
  });

  it('tries the failed members last, the one that failed longest ago first', () => {
    const { choice, clock } = make();
    choice.failed(c);
    clock.t += 100;
    choice.failed(own);
    clock.t += 100;
    choice.failed(b);
    expect(choice.order()).toEqual([c, own, b]);
  });

  it('drops a member removed from the cluster and adds a new one', () => {
    const { choice } = make();
    const d = 'https://10.0.0.4:4';
    expect(choice.update([own, b, d])).toEqual({ added: [d], removed: [c] });
    expect(choice.order()[0]).toBe(own);
    expect([...choice.order()].sort()).toEqual([own, b, d].sort());
    // A failure of the dropped member is no longer recorded.
    choice.failed(c);
    expect(choice.order()).not.toContain(c);
  });

  it('forgets the failure of a removed member, so that it comes back healthy', () => {
    const { choice } = make();
    choice.failed(b);
    choice.update([own, c]);
    choice.update([own, b, c]);
    choice.failed(c);
    expect(choice.order()).toEqual([own, b, c]);
  });

  it('ignores an empty member list', () => {
    const { choice } = make();
    expect(choice.update([])).toEqual({ added: [], removed: [] });
    expect(choice.hosts).toHaveLength(3);
  });

  it('has no first member on an external etcd: the order is random among the healthy', () => {
    const clock = { now: () => 0 };
    const seen = new Set<string>();
    let r = 0;
    const choice = new MemberChoice({
      members: [b, c],
      clock,
      random: () => (r = (r + 0.61) % 1),
    });
    for (let i = 0; i < 10; i++) seen.add(choice.order()[0]);
    expect(seen).toEqual(new Set([b, c]));
  });
});
