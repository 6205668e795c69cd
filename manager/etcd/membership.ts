// The embedded etcd's membership, on the side of a manager that is already a member: adding a
// joining manager as a learner (and rolling that back), removing a manager's member, and the
// shared etcd CA sealed for the joiner. docs/decisions/0013-embedded-etcd-membership.md.
import type { Etcd3, IMember } from 'etcd3';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { readEtcdCa, type EtcdCa } from './pki.js';

/** The member name of a manager: `m-<manager id>` (the first member of a cluster: `flotilla`). */
export function memberName(managerId: string): string {
  return `m-${managerId}`;
}

export interface MemberSummary {
  id: string;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  learner: boolean;
}

/** What a joining manager needs to start its member (POST /join answers it). */
export interface JoinedMember {
  memberId: string;
  /** `name=peerURL,...` of every member, the new one included: etcd's --initial-cluster. */
  initialCluster: string;
  /** Client URLs of the members already running (where the joiner promotes itself). */
  clientUrls: string[];
}

export interface EtcdMembershipDeps {
  client: Etcd3;
  /** Where this member's PKI lives (the CA to hand on). */
  pkiDir: string;
  /** This member's own peer URL now (its advertise address). */
  ownPeerUrl: string;
  log: Logger;
}

export class EtcdMembership {
  constructor(private readonly deps: EtcdMembershipDeps) {}

  async list(): Promise<MemberSummary[]> {
    const res = await this.deps.client.cluster.memberList({});
    return res.members.map(summary);
  }

  /**
   * Adds PEERURL as a learner named after MANAGERID: a learner does not count for quorum, so a
   * joiner that never starts costs the cluster nothing but the record. Refused while another
   * member has never started (it would count for quorum, or etcd refuses a second learner).
   */
  async addLearner(managerId: string, peerUrl: string): Promise<JoinedMember> {
    const cluster = this.deps.client.cluster;
    let members = (await cluster.memberList({})).members;
    for (const m of members.filter((x) => x.peerURLs.includes(peerUrl))) {
      // The same address joined before and never started (a join that failed on its side).
      if (m.isLearner || !m.name) await cluster.memberRemove({ ID: m.ID });
      else
        throw refused(
          `${peerUrl} is already the peer URL of member ${m.name}`,
          'remove that manager first (`flotilla node rm`), or give this one another address',
        );
    }
    members = (await cluster.memberList({})).members;
    const pending = members.find((m) => !m.name || m.isLearner);
    if (pending)
      throw refused(
        `member ${pending.ID} (${pending.peerURLs.join(',')}) has not finished joining`,
        'wait for it to start, or remove it, then join again',
      );
    await this.advertiseOwnPeerUrl(members);
    const res = await cluster.memberAdd({ peerURLs: [peerUrl], isLearner: true }).catch((err) => {
      // etcd's strict reconfiguration check: every voter connected for the last 5 s.
      throw new FlotillaError(
        'ETCD_CLUSTER_UNHEALTHY',
        { reason: (err as Error).message },
        { cause: err },
      );
    });
    const name = memberName(managerId);
    const named = res.members
      .filter((m) => m.ID !== res.member.ID && m.name)
      .map((m) => `${m.name}=${m.peerURLs.join(`,${m.name}=`)}`);
    this.deps.log.info({ memberId: res.member.ID, peerUrl, managerId }, 'etcd learner added');
    return {
      memberId: res.member.ID,
      initialCluster: [...named, `${name}=${peerUrl}`].join(','),
      clientUrls: res.members.flatMap((m) => m.clientURLs),
    };
  }

  async remove(memberId: string): Promise<void> {
    await this.deps.client.cluster.memberRemove({ ID: memberId });
    this.deps.log.info({ memberId }, 'etcd member removed');
  }

  /**
   * Removes the member of manager MANAGERID (by its name, else by its peer URL's host being
   * HOST). Resolves false when it has none (a manager on an external etcd).
   */
  async removeManager(managerId: string, host?: string): Promise<boolean> {
    const members = await this.list();
    const byName = members.find((m) => m.name === memberName(managerId));
    const byHost = host
      ? members.filter((m) => m.peerUrls.some((u) => new URL(u).hostname === host))
      : [];
    const m = byName ?? (byHost.length === 1 ? byHost[0] : undefined);
    if (!m) return false;
    await this.remove(m.id);
    return true;
  }

  /**
   * Removes every member whose peer URL is on HOST (a machine's address: the manager on it,
   * running or dead). etcd refuses a removal that would cost the quorum (--strict-reconfig-check,
   * on by default); removing the last member is refused here.
   */
  async removeOnHost(host: string): Promise<string[]> {
    const members = await this.list();
    const there = members.filter((m) => m.peerUrls.some((u) => new URL(u).hostname === host));
    if (there.length > 0 && there.length === members.length)
      throw new FlotillaError('MANAGER_REMOVE_REFUSED', {
        host,
        reason: 'it holds every etcd member of the cluster',
        hint: 'a cluster keeps at least one manager; join another before removing this one',
      });
    for (const m of there) {
      try {
        await this.remove(m.id);
      } catch (err) {
        throw new FlotillaError(
          'MANAGER_REMOVE_REFUSED',
          {
            host,
            reason: `etcd refused to remove its member: ${(err as Error).message}`,
            hint: 'the remaining managers would lose their quorum; bring a down manager back first',
          },
          { cause: err },
        );
      }
    }
    return there.map((m) => m.name || m.id);
  }

  /**
   * Looks at the member list every INTERVALMS: ONMEMBERS gets each list (the client follows the
   * members), and ONREMOVED is called once this member is no longer in it (`node demote`/`node
   * rm` of its machine, run by any manager): its etcd stops, and the manager must not go on
   * through the other members. Returns a stop function.
   */
  watchMembers(w: {
    onRemoved: () => void;
    onMembers?: (members: MemberSummary[]) => void;
    intervalMs?: number;
  }): () => void {
    const own = this.deps.ownPeerUrl;
    let seen = false;
    const timer = setInterval(() => {
      this.list()
        .then((members) => {
          const present = members.some((m) => m.peerUrls.includes(own));
          if (present) seen = true;
          else if (seen) {
            clearInterval(timer);
            w.onRemoved();
            return;
          }
          w.onMembers?.(members);
        })
        .catch(() => undefined);
    }, w.intervalMs ?? 2000);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** The etcd CA every member shares. */
  ca(): Promise<EtcdCa> {
    return readEtcdCa(this.deps.pkiDir);
  }

  /**
   * A cluster begun before members could join records its first member's peer URL on loopback,
   * which no other machine can dial: advertise the reachable one before anyone joins.
   */
  private async advertiseOwnPeerUrl(members: IMember[]): Promise<void> {
    const own = this.deps.ownPeerUrl;
    if (new URL(own).hostname === '127.0.0.1' || members.length !== 1) return;
    const [m] = members;
    if (m.peerURLs.length === 1 && m.peerURLs[0] === own) return;
    await this.deps.client.cluster.memberUpdate({ ID: m.ID, peerURLs: [own] });
    this.deps.log.info({ peerUrl: own }, 'etcd peer URL now advertised');
  }
}

function summary(m: IMember): MemberSummary {
  return {
    id: m.ID,
    name: m.name,
    peerUrls: m.peerURLs,
    clientUrls: m.clientURLs,
    learner: m.isLearner,
  };
}

function refused(reason: string, hint: string): FlotillaError {
  return new FlotillaError('ETCD_JOIN_REFUSED', { reason, hint });
}
