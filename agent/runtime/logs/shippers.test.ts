import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/log/index.js';
import type { ContainerRecord } from '../container/record.js';
import { LogShippers } from './shippers.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('LogShippers', () => {
  it('says the last lines are pending from the exit until the driver file has them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flt-ships-'));
    dirs.push(dir);
    const rec = {
      id: 'c1',
      name: 'c1',
      image: 'busybox',
      imageId: 'sha256:x',
      logPath: join(dir, 'ctr.log'),
      options: { logDriver: 'json-file', logOpts: {} },
      config: { Labels: {}, Env: [] },
    } as unknown as ContainerRecord;
    appendFileSync(rec.logPath, '2026-12-07T12:00:00.000000000Z stdout F hi\n');
    const shippers = new LogShippers({
      log: createLogger({ proc: 'test', level: 'silent' }),
      dirOf: () => dir,
    });
    expect(shippers.shipping('c1')).toBe(false);
    const finished = shippers.finish(rec);
    // `logs --follow` asks in the same tick as the exit is recorded: it must keep waiting.
    expect(shippers.shipping('c1')).toBe(true);
    await finished;
    expect(shippers.shipping('c1')).toBe(false);
    expect(readFileSync(join(dir, 'c1-json.log'), 'utf8')).toContain('"log":"hi\\n"');
  });
});
