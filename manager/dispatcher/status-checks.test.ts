// Status reports through the dispatcher's session code (a fake gRPC call, the in-memory store):
// a node reports only on its own tasks, only forwards, and addresses only inside its subnet.
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TaskState } from '../../shared/model/index.js';
import { nodeFixture, serviceFixture, taskFixture } from '../store/fixtures.js';
import { InMemoryObjectStore } from '../store/index.js';
import { Dispatcher } from './dispatcher.js';
import { checkStatusReport, inSubnet } from './status-checks.js';

interface Internals {
  handle(call: unknown): void;
  statuses: { flush(): Promise<void> };
}

/** A session stream as grpc-js hands it to the dispatcher, for a certificate CN=nodeId OU=worker. */
function fakeCall(nodeId: string) {
  const call = new EventEmitter() as EventEmitter & Record<string, unknown>;
  call.getAuthContext = () => ({
    sslPeerCertificate: { raw: Buffer.from('x'), subject: { CN: nodeId, OU: 'worker' } },
  });
  call.write = () => true;
  call.end = () => undefined;
  return call;
}

async function setup() {
  const store = new InMemoryObjectStore();
  const svc = serviceFixture('web');
  const other = nodeFixture({ subnet: '10.240.0.0/24' });
  const mine = nodeFixture({ subnet: '10.240.1.0/24' });
  const at = (state: TaskState) => ({ state, timestamp: new Date(0).toISOString(), message: '' });
  const myTask = taskFixture(svc, 1, { nodeId: mine.id, status: at('assigned') });
  const theirTask = taskFixture(svc, 2, { nodeId: other.id, status: at('running') });
  await store.batch((tx) => {
    for (const n of [other, mine]) tx.create('node', n);
    tx.create('service', svc);
    for (const t of [myTask, theirTask]) tx.create('task', t);
  });
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => logs.push(JSON.parse(s)) });
  const d = new Dispatcher({
    store,
    log,
    clock: { now: () => 0 },
    tls: { certPem: '', keyPem: '', caCertPem: '' },
    listen: '127.0.0.1:0',
  });
  const internals = d as unknown as Internals;
  const open = async (nodeId: string, hostname: string, subnet: string) => {
    const call = fakeCall(nodeId);
    internals.handle(call);
    call.emit('data', {
      payload: 'open',
      open: { description: { hostname, addr: '10.0.0.2' }, nodeSubnet: subnet },
    });
    // The open writes the node (its subnet kept); wait for it before reporting.
    for (let i = 0; i < 100 && store.get('node', nodeId)?.description.hostname !== hostname; i++)
      await new Promise((r) => setImmediate(r));
    return (taskId: string, state: TaskState, address?: string) =>
      call.emit('data', {
        payload: 'status',
        status: { updates: [{ taskId, status: { ...at(state), address: address ?? '' } }] },
      });
  };
  const send = await open(mine.id, 'mine', '10.240.1.0/24');
  const report = async (taskId: string, state: TaskState, address?: string) => {
    send(taskId, state, address);
    await internals.statuses.flush();
  };
  const sendAsOther = await open(other.id, 'other', '10.240.0.0/24');
  return {
    store,
    myTask,
    theirTask,
    send,
    sendAsOther,
    report,
    logs,
    flush: () => internals.statuses.flush(),
  };
}

describe('dispatcher status reports', () => {
  it("refuses and logs a report about another node's task, and keeps that task as it was", async () => {
    const { store, theirTask, report, logs } = await setup();
    await report(theirTask.id, 'failed');
    expect(store.get('task', theirTask.id)?.status.state).toBe('running');
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: "status report for another node's task refused", level: 40 }),
    );
  });

  it("cannot replace another node's pending report in the queue", async () => {
    const { store, myTask, send, sendAsOther, flush } = await setup();
    send(myTask.id, 'running');
    sendAsOther(myTask.id, 'failed');
    await flush();
    expect(store.get('task', myTask.id)?.status.state).toBe('running');
  });

  it('writes its own task forwards, never backwards', async () => {
    const { store, myTask, report } = await setup();
    await report(myTask.id, 'running', '10.240.1.7');
    expect(store.get('task', myTask.id)?.status).toMatchObject({
      state: 'running',
      address: '10.240.1.7',
    });
    await report(myTask.id, 'preparing');
    expect(store.get('task', myTask.id)?.status.state).toBe('running');
  });

  it('drops an address outside the node subnet and warns, keeping the rest', async () => {
    const { store, myTask, report, logs } = await setup();
    // Another node's container address: the routing mesh would send that node's traffic here.
    await report(myTask.id, 'running', '10.240.0.9');
    const status = store.get('task', myTask.id)?.status;
    expect(status?.state).toBe('running');
    expect(status?.address).toBeUndefined();
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: 'task address outside the node subnet ignored', level: 40 }),
    );
  });
});

describe('checkStatusReport', () => {
  const status = { state: 'running' as const, timestamp: '', message: '', address: '10.1.2.3' };
  it('accepts reports on unknown tasks (the write checks them again)', () => {
    expect(
      checkStatusReport({ nodeId: 'a', nodeSubnet: '10.1.2.0/24', task: undefined, status }),
    ).toEqual({ accept: true, status });
  });

  it('accepts no address from a node without a subnet', () => {
    const v = checkStatusReport({ nodeId: 'a', nodeSubnet: undefined, task: undefined, status });
    expect(v).toMatchObject({ accept: true, droppedAddress: '10.1.2.3' });
  });

  it('knows which addresses lie in a subnet', () => {
    expect(inSubnet('10.1.2.254', '10.1.2.0/24')).toBe(true);
    expect(inSubnet('10.1.3.1', '10.1.2.0/24')).toBe(false);
    expect(inSubnet('::1', '10.1.2.0/24')).toBe(false);
    expect(inSubnet('10.1.2.3', 'garbage')).toBe(false);
  });
});
