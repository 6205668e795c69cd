// Crafted build contexts and ADD archives against a real agent: a symlink planted by one entry is
// never followed by a later one, so nothing outside the context changes (mode, times, contents).
import { request } from 'node:http';
import { mkdtemp, readdir, rm, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAgent, type TestAgent } from '../image/helpers.js';

type Entry =
  | { type: 'file'; name: string; content: string; mode?: number }
  | { type: 'directory'; name: string; mode: number }
  | { type: 'symlink'; name: string; target: string };

const OLD = new Date('2001-02-03T04:05:06Z');
let agent: TestAgent;
let victim: string;

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => pack.on('end', () => r()));
  const mtime = new Date('1999-09-09T09:09:09Z');
  for (const e of entries) {
    if (e.type === 'file') pack.entry({ name: e.name, mode: e.mode ?? 0o644, mtime }, e.content);
    else if (e.type === 'directory')
      pack.entry({ name: e.name, type: 'directory', mode: e.mode, mtime });
    else pack.entry({ name: e.name, type: 'symlink', linkname: e.target, mtime });
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** POST /build with a context tar, as any API client may send it; returns the NDJSON lines. */
function postBuild(body: Buffer): Promise<string> {
  const socketPath = agent.host.replace(/^unix:\/\//, '');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path: '/build?t=crafted:latest',
        method: 'POST',
        headers: { 'content-type': 'application/x-tar' },
      },
      (res) => {
        let out = '';
        res.on('data', (d: Buffer) => (out += d.toString()));
        res.on('end', () => resolve(out));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function victimState() {
  const st = await stat(victim);
  return { mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, entries: (await readdir(victim)).sort() };
}

beforeAll(async () => {
  agent = await startAgent();
});
afterAll(async () => {
  await agent?.stop();
  if (victim) await rm(victim, { recursive: true, force: true });
});
beforeEach(async () => {
  if (victim) await rm(victim, { recursive: true, force: true });
  victim = await mkdtemp(join(tmpdir(), 'flotilla-victim-'));
  await mkdir(join(victim, 'keep'));
  await writeFile(join(victim, 'keep', 'data'), 'untouched');
  await utimes(victim, OLD, OLD);
});

describe('build context extraction', () => {
  it('replaces a planted symlink with a directory instead of chmodding through it', async () => {
    const before = await victimState();
    expect(before.mode).toBe(0o700);
    const out = await postBuild(
      await tarOf([
        { type: 'file', name: 'Dockerfile', content: 'FROM scratch\nCOPY link/ /x/\n' },
        { type: 'symlink', name: 'link', target: victim },
        { type: 'directory', name: 'link/', mode: 0o777 },
        { type: 'file', name: 'link/planted', content: 'x' },
      ]),
    );
    expect(await victimState()).toEqual(before);
    expect(out).toContain('"aux"');
  });

  it('refuses an entry below a planted symlink and creates nothing outside', async () => {
    const before = await victimState();
    const out = await postBuild(
      await tarOf([
        { type: 'file', name: 'Dockerfile', content: 'FROM scratch\nCOPY . /\n' },
        { type: 'symlink', name: 'link', target: victim },
        { type: 'file', name: 'link/sub/planted', content: 'x' },
      ]),
    );
    expect(out).toContain('BUILD_CONTEXT_INVALID');
    expect(out).toContain('below a symbolic link');
    expect(await victimState()).toEqual(before);
  });

  it('refuses a hard link whose target goes through a planted symlink', async () => {
    const pack = tar.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    const ended = new Promise<void>((r) => pack.on('end', () => r()));
    pack.entry({ name: 'Dockerfile' }, 'FROM scratch\nCOPY stolen /\n');
    pack.entry({ name: 'link', type: 'symlink', linkname: victim });
    pack.entry({ name: 'stolen', type: 'link', linkname: 'link/keep/data' });
    pack.finalize();
    await ended;
    const out = await postBuild(Buffer.concat(chunks));
    expect(out).toContain('BUILD_CONTEXT_INVALID');
    expect(out).toContain('is not in the context');
  });

  it('ADD of a crafted local archive through the CLI never follows its symlinks', async () => {
    const before = await victimState();
    const ctx = await mkdtemp(join(agent.dir, 'ctx-'));
    await writeFile(join(ctx, 'Dockerfile'), 'FROM scratch\nADD evil.tar /opt/\n');
    await writeFile(
      join(ctx, 'evil.tar'),
      await tarOf([
        { type: 'symlink', name: 'link', target: victim },
        { type: 'directory', name: 'link/', mode: 0o777 },
        { type: 'file', name: 'link/planted', content: 'x' },
      ]),
    );
    const r = await agent.cli(['build', '-t', 'crafted-add', ctx]);
    expect(await victimState()).toEqual(before);
    expect(r.code, r.stderr).toBe(0);
  });
});
