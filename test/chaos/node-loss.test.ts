// Node loss under load: with ten busy loops on the machine (a load average about 10 on two cores),
// no node is taken for down while every machine is up, and a machine whose link goes down has its
// tasks running elsewhere soon after (the figures are printed: `chaos:` lines). The busy loops are
// started and stopped by this test, by PID.
//
// Root only. Names: fln-m1..3 on fln-lan, 10.88.0.0/24.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster, useCluster, waitFor } from '../e2e/cluster-harness.js';
import { run } from '../e2e/harness/index.js';

const isRoot = process.getuid?.() === 0;
const busyLoops = 10;

describe.runIf(isRoot)('node loss under load', () => {
  const c = new Cluster({ prefix: 'fln', lan: '10.88.0' });
  useCluster(c);
  const loops: ChildProcess[] = [];
  const stopLoops = () => {
    for (const p of loops.splice(0))
      if (p.pid && p.exitCode === null) process.kill(p.pid, 'SIGKILL');
  };
  afterAll(stopLoops);

  it('marks no node down under a load average of about 10, and replaces a cut-off machine', async () => {
    const r = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      'rep',
      '--replicas',
      '6',
      c.image('web:v1'),
    );
    expect(r.code, r.output).toBe(0);
    await c.converged('rep', 6);
    const ids = (await c.running('rep')).map((t) => t.id).sort();
    for (let i = 0; i < busyLoops; i++)
      loops.push(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
    try {
      // Two minutes of load: the load average climbs towards 10 meanwhile.
      const until = Date.now() + 120_000;
      let downSeen = 0;
      while (Date.now() < until) {
        const nodes = await c.nodes();
        downSeen += nodes.filter((n) => n.status.state !== 'ready').length;
        await new Promise((res) => setTimeout(res, 2000));
      }
      const load = loadavg()[0];
      console.log(`chaos: load average ${load.toFixed(1)} after 2 min of ${busyLoops} busy loops`);
      expect(downSeen).toBe(0);
      // Nor for a moment between two looks: the leader logs every node it marks down.
      expect(readFileSync(c.procs.get('manager')!.log, 'utf8')).not.toMatch(/"msg":"node down/);
      // No task was replaced: the same six.
      expect((await c.running('rep')).map((t) => t.id).sort()).toEqual(ids);

      // Now machine 3 goes away (its link down), still under load.
      const node3 = await c.nodeIdOf(3);
      const cutAt = Date.now();
      expect((await run('ip', ['link', 'set', `${c.prefix}-m3h`, 'down'])).code).toBe(0);
      try {
        await waitFor('node 3 down', async () =>
          (await c.nodes()).some((n) => n.id === node3 && n.status.state === 'down'),
        );
        const downMs = Date.now() - cutAt;
        await waitFor('rep running off machine 3', async () => {
          const run6 = await c.running('rep');
          return (
            run6.length === 6 &&
            new Set(run6.map((t) => t.slot)).size === 6 &&
            run6.every((t) => t.nodeId !== node3)
          );
        });
        const replacedMs = Date.now() - cutAt;
        console.log(
          `chaos: under load ${loadavg()[0].toFixed(1)}: node down ${downMs} ms, ` +
            `tasks running elsewhere ${replacedMs} ms after the cut`,
        );
      } finally {
        await run('ip', ['link', 'set', `${c.prefix}-m3h`, 'up']);
      }
    } finally {
      stopLoops();
    }
    await waitFor('node 3 ready again', async () =>
      (await c.nodes()).every((n) => n.status.state === 'ready'),
    );
    await c.converged('rep', 6);
  });
});
