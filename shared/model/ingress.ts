// The routing mesh's view of a service, as the manager derives it and every agent applies it: the
// ports published on every node (ingress mode) and the task addresses that receive their traffic.

export interface IngressPort {
  /** Port opened on every node of the cluster (unique cluster-wide per protocol). */
  published: number;
  /** Port inside the task's container. */
  target: number;
  protocol: 'tcp' | 'udp';
}

export interface IngressService {
  serviceId: string;
  name: string;
  ports: IngressPort[];
  /**
   * Container addresses of the service's tasks that should get new connections: desired state
   * running, state running, and healthy where the task has a healthcheck. Sorted; may be empty
   * (the ports then refuse connections).
   */
  addrs: string[];
}
