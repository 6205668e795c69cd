// A node that speaks the session protocol itself: it joins, reports its assigned tasks running (and
// shut down when asked), and keeps what the manager sends of cluster networks (OverlayNetworks,
// OverlayChanges) in the shared OverlaySet, so a test sees exactly what an agent receives.
import * as grpc from '@grpc/grpc-js';
import { joinCluster } from '../../../agent/session/index.js';
import {
  loadDispatcherProto,
  type AgentMessage,
  type DispatcherClient,
  type ManagerMessage__Output,
} from '../../../proto/index.js';
import { OverlaySet, type OverlayNetworkChange, type Task } from '../../../shared/model/index.js';

export class OverlayObserver {
  readonly overlays = new OverlaySet();
  /** Every overlay message, in order ('full' or the changes). */
  readonly messages: ('full' | OverlayNetworkChange[])[] = [];
  nodeId = '';
  private call?: grpc.ClientDuplexStream<AgentMessage, ManagerMessage__Output>;
  private client?: DispatcherClient;
  private heartbeat?: NodeJS.Timeout;
  private readonly reported = new Map<string, string>();

  async start(opts: { address: string; token: string; hostname: string; addr: string }) {
    const identity = await joinCluster(opts);
    this.nodeId = identity.nodeId;
    const proto = loadDispatcherProto();
    const creds = grpc.credentials.createSsl(
      Buffer.from(identity.caCertPem),
      Buffer.from(identity.keyPem),
      Buffer.from(identity.certPem),
    );
    this.client = new proto.flotilla.v1.Dispatcher(
      opts.address,
      creds,
      {},
    ) as unknown as DispatcherClient;
    const call = (this.call = this.client.Session());
    call.on('error', () => undefined);
    call.on('data', (msg: ManagerMessage__Output) => {
      if (msg.payload === 'accepted')
        this.heartbeat = setInterval(() => call.write({ heartbeat: {} }), 1000);
      else if (msg.payload === 'overlays' && msg.overlays) {
        this.overlays.replace(msg.overlays.networks);
        this.messages.push('full');
      } else if (msg.payload === 'overlayChanges' && msg.overlayChanges) {
        this.overlays.apply(msg.overlayChanges.changes);
        this.messages.push(msg.overlayChanges.changes);
      } else if (msg.payload === 'assignments' && msg.assignments)
        for (const c of msg.assignments.changes)
          if (c.action === 'ASSIGN') this.report(JSON.parse(c.taskJson) as Task);
    });
    call.write({
      open: {
        description: {
          hostname: opts.hostname,
          addr: opts.addr,
          platform: { os: 'linux', architecture: 'amd64' },
          nanoCpus: 4e9,
          memoryBytes: 8 * 2 ** 30,
          engineVersion: 'observer',
          engineLabels: {},
        },
        nodeSubnet: '',
      },
    });
  }

  /** Running while desired running, shut down after. */
  private report(t: Task): void {
    const state = t.desiredState === 'running' ? 'running' : 'shutdown';
    if (this.reported.get(t.id) === state) return;
    this.reported.set(t.id, state);
    const timestamp = new Date().toISOString();
    this.call?.write({
      status: {
        updates: [
          {
            taskId: t.id,
            status: { state, timestamp, message: state, containerId: `c-${t.id}` },
          },
        ],
      },
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.call?.cancel();
    this.client?.close();
  }
}
