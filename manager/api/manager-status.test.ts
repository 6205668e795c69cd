import { describe, expect, it } from 'vitest';
import type { Node } from '../../shared/model/index.js';
import { nodeFixture } from '../store/fixtures.js';
import { managerStatusOf, withManagerStatus } from './manager-status.js';

const managerNode = (addr: string, id?: string): Node =>
  nodeFixture({
    ...(id ? { id } : {}),
    description: { ...nodeFixture().description, addr },
    spec: { role: 'manager', availability: 'active', labels: {} },
  });
const m = (managerId: string, host: string) => ({
  managerId,
  apiAddr: `${host}:4243`,
  grpcAddr: `${host}:4242`,
});
const a = m('mgr-a', '10.0.0.1');
const b = m('mgr-b', '10.0.0.2');

describe('managerStatusOf', () => {
  it('calls the manager node whose manager holds the election Leader', () => {
    const view = { managers: [a, b], leader: a };
    expect(managerStatusOf(managerNode('10.0.0.1'), view)).toEqual({
      leader: true,
      reachability: 'reachable',
      addr: '10.0.0.1:4242',
    });
  });

  it('calls a manager node with a live manager that does not lead reachable', () => {
    const view = { managers: [a, b], leader: a };
    expect(managerStatusOf(managerNode('10.0.0.2'), view)).toEqual({
      leader: false,
      reachability: 'reachable',
      addr: '10.0.0.2:4242',
    });
  });

  it('matches a manager by node id as well as by address', () => {
    const view = { managers: [m('n1', '192.168.9.9')], leader: undefined };
    expect(managerStatusOf(managerNode('10.0.0.7', 'n1'), view)?.reachability).toBe('reachable');
  });

  it('calls a manager node without a live manager unreachable', () => {
    const view = { managers: [a], leader: a };
    expect(managerStatusOf(managerNode('10.0.0.3'), view)).toEqual({
      leader: false,
      reachability: 'unreachable',
      addr: '10.0.0.3',
    });
  });

  it('gives workers no manager status, even on a manager machine', () => {
    const view = { managers: [a], leader: a };
    const worker = nodeFixture();
    expect(worker.description.addr).toBe('10.0.0.1');
    expect(managerStatusOf(worker, view)).toBeUndefined();
    expect(withManagerStatus(worker, view)).not.toHaveProperty('managerStatus');
  });

  it('understands bracketed IPv6 manager addresses', () => {
    const v6 = { managerId: 'v6', apiAddr: '[fd00::1]:4243', grpcAddr: '[fd00::1]:4242' };
    const view = { managers: [v6], leader: v6 };
    expect(managerStatusOf(managerNode('fd00::1'), view)?.leader).toBe(true);
  });
});
