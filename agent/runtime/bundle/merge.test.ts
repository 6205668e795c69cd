import { describe, expect, it } from 'vitest';
import { isFlotillaError } from '../../../shared/errors/index.js';
import { defaultPath, mergeArgs, mergeConfig, mergeEnv, mergeHealth } from './merge.js';

const image = {
  Entrypoint: ['/entry'],
  Cmd: ['default-cmd'],
  Env: ['PATH=/image/bin', 'A=image', 'B=image'],
  User: 'nobody',
  WorkingDir: '/srv',
  StopSignal: 'SIGQUIT',
  Labels: { a: 'image', b: 'image' },
  ExposedPorts: { '80/tcp': {}, '53/udp': {} },
  Volumes: { '/data': {} },
};

describe('entrypoint and cmd (Docker rules)', () => {
  it('uses the image entrypoint with the override cmd', () => {
    expect(mergeArgs(image, { cmd: ['x'] }).args).toEqual(['/entry', 'x']);
  });
  it('uses image entrypoint + image cmd when nothing is overridden', () => {
    expect(mergeArgs(image, {}).args).toEqual(['/entry', 'default-cmd']);
  });
  it('drops the image cmd when the entrypoint is overridden', () => {
    expect(mergeArgs(image, { entrypoint: ['/other'] })).toEqual({
      entrypoint: ['/other'],
      cmd: null,
      args: ['/other'],
    });
    expect(mergeArgs(image, { entrypoint: ['/other'], cmd: ['y'] }).args).toEqual(['/other', 'y']);
  });
  it('treats --entrypoint "" as no entrypoint, keeping the image cmd', () => {
    expect(mergeArgs(image, { entrypoint: [] })).toEqual({
      entrypoint: null,
      cmd: ['default-cmd'],
      args: ['default-cmd'],
    });
    expect(mergeArgs(image, { entrypoint: [], cmd: ['z'] }).args).toEqual(['z']);
  });
  it('refuses an empty command', () => {
    try {
      mergeArgs({}, {});
      expect.unreachable();
    } catch (err) {
      expect(isFlotillaError(err) && err.code).toBe('CONTAINER_NO_COMMAND');
    }
  });
});

describe('env', () => {
  it('replaces by key in place, later lists winning', () => {
    expect(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4'], ['A=5'])).toEqual(['A=5', 'B=3', 'C=4']);
  });
  it('starts from PATH and HOSTNAME (TERM with a tty); image then user entries override', () => {
    const c = mergeConfig(
      'img',
      image,
      { image: 'img', env: ['B=user', 'D=user'], tty: true },
      'h1',
    );
    expect(c.Env).toEqual([
      'PATH=/image/bin',
      'HOSTNAME=h1',
      'TERM=xterm',
      'A=image',
      'B=user',
      'D=user',
    ]);
    const plain = mergeConfig('img', {}, { image: 'img', cmd: ['x'] }, 'h2');
    expect(plain.Env).toEqual([`PATH=${defaultPath}`, 'HOSTNAME=h2']);
  });
});

describe('user, workdir, stop signal, labels, ports, volumes', () => {
  it('takes a non-empty override, else the image value, else the default', () => {
    const o = mergeConfig(
      'img',
      image,
      { image: 'img', user: 'app', workingDir: '/w', stopSignal: 'SIGINT' },
      'h',
    );
    expect([o.User, o.WorkingDir, o.StopSignal]).toEqual(['app', '/w', 'SIGINT']);
    const i = mergeConfig('img', image, { image: 'img', user: '', workingDir: '' }, 'h');
    expect([i.User, i.WorkingDir, i.StopSignal]).toEqual(['nobody', '/srv', 'SIGQUIT']);
    const d = mergeConfig('img', { Cmd: ['x'] }, { image: 'img' }, 'h');
    expect([d.User, d.WorkingDir, d.StopSignal, d.StopTimeout]).toEqual(['', '/', 'SIGTERM', 10]);
    expect(d.Shell).toEqual(['/bin/sh', '-c']);
  });
  it('unions labels, ports and volumes with the override winning per key', () => {
    const c = mergeConfig(
      'img',
      { ...image, ExposedPorts: { '80/tcp': {}, '8080': {} } },
      {
        image: 'img',
        labels: { b: 'user', c: 'user' },
        ports: [{ containerPort: 443, protocol: 'tcp', hostPort: 0, hostIp: '' } as never],
      },
      'h',
    );
    expect(c.Labels).toEqual({ a: 'image', b: 'user', c: 'user' });
    expect(Object.keys(c.ExposedPorts).sort()).toEqual(['443/tcp', '80/tcp', '8080/tcp']);
    expect(c.Volumes).toEqual({ '/data': {} });
  });
});

describe('healthcheck', () => {
  const img = { Test: ['CMD', 'check'], Interval: 2e9, Timeout: 3e9, StartPeriod: 4e9, Retries: 5 };
  it('converts the image nanoseconds to ms', () => {
    expect(mergeHealth(img, {})).toEqual({
      test: ['CMD', 'check'],
      intervalMs: 2000,
      timeoutMs: 3000,
      startPeriodMs: 4000,
      retries: 5,
    });
  });
  it('merges field by field: empty override fields inherit', () => {
    expect(mergeHealth(img, { healthcheck: { test: [], intervalMs: 100 } })).toEqual({
      test: ['CMD', 'check'],
      intervalMs: 100,
      timeoutMs: 3000,
      startPeriodMs: 4000,
      retries: 5,
    });
  });
  it('--no-healthcheck disables it; no check anywhere means none', () => {
    expect(mergeHealth(img, { noHealthcheck: true })).toEqual({ test: ['NONE'] });
    expect(mergeHealth(undefined, {})).toBeUndefined();
  });
});
