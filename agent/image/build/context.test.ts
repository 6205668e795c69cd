import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractContext } from './context.js';

type Entry = {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  mode?: number;
  mtime?: Date;
  linkname?: string;
  content?: string;
};

async function tarOf(entries: Entry[]): Promise<Readable> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => pack.on('end', () => r()));
  for (const { content, ...h } of entries) pack.entry(h as never, content as never);
  pack.finalize();
  await ended;
  return Readable.from([Buffer.concat(chunks)]);
}

describe('extractContext', () => {
  let dir = '';
  let victim = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-ctx-'));
    victim = join(dir, 'victim');
    mkdirSync(victim, { mode: 0o700 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const out = () => join(dir, 'out');

  it('replaces a planted symlink with a real directory instead of chmodding through it', async () => {
    await extractContext(
      await tarOf([
        { name: 'link', type: 'symlink', linkname: victim },
        { name: 'link/', type: 'directory', mode: 0o777 },
        { name: 'link/f', content: 'x', mode: 0o644 },
      ]),
      out(),
    );
    expect(statSync(victim).mode & 0o7777).toBe(0o700);
    expect(readdirSync(victim)).toEqual([]);
    expect(lstatSync(join(out(), 'link')).isDirectory()).toBe(true);
    expect(readFileSync(join(out(), 'link', 'f'), 'utf8')).toBe('x');
  });

  it('refuses an entry below a planted symlink, creating nothing outside', async () => {
    const p = extractContext(
      await tarOf([
        { name: 'link', type: 'symlink', linkname: victim },
        { name: 'link/sub/f', content: 'x' },
      ]),
      out(),
    );
    await expect(p).rejects.toMatchObject({ code: 'BUILD_CONTEXT_INVALID' });
    expect(readdirSync(victim)).toEqual([]);
  });

  it('refuses a hard link through a planted symlink', async () => {
    const p = extractContext(
      await tarOf([
        { name: 'link', type: 'symlink', linkname: dir },
        { name: 'stolen', type: 'link', linkname: 'link/victim' },
      ]),
      out(),
    );
    await expect(p).rejects.toMatchObject({ code: 'BUILD_CONTEXT_INVALID' });
  });

  it('keeps modes, times and links of an ordinary context', async () => {
    const mtime = new Date('2001-02-03T04:05:06Z');
    await extractContext(
      await tarOf([
        { name: 'd/', type: 'directory', mode: 0o750, mtime },
        { name: 'd/run.sh', content: '#!/bin/sh\n', mode: 0o755, mtime },
        { name: 'd/alias', type: 'symlink', linkname: 'run.sh' },
        { name: 'd/hard', type: 'link', linkname: 'd/run.sh' },
      ]),
      out(),
    );
    expect(statSync(join(out(), 'd')).mode & 0o7777).toBe(0o750);
    expect(statSync(join(out(), 'd')).mtime).toEqual(mtime);
    expect(statSync(join(out(), 'd', 'run.sh')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(out(), 'd', 'hard')).nlink).toBe(2);
    expect(readFileSync(join(out(), 'd', 'alias'), 'utf8')).toBe('#!/bin/sh\n');
  });
});
