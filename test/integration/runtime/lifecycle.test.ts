// Container lifecycle verbs through the CLI against a real agent: events, rename, wait, kill -s,
// pause/unpause, restart, stop signals, restart policies, prune, rm -v, ps filters and formats,
// inspect fields, and --rm cleaning up after itself. Resource limits, volumes, exec and bad input
// have their own files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestAgent, useTestAgent, waitFor } from './harness.js';

const agent = new TestAgent();
const run = (args: string[], input?: string) => agent.cli(args, input);
const none = ['--network', 'none'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

useTestAgent(agent);
afterEach(() => agent.removeAll());

/** `run -d`, asserting it worked; returns the full id. */
async function runDetached(args: string[]): Promise<string> {
  const r = await run(['run', '-d', ...none, ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

interface Event {
  action: string;
  id: string;
  name: string;
  attributes: Record<string, string>;
}
/** `events --format json` prints Docker's events.Message; the container events, flattened. */
const parseEvents = (out: string): Event[] =>
  out
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as {
          Type: string;
          Action: string;
          Actor: { ID: string; Attributes: Record<string, string> };
        },
    )
    .filter((m) => m.Type === 'container')
    .map((m) => ({
      action: m.Action,
      id: m.Actor.ID,
      name: m.Actor.Attributes.name ?? '',
      attributes: m.Actor.Attributes,
    }));

describe('events', () => {
  it('streams create, start, die and destroy, and --filter container= keeps one container', async () => {
    const all = agent.stream(['events', '--format', 'json']);
    const only = agent.stream(['events', '--format', 'json', '--filter', 'container=ev']);
    // The streams have no "subscribed" signal: rename a probe container to the filtered name
    // until both streams have seen it, then everything after is seen too.
    const probe = (
      await run(['create', ...none, '--name', 'probe', 'busybox', 'true'])
    ).stdout.trim();
    let name = 'probe';
    await waitFor(
      'both event streams to be subscribed',
      async () => {
        const next = name === 'ev' ? 'probe' : 'ev';
        expect((await run(['rename', name, next])).status).toBe(0);
        name = next;
        await sleep(500);
        return [all, only].every((s) =>
          parseEvents(s.stdout).some((e) => e.id === probe && e.action === 'rename'),
        );
      },
      { everyMs: 0 },
    );
    expect((await run(['rm', name])).status).toBe(0);

    const other = (await run(['run', ...none, '--name', 'other', '--rm', 'busybox', 'true']))
      .status;
    expect(other).toBe(0);
    const r = await run([
      'run',
      ...none,
      '--name',
      'ev',
      '-l',
      'team=blue',
      'busybox',
      'sh',
      '-c',
      'exit 3',
    ]);
    expect(r.status).toBe(3);
    const id = (await agent.inspect('ev')).Id as string;
    expect((await run(['rm', 'ev'])).status).toBe(0);
    const destroyed = (s: { stdout: string }) =>
      parseEvents(s.stdout).some((e) => e.id === id && e.action === 'destroy');
    await waitFor('destroy in both streams', () => destroyed(all) && destroyed(only));
    await all.stop();
    await only.stop();

    const evOf = (s: { stdout: string }) => parseEvents(s.stdout).filter((e) => e.id === id);
    expect(evOf(all).map((e) => e.action)).toEqual(['create', 'start', 'die', 'destroy']);
    expect(evOf(only).map((e) => e.action)).toEqual(['create', 'start', 'die', 'destroy']);
    const die = evOf(all).find((e) => e.action === 'die');
    expect(die?.attributes).toMatchObject({ exitCode: '3', name: 'ev', team: 'blue' });
    expect(die?.attributes.image).toMatch(/busybox/);
    // The unfiltered stream saw `other`; the filtered one saw nothing but the probe and ev.
    expect(parseEvents(all.stdout).some((e) => e.name === 'other' && e.action === 'die')).toBe(
      true,
    );
    expect(new Set(parseEvents(only.stdout).map((e) => e.id))).toEqual(new Set([probe, id]));
  });

  it('prints one human-readable line per event without --format', async () => {
    const s = agent.stream(['events', '--filter', 'event=rename']);
    await run(['create', ...none, '--name', 'ev-text', 'busybox', 'true']);
    let name = 'ev-text';
    let n = 0;
    await waitFor(
      'a rename line',
      async () => {
        const next = `ev-text-${++n}`;
        await run(['rename', name, next]);
        name = next;
        await sleep(500);
        return s.stdout.includes('container rename');
      },
      { everyMs: 0 },
    );
    await s.stop();
    const line = s.stdout.split('\n').find((l) => l.includes('container rename')) ?? '';
    expect(line).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z container rename [0-9a-f]{64} \(.*name=ev-text-\d+.*oldName=ev-text.*\)$/,
    );
    await run(['rm', name]);
  });
});

describe('rename, wait, kill', () => {
  it('renames, delivers kill -s to the process, and wait prints its exit code', async () => {
    const id = await runDetached([
      '--name',
      'lc1',
      'busybox',
      'sh',
      '-c',
      'trap "exit 42" USR1; while true; do sleep 0.2; done',
    ]);
    expect((await run(['rename', 'lc1', 'lc2'])).status).toBe(0);
    const gone = await run(['inspect', 'lc1']);
    expect(gone.status).not.toBe(0);
    expect(gone.stderr).toMatch(/No such object: lc1/);
    expect((await agent.inspect('lc2')).Name).toBe('/lc2');
    expect((await agent.inspect(id)).Name).toBe('/lc2');

    const waiting = run(['wait', 'lc2']);
    const k = await run(['kill', '-s', 'USR1', 'lc2']);
    expect(k.status).toBe(0);
    expect(k.stdout).toBe('lc2\n');
    const w = await waiting;
    expect(w.stdout).toBe('42\n');
    expect(w.status).toBe(0);
    const st = (await agent.inspect('lc2')).State;
    expect(st.Status).toBe('exited');
    expect(st.ExitCode).toBe(42);
    // wait on an exited container answers at once with the same code.
    expect((await run(['wait', 'lc2'])).stdout).toBe('42\n');
    // kill of a stopped container is refused.
    const again = await run(['kill', 'lc2']);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/is not running/);
    await run(['rm', 'lc2']);
  });

  it('kill without -s sends SIGKILL (exit 137)', async () => {
    await runDetached(['--name', 'k9', 'busybox', 'sh', '-c', 'trap "" TERM INT; sleep 600']);
    expect((await run(['kill', 'k9'])).status).toBe(0);
    expect((await run(['wait', 'k9'])).stdout).toBe('137\n');
    await run(['rm', 'k9']);
  });
});

describe('pause and unpause', () => {
  it('freezes the processes (a counter stops advancing) and thaws them', async () => {
    const id = await runDetached([
      '--name',
      'counter',
      'busybox',
      'sh',
      '-c',
      'i=0; while true; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done',
    ]);
    const upper = (await agent.inspect(id)).GraphDriver.Data.UpperDir as string;
    const count = () => {
      try {
        return Number(readFileSync(join(upper, 'tmp/n'), 'utf8'));
      } catch {
        return 0; // not written yet, or being rewritten
      }
    };
    await waitFor('the counter to start', () => count() > 2);
    expect((await run(['pause', 'counter'])).status).toBe(0);
    const d = await agent.inspect('counter');
    expect(d.State.Status).toBe('paused');
    expect(d.State.Paused).toBe(true);
    expect(readFileSync(`/sys/fs/cgroup/freezer/flotilla/${id}/freezer.state`, 'utf8').trim()).toBe(
      'FROZEN',
    );
    expect((await run(['ps', '--format', '{{.Names}} {{.Status}}'])).stdout).toMatch(
      /^counter Up .*\(Paused\)$/m,
    );
    const frozenAt = count();
    await sleep(1500);
    expect(count()).toBe(frozenAt);
    const execPaused = await run(['exec', 'counter', 'true']);
    expect(execPaused.status).not.toBe(0);
    expect(execPaused.stderr).toMatch(/paused/);

    expect((await run(['unpause', 'counter'])).status).toBe(0);
    expect((await agent.inspect('counter')).State.Status).toBe('running');
    await waitFor('the counter to advance again', () => count() > frozenAt);
    const notPaused = await run(['unpause', 'counter']);
    expect(notPaused.status).not.toBe(0);
    expect(notPaused.stderr).toMatch(/not paused/);
    await run(['rm', '-f', 'counter']);
  });
});

describe('restart and stop', () => {
  it('restart runs the command again in a new process', async () => {
    await runDetached(['--name', 'again', 'busybox', 'sh', '-c', 'echo started; sleep 600']);
    const before = (await agent.inspect('again')).State;
    expect((await run(['restart', '-t', '1', 'again'])).stdout).toBe('again\n');
    const after = (await agent.inspect('again')).State;
    expect(after.Status).toBe('running');
    expect(after.Pid).not.toBe(before.Pid);
    expect(after.StartedAt).not.toBe(before.StartedAt);
    await waitFor(
      'the second start in the log',
      async () => (await run(['logs', 'again'])).stdout === 'started\nstarted\n',
    );
    await run(['rm', '-f', 'again']);
  });

  it('stop sends --stop-signal; with --stop-timeout and no -t, a process ignoring SIGTERM is killed', async () => {
    await runDetached([
      '--name',
      'usr1',
      '--stop-signal',
      'USR1',
      'busybox',
      'sh',
      '-c',
      'trap "echo got-usr1; exit 7" USR1; trap "exit 99" TERM; while true; do sleep 0.1; done',
    ]);
    expect((await agent.inspect('usr1')).Config.StopSignal).toMatch(/^(SIG)?USR1$/);
    expect((await run(['stop', 'usr1'])).status).toBe(0);
    const st = (await agent.inspect('usr1')).State;
    expect(st.ExitCode).toBe(7);
    expect((await run(['logs', 'usr1'])).stdout).toBe('got-usr1\n');

    await runDetached([
      '--name',
      'deaf',
      '--stop-timeout',
      '1',
      'busybox',
      'sh',
      '-c',
      'trap "" TERM; while true; do sleep 0.1; done',
    ]);
    expect((await agent.inspect('deaf')).Config.StopTimeout).toBe(1);
    // No -t: the container's own timeout applies; SIGTERM is ignored, so it ends by SIGKILL.
    expect((await run(['stop', 'deaf'])).status).toBe(0);
    expect((await agent.inspect('deaf')).State.ExitCode).toBe(137);
    await run(['rm', 'usr1', 'deaf']);
  });
});

describe('restart policies', () => {
  it.for(['always', 'unless-stopped'])(
    '--restart %s restarts after a clean exit, and a manual stop holds it off',
    async (policy) => {
      const name = `pol-${policy}`;
      await runDetached(['--name', name, '--restart', policy, 'busybox', 'sh', '-c', 'sleep 1']);
      await waitFor(
        `${name} to restart twice`,
        () => (agent.record(name)?.restartCount ?? 0) >= 2,
        {
          timeoutMs: 120_000,
        },
      );
      const d = await agent.inspect(name);
      expect(d.HostConfig.RestartPolicy.Name).toBe(policy);
      expect(d.RestartCount).toBeGreaterThanOrEqual(2);
      expect((await run(['stop', '-t', '1', name])).status).toBe(0);
      const stopped = (await agent.inspect(name)).RestartCount as number;
      // Several of its 1 s lifetimes: a policy that ignored the stop would have run it again.
      await sleep(4000);
      const d2 = await agent.inspect(name);
      expect(d2.State.Status).toBe('exited');
      expect(d2.RestartCount).toBe(stopped);
      await run(['rm', name]);
    },
  );
});

describe('rm, prune and --rm', () => {
  it('container prune removes stopped containers only', async () => {
    await run(['run', ...none, '--name', 'pr1', 'busybox', 'true']);
    await run(['create', ...none, '--name', 'pr2', 'busybox', 'true']);
    const live = await runDetached(['--name', 'pr3', 'busybox', 'sleep', '600']);
    const ids = [
      (await agent.inspect('pr1')).Id as string,
      (await agent.inspect('pr2')).Id as string,
    ];
    const r = await run(['container', 'prune', '-f']);
    expect(r.status).toBe(0);
    const deleted = r.stdout.split('\n').filter((l) => /^[0-9a-f]{64}$/.test(l));
    expect(deleted.sort()).toEqual([...ids].sort());
    expect(r.stdout).toMatch(/^Deleted Containers:\n/);
    expect((await run(['ps', '-a', '-q', '--no-trunc'])).stdout).toBe(`${live}\n`);
    for (const id of ids) expect(agent.leftoversOf(id)).toEqual([]);
    await run(['rm', '-f', 'pr3']);
  });

  it('rm -v removes anonymous volumes but keeps named ones; rm alone keeps both', async () => {
    const vols = async () =>
      (await run(['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean).sort();
    const before = await vols();
    await run(['run', ...none, '--name', 'anon1', '-v', '/a', 'busybox', 'touch', '/a/x']);
    await run([
      'run',
      ...none,
      '--name',
      'anon2',
      '-v',
      '/b',
      '-v',
      'keepme:/k',
      'busybox',
      'touch',
      '/b/x',
    ]);
    const anon1 = (await agent.inspect('anon1')).Mounts.find(
      (m: { Destination: string }) => m.Destination === '/a',
    );
    const anon2 = (await agent.inspect('anon2')).Mounts.find(
      (m: { Destination: string }) => m.Destination === '/b',
    );
    expect(anon1.Type).toBe('volume');
    expect(anon1.Name).toMatch(/^[0-9a-f]{64}$/);
    expect(await vols()).toEqual([...before, anon1.Name, anon2.Name, 'keepme'].sort());

    expect((await run(['rm', 'anon1'])).status).toBe(0);
    expect((await run(['rm', '-v', 'anon2'])).status).toBe(0);
    expect(await vols()).toEqual([...before, anon1.Name, 'keepme'].sort());
    await run(['volume', 'rm', anon1.Name, 'keepme']);
    expect(await vols()).toEqual(before);
  });

  it('--rm leaves no snapshot, bundle, cgroup, runc state or conmon behind', async () => {
    const fg = await run(['run', '--rm', ...none, '--name', 'gone-fg', 'busybox', 'hostname']);
    expect(fg.status).toBe(0);
    // The hostname is the short id; the full id is gone from the agent, so look for the prefix.
    const short = fg.stdout.trim();
    expect(short).toMatch(/^[0-9a-f]{12}$/);
    await waitFor('the foreground --rm container to be removed', () =>
      agent.ids().every((i) => !i.startsWith(short)),
    );

    const id = await runDetached(['--rm', '--name', 'gone-bg', 'busybox', 'sleep', '600']);
    expect(agent.leftoversOf(id)).not.toEqual([]);
    expect((await run(['stop', '-t', '1', 'gone-bg'])).status).toBe(0);
    await waitFor('the detached --rm container to be removed', () => !agent.ids().includes(id));
    await waitFor('its leftovers to go', () => agent.leftoversOf(id).length === 0);
    expect((await run(['ps', '-a', '-q'])).stdout).toBe('');
    expect(agent.leftovers([id])).toEqual([]);
  });
});

describe('ps and inspect', () => {
  it('filters by status, name, exited and label, and formats names', async () => {
    await run(['run', ...none, '--name', 'psa', '-l', 'tier=web', 'busybox', 'true']);
    await run(['run', ...none, '--name', 'psb', 'busybox', 'sh', '-c', 'exit 1']);
    await run(['run', ...none, '--name', 'other-exited', 'busybox', 'true']);
    await runDetached(['--name', 'psc', '-l', 'tier=web', 'busybox', 'sleep', '600']);
    const id = async (n: string) => ((await agent.inspect(n)).Id as string).slice(0, 12);
    const [a, b, c] = [await id('psa'), await id('psb'), await id('psc')];

    const q = await run(['ps', '-a', '-q', '--filter', 'status=exited', '--filter', 'name=ps']);
    expect(q.stdout.split('\n').filter(Boolean).sort()).toEqual([a, b].sort());
    expect((await run(['ps', '-a', '-q', '--filter', 'exited=1'])).stdout).toBe(`${b}\n`);
    const web = await run(['ps', '-a', '-q', '--filter', 'label=tier=web']);
    expect(web.stdout.split('\n').filter(Boolean).sort()).toEqual([a, c].sort());
    expect((await run(['ps', '-q', '--filter', 'label=tier'])).stdout).toBe(`${c}\n`);
    expect((await run(['ps', '--format', '{{.Names}}'])).stdout).toBe('psc\n');
    const all = (await run(['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n');
    expect(all.filter(Boolean).sort()).toEqual(['other-exited', 'psa', 'psb', 'psc']);
    const json = (await run(['ps', '--format', 'json'])).stdout.trim().split('\n');
    expect(json).toHaveLength(1);
    expect(JSON.parse(json[0])).toMatchObject({ Names: 'psc', State: 'running' });
    const bad = await run(['ps', '--filter', 'colour=red']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/invalid filter 'colour'/);
    await run(['rm', '-f', 'psa', 'psb', 'psc', 'other-exited']);
  });

  it('inspect shows state, env, limits and mounts as created', async () => {
    const host = agent.dir;
    await run([
      'run',
      ...none,
      '--name',
      'insp',
      '-e',
      'A=1',
      '-m',
      '48m',
      '--cpus',
      '0.5',
      '--pids-limit',
      '64',
      '--cpu-shares',
      '512',
      '-v',
      `${host}:/host:ro`,
      'busybox',
      'sh',
      '-c',
      'exit 5',
    ]);
    const d = await agent.inspect('insp');
    expect(d.State).toMatchObject({ Status: 'exited', Running: false, ExitCode: 5 });
    expect(d.Config.Env).toContain('A=1');
    expect(d.Config.Env.some((e: string) => e.startsWith('PATH='))).toBe(true);
    expect(d.Config.Cmd).toEqual(['sh', '-c', 'exit 5']);
    expect(d.HostConfig).toMatchObject({
      Memory: 48 * 1024 * 1024,
      NanoCpus: 500_000_000,
      PidsLimit: 64,
      CpuShares: 512,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      Binds: [`${host}:/host:ro`],
    });
    expect(d.Mounts).toEqual([
      expect.objectContaining({ Type: 'bind', Source: host, Destination: '/host', RW: false }),
    ]);
    expect(
      (await run(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'insp'])).stdout,
    ).toBe('exited 5\n');
    await run(['rm', 'insp']);
  });
});
