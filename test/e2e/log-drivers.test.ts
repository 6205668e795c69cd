// Log drivers in a cluster: a stack whose services say `logging:` (json-file with options, local)
// runs with those drivers on every machine, `service logs` and `service logs -f` read them across
// the three nodes, and a service with `--log-driver none` says its logs cannot be read.
//
// Root only. Its own names (fll, 10.95.0) so it never meets the other e2e files' cluster.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cluster, repo, useCluster, waitFor } from './cluster-harness.js';

const isRoot = process.getuid?.() === 0;

/** `flotilla service logs -f` for a while: what it printed by then. */
function followFor(c: Cluster, service: string, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(
      join(repo, 'bin', 'flotilla'),
      ['--context', c.context, 'service', 'logs', '-f', service],
      { env: c.env },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    setTimeout(() => child.kill('SIGTERM'), ms);
    child.on('close', () => resolve(out));
  });
}

describe.runIf(isRoot)('log drivers in a cluster', () => {
  const c = new Cluster({ prefix: 'fll', lan: '10.95.0' });
  useCluster(c);

  it('a stack with logging: runs json-file and local on every node, and service logs reads them', async () => {
    const file = join(c.dir, 'logs.yml');
    const ticker = `['sh', '-c', 'i=0; while true; do echo "tick $$i from $$(hostname)"; i=$$((i+1)); sleep 1; done']`;
    writeFileSync(
      file,
      [
        "version: '3.8'",
        'networks:',
        '  default:',
        '    external: true',
        '    name: bridge',
        'services:',
        '  jf:',
        `    image: ${c.image('web:v1')}`,
        `    entrypoint: ${ticker}`,
        '    logging:',
        '      driver: json-file',
        '      options: { max-size: 1m, max-file: 2 }',
        '    deploy:',
        '      replicas: 3',
        '      placement: { max_replicas_per_node: 1 }',
        '  loc:',
        `    image: ${c.image('web:v1')}`,
        `    entrypoint: ${ticker}`,
        '    logging: { driver: local }',
        '    deploy: { mode: global }',
        '',
      ].join('\n'),
    );
    const d = await c.flt('stack', 'deploy', '-d', '-c', file, 'lg');
    expect(d.code, d.output).toBe(0);
    await c.converged('lg_jf', 3);
    await c.converged('lg_loc', 3);

    // On each machine the json-file task writes Docker's file, with the options it was given.
    for (const i of c.machines) {
      const root = join(c.dataRoot(i), 'containers');
      const records = () =>
        readdirSync(root).flatMap((id) => {
          try {
            const rec = JSON.parse(readFileSync(join(root, id, 'container.json'), 'utf8')) as {
              name: string;
              options: { logDriver?: string; logOpts?: Record<string, string> };
            };
            return [{ id, ...rec }];
          } catch {
            return []; // being written
          }
        });
      const json = await waitFor(
        `a json-file log on machine ${i}`,
        async () => {
          for (const rec of records()) {
            // Task containers are named after the service id: the json-file service's is the
            // one with that driver (lg_loc's tasks use local).
            if (rec.options.logDriver !== 'json-file') continue;
            const text = readFileSync(join(root, rec.id, `${rec.id}-json.log`), 'utf8');
            if (text.includes('tick 1 ')) return { rec, text };
          }
          return undefined;
        },
        60_000,
        async () =>
          JSON.stringify(
            records().map((r) => ({
              name: r.name,
              options: r.options,
              files: readdirSync(join(root, r.id)),
            })),
          ) + (await c.flt('service', 'ps', 'lg_jf')).output,
      );
      expect(json.rec.options.logDriver).toBe('json-file');
      expect(json.rec.options.logOpts).toEqual({ 'max-size': '1m', 'max-file': '2' });
      const first = JSON.parse(json.text.split('\n')[0]) as Record<string, string>;
      expect(Object.keys(first)).toEqual(['log', 'stream', 'time']);
      expect(first.log).toMatch(/^tick 0 from \S+\n$/);
    }

    // service logs: every task on every node, each line prefixed with its task.
    for (const svc of ['lg_jf', 'lg_loc']) {
      const hosts = await waitFor(`${svc} lines from 3 tasks`, async () => {
        const r = await c.flt('service', 'logs', svc);
        const seen = new Set(
          r.stdout
            .split('\n')
            .map(
              (l) => new RegExp(`^${svc}\\.\\S+@\\S+\\s+\\| tick \\d+ from (\\S+)$`).exec(l)?.[1],
            )
            .filter(Boolean),
        );
        return seen.size === 3 ? seen : undefined;
      });
      expect(hosts.size).toBe(3);
    }

    // service logs -f keeps streaming new lines from all three nodes.
    const followed = await followFor(c, 'lg_jf', 6000);
    const latest = new Map<string, number>();
    for (const m of followed.matchAll(/\| tick (\d+) from (\S+)/g))
      latest.set(m[2], Math.max(latest.get(m[2]) ?? 0, Number(m[1])));
    expect(latest.size).toBe(3);
  });

  it('a service with --log-driver none runs, service logs says it cannot be read, and service update changes the driver', async () => {
    const bad = await c.flt('service', 'create', '-d', '--log-driver', 'gelf', c.image('web:v1'));
    expect(bad.code).toBe(125);
    expect(bad.output).toContain('logging driver "gelf" is not supported');
    const r = await c.flt(
      'service', 'create', '-d', '--name', 'quiet', '--log-driver', 'none', c.image('web:v1'),
    ); // prettier-ignore
    expect(r.code, r.output).toBe(0);
    await c.converged('quiet', 1);
    const logs = await c.flt('service', 'logs', 'quiet');
    expect(logs.output).toContain('configured logging driver does not support reading');
    const badOpt = await c.flt(
      'service', 'create', '-d', '--log-driver', 'json-file', '--log-opt', 'max-sise=1m', c.image('web:v1'),
    ); // prettier-ignore
    expect(badOpt.code).toBe(125);
    expect(badOpt.output).toContain('unknown log opt "max-sise" for json-file log driver');
    // An update to another driver is a spec change that rolls the task over.
    const old = (await c.running('quiet')).map((t) => t.id);
    const u = await c.flt(
      'service', 'update', '-d', '--log-driver', 'local', '--log-opt', 'max-file=2', 'quiet',
    ); // prettier-ignore
    expect(u.code, u.output).toBe(0);
    const spec = JSON.parse((await c.flt('service', 'inspect', 'quiet')).stdout) as {
      spec: { taskTemplate: { containerSpec: { logDriver: unknown } } };
    }[];
    expect(spec[0].spec.taskTemplate.containerSpec.logDriver).toEqual({
      name: 'local',
      options: { 'max-file': '2' },
    });
    // A new task runs with the new driver (the old task, and its unreadable log, stay in the
    // service's history, so `service logs` keeps naming that one).
    await waitFor('a new quiet task running', async () =>
      (await c.running('quiet')).some((t) => !old.includes(t.id)),
    );
  });
});
