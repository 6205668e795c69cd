import { describe, expect, it } from 'vitest';
import { ProgressRenderer } from './progress.js';

function sink(isTTY: boolean) {
  let text = '';
  return {
    out: { isTTY, columns: 200, write: (s: string) => ((text += s), true) } as never,
    text: () => text,
  };
}

describe('ProgressRenderer', () => {
  it('prints only status changes, one line each, when stdout is not a terminal', () => {
    const s = sink(false);
    const r = new ProgressRenderer(s.out);
    r.write({ id: 'v1', status: 'Pulling from app' });
    r.write({ id: 'aaa', status: 'Pulling fs layer' });
    r.write({ id: 'aaa', status: 'Downloading', progress: { current: 1, total: 10 } });
    r.write({ id: 'aaa', status: 'Downloading', progress: { current: 5, total: 10 } });
    r.write({ id: 'aaa', status: 'Pull complete' });
    r.write({ status: 'Digest: sha256:abc' });
    expect(s.text()).toBe(
      'v1: Pulling from app\naaa: Pulling fs layer\naaa: Downloading\naaa: Pull complete\nDigest: sha256:abc\n',
    );
  });

  it('redraws a layer line in place with cursor movement on a terminal', () => {
    const s = sink(true);
    const r = new ProgressRenderer(s.out);
    r.write({ id: 'aaa', status: 'Pulling fs layer' });
    r.write({ id: 'bbb', status: 'Pulling fs layer' });
    r.write({
      id: 'aaa',
      status: 'Downloading',
      progress: { current: 5_000_000, total: 10_000_000 },
    });
    expect(s.text()).toContain('\x1b[2A\x1b[2K\raaa: Downloading [=========================>');
    expect(s.text()).toContain('5MB/10MB\x1b[2B\r');
  });
});
