import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLine, readLog, rotatedFiles, timeOf } from './k8s-file.js';

describe('k8s-file line parsing', () => {
  it('parses full and partial lines of both streams', () => {
    const full = parseLine('2024-01-02T03:04:05.123456789+00:00 stdout F hello world');
    expect(full).toEqual({
      stream: 'stdout',
      time: '2024-01-02T03:04:05.123456789+00:00',
      data: Buffer.from('hello world\n'),
    });
    const partial = parseLine('2024-01-02T03:04:05.1+00:00 stderr P no newline ');
    expect(partial?.stream).toBe('stderr');
    expect(partial?.data.toString()).toBe('no newline ');
    expect(parseLine('2024-01-02T03:04:05.1+00:00 stdout F')?.data.toString()).toBe('\n');
  });
  it('rejects lines that are not log lines', () => {
    expect(parseLine('')).toBeUndefined();
    expect(parseLine('garbage')).toBeUndefined();
    expect(parseLine('2024-01-02T03:04:05Z other F x')).toBeUndefined();
  });
  it('reads times with their offset', () => {
    const e = parseLine('2024-01-02T05:04:05.500+02:00 stdout F x')!;
    expect(timeOf(e)).toBe(Date.parse('2024-01-02T03:04:05.500Z') / 1000);
  });
});

describe('reading across rotated files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flt-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const line = (i: number, s = 'stdout') =>
    `2024-01-02T03:04:${String(i).padStart(2, '0')}.0+00:00 ${s} F l${i}\n`;
  const path = join(dir, 'ctr.log');
  writeFileSync(`${path}.2`, line(1) + line(2));
  writeFileSync(`${path}.1`, line(3) + line(4, 'stderr'));
  writeFileSync(path, line(5) + line(6));

  async function texts(o: Parameters<typeof readLog>[1]): Promise<string[]> {
    const out: string[] = [];
    for await (const e of readLog(path, o, () => true)) out.push(e.data.toString().trim());
    return out;
  }

  it('lists rotated copies oldest first', () => {
    expect(rotatedFiles(path)).toEqual([`${path}.2`, `${path}.1`]);
  });
  it('yields all files in order, with --tail, stream and --since filters', async () => {
    expect(await texts({})).toEqual(['l1', 'l2', 'l3', 'l4', 'l5', 'l6']);
    expect(await texts({ tail: 3 })).toEqual(['l4', 'l5', 'l6']);
    expect(await texts({ stderr: false })).toEqual(['l1', 'l2', 'l3', 'l5', 'l6']);
    expect(await texts({ since: Date.parse('2024-01-02T03:04:05Z') / 1000 })).toEqual(['l5', 'l6']);
  });
});
