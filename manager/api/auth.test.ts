import { describe, expect, it } from 'vitest';
import { nodeFixture } from '../store/fixtures.js';
import { authorizeIdentity } from './auth.js';

describe('authorizeIdentity', () => {
  const nodes = new Map([
    [
      'mgr',
      nodeFixture({ id: 'mgr', spec: { role: 'manager', availability: 'active', labels: {} } }),
    ],
    [
      'demoted',
      nodeFixture({ id: 'demoted', spec: { role: 'worker', availability: 'active', labels: {} } }),
    ],
  ]);
  const deps = (revoked: string[] = []) => ({
    node: (id: string) => nodes.get(id),
    isRevoked: (id: string) => revoked.includes(id),
  });

  it('lets admins, manager nodes and manager processes (no node record) in', () => {
    expect(authorizeIdentity({ nodeId: 'a1', role: 'admin' }, deps())).toBeUndefined();
    expect(authorizeIdentity({ nodeId: 'mgr', role: 'manager' }, deps())).toBeUndefined();
    expect(authorizeIdentity({ nodeId: 'process', role: 'manager' }, deps())).toBeUndefined();
  });

  it('refuses a manager certificate whose node the store says is a worker now', () => {
    expect(authorizeIdentity({ nodeId: 'demoted', role: 'manager' }, deps())?.code).toBe(
      'MANAGER_ROLE_REVOKED',
    );
  });

  it('refuses revoked admins and nodes, and workers', () => {
    expect(authorizeIdentity({ nodeId: 'a1', role: 'admin' }, deps(['a1']))?.code).toBe(
      'ADMIN_REVOKED',
    );
    expect(authorizeIdentity({ nodeId: 'mgr', role: 'manager' }, deps(['mgr']))?.code).toBe(
      'CERTIFICATE_REVOKED',
    );
    expect(authorizeIdentity({ nodeId: 'w', role: 'worker' }, deps())?.code).toBe(
      'PERMISSION_DENIED',
    );
  });
});
