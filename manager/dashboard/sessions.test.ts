import { describe, expect, it } from 'vitest';
import { DashboardSessions } from './sessions.js';

const admin = { nodeId: 'a1', role: 'admin' as const };

function sessions(now = { t: 1_000_000 }) {
  return { now, s: new DashboardSessions({ clock: { now: () => now.t } }) };
}

describe('DashboardSessions', () => {
  it('exchanges a login token once for a session bound to its admin', () => {
    const { s } = sessions();
    const { token } = s.mintToken(admin);
    const session = s.exchange(token)!;
    expect(session.identity).toEqual(admin);
    expect(s.session(session.id)).toBe(session);
    expect(s.exchange(token)).toBeUndefined();
  });

  it('refuses a token after it expires, and ends a session after its lifetime', () => {
    const { s, now } = sessions();
    const late = s.mintToken(admin).token;
    const { token } = s.mintToken(admin);
    const session = s.exchange(token)!;
    now.t += s.tokenTtlMs;
    expect(s.exchange(late)).toBeUndefined();
    now.t += s.sessionTtlMs;
    expect(s.session(session.id)).toBeUndefined();
  });

  it('refuses an unknown token and an unknown session', () => {
    const { s } = sessions();
    expect(s.exchange('nope')).toBeUndefined();
    expect(s.session('nope')).toBeUndefined();
    expect(s.session(undefined)).toBeUndefined();
  });

  it('compares the CSRF header with the session in full', () => {
    const { s } = sessions();
    const session = s.exchange(s.mintToken(admin).token)!;
    expect(DashboardSessions.csrfMatches(session, session.csrf)).toBe(true);
    expect(DashboardSessions.csrfMatches(session, session.csrf.slice(1))).toBe(false);
    expect(DashboardSessions.csrfMatches(session, undefined)).toBe(false);
  });
});
