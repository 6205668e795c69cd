// Bad input through the CLI against a real agent: each mistake gives one `Error:` line (plus at most
// a `Hint:`), Docker's exit code, and leaves nothing half-created (no record, snapshot, mount,
// cgroup, runc state or conmon).
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TestAgent, useTestAgent } from './harness.js';

const agent = new TestAgent();
const run = (args: string[], input?: string) => agent.cli(args, input);
const none = ['--network', 'none'];

useTestAgent(agent);
afterEach(() => agent.removeAll());

/** One Error line, optionally one Hint line, and no stack trace. */
function expectOneError(stderr: string, message: RegExp): void {
  const lines = stderr.split('\n').filter(Boolean);
  const errors = lines.filter((l) => l.startsWith('Error:'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  // Besides Error and Hint, only Docker's note before a pull.
  expect(
    lines.filter((l) => !/^(Error|Hint):|^Unable to find image '.*' locally$/.test(l)),
  ).toEqual([]);
}

// Docker's statuses: `run` exits 125 for all of these; `create` 125 for an option the CLI cannot
// read (Docker's client-side parse) and 1 when the agent refuses (Docker's daemon error as is).
describe('create and run refuse bad input without leaving anything', () => {
  it.for([
    [
      'unknown local image',
      ['--pull', 'never', 'no-such-image:1', 'true'],
      /No such image: no-such-image:1/,
      1,
    ],
    [
      'image from an unreachable registry',
      ['127.0.0.1:1/nothing/here:1', 'true'],
      /127\.0\.0\.1:1/,
      1,
    ],
    ['--memory 12q', ['--memory', '12q', 'busybox', 'true'], /--memory: invalid size "12q"/, 125],
    [
      '--cpus abc',
      ['--cpus', 'abc', 'busybox', 'true'],
      /invalid value "abc" for flag --cpus/,
      125,
    ],
    ['--cpu-shares x', ['--cpu-shares', 'x', 'busybox', 'true'], /--cpu-shares/, 125],
    [
      '--memory-swap below --memory',
      ['-m', '64m', '--memory-swap', '32m', 'busybox', 'true'],
      /swap/i,
      1,
    ],
    ['--ulimit typo', ['--ulimit', 'nofile', 'busybox', 'true'], /--ulimit/, 125],
    ['unknown user', ['-u', 'ghost', 'busybox', 'true'], /unable to find user ghost/, 1],
    ['unknown group', ['-u', 'app:ghosts', 'busybox', 'true'], /unable to find group ghosts/, 1],
    ['--restart nonsense', ['--restart', 'sometimes', 'busybox', 'true'], /--restart/, 125],
    ['--cap-add unknown', ['--cap-add', 'NOT_A_CAP', 'busybox', 'true'], /NOT_A_CAP/, 1],
    ['--publish garbage', ['-p', 'x:y', 'busybox', 'true'], /--publish/, 125],
    ['--mount without target', ['--mount', 'type=tmpfs', 'busybox', 'true'], /target/, 125],
    ['unknown network', ['--network', 'nowhere', 'busybox', 'true'], /nowhere/, 1],
  ] as [string, string[], RegExp, number][])('%s', async ([, args, message, createStatus]) => {
    const before = agent.ids();
    for (const verb of ['run', 'create']) {
      const r = await run([verb, ...(args.includes('--network') ? [] : none), ...args]);
      expect(r.status).toBe(verb === 'run' ? 125 : createStatus);
      expect(r.stdout).toBe('');
      expectOneError(r.stderr, message);
      expect(agent.ids()).toEqual(before);
      expect(agent.leftovers(before)).toEqual([]);
    }
  });

  it('refuses a duplicate name, leaving the first container alone', async () => {
    const first = await run(['create', ...none, '--name', 'dup', 'busybox', 'true']);
    expect(first.status).toBe(0);
    const before = agent.ids();
    for (const verb of ['run', 'create']) {
      const r = await run([verb, ...none, '--name', 'dup', 'busybox', 'true']);
      expect(r.status).toBe(verb === 'run' ? 125 : 1);
      expectOneError(r.stderr, /name "\/dup" is already in use/);
      expect(agent.ids()).toEqual(before);
    }
    expect((await agent.inspect('dup')).Id).toBe(first.stdout.trim());
    await run(['rm', 'dup']);
  });
});

// This host has neither AppArmor nor SELinux (the case these expectations are written for).
const hostHasLsm =
  existsSync('/sys/fs/selinux') ||
  (existsSync('/sys/module/apparmor/parameters/enabled') &&
    readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y');

describe.skipIf(hostHasLsm)('--security-opt apparmor= and label= on a host without them', () => {
  it.for([
    [
      'an AppArmor profile',
      'apparmor=docker-default',
      /--security-opt apparmor=docker-default cannot be applied on this host: AppArmor is not enabled/,
    ],
    [
      'an SELinux label',
      'label=type:svirt_lxc_net_t',
      /--security-opt label=type:svirt_lxc_net_t cannot be applied on this host: SELinux is not enabled/,
    ],
    ['an unknown option', 'bogus=1', /invalid --security-opt "bogus=1"/],
    ['a malformed label', 'label=kind:x', /invalid --security-opt "label=kind:x"/],
  ])('refuses %s, naming it, and creates nothing', async ([, opt, message]) => {
    const before = agent.ids();
    for (const verb of ['run', 'create']) {
      const r = await run([verb, ...none, '--security-opt', opt as string, 'busybox', 'true']);
      // run: 125 as every failure before the container runs; create: the agent's refusal, 1.
      expect(r.status).toBe(verb === 'run' ? 125 : 1);
      expectOneError(r.stderr, message as RegExp);
      expect(agent.ids()).toEqual(before);
      expect(agent.leftovers(before)).toEqual([]);
    }
  });

  it('accepts apparmor=unconfined and label=disable (what runs anyway) and records them', async () => {
    const opts = ['apparmor=unconfined', 'label=disable', 'label:disable'];
    const r = await run([
      'run',
      ...none,
      '--name',
      'lsm-ok',
      ...opts.flatMap((o) => ['--security-opt', o]),
      'busybox',
      'echo',
      'confined-as-usual',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('confined-as-usual\n');
    expect((await agent.inspect('lsm-ok')).HostConfig.SecurityOpt).toEqual(opts);
    expect((await agent.inspect('lsm-ok')).State.Error).toBe('');
  });
});

describe('verbs on the wrong container or state', () => {
  it('rm of a running container without -f is refused and the container keeps running', async () => {
    await run(['run', '-d', ...none, '--name', 'busy', 'busybox', 'sleep', '600']);
    const r = await run(['rm', 'busy']);
    expect(r.status).toBe(1);
    expectOneError(r.stderr, /cannot remove container busy: container is running/);
    expect((await agent.inspect('busy')).State.Status).toBe('running');
    expect((await run(['rm', '-f', 'busy'])).status).toBe(0);
  });

  it.for([
    ['start'],
    ['stop'],
    ['kill'],
    ['rm'],
    ['pause'],
    ['wait'],
    ['logs'],
    ['container', 'inspect'],
    ['top'],
    ['port'],
    ['stats', '--no-stream'],
  ])('%s of an unknown container says so and exits 1', async ([verb, ...flags]) => {
    const r = await run([verb, ...flags, 'nobody-here']);
    expect(r.status).toBe(1);
    expectOneError(r.stderr, /^Error: No such container: nobody-here$/);
  });

  it('inspect of an unknown name searches every object type, as docker inspect does', async () => {
    const r = await run(['inspect', 'nobody-here']);
    expect(r.status).toBe(1);
    expectOneError(r.stderr, /^Error: No such object: nobody-here$/);
  });

  it('start of a container whose command does not exist exits 1 and records 127', async () => {
    await run(['create', ...none, '--name', 'nocmd', 'busybox', 'no-such-binary']);
    const r = await run(['start', 'nocmd']);
    // 127 is `run`'s status; Docker's `start` returns the daemon's error, which exits 1.
    expect(r.status).toBe(1);
    expectOneError(r.stderr, /no-such-binary/);
    const st = (await agent.inspect('nocmd')).State;
    expect(st.Status).not.toBe('running');
    expect(st.ExitCode).toBe(127);
    expect((await run(['rm', 'nocmd'])).status).toBe(0);
    expect(agent.leftovers(agent.ids())).toEqual([]);
  });
});
