import { afterEach, describe, expect, it } from 'vitest';
import {
  startFakeJoinServer,
  testCa,
  testLeaf,
  type FakeJoinServer,
} from '../../test/harness/join-server.js';
import { joinCluster } from './join.js';

const managerId = '0123456789abcdefghijklmno';
let server: FakeJoinServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const join = (s: FakeJoinServer, token = s.token) =>
  joinCluster({ address: s.joinAddr, token, hostname: 'n1' });

describe('joinCluster', () => {
  it('joins through a server with a manager certificate of the token CA', async () => {
    const ca = await testCa();
    server = await startFakeJoinServer({
      ca,
      serverCert: await testLeaf(ca, 'manager', managerId),
    });
    expect((await join(server)).nodeId).toBe('n'.repeat(25));
    expect(server.joins).toHaveLength(1);
  });

  it('refuses a CA whose digest is not the token', async () => {
    const ca = await testCa();
    server = await startFakeJoinServer({
      ca,
      serverCert: await testLeaf(ca, 'manager', managerId),
    });
    const token = server.token.replace(/-[0-9a-f]{64}-/, `-${'0'.repeat(64)}-`);
    await expect(join(server, token)).rejects.toMatchObject({ code: 'JOIN_CA_MISMATCH' });
    expect(server.joins).toEqual([]);
  });

  it('sends its token to no server that holds only a worker certificate of the CA', async () => {
    const ca = await testCa();
    server = await startFakeJoinServer({ ca, serverCert: await testLeaf(ca, 'worker', managerId) });
    await expect(join(server)).rejects.toMatchObject({
      code: 'JOIN_SERVER_NOT_MANAGER',
      message: expect.stringContaining('role "worker"'),
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
    await expect(join(server)).rejects.toMatchObject({ code: 'NODE_JOIN_FAILED' });
    expect(server.joins).toEqual([]);
  });
});
