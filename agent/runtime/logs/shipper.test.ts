import { appendFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../types.js';
import { LogShipper } from './shipper.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'flt-ship-'));
  dirs.push(dir);
  const spool = join(dir, 'ctr.log');
  const got: string[] = [];
  let failNext = false;
  const sink = {
    write: async (entries: LogEntry[]) => {
      if (failNext) {
        failNext = false;
        throw new Error('sink down');
      }
      got.push(...entries.map((e) => e.data.toString()));
    },
    close: async () => undefined,
  };
  const errors: unknown[] = [];
  const shipper = () => new LogShipper(spool, join(dir, 'cursor'), sink, (e) => errors.push(e));
  const write = (text: string) =>
    appendFileSync(spool, `2026-12-07T12:00:00.000000000Z stdout F ${text}\n`);
  return { spool, got, shipper, write, errors, failOnce: () => (failNext = true) };
}

describe('LogShipper', () => {
  it('ships each complete line once, and resumes from its cursor in a new shipper', async () => {
    const t = setup();
    t.write('one');
    appendFileSync(t.spool, '2026-12-07T12:00:00.000000000Z stdout F half');
    const a = t.shipper();
    await a.pump();
    expect(t.got).toEqual(['one\n']);
    await a.finish();
    // What conmon wrote while no agent ran: a new shipper (agent restart) picks it up.
    appendFileSync(t.spool, ' done\n');
    t.write('two');
    const b = t.shipper();
    await b.pump();
    expect(t.got).toEqual(['one\n', 'half done\n', 'two\n']);
  });

  it('drains the rotated file before the new one, and says when rotating is safe', async () => {
    const t = setup();
    const s = t.shipper();
    t.write('a');
    await s.pump();
    expect(await s.onLiveFile()).toBe(true);
    t.write('b'); // not shipped yet when the file is rotated
    renameSync(t.spool, `${t.spool}.1`);
    t.write('c'); // conmon reopened: a new file
    expect(await s.onLiveFile()).toBe(false);
    await s.pump();
    expect(t.got).toEqual(['a\n', 'b\n', 'c\n']);
    expect(await s.onLiveFile()).toBe(true);
  });

  it('retries a batch the sink refused, losing nothing', async () => {
    const t = setup();
    const s = t.shipper();
    t.write('x');
    t.failOnce();
    await s.pump();
    expect(t.got).toEqual([]);
    expect(t.errors).toHaveLength(1);
    await s.pump();
    expect(t.got).toEqual(['x\n']);
  });
});
