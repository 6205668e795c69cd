// The manager's Prometheus metrics. Counts of tasks and nodes are read from the store's cache when
// scraped (nothing to keep in step); durations are observed by the components through the small
// callbacks below, so no reconciler, store or dispatcher depends on prom-client.
import { Counter, Gauge, Histogram } from 'prom-client';
import { durationBuckets, type MetricsRegistry } from '../../shared/metrics/index.js';
import type { ObjectStore } from '../store/index.js';

/** How a transaction ended: committed, lost a compare (retried on fresh state), or failed. */
export type TxnOutcome = 'committed' | 'conflict' | 'error';

export interface ManagerMetricsDeps {
  registry: MetricsRegistry;
  store: ObjectStore;
  /** Open agent sessions on this manager (set once the dispatcher exists). */
  sessions?: () => number;
  isLeader: () => boolean;
}

export class ManagerMetrics {
  readonly registry: MetricsRegistry;
  private readonly store: ObjectStore;
  /** Set by the cluster part once the dispatcher exists. */
  sessions?: () => number;
  private readonly reconcilePass: Histogram<'loop' | 'result'>;
  private readonly schedulingLatency: Histogram;
  private readonly etcdTxn: Histogram<'outcome'>;
  private readonly etcdConflicts: Counter;
  private readonly heartbeatLateness: Histogram;
  private readonly leaderChanges: Counter;
  private readonly apiRequests: Histogram<'method' | 'route' | 'status'>;

  constructor(deps: ManagerMetricsDeps) {
    const registers = [deps.registry];
    this.registry = deps.registry;
    this.store = deps.store;
    this.sessions = deps.sessions;
    const store = deps.store;
    new Gauge({
      name: 'flotilla_tasks',
      help: 'Tasks by service, desired state and current state',
      labelNames: ['service', 'desired_state', 'state'],
      registers,
      collect() {
        this.reset();
        const names = new Map(store.list('service').map((s) => [s.id, s.spec.name]));
        for (const t of store.list('task'))
          this.inc({
            service: names.get(t.serviceId) ?? t.serviceId,
            desired_state: t.desiredState,
            state: t.status.state,
          });
      },
    });
    new Gauge({
      name: 'flotilla_nodes',
      help: 'Nodes by state, availability and role',
      labelNames: ['state', 'availability', 'role'],
      registers,
      collect() {
        this.reset();
        for (const n of store.list('node'))
          this.inc({ state: n.status.state, availability: n.spec.availability, role: n.spec.role });
      },
    });
    const sessions = () => this.sessions?.() ?? 0;
    new Gauge({
      name: 'flotilla_agent_sessions',
      help: 'Agent sessions open on this manager',
      registers,
      collect() {
        this.set(sessions());
      },
    });
    new Gauge({
      name: 'flotilla_manager_leader',
      help: '1 while this manager leads (runs the reconcilers), else 0',
      registers,
      collect() {
        this.set(deps.isLeader() ? 1 : 0);
      },
    });
    this.leaderChanges = new Counter({
      name: 'flotilla_leader_changes_total',
      help: 'Times this manager gained or lost leadership',
      registers,
    });
    this.reconcilePass = new Histogram({
      name: 'flotilla_reconcile_pass_duration_seconds',
      help: 'Duration of a reconcile pass, per loop (orchestrator, scheduler, updater)',
      labelNames: ['loop', 'result'],
      buckets: durationBuckets,
      registers,
    });
    this.schedulingLatency = new Histogram({
      name: 'flotilla_task_scheduling_latency_seconds',
      help: 'Time from a task being created to its assignment to a node',
      buckets: durationBuckets,
      registers,
    });
    this.etcdTxn = new Histogram({
      name: 'flotilla_etcd_txn_duration_seconds',
      help: 'Duration of etcd transactions, by outcome',
      labelNames: ['outcome'],
      buckets: durationBuckets,
      registers,
    });
    this.etcdConflicts = new Counter({
      name: 'flotilla_etcd_txn_conflicts_total',
      help: 'Transactions whose compare failed (retried on fresh state)',
      registers,
    });
    this.heartbeatLateness = new Histogram({
      name: 'flotilla_heartbeat_lateness_seconds',
      help: 'How much later than the heartbeat period an agent heartbeat arrived (0 when on time)',
      buckets: durationBuckets,
      registers,
    });
    this.apiRequests = new Histogram({
      name: 'flotilla_api_request_duration_seconds',
      help: 'HTTPS API requests, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: durationBuckets,
      registers,
    });
  }

  /** ReconcileLoopOptions.onPass */
  readonly onPass = (loop: string, durationMs: number, ok: boolean): void => {
    this.reconcilePass.observe({ loop, result: ok ? 'ok' : 'failed' }, durationMs / 1000);
  };

  /** EtcdObjectStoreDeps.onCommit */
  readonly onCommit = (durationMs: number, outcome: TxnOutcome): void => {
    this.etcdTxn.observe({ outcome }, durationMs / 1000);
    if (outcome === 'conflict') this.etcdConflicts.inc();
  };

  /** DispatcherDeps.onHeartbeat: the gap since the node's previous heartbeat. */
  readonly onHeartbeatGap = (gapMs: number, periodMs: number): void => {
    this.heartbeatLateness.observe(Math.max(0, gapMs - periodMs) / 1000);
  };

  /**
   * Follows task events to observe each task's time from creation to assignment once: a task is
   * counted when an event shows it 'assigned' with a node and it was not counted yet. The set of
   * counted ids holds only tasks still 'assigned' (an agent moves them on within a heartbeat), so
   * it stays as small as the assignments in flight.
   */
  followAssignments(now: () => number): () => void {
    const counted = new Set<string>();
    return this.store.subscribe((e) => {
      if (e.kind !== 'task') return;
      const t = e.object;
      if (e.type === 'delete' || t.status.state !== 'assigned' || !t.nodeId) {
        counted.delete(t.id);
        return;
      }
      if (counted.has(t.id)) return;
      counted.add(t.id);
      const created = Date.parse(t.createdAt);
      if (Number.isFinite(created))
        this.schedulingLatency.observe(Math.max(0, now() - created) / 1000);
    });
  }

  onLeadershipChange(): void {
    this.leaderChanges.inc();
  }

  onApiRequest(method: string, route: string, status: number, durationMs: number): void {
    this.apiRequests.observe({ method, route, status: String(status) }, durationMs / 1000);
  }
}
