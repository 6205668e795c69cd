// The README's first command, end to end: `bash deploy/quickstart.sh` brings up three machines
// (network namespaces), a manager, three agents, a registry, the example images and stack; the
// example web service answers on its published port from every machine and from the host, and calls
// the api service by its name over the stack's overlay network; a second run is harmless;
// `deploy/quickstart.sh down` leaves nothing behind (VXLAN devices and bridges go with the machines).
//
// Root only (namespaces, iptables, runc). Uses the quickstart's fixed names and addresses (flt-m1..3,
// 10.99.0.0/24, /var/lib/flotilla-quickstart), so it refuses to run over a quickstart that is up.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpGet,
  leftovers,
  netnsProcesses,
  run,
  snapshotHost,
  stillRunning,
  tail,
  type HostSnapshot,
} from './harness/index.js';

const repo = join(import.meta.dirname, '..', '..');
const script = join(repo, 'deploy', 'quickstart.sh');
const stateDir = '/run/flotilla-quickstart';
const dataDir = '/var/lib/flotilla-quickstart';
const machines = [1, 2, 3];
const addr = (i: number) => `10.99.0.${10 + i}`;
const webPort = 8080;
// Builds, installs and image pushes on a shared 2-core machine: minutes, not seconds.
const upTimeoutMs = 20 * 60_000;
const isRoot = process.getuid?.() === 0;
// Show the script's progress when someone watches (FLOTILLA_E2E_ECHO=1).
const echo = process.env.FLOTILLA_E2E_ECHO ? process.stderr : undefined;

// What the quickstart creates, by name: its machines and bridge, its directories, and its agents'
// container namespaces (f<hash of the agent's data root>-<container id>). Other tests on this host
// may create namespaces and containers of their own meanwhile; these names are ours alone.
const agentHashes = machines.map((i) =>
  createHash('sha256').update(`${dataDir}/m${i}`).digest('hex').slice(0, 3),
);
const containerNetns = new RegExp(`^f(${agentHashes.join('|')})-[0-9a-f]{12}$`);
const ours = new RegExp(`flt-m\\d|flt-lan|flotilla-quickstart|${containerNetns.source}`);

async function quickstart(...args: string[]) {
  return run('bash', [script, ...args], { cwd: repo, timeoutMs: upTimeoutMs, echo });
}

async function waitForPage(url: string, ns?: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await httpGet(url, ns);
    if (body !== undefined || Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe.runIf(isRoot)('quickstart', () => {
  let before: HostSnapshot;
  let tornDown = false;

  beforeAll(async () => {
    if (existsSync(stateDir) || existsSync(dataDir))
      throw new Error(
        `a quickstart is already up (${stateDir} or ${dataDir} exists); ` +
          'run `bash deploy/quickstart.sh down` first',
      );
    before = await snapshotHost();
  });

  afterAll(async () => {
    // Whatever failed, leave nothing running.
    if (!tornDown) await quickstart('down');
  });

  it('brings up a three-machine cluster with the example stack', async () => {
    const r = await quickstart();
    expect(r.code, tail(r.output)).toBe(0);
    expect(r.stdout).toContain(`curl http://${addr(1)}:${webPort}/`);
  });

  it('serves the web service on the published port from every machine and the host', async () => {
    for (const i of machines) {
      const ns = `flt-m${i}`;
      // The printed address (machine 1) from each machine, and each machine's own address.
      for (const target of [addr(1), addr(i)]) {
        const body = await waitForPage(`http://${target}:${webPort}/`, ns);
        expect(body, `from ${ns} to ${target}`).toMatch(/Hello from Flotilla: web v1 on \S+/);
      }
    }
    const fromHost = await waitForPage(`http://${addr(1)}:${webPort}/`);
    expect(fromHost).toMatch(/Hello from Flotilla: web v1 on \S+/);
  });

  it('lets web reach the api service by its name on the stack overlay, on every machine', async () => {
    // web's /cgi-bin/api fetches http://api:8080/ from inside a web task: only the overlay's DNS
    // knows the name `api`, and only the VIP (or the VXLAN to another machine) delivers to its tasks.
    const apiTasks = new Set<string>();
    for (const i of machines) {
      const body = await waitForPage(`http://${addr(i)}:${webPort}/cgi-bin/api`, `flt-m${i}`);
      const m =
        /^web v1 on (\S+) called http:\/\/api:8080\/: Hello from Flotilla: api on (\S+)$/.exec(
          body?.trim() ?? '',
        );
      expect(m, `from flt-m${i}: ${body}`).not.toBeNull();
      apiTasks.add(m![2]!);
    }
    // The stack's default network is an overlay: each machine running its tasks has a VXLAN device.
    for (const i of machines) {
      const vx = await run('ip', ['-n', `flt-m${i}`, '-o', 'link', 'show', 'type', 'vxlan']);
      expect(vx.stdout, `flt-m${i}`).toMatch(/vx/);
    }
    const net = await run(join(repo, 'bin', 'flotilla'), ['network', 'inspect', 'demo_default']);
    expect(net.code, net.output).toBe(0);
    expect(net.stdout).toMatch(/"driver":\s*"overlay"/i);
    expect(apiTasks.size).toBeGreaterThan(0);
  });

  it('lets the host CLI reach the cluster with no flags', async () => {
    const nodes = await run(join(repo, 'bin', 'flotilla'), ['node', 'ls']);
    expect(nodes.code, nodes.output).toBe(0);
    for (const i of machines) expect(nodes.stdout).toMatch(new RegExp(`flt-m${i}\\s+Ready`));
    const services = await run(join(repo, 'bin', 'flotilla'), ['service', 'ls']);
    expect(services.code, services.output).toBe(0);
    expect(services.stdout).toContain('demo_web');
    expect(services.stdout).toContain('demo_beacon');
    expect(services.stdout).toContain('demo_api');
  });

  it('is safe to run again', async () => {
    const r = await quickstart();
    expect(r.code, tail(r.output)).toBe(0);
    expect(r.output).toContain('manager already running');
    expect(await waitForPage(`http://${addr(1)}:${webPort}/`)).toMatch(/web v1/);
  });

  it('down removes everything it created', async () => {
    // Every process of the machines and of the containers, to check by PID afterwards.
    const started = await netnsProcesses(new RegExp(`^flt-m\\d+$|${containerNetns.source}`));
    expect(started.length).toBeGreaterThan(0);
    const r = await quickstart('down');
    tornDown = true;
    expect(r.code, tail(r.output)).toBe(0);
    expect(existsSync(stateDir)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    const left = leftovers(before, await snapshotHost(), ours);
    expect(left).toEqual({ netns: [], links: [], mounts: [], iptables: [], processes: [] });
    expect(await stillRunning(started)).toEqual([]);
    // And a second `down` is harmless.
    const again = await quickstart('down');
    expect(again.code, tail(again.output)).toBe(0);
  });
});
