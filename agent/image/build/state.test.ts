import { describe, expect, it } from 'vitest';
import { cacheKey, hashSources } from './cache.js';
import { parseDockerfile } from './dockerfile.js';
import {
  applyMetadata,
  envMap,
  nopCreatedBy,
  recordStep,
  runConfig,
  scratchState,
  stateId,
} from './state.js';

function apply(lines: string[]) {
  const df = parseDockerfile(['FROM scratch', ...lines].join('\n'));
  const s = scratchState('amd64');
  for (const ins of df.instructions.slice(1)) {
    expect(applyMetadata(s, ins, ins.rest, 'Dockerfile')).toBe(true);
    recordStep(s, nopCreatedBy(ins.original));
  }
  return s;
}

describe('build config and history', () => {
  it('sets Docker config fields from metadata instructions', () => {
    const s = apply([
      'ENV A=1 B="two words"',
      'LABEL org.x=y',
      'EXPOSE 80 53/udp',
      'USER nobody',
      'CMD ["echo", "hi"]',
      'ENTRYPOINT ["/bin/sh", "-c"]',
      'VOLUME /data',
      'STOPSIGNAL SIGTERM',
      'HEALTHCHECK --interval=5s --timeout=2s --retries=3 CMD wget -q localhost',
      'MAINTAINER me',
    ]);
    const rc = runConfig(s);
    expect(envMap(s).get('A')).toBe('1');
    expect(envMap(s).get('B')).toBe('two words');
    expect(envMap(s).get('PATH')).toContain('/usr/bin');
    expect(rc.Labels).toEqual({ 'org.x': 'y' });
    expect(rc.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
    expect(rc.User).toBe('nobody');
    expect(rc.Cmd).toEqual(['echo', 'hi']);
    expect(rc.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(rc.Volumes).toEqual({ '/data': {} });
    expect(rc.StopSignal).toBe('SIGTERM');
    expect(rc.Healthcheck).toEqual({
      Test: ['CMD-SHELL', 'wget -q localhost'],
      Interval: 5e9,
      Timeout: 2e9,
      Retries: 3,
    });
    expect(s.config.author).toBe('me');
  });

  it('records one history entry per step, metadata steps as empty layers', () => {
    const s = apply(['ENV A=1', 'CMD echo hi']);
    expect(s.config.history).toHaveLength(2);
    expect(s.config.history?.every((h) => h.empty_layer === true)).toBe(true);
    expect(s.config.history?.[1].created_by).toBe('/bin/sh -c #(nop)  CMD echo hi');
    expect(s.config.rootfs.diff_ids).toEqual([]);
    // Shell-form CMD goes through the default shell.
    expect(runConfig(s).Cmd).toEqual(['/bin/sh', '-c', 'echo hi']);
  });

  it('turns HEALTHCHECK NONE into a disabled check and rejects bad flags with the line', () => {
    expect(runConfig(apply(['HEALTHCHECK NONE'])).Healthcheck).toEqual({ Test: ['NONE'] });
    expect(() => apply(['HEALTHCHECK --interval=soon CMD true'])).toThrow(
      /Dockerfile:2: invalid duration/,
    );
  });

  it('gives equal configs equal ids and different configs different ids', () => {
    const a = scratchState('amd64');
    const b = scratchState('amd64');
    expect(stateId(a)).toBe(stateId(b));
    recordStep(b, 'x');
    expect(stateId(a)).not.toBe(stateId(b));
  });
});

describe('cache keys', () => {
  it('depend on the parent, the expanded instruction and the sources', () => {
    const base = { parentId: 'sha256:1', instruction: 'COPY a /a', extra: 'h1' };
    expect(cacheKey(base)).toBe(cacheKey({ ...base }));
    expect(cacheKey({ ...base, parentId: 'sha256:2' })).not.toBe(cacheKey(base));
    expect(cacheKey({ ...base, instruction: 'COPY a /b' })).not.toBe(cacheKey(base));
    expect(cacheKey({ ...base, extra: 'h2' })).not.toBe(cacheKey(base));
  });

  it('hash sources by content and mode, in any order, ignoring nothing else', () => {
    const f = { path: 'a', mode: 0o644, size: 1, content: 'x' };
    const g = { path: 'b', mode: 0o755, size: 2, content: 'y' };
    expect(hashSources([f, g])).toBe(hashSources([g, f]));
    expect(hashSources([f])).not.toBe(hashSources([{ ...f, content: 'z' }]));
    expect(hashSources([f])).not.toBe(hashSources([{ ...f, mode: 0o600 }]));
  });
});
