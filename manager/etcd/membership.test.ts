import type { Etcd3, IMember } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log/index.js';
import { EtcdMembership } from './membership.js';

/** etcd's cluster API over a member list, enough for EtcdMembership. */
function fakeCluster(initial: IMember[], opts: { refuseAdd?: string } = {}) {
  const members = [...initial];
  let next = 100;
  const cluster = {
    memberList: async () => ({ members: members.map((m) => ({ ...m })) }),
    memberRemove: async ({ ID }: { ID: string }) => {
      members.splice(
        members.findIndex((m) => m.ID === ID),
        1,
      );
      return {};
    },
    memberUpdate: async ({ ID, peerURLs }: { ID: string; peerURLs: string[] }) => {
      members.find((m) => m.ID === ID)!.peerURLs = peerURLs;
      return {};
    },
    memberAdd: async ({ peerURLs, isLearner }: { peerURLs: string[]; isLearner: boolean }) => {
      if (opts.refuseAdd) throw new Error(opts.refuseAdd);
      const member = { ID: String(next++), name: '', peerURLs, clientURLs: [], isLearner };
      members.push(member);
      return { member, members: members.map((m) => ({ ...m })) };
    },
  };
  return { members, client: { cluster } as unknown as Etcd3 };
}

const member = (ID: string, name: string, host: string, learner = false): IMember => ({
  ID,
  name,
  peerURLs: [`https://${host}:2380`],
  clientURLs: [`https://${host}:2379`],
  isLearner: learner,
});

const log = createLogger({ proc: 'test', level: 'silent' });
const membership = (client: Etcd3, ownPeerUrl = 'https://10.0.0.1:2380') =>
  new EtcdMembership({ client, pkiDir: '/nonexistent', ownPeerUrl, log });

describe('EtcdMembership', () => {
  it('adds a learner and answers the initial cluster with every started member', async () => {
    const f = fakeCluster([member('1', 'flotilla', '10.0.0.1'), member('2', 'm-b', '10.0.0.2')]);
    const added = await membership(f.client).addLearner('c', 'https://10.0.0.3:2380');
    expect(added.initialCluster).toBe(
      'flotilla=https://10.0.0.1:2380,m-b=https://10.0.0.2:2380,m-c=https://10.0.0.3:2380',
    );
    expect(added.clientUrls).toEqual(['https://10.0.0.1:2379', 'https://10.0.0.2:2379']);
    expect(f.members.find((m) => m.ID === added.memberId)?.isLearner).toBe(true);
  });

  it('replaces a learner left at the same address by a failed join; refuses while another joins', async () => {
    const f = fakeCluster([member('1', 'flotilla', '10.0.0.1'), member('9', '', '10.0.0.3', true)]);
    await membership(f.client).addLearner('c', 'https://10.0.0.3:2380');
    expect(f.members.map((m) => m.ID)).toEqual(['1', '100']);
    await expect(membership(f.client).addLearner('d', 'https://10.0.0.4:2380')).rejects.toThrow(
      /has not finished joining/,
    );
  });

  it('advertises a first member recorded on loopback before anyone joins', async () => {
    const f = fakeCluster([member('1', 'flotilla', '127.0.0.1')]);
    const added = await membership(f.client).addLearner('c', 'https://10.0.0.3:2380');
    expect(f.members[0].peerURLs).toEqual(['https://10.0.0.1:2380']);
    expect(added.initialCluster).toContain('flotilla=https://10.0.0.1:2380');
  });

  it('turns etcd refusing a member into ETCD_CLUSTER_UNHEALTHY (the joiner retries it)', async () => {
    const f = fakeCluster([member('1', 'flotilla', '10.0.0.1')], {
      refuseAdd: '14 UNAVAILABLE: etcdserver: unhealthy cluster',
    });
    await expect(
      membership(f.client).addLearner('c', 'https://10.0.0.3:2380'),
    ).rejects.toMatchObject({ code: 'ETCD_CLUSTER_UNHEALTHY' });
  });

  it('removes the members on a host, but never the last ones', async () => {
    const f = fakeCluster([member('1', 'flotilla', '10.0.0.1'), member('2', 'm-b', '10.0.0.2')]);
    expect(await membership(f.client).removeOnHost('10.0.0.2')).toEqual(['m-b']);
    await expect(membership(f.client).removeOnHost('10.0.0.1')).rejects.toMatchObject({
      code: 'MANAGER_REMOVE_REFUSED',
    });
    expect(f.members).toHaveLength(1);
  });
});
