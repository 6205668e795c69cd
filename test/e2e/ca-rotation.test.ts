// `flotilla cluster ca --rotate` on the three-machine test cluster (real agents, runc + conmon): the
// rotation completes with every node staying Ready, the task containers untouched (same tasks and
// container ids, nothing restarted), new join tokens, and each agent's renewed certificate on disk.
//
// Root only. Names: flr-m1..3 on flr-lan, 10.89.0.0/24 (each e2e file has its own, see the machines unit test).
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cluster, useCluster, waitFor } from './cluster-harness.js';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('CA rotation on a running cluster', () => {
  const c = new Cluster({ prefix: 'flr', lan: '10.89.0' });
  useCluster(c);

  it('rotates the root with every node Ready and every task container untouched', async () => {
    let r = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      'calm',
      '--replicas',
      '3',
      c.image('web:v1'),
    );
    expect(r.code, r.output).toBe(0);
    const before = await c.converged('calm', 3);
    const containers = new Map(before.map((t) => [t.id, t.status.containerId]));
    const oldRoot = (await c.flt('cluster', 'ca')).stdout;
    const oldWorker = c.token;
    const oldManager = c.managerToken;
    const nodeIds = (await c.nodes()).map((n) => n.id);

    // Watch the nodes while the rotation runs: none may leave Ready.
    const notReady: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const n of await c.nodes().catch(() => []))
          if (n.status.state !== 'ready') notReady.push(`${n.id} ${n.status.state}`);
        await new Promise((res) => setTimeout(res, 500));
      }
    })();
    r = await c.flt('cluster', 'ca', '--rotate');
    watching = false;
    await watcher;
    expect(r.code, r.output + c.logTail('manager')).toBe(0);
    expect(r.stdout).toMatch(/rotated TLS certificates: +\[=+\] 4\/4 nodes/);
    expect(r.stdout).toMatch(/rotated CA certificates: +\[=+\] 4\/4 nodes/);
    expect(notReady).toEqual([]);

    const newRoot = (await c.flt('cluster', 'ca')).stdout;
    expect(newRoot).toMatch(/BEGIN CERTIFICATE/);
    expect(newRoot).not.toBe(oldRoot);
    const worker = (await c.flt('cluster', 'join-token', 'worker', '-q')).stdout.trim();
    const manager = (await c.flt('cluster', 'join-token', 'manager', '-q')).stdout.trim();
    expect(worker).toMatch(/^FLT-1-/);
    expect(worker).not.toBe(oldWorker);
    expect(manager).not.toBe(oldManager);

    // Each agent holds a certificate of the new root, trusts only it, and keeps its key private.
    const root = new X509Certificate(newRoot);
    for (const i of c.machines) {
      const dir = join(c.dataRoot(i), 'node');
      const cert = new X509Certificate(readFileSync(join(dir, 'cert.pem')));
      expect(cert.verify(root.publicKey)).toBe(true);
      expect(readFileSync(join(dir, 'ca.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
      expect(statSync(join(dir, 'key.pem')).mode & 0o777).toBe(0o600);
    }
    const pretty = (await c.flt('node', 'inspect', '--pretty', ...nodeIds)).stdout;
    expect(pretty.match(/Certificate Expiry:/g)).toHaveLength(3);

    // The same tasks, in the same containers, never restarted.
    const after = await c.converged('calm', 3);
    expect(new Map(after.map((t) => [t.id, t.status.containerId]))).toEqual(containers);
    expect((await c.tasks('calm')).length).toBe(3);
    expect((await c.nodes()).every((n) => n.status.state === 'ready')).toBe(true);
  });

  it('reconnects a restarted agent with its renewed certificate, containers kept', async () => {
    const before = await c.converged('calm', 3);
    const opens = () => (c.logTail('agent-m2', 100_000).match(/session open/g) ?? []).length;
    const opened = opens();
    await c.stopProc('agent-m2');
    c.startAgent(2);
    await waitFor(
      'agent m2 back in a session',
      async () => opens() > opened,
      120_000,
      async () => c.logTail('agent-m2'),
    );
    await waitFor('3 ready nodes', async () =>
      (await c.nodes()).every((n) => n.status.state === 'ready'),
    );
    const after = await c.converged('calm', 3);
    expect(after.map((t) => t.status.containerId).sort()).toEqual(
      before.map((t) => t.status.containerId).sort(),
    );
  });
});
