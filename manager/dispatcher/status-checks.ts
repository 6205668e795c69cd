// What a node may claim in a task status report: only about its own tasks, and a container address
// only inside its own subnet (the routing mesh sends every node's traffic to those addresses).
// Moving forward only is checked where the report is written, on the task as it is then.
import type { Task, TaskStatus } from '../../shared/model/index.js';
import { cidrsOverlap, parseCidr } from './subnets.js';

export type StatusVerdict =
  /** Queue `status` (its address removed when it was not the node's to claim). */
  | { accept: true; status: TaskStatus; droppedAddress?: string }
  /** Another node's task: never written. */
  | { accept: false; owner: string };

export function checkStatusReport(r: {
  nodeId: string;
  /** The reporting node's subnet (Node.subnet); no address is accepted without one. */
  nodeSubnet: string | undefined;
  /** The task as the cache has it; undefined when unknown here (the write checks it again). */
  task: Task | undefined;
  status: TaskStatus;
}): StatusVerdict {
  if (r.task && r.task.nodeId !== r.nodeId) return { accept: false, owner: r.task.nodeId ?? '' };
  const address = r.status.address;
  if (address === undefined || inSubnet(address, r.nodeSubnet))
    return { accept: true, status: r.status };
  const { address: _dropped, ...rest } = r.status;
  return { accept: true, status: rest, droppedAddress: address };
}

/** True when the IPv4 `address` lies in `subnet` (a.b.c.d/n). */
export function inSubnet(address: string, subnet: string | undefined): boolean {
  const net = subnet ? parseCidr(subnet) : undefined;
  const ip = parseCidr(`${address}/32`);
  return Boolean(net && ip && !net.hostBits && cidrsOverlap(net, ip));
}
