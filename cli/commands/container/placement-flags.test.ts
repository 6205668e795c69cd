import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLabelFile, placementOptions } from './placement-flags.js';

const dir = mkdtempSync('/tmp/flt-unit-labels-');

describe('placementOptions', () => {
  it('passes --ip, --platform, --volumes-from and --health-start-interval on', () => {
    expect(
      placementOptions({
        ip: '10.0.0.5',
        platform: 'linux/arm64/v8',
        volumesFrom: ['a', 'b:ro'],
        healthStartInterval: '2s',
      }),
    ).toEqual({
      ipv4Address: '10.0.0.5',
      platform: 'linux/arm64/v8',
      volumesFrom: ['a', 'b:ro'],
      fileLabels: {},
      startIntervalMs: 2000,
    });
  });

  it.each([
    [{ ip: '::1' }, '--ip'],
    [{ ip6: 'fd00::1' }, '--ip6'],
    [{ platform: 'amd64' }, '--platform'],
    [{ volumesFrom: ['x:rx'] }, '--volumes-from'],
    [{ healthStartInterval: '0s' }, '--health-start-interval'],
  ])('refuses %j naming the flag', (f, flag) => {
    expect(() => placementOptions(f)).toThrow(
      expect.objectContaining({
        code: 'INVALID_FLAG_VALUE',
        params: expect.objectContaining({ flag }),
      }),
    );
  });
});

describe('parseLabelFile', () => {
  it('reads KEY=VALUE and bare KEY, skips comments and blank lines', () => {
    const f = join(dir, 'ok');
    writeFileSync(f, '# c\n\na=1\r\n  b=x y\nc\nd=e=f\n');
    expect(parseLabelFile(f)).toEqual({ a: '1', b: 'x y', c: '', d: 'e=f' });
  });

  it('names the file and the line of a key with spaces, and a missing file', () => {
    const f = join(dir, 'bad');
    writeFileSync(f, 'a=1\nb c=2\n');
    expect(() => parseLabelFile(f)).toThrow(/--label-file.*line 2/);
    expect(() => parseLabelFile(join(dir, 'none'))).toThrow(/no such file/);
  });
});
