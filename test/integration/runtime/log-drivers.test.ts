// Log drivers through the CLI against a real agent (runc + conmon): json-file in Docker's on-disk
// format with rotation, local, syslog to a UDP server the test runs, journald into a real
// systemd-journald the test runs (test/harness/journald.ts), none (logs refused), and json-file lines written while the agent is down.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startJournald } from '../../harness/journald.js';
import { bundlePath, TestAgent, useTestAgent, waitFor } from './harness.js';

const tmp = mkdtempSync('/tmp/flt-it-logs-');
const journal = join(tmp, 'journal.sock');
process.env.FLOTILLA_JOURNAL_SOCKET = journal;
const agent = new TestAgent();
const run = (args: string[]) => agent.cli(args);
const none = ['--network', 'none'];

useTestAgent(agent);
afterEach(() => agent.removeAll());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dirOf = (id: string) => join(agent.dataRoot, 'containers', id);
const rfc3339Nano = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

/** Every line parses, with Docker's keys in Docker's order. */
function jsonLines(text: string): { log: string; stream: string; time: string }[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => {
      const o = JSON.parse(l) as { log: string; stream: string; time: string };
      expect(Object.keys(o)).toEqual(['log', 'stream', 'time']);
      expect(['stdout', 'stderr']).toContain(o.stream);
      expect(o.time).toMatch(rfc3339Nano);
      return o;
    });
}

describe('log drivers', () => {
  it('json-file (the default) writes Docker json-file lines in <id>-json.log, and logs reads them', async () => {
    const r = await run([
      'run', ...none, '--name', 'jf', 'busybox', 'sh', '-c',
      'echo "out <1> & \\"q\\""; echo err >&2; printf partial',
    ]); // prettier-ignore
    expect(r.status).toBe(0);
    const info = await agent.inspect('jf');
    const id = info.Id as string;
    expect(info.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: {} });
    const path = join(dirOf(id), `${id}-json.log`);
    expect(info.LogPath).toBe(path);
    const raw = readFileSync(path, 'utf8');
    // Go's encoder escapes <, > and &, as Docker's jsonlog does.
    expect(raw).toContain('"log":"out \\u003c1\\u003e \\u0026 \\"q\\"\\n","stream":"stdout"');
    const lines = jsonLines(raw);
    // conmon reads stdout and stderr from two pipes: only the order within a stream is kept.
    const of = (stream: string) => lines.filter((l) => l.stream === stream).map((l) => l.log);
    expect(of('stdout')).toEqual(['out <1> & "q"\n', 'partial']);
    expect(of('stderr')).toEqual(['err\n']);
    const logs = await run(['logs', 'jf']);
    expect(logs.stdout).toBe('out <1> & "q"\npartial');
    expect(logs.stderr).toBe('err\n');
  });

  it('json-file rotates at max-size, keeps max-file files and compresses the rotated ones', async () => {
    // 40 lines of ~100 bytes ≈ 4.8 kB of JSON: several rotations at 1k; 3 files kept.
    const r = await run([
      'run', ...none, '--name', 'rot', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=3',
      '--log-opt', 'compress=true', 'busybox', 'sh', '-c',
      'i=0; while [ $i -lt 40 ]; do echo "line $i $(printf %080d 0)"; i=$((i+1)); done',
    ]); // prettier-ignore
    expect(r.status).toBe(0);
    const id = (await agent.inspect('rot')).Id as string;
    const files = readdirSync(dirOf(id))
      .filter((f) => f.startsWith(`${id}-json.log`))
      .sort();
    expect(files).toEqual([`${id}-json.log`, `${id}-json.log.1.gz`, `${id}-json.log.2.gz`]);
    const live = readFileSync(join(dirOf(id), `${id}-json.log`), 'utf8');
    const rotated = [2, 1].map((n) =>
      gunzipSync(readFileSync(join(dirOf(id), `${id}-json.log.${n}.gz`))).toString(),
    );
    for (const t of [...rotated, live]) jsonLines(t);
    // A rotated file stops at the first write past 1k (Docker checks before each write).
    for (const t of rotated) expect(t.length).toBeLessThan(1024 + 120);
    const kept = [...rotated, live].flatMap((t) => jsonLines(t).map((l) => l.log));
    // The newest lines survive, in order, up to the last one.
    expect(kept.at(-1)).toMatch(/^line 39 /);
    const first = Number(/^line (\d+)/.exec(kept[0])![1]);
    expect(kept).toEqual(
      Array.from({ length: 40 - first }, (_, i) => `line ${first + i} ${'0'.repeat(80)}\n`),
    );
    expect(first).toBeGreaterThan(0);
    // logs reads the compressed copies too.
    expect((await run(['logs', 'rot'])).stdout).toBe(kept.join(''));
  });

  it('local writes Docker local-format entries and logs reads them', async () => {
    const r = await run([
      'run', ...none, '--name', 'loc', '--log-driver', 'local', 'busybox', 'sh', '-c',
      'echo one; echo two >&2',
    ]); // prettier-ignore
    expect(r.status).toBe(0);
    const id = (await agent.inspect('loc')).Id as string;
    const file = readFileSync(join(dirOf(id), 'local-logs', 'container.log'));
    // Frames: u32 length, protobuf LogEntry, the same u32 length.
    const len = file.readUInt32BE(0);
    expect(file.readUInt32BE(4 + len)).toBe(len);
    expect(file.subarray(4, 4 + len).includes(Buffer.from('one'))).toBe(true);
    const logs = await run(['logs', 'loc']);
    expect([logs.stdout, logs.stderr]).toEqual(['one\n', 'two\n']);
  });

  it('syslog sends each line to a UDP server with the tag, in RFC 5424', async () => {
    const server = createSocket('udp4');
    const got: string[] = [];
    server.on('message', (m) => got.push(m.toString()));
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    const port = server.address().port;
    try {
      const r = await run([
        'run', ...none, '--name', 'sl', '--log-driver', 'syslog',
        '--log-opt', `syslog-address=udp://127.0.0.1:${port}`, '--log-opt', 'syslog-format=rfc5424',
        '--log-opt', 'tag=web-{{.Name}}', 'busybox', 'sh', '-c', 'echo hello; echo oops >&2',
      ]); // prettier-ignore
      expect(r.status).toBe(0);
      await waitFor('two syslog messages', () => got.length >= 2);
      // <daemon.info=30>1 TIMESTAMP HOST TAG PID TAG - MSG; stderr is daemon.err (27).
      // (stdout and stderr come through two pipes: either may arrive first)
      expect(got.find((m) => m.endsWith('hello'))).toMatch(
        /^<30>1 \S+ \S+ web-sl \d+ web-sl - hello$/,
      );
      expect(got.find((m) => m.endsWith('oops'))).toMatch(
        /^<27>1 \S+ \S+ web-sl \d+ web-sl - oops$/,
      );
      // Dual logging: the local cache still answers logs.
      expect((await run(['logs', 'sl'])).stdout).toBe('hello\n');
    } finally {
      server.close();
    }
  });

  it('syslog over tcp frames RFC 5424 by octet count, and over a unix stream socket sends RFC 3164', async () => {
    const received: Record<string, string> = { tcp: '', unix: '' };
    const serve = (kind: string) =>
      createServer((sock) => sock.on('data', (d: Buffer) => (received[kind] += d.toString())));
    const tcp = serve('tcp');
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const sockPath = join(tmp, 'syslog.sock');
    const unix = serve('unix');
    await new Promise<void>((r) => unix.listen(sockPath, r));
    try {
      const port = (tcp.address() as AddressInfo).port;
      const t = await run([
        'run', ...none, '--log-driver', 'syslog', '--log-opt', `syslog-address=tcp://127.0.0.1:${port}`,
        '--log-opt', 'syslog-format=rfc5424', '--log-opt', 'tag=t', 'busybox', 'echo', 'over tcp',
      ]); // prettier-ignore
      expect(t.status).toBe(0);
      const u = await run([
        'run', ...none, '--log-driver', 'syslog', '--log-opt', `syslog-address=unix://${sockPath}`,
        '--log-opt', 'syslog-format=rfc3164', '--log-opt', 'syslog-facility=local0',
        '--log-opt', 'tag=u', 'busybox', 'echo', 'over unix',
      ]); // prettier-ignore
      expect(u.status).toBe(0);
      await waitFor('both messages', () => received.tcp && received.unix);
      const m = /^(\d+) (<30>1 \S+ \S+ t \d+ t - over tcp)$/.exec(received.tcp);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBe(Buffer.byteLength(m![2]));
      // local0.info = 16 * 8 + 6; Go's time.Stamp: "Jan _2 15:04:05".
      expect(received.unix).toMatch(
        /^<134>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ u\[\d+\]: over unix\n$/,
      );
    } finally {
      tcp.close();
      unix.close();
    }
  });

  it("journald writes entries with Docker's fields into a real journal, and logs reads its cache", async () => {
    // A real systemd-journald in a mount namespace of its own; the agent's socket path (fixed when
    // it started) is a symlink to journald's socket while the journal is up.
    const journald = await startJournald();
    symlinkSync(journald.socket, journal);
    try {
      const r = await run([
        'run', ...none, '--name', 'jd', '--log-driver', 'journald', 'busybox', 'sh', '-c',
        'echo to-journal; echo to-journal-err >&2',
      ]); // prettier-ignore
      expect(r.status).toBe(0);
      const id = (await agent.inspect('jd')).Id as string;
      const ours = async () => (await journald.entries()).filter((e) => e.CONTAINER_ID_FULL === id);
      const entries = await waitFor('two journal entries', async () => {
        const e = await ours();
        return e.length >= 2 ? e : undefined;
      });
      const out = entries.find((e) => e.MESSAGE === 'to-journal');
      const err = entries.find((e) => e.MESSAGE === 'to-journal-err');
      expect(out, JSON.stringify(entries)).toMatchObject({
        CONTAINER_ID: id.slice(0, 12),
        CONTAINER_NAME: 'jd',
        PRIORITY: '6',
        SYSLOG_IDENTIFIER: id.slice(0, 12),
        _TRANSPORT: 'journal',
      });
      expect(err, JSON.stringify(entries)).toMatchObject({ PRIORITY: '3', CONTAINER_NAME: 'jd' });
      // Dual logging: `logs` reads the agent's local cache, each line on its own stream.
      const logs = await run(['logs', 'jd']);
      expect(logs.status).toBe(0);
      expect(logs.stdout).toBe('to-journal\n');
      expect(logs.stderr).toBe('to-journal-err\n');
    } finally {
      rmSync(journal, { force: true });
      await journald.stop();
    }
    // Without a journal the driver is refused at create, naming what is missing.
    const c = await run(['create', ...none, '--log-driver', 'journald', 'busybox']);
    expect(c.status).toBe(1);
    expect(c.stderr).toBe(
      `Error: the journald log driver cannot be used on this host: ${journal} does not exist (systemd-journald is not running)\n`,
    );
  });

  it('none keeps no log, and logs refuses as Docker does', async () => {
    const r = await run([
      'run',
      ...none,
      '--name',
      'nl',
      '--log-driver',
      'none',
      'busybox',
      'echo',
      'x',
    ]);
    expect(r.status).toBe(0);
    const id = (await agent.inspect('nl')).Id as string;
    expect(existsSync(join(dirOf(id), 'ctr.log'))).toBe(false);
    const logs = await run(['logs', 'nl']);
    expect(logs.status).toBe(1);
    expect(logs.stderr).toMatch(/^Error: configured logging driver does not support reading\n/);
  });

  it('syslog with cache-disabled keeps no copy, so logs refuses', async () => {
    const r = await run([
      'run', ...none, '--name', 'nocache', '--log-driver', 'syslog',
      '--log-opt', 'syslog-address=udp://127.0.0.1:9', '--log-opt', 'cache-disabled=true',
      'busybox', 'echo', 'x',
    ]); // prettier-ignore
    expect(r.status).toBe(0);
    const logs = await run(['logs', 'nocache']);
    expect([logs.status, logs.stderr.split('\n')[0]]).toEqual([
      1,
      'Error: configured logging driver does not support reading',
    ]);
  });

  it('an unknown driver or option is refused naming it, with status 125', async () => {
    const before = agent.ids();
    const d = await run(['run', '--rm', ...none, '--log-driver', 'gelf', 'busybox', 'true']);
    expect([d.status, d.stderr.split('\n')[0]]).toEqual([
      125,
      'Error: logging driver "gelf" is not supported',
    ]);
    const o = await run([
      'run', '--rm', ...none, '--log-driver', 'json-file', '--log-opt', 'max-sise=1m', 'busybox', 'true',
    ]); // prettier-ignore
    expect([o.status, o.stderr.split('\n')[0]]).toEqual([
      125,
      'Error: unknown log opt "max-sise" for json-file log driver',
    ]);
    expect(agent.ids().filter((id) => !before.includes(id))).toEqual([]);
  });

  it("an agent's --log-driver and --log-opt are the default of its containers; journald without a journal stops it", async () => {
    const second = new TestAgent(['--log-driver', 'local', '--log-opt', 'max-file=2']);
    try {
      await second.start();
      await second.loadBusybox();
      const r = await second.cli([
        'run',
        ...none,
        '--name',
        'dflt',
        'busybox',
        'echo',
        'via local',
      ]);
      expect(r.status).toBe(0);
      expect((await second.inspect('dflt')).HostConfig.LogConfig).toEqual({
        Type: 'local',
        Config: { 'max-file': '2' },
      });
      expect((await second.cli(['logs', 'dflt'])).stdout).toBe('via local\n');
    } finally {
      await second.destroy();
    }
    const dir = join(tmp, 'third');
    const refused = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const p = spawn(
        'node',
        [
          bundlePath, 'agent', '--data-root', join(dir, 'd'), '--exec-root', join(dir, 'r'),
          '--node-subnet', '10.251.38.0/24', '--log-driver', 'journald',
        ], // prettier-ignore
        {
          env: {
            ...process.env,
            FLOTILLA_LOG_LEVEL: 'fatal',
            FLOTILLA_JOURNAL_SOCKET: join(tmp, 'no-journal'),
          },
        },
      );
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (status) => resolve({ status, stderr: err }));
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr.split('\n')[0]).toBe(
      `Error: the journald log driver cannot be used on this host: ${join(tmp, 'no-journal')} does not exist (systemd-journald is not running)`,
    );
  });

  it('json-file loses no line written while the agent is down', async () => {
    const r = await run([
      'run', '-d', ...none, '--name', 'dur', 'busybox', 'sh', '-c',
      'i=0; while [ $i -lt 30 ]; do echo "n $i"; i=$((i+1)); sleep 0.1; done',
    ]); // prettier-ignore
    expect(r.status).toBe(0);
    await waitFor('the first lines', async () =>
      (await run(['logs', 'dur'])).stdout.includes('n 2\n'),
    );
    agent.crash();
    // conmon keeps the spool; the container finishes while no agent runs.
    await new Promise((res) => setTimeout(res, 3500));
    await agent.start();
    await waitFor(
      'the container to be seen exited',
      async () => (await agent.inspect('dur')).State.Status === 'exited',
    );
    const want = Array.from({ length: 30 }, (_, i) => `n ${i}\n`).join('');
    expect((await run(['logs', 'dur'])).stdout).toBe(want);
  });
});
