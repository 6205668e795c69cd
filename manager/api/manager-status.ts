// Docker's MANAGER STATUS for `node ls` and `node inspect`: for each manager node, whether a live
// manager runs on it and whether that manager holds the election. Computed per request from the
// manager records (each under its manager's lease, so a dead manager drops out within the lease
// TTL) and the election key; never stored, since it changes without any node being written.
import type { ManagerStatus, Node } from '../../shared/model/index.js';
import { splitHostPort } from '../../shared/net/host-port.js';
import { defaultManagerGrpcPort } from '../../shared/config/index.js';
import type { LeaderInfo } from '../leader.js';

/** The live managers and the one leading, as LeaderElection reads them from etcd. */
export interface ManagerView {
  managers: LeaderInfo[];
  leader?: LeaderInfo;
}

/** Host part of `host:port` or `[v6]:port` (the gRPC port when none is written). */
function hostOf(addr: string): string {
  return splitHostPort(addr, { defaultPort: defaultManagerGrpcPort })[0];
}

/**
 * A manager runs on a node when it has the node's id or advertises the node's address (a manager
 * process and the agent beside it have separate identities but one machine address). Workers get
 * no status, as in Docker; a manager node with no live manager on it is `unreachable`.
 */
export function managerStatusOf(node: Node, view: ManagerView): ManagerStatus | undefined {
  if (node.spec.role !== 'manager') return undefined;
  const here = view.managers.filter(
    (m) => m.managerId === node.id || hostOf(m.grpcAddr) === node.description.addr,
  );
  if (here.length === 0)
    return { leader: false, reachability: 'unreachable', addr: node.description.addr };
  const leading = here.find((m) => m.managerId === view.leader?.managerId);
  return { leader: !!leading, reachability: 'reachable', addr: (leading ?? here[0]).grpcAddr };
}

/** The node as the API answers it: with its manager status, when it is a manager node. */
export function withManagerStatus(node: Node, view: ManagerView): Node {
  const managerStatus = managerStatusOf(node, view);
  return managerStatus ? { ...node, managerStatus } : node;
}
