// `cp` as a user types it, both ways, through `flotilla`, the docker CLI and docker-py on the agent's
// socket: files, directories and their contents (`/.`), owners with and without -a, -L, tar streams
// with `-`, a volume, a stopped container, and a symlink planted to lead out of the container.
import { execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { dockerCli, dockerPy } from '../engine-api/docker-client.js';
import { bundlePath, TestAgent, useTestAgent, type CliResult } from './harness.js';

const agent = new TestAgent();
useTestAgent(agent);
const run = (args: string[], input?: string | Buffer) => agent.cli(args, input);
const docker = (args: string[], input?: string) => dockerCli(agent)(args, input);

async function ok(args: string[], input?: string | Buffer): Promise<string> {
  const r = await run(args, input);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** A shell pipeline with `flt` as the flotilla CLI aimed at the agent. */
function sh(script: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const p = spawn(
      'bash',
      ['-o', 'pipefail', '-c', `flt() { node -- ${bundlePath} "$@"; }\n${script}`],
      {
        env: agent.env,
      },
    );
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A tight loop of renameat2(RENAME_EXCHANGE) on two paths, built static for busybox. */
const RACER_C = `#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc != 3) return 2;
  for (;;) syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE);
}
`;
const RACE_ROUNDS = 1000;

/** A tar holding one file. */
function tarOf(name: string, content: string): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  return buffer(pack);
}

/** One archive request on the agent's socket, as docker-py's get_archive/put_archive send it. */
function api(
  method: 'GET' | 'PUT',
  container: string,
  path: string,
  body?: Buffer,
): Promise<{ status: number; body: string }> {
  const socketPath = agent.env.FLOTILLA_HOST!.replace(/^unix:\/\//, '');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path: `/v1.43/containers/${container}/archive?path=${encodeURIComponent(path)}`,
        headers: body ? { 'content-type': 'application/x-tar' } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const done = (status: number) =>
          resolve({ status, body: Buffer.concat(chunks).toString('latin1') });
        // A copy the race broke mid-stream ends the connection: a failed copy, its bytes still
        // checked.
        res.on('error', () => done(0));
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let seq = 0;
/** A fresh local directory for one case. */
function scratch(): string {
  const d = join(agent.dir, `cp-${++seq}`);
  mkdirSync(d, { recursive: true });
  return d;
}

async function runningContainer(name: string): Promise<void> {
  await run(['rm', '-f', name]);
  await ok([
    'run',
    '-d',
    '--network',
    'none',
    '--name',
    name,
    '-v',
    `${name}vol:/vol`,
    'busybox',
    'sleep',
    '600',
  ]);
}

describe('flotilla cp', () => {
  it('copies a file in and out of a running container; owners are root unless -a', async () => {
    await runningContainer('cpa');
    const d = scratch();
    writeFileSync(join(d, 'hello.txt'), 'hello from the host\n');
    chownSync(join(d, 'hello.txt'), 1234, 4321);
    await ok(['cp', join(d, 'hello.txt'), 'cpa:/tmp/']);
    expect(await ok(['exec', 'cpa', 'cat', '/tmp/hello.txt'])).toBe('hello from the host\n');
    expect(await ok(['exec', 'cpa', 'stat', '-c', '%u:%g', '/tmp/hello.txt'])).toBe('0:0\n');
    await ok(['cp', '-a', join(d, 'hello.txt'), 'cpa:/tmp/kept.txt']);
    expect(await ok(['exec', 'cpa', 'stat', '-c', '%u:%g %n', '/tmp/kept.txt'])).toBe(
      '1234:4321 /tmp/kept.txt\n',
    );
    // Out again: to a new name, and into an existing directory.
    await ok(['cp', 'cpa:/tmp/kept.txt', join(d, 'back.txt')]);
    expect(readFileSync(join(d, 'back.txt'), 'utf8')).toBe('hello from the host\n');
    expect(statSync(join(d, 'back.txt')).uid).toBe(0);
    mkdirSync(join(d, 'in'));
    await ok(['cp', '-a', 'cpa:/tmp/kept.txt', join(d, 'in')]);
    expect(statSync(join(d, 'in', 'kept.txt')).uid).toBe(1234);
    // Into the container's volume: the file is where the container sees /vol.
    await ok(['cp', join(d, 'hello.txt'), 'cpa:/vol/v.txt']);
    expect(await ok(['exec', 'cpa', 'cat', '/vol/v.txt'])).toBe('hello from the host\n');
    await ok(['exec', 'cpa', 'sh', '-c', 'echo in-volume > /vol/w.txt']);
    await ok(['cp', 'cpa:/vol/w.txt', join(d, 'w.txt')]);
    expect(readFileSync(join(d, 'w.txt'), 'utf8')).toBe('in-volume\n');
  });

  it("follows Docker's rules for directories, their contents and missing paths", async () => {
    await runningContainer('cpb');
    const d = scratch();
    mkdirSync(join(d, 'tree', 'sub'), { recursive: true });
    writeFileSync(join(d, 'tree', 'top.txt'), 'top\n');
    writeFileSync(join(d, 'tree', 'sub', 'deep.txt'), 'deep\n');
    await ok(['cp', join(d, 'tree'), 'cpb:/tmp/new']); // does not exist: becomes /tmp/new
    await ok(['cp', join(d, 'tree'), 'cpb:/tmp']); // exists: /tmp/tree
    await ok(['exec', 'cpb', 'mkdir', '/tmp/contents']);
    await ok(['cp', `${join(d, 'tree')}/.`, 'cpb:/tmp/contents']); // `/.`: what is inside
    expect(
      await ok([
        'exec',
        'cpb',
        'sh',
        '-c',
        'cat /tmp/new/sub/deep.txt /tmp/tree/top.txt /tmp/contents/top.txt',
      ]),
    ).toBe('deep\ntop\ntop\n');
    // A directory onto a file, a file into a directory that does not exist.
    await ok(['exec', 'cpb', 'touch', '/tmp/afile']);
    let r = await run(['cp', join(d, 'tree'), 'cpb:/tmp/afile']);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([1, 'Error: cannot copy directory']);
    r = await run(['cp', join(d, 'tree', 'top.txt'), 'cpb:/tmp/nodir/']);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([1, 'Error: no such directory']);
    // Out: a directory to a new name and its contents into an existing one.
    await ok(['cp', 'cpb:/tmp/tree', join(d, 'out')]);
    expect(readFileSync(join(d, 'out', 'sub', 'deep.txt'), 'utf8')).toBe('deep\n');
    mkdirSync(join(d, 'flat'));
    await ok(['cp', 'cpb:/tmp/tree/.', join(d, 'flat')]);
    expect(readFileSync(join(d, 'flat', 'top.txt'), 'utf8')).toBe('top\n');
    r = await run(['cp', 'cpb:/nope', d]);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([
      1,
      'Error: Could not find the file /nope in container cpb',
    ]);
    r = await run(['cp', join(d, 'tree'), join(d, 'other')]);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([
      1,
      'Error: must specify at least one container source',
    ]);
    r = await run(['cp', 'cpb:/etc/hosts', 'cpa:/tmp/']);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([
      1,
      'Error: copying between containers is not supported',
    ]);
    r = await run(['cp', 'nosuch:/etc/hosts', d]);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([1, 'Error: No such container: nosuch']);
  });

  it('copies a symlink as a link, and its target with -L', async () => {
    await runningContainer('cpl');
    await ok(['exec', 'cpl', 'sh', '-c', 'echo target > /tmp/t.txt && ln -s /tmp/t.txt /tmp/link']);
    const d = scratch();
    await ok(['cp', 'cpl:/tmp/link', join(d, 'l1')]);
    expect(readlinkSync(join(d, 'l1'))).toBe('/tmp/t.txt');
    await ok(['cp', '-L', 'cpl:/tmp/link', join(d, 'l2')]);
    expect(lstatSync(join(d, 'l2')).isFile()).toBe(true);
    expect(readFileSync(join(d, 'l2'), 'utf8')).toBe('target\n');
  });

  it('writes and reads tar streams with -', async () => {
    await runningContainer('cpt');
    await ok(['exec', 'cpt', 'sh', '-c', 'mkdir -p /tmp/d && echo a > /tmp/d/a.txt']);
    const listing = await sh('flt cp cpt:/tmp/d - | tar -tf - | sort');
    expect(listing.stderr).toBe('');
    expect(listing.stdout).toBe('d/\nd/a.txt\n');
    const d = scratch();
    writeFileSync(join(d, 'fromtar.txt'), 'via stdin\n');
    const put = await sh(`tar -C ${d} -cf - fromtar.txt | flt cp - cpt:/tmp`);
    expect(put.status, put.stderr).toBe(0);
    expect(await ok(['exec', 'cpt', 'cat', '/tmp/fromtar.txt'])).toBe('via stdin\n');
    // On a terminal cp reports what it copied, unless -q.
    const tty = (flags: string) =>
      sh(
        `script -qec "node -- ${bundlePath} cp ${flags} ${d}/fromtar.txt cpt:/tmp/t.txt" /dev/null`,
      );
    expect((await tty('')).stdout).toMatch(
      /^Successfully copied [\d.]+k?B to cpt:\/tmp\/t.txt\r?\n$/,
    );
    expect((await tty('-q')).stdout).toBe('');
    expect(await ok(['cp', '-q', join(d, 'fromtar.txt'), 'cpt:/tmp/q.txt'])).toBe('');
    const r = await sh(`tar -C ${d} -cf - fromtar.txt | flt cp - cpt:/tmp/fromtar.txt`);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([
      1,
      'Error: destination "cpt:/tmp/fromtar.txt" must be a directory',
    ]);
  });

  it('copies in and out of a stopped container', async () => {
    await run(['rm', '-f', 'cps']);
    await ok(['create', '--network', 'none', '--name', 'cps', 'busybox', 'cat', '/in.txt']);
    const d = scratch();
    writeFileSync(join(d, 'in.txt'), 'copied while created\n');
    await ok(['cp', join(d, 'in.txt'), 'cps:/']);
    await ok(['start', 'cps']);
    expect(await ok(['wait', 'cps'])).toBe('0\n');
    expect(await ok(['logs', 'cps'])).toBe('copied while created\n');
    // Exited now: its rootfs is unmounted, and cp still reaches it.
    await ok(['cp', 'cps:/in.txt', join(d, 'out.txt')]);
    expect(readFileSync(join(d, 'out.txt'), 'utf8')).toBe('copied while created\n');
    writeFileSync(join(d, 'in.txt'), 'copied while exited\n');
    await ok(['cp', join(d, 'in.txt'), 'cps:/in.txt']);
    await ok(['start', 'cps']);
    await ok(['wait', 'cps']);
    expect(await ok(['logs', 'cps'])).toContain('copied while exited\n');
  });

  it('never reaches a host file while the container swaps a directory and a symlink (CVE-2018-15664)', async () => {
    await runningContainer('cpr');
    const d = scratch();
    // The sentinel: a host file that the swapped-in link (/race/l -> /tmp) would name on the host.
    const name = `flt-cp-race-${process.pid}-${Date.now()}`;
    const sentinel = join('/tmp', name);
    writeFileSync(sentinel, 'host secret\n');
    try {
      // The racer exchanges /race/d (a directory holding a file of the sentinel's name) and /race/l
      // (a link to /tmp) with renameat2(RENAME_EXCHANGE) in a tight loop, as the CVE's proof did.
      writeFileSync(join(d, 'racer.c'), RACER_C);
      execFileSync('gcc', ['-static', '-O2', '-o', join(d, 'racer'), join(d, 'racer.c')]);
      await ok(['cp', join(d, 'racer'), 'cpr:/racer']);
      await ok([
        'exec',
        'cpr',
        'sh',
        '-c',
        `mkdir -p /race/d && echo inside > /race/d/${name} && ln -s /tmp /race/l`,
      ]);
      await ok(['exec', '-d', 'cpr', '/racer', '/race/d', '/race/l']);
      const outcomes = { read: 0, written: 0, failed: 0 };
      const body = await tarOf(name, 'overwritten\n');
      const attempt = async (i: number) => {
        if (i % 2 === 0) {
          const r = await api('GET', 'cpr', `/race/d/${name}`);
          expect(r.body.includes('host secret')).toBe(false);
          if (r.status === 200 && r.body.includes('inside')) outcomes.read++;
          else outcomes.failed++;
        } else {
          const r = await api('PUT', 'cpr', '/race/d', body);
          if (r.status === 200) outcomes.written++;
          else outcomes.failed++;
        }
        expect(readFileSync(sentinel, 'utf8')).toBe('host secret\n');
      };
      for (let i = 0; i < RACE_ROUNDS; i += 4)
        await Promise.all([0, 1, 2, 3].map((k) => attempt(i + k)));
      // The race was real: copies went through the directory, and others met the link. (How many
      // reads win depends on the scheduler: a GET resolves the path several times.)
      expect(outcomes.read + outcomes.written).toBeGreaterThan(0);
      expect(outcomes.failed).toBeGreaterThan(0);
      expect(readFileSync(sentinel, 'utf8')).toBe('host secret\n');
      // And through the CLI, as a user types it.
      for (let i = 0; i < 10; i++) {
        await run(['cp', `cpr:/race/d/${name}`, join(d, `got-${i}`)]);
        await run(['cp', join(d, 'racer.c'), `cpr:/race/d/${name}`]);
        expect(readFileSync(sentinel, 'utf8')).toBe('host secret\n');
      }
      for (const f of readdirSync(d).filter((f) => f.startsWith('got-')))
        expect(readFileSync(join(d, f), 'utf8')).not.toContain('host secret');
    } finally {
      await run(['rm', '-f', 'cpr']);
      rmSync(sentinel, { force: true });
    }
  });

  it('never leaves the container through a symlink planted in it', async () => {
    await runningContainer('cpe');
    const d = scratch();
    const secret = join(d, 'host-file');
    writeFileSync(secret, 'host secret\n');
    // /etc/evil -> /../../../<host path>: resolved on the host it would be the host's file.
    await ok(['exec', 'cpe', 'ln', '-s', `/../../../..${secret}`, '/etc/evil']);
    await ok(['exec', 'cpe', 'ln', '-s', '/../../../../..', '/escape']);
    let r = await run(['cp', '-L', 'cpe:/etc/evil', join(d, 'got')]);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([
      1,
      `Error: Could not find the file ${secret} in container cpe`,
    ]);
    r = await run(['cp', `cpe:/escape${secret}`, join(d, 'got')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Could not find the file');
    // Writing through the links lands inside the container, never on the host.
    writeFileSync(join(d, 'payload'), 'overwritten\n');
    await ok(['exec', 'cpe', 'mkdir', '-p', d]);
    await ok(['cp', join(d, 'payload'), 'cpe:/etc/evil']);
    await ok(['cp', join(d, 'payload'), `cpe:/escape${d}/`]);
    expect(readFileSync(secret, 'utf8')).toBe('host secret\n');
    expect(await ok(['exec', 'cpe', 'cat', secret])).toBe('overwritten\n');
    expect(await ok(['exec', 'cpe', 'cat', `${d}/payload`])).toBe('overwritten\n');
    // A tar whose entries climb out stays inside too.
    const t = await sh(
      `cd ${d} && mkdir -p x && echo climb > x/c.txt && tar -cf - -P x/../../../../../../..${d}/x/c.txt | flt cp - cpe:/tmp`,
    );
    expect(t.status, t.stderr).toBe(0);
    expect(readFileSync(join(d, 'x', 'c.txt'), 'utf8')).toBe('climb\n');
    expect(await ok(['exec', 'cpe', 'cat', `/tmp${d}/x/c.txt`])).toBe('climb\n');
  });
});

describe('docker cp and docker-py on the agent socket', () => {
  it('docker cp copies both ways, with -a, -L, directories, tar streams and a stopped container', async () => {
    await runningContainer('dcp');
    const d = scratch();
    mkdirSync(join(d, 'tree'));
    writeFileSync(join(d, 'tree', 'f.txt'), 'from docker\n');
    chownSync(join(d, 'tree', 'f.txt'), 1234, 4321);
    let r = await docker(['cp', join(d, 'tree'), 'dcp:/tmp/tree']);
    expect(r.status, r.stderr).toBe(0);
    expect(await ok(['exec', 'dcp', 'cat', '/tmp/tree/f.txt'])).toBe('from docker\n');
    r = await docker(['cp', '-a', join(d, 'tree', 'f.txt'), 'dcp:/tmp/a.txt']);
    expect(r.status, r.stderr).toBe(0);
    expect(await ok(['exec', 'dcp', 'stat', '-c', '%u:%g', '/tmp/a.txt'])).toBe('1234:4321\n');
    await ok(['exec', 'dcp', 'sh', '-c', 'ln -s /tmp/a.txt /tmp/alink']);
    r = await docker(['cp', '-L', 'dcp:/tmp/alink', join(d, 'followed')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(d, 'followed'), 'utf8')).toBe('from docker\n');
    r = await docker(['cp', 'dcp:/tmp/tree/.', join(d, 'copy')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(d, 'copy', 'f.txt'), 'utf8')).toBe('from docker\n');
    const listed = await sh(
      `DOCKER_HOST=unix://${agent.execRoot}/agent.sock docker cp dcp:/tmp/tree - | tar -tf - | sort`,
    );
    expect(listed.stdout).toBe('tree/\ntree/f.txt\n');
    r = await docker(['cp', 'dcp:/nope', d]);
    expect([r.status, r.stderr.trim()]).toEqual([
      1,
      'Error response from daemon: Could not find the file /nope in container dcp',
    ]);
    // With a container User, -a gives the files to that user (copyUIDGID; its /etc/passwd is read
    // through the container's handles).
    await run(['rm', '-f', 'dcpu']);
    await ok([
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'dcpu',
      '--user',
      'app',
      'busybox',
      'sleep',
      '600',
    ]);
    r = await docker(['cp', '-a', join(d, 'tree', 'f.txt'), 'dcpu:/tmp/u.txt']);
    expect(r.status, r.stderr).toBe(0);
    expect(await ok(['exec', 'dcpu', 'stat', '-c', '%u:%g', '/tmp/u.txt'])).toBe('1000:1000\n');
    await run(['rm', '-f', 'dcpu']);
    await ok(['stop', '-t', '1', 'dcp']);
    r = await docker(['cp', join(d, 'tree', 'f.txt'), 'dcp:/tmp/stopped.txt']);
    expect(r.status, r.stderr).toBe(0);
    r = await docker(['cp', 'dcp:/tmp/stopped.txt', join(d, 'stopped.txt')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(d, 'stopped.txt'), 'utf8')).toBe('from docker\n');
  });

  it('docker-py get_archive and put_archive', async () => {
    await runningContainer('pcp');
    const r = await dockerPy(agent)(`
import io, tarfile
c = client.containers.get('pcp')
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w') as t:
    data = b'from python\\n'
    info = tarfile.TarInfo('py/hello.txt'); info.size = len(data); info.uid = 42; info.gid = 43
    t.addfile(info, io.BytesIO(data))
print('put', c.put_archive('/tmp', buf.getvalue()))
bits, stat = c.get_archive('/tmp/py/hello.txt')
raw = b''.join(bits)
with tarfile.open(fileobj=io.BytesIO(raw)) as t:
    m = t.getmembers()[0]
    print('get', m.name, m.uid, m.gid, t.extractfile(m).read().decode().strip())
print('stat', stat['name'], stat['size'], oct(stat['mode'] & 0o777), stat['linkTarget'] == '')
d = c.get_archive('/tmp/py')[1]
print('dir', bool(d['mode'] & (1 << 31)))
try:
    c.get_archive('/nope')
except docker.errors.NotFound as e:
    print('missing', e.explanation.replace(c.id, 'ID'))
`);
    expect(r.stderr, agent.stderrTail()).toBe('');
    expect(r.stdout).toBe(
      'put True\nget hello.txt 42 43 from python\nstat hello.txt 12 0o644 True\ndir True\n' +
        'missing Could not find the file /nope in container ID\n',
    );
  });
});
