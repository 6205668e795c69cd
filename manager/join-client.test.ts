import { afterEach, describe, expect, it } from 'vitest';
import {
  startFakeJoinServer,
  testCa,
  testLeaf,
  type FakeJoinServer,
} from '../test/harness/join-server.js';
import { joinAsManager } from './join-client.js';

const managerId = '0123456789abcdefghijklmno';
let server: FakeJoinServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('joinAsManager', () => {
  it('joins through a server with a manager certificate of the token CA', async () => {
    const ca = await testCa();
    server = await startFakeJoinServer({
      ca,
      serverCert: await testLeaf(ca, 'manager', managerId),
    });
    const res = await joinAsManager(server.joinAddr, server.token, 'seal-public-key');
    expect(res.nodeId).toBe('n'.repeat(25));
    expect(server.joins).toHaveLength(1);
  });

  it('sends its token to no server that holds only a worker certificate of the CA', async () => {
    const ca = await testCa();
    server = await startFakeJoinServer({ ca, serverCert: await testLeaf(ca, 'worker', managerId) });
    await expect(
      joinAsManager(server.joinAddr, server.token, 'seal-public-key'),
    ).rejects.toMatchObject({
      code: 'JOIN_SERVER_NOT_MANAGER',
      message: expect.stringContaining('role "worker"'),
    });
    expect(server.joins).toEqual([]);
  });

  it('refuses a manager certificate whose CN is not a manager id', async () => {
    const ca = await testCa();
    server = await startFakeJoinServer({ ca, serverCert: await testLeaf(ca, 'manager', 'admin') });
    await expect(
      joinAsManager(server.joinAddr, server.token, 'seal-public-key'),
    ).rejects.toMatchObject({
      code: 'JOIN_SERVER_NOT_MANAGER',
    });
    expect(server.joins).toEqual([]);
  });

  it('refuses a manager certificate of another CA', async () => {
    const ca = await testCa();
    const other = await testCa('other');
    server = await startFakeJoinServer({
      ca,
      serverCert: await testLeaf(other, 'manager', managerId),
    });
    await expect(
      joinAsManager(server.joinAddr, server.token, 'seal-public-key'),
    ).rejects.toMatchObject({
      code: 'MANAGER_UNREACHABLE',
    });
    expect(server.joins).toEqual([]);
  });
});
