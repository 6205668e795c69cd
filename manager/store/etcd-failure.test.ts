import * as etcd3 from 'etcd3';
import { describe, expect, it } from 'vitest';
import { etcdFailure, isEtcdError } from './etcd-failure.js';

describe('etcdFailure', () => {
  it('says NO_QUORUM when etcd has no leader or times a request out', () => {
    for (const msg of ['etcdserver: no leader', 'etcdserver: request timed out'])
      expect(etcdFailure(new etcd3.GRPCUnavailableError(msg), 'e').code).toBe('NO_QUORUM');
    expect(etcdFailure(new etcd3.GRPCDeadlineExceededError('deadline'), 'e').code).toBe(
      'NO_QUORUM',
    );
  });

  it('says STORE_UNAVAILABLE when no member answers', () => {
    const e = etcdFailure(new etcd3.GRPCUnavailableError('connect ECONNREFUSED'), 'https://x:1');
    expect(e.code).toBe('STORE_UNAVAILABLE');
    expect(e.message).toContain('https://x:1');
  });

  it('knows the etcd client errors, its circuit breaker included, and nothing else', () => {
    const broken = Object.assign(new Error('circuit breaker is open'), {
      isBrokenCircuitError: true,
    });
    expect(isEtcdError(broken)).toBe(true);
    expect(isEtcdError(new etcd3.EtcdError('x'))).toBe(true);
    expect(isEtcdError(new Error('x'))).toBe(false);
  });
});
