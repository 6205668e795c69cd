import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStackConfig, type LoadOptions } from './load.js';
import { loadStack } from './index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'stack-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

function load(files: Record<string, string>, names = ['stack.yml'], opts: LoadOptions = {}) {
  const cwd = dir(files);
  return loadStackConfig(names, { env: {}, cwd, ...opts });
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

const svc = (body: string) => `version: "3.8"\nservices:\n  web:\n    image: nginx\n${body}`;

describe('stack loader: errors name file, line, column and field', () => {
  it('rejects a wrong type', () => {
    const text = 'services:\n  web:\n    image: nginx\n    deploy:\n      replicas: three\n';
    expect(errorOf(() => load({ 'stack.yml': text }))).toBe(
      'stack.yml:5:17: services.web.deploy.replicas: expected an integer, got "three"',
    );
  });

  it('rejects a bad duration', () => {
    expect(errorOf(() => load({ 'stack.yml': svc('    stop_grace_period: 10 minutes\n') }))).toBe(
      'stack.yml:5:24: services.web.stop_grace_period: invalid duration "10 minutes" (use e.g. 10s, 1m30s, 500ms)',
    );
  });

  it('rejects a bad size', () => {
    const text = svc('    deploy:\n      resources:\n        limits:\n          memory: lots\n');
    expect(errorOf(() => load({ 'stack.yml': text }))).toBe(
      'stack.yml:8:19: services.web.deploy.resources.limits.memory: invalid size "lots" (use e.g. 512M, 1.5G, 100k)',
    );
  });

  it('rejects a bad port', () => {
    expect(errorOf(() => load({ 'stack.yml': svc('    ports:\n      - "80:99999"\n') }))).toMatch(
      /^stack\.yml:6:9: services\.web\.ports\[0\]: invalid port "80:99999": port 99999 is out of range/,
    );
  });

  it('rejects unknown keys at top level and in a service', () => {
    const text = svc('    colour: blue\n') + 'name: x\n';
    expect(errorOf(() => load({ 'stack.yml': text }))).toBe(
      [
        'stack.yml:5:13: services.web.colour: unknown key (not allowed here)',
        'stack.yml:6:7: name: unknown key (not allowed here)',
      ].join('\n'),
    );
  });

  it('rejects an undefined required variable naming it', () => {
    const text = svc('    environment:\n      - URL=https://${DOMAIN:?set DOMAIN first}/\n');
    expect(errorOf(() => load({ 'stack.yml': text }))).toBe(
      'stack.yml:6:9: services.web.environment[0]: required variable DOMAIN is missing a value: set DOMAIN first',
    );
  });

  it('refuses an alias bomb stating the limit', () => {
    const rows = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      rows.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const text = `x-bomb:\n${rows.map((r) => `  ${r}`).join('\n')}\nservices: {}\n`;
    expect(errorOf(() => load({ 'stack.yml': text }))).toBe(
      'stack.yml: YAML aliases expand too much (more than 1000 alias expansions)',
    );
  });

  it('refuses very deep nesting stating the limit', () => {
    const text = `x-deep: ${'['.repeat(5000)}${']'.repeat(5000)}\nservices: {}\n`;
    expect(errorOf(() => load({ 'stack.yml': text }))).toMatch(
      /^stack\.yml:\d+:\d+: YAML nesting deeper than the limit of 64 levels$/,
    );
  });

  it('reports invalid YAML syntax with its position', () => {
    const text = 'services:\n  web:\n    image: "nginx\n';
    expect(errorOf(() => load({ 'stack.yml': text }))).toMatch(
      /^stack\.yml:4:1: Missing closing "quote/,
    );
  });

  it('collects several problems sorted by position', () => {
    const text = svc(
      '    deploy:\n      replicas: x\n    healthcheck:\n      interval: 5 s\n    user: 3\n',
    );
    const lines = errorOf(() => load({ 'stack.yml': text })).split('\n');
    expect(lines).toEqual([
      'stack.yml:6:17: services.web.deploy.replicas: expected an integer, got "x"',
      'stack.yml:9:11: services.web.user: expected a string, got 3',
    ]);
  });
});

describe('stack loader: features', () => {
  it('merges two files with compose merge rules', () => {
    const a = svc(
      '    command: ["a"]\n    environment: {A: "1", B: "2"}\n    ports: ["80:80"]\n    volumes: ["/a:/data"]\n    deploy:\n      replicas: 2\n      placement: {constraints: [a==b]}\n',
    );
    const b = svc(
      '    command: b c\n    environment: [B=3]\n    ports: ["8080:80"]\n    volumes: ["/b:/data"]\n    deploy:\n      replicas: 3\n      placement: {constraints: [c==d]}\n',
    );
    const { config } = load({ 'a.yml': a, 'b.yml': b }, ['a.yml', 'b.yml']);
    const web = config.services.web as Record<string, unknown>;
    expect(web.command).toEqual(['b', 'c']);
    expect(web.environment).toEqual({ A: '1', B: '3' });
    expect(web.ports).toEqual([
      { mode: 'ingress', target: 80, published: 80, protocol: 'tcp' },
      { mode: 'ingress', target: 80, published: 8080, protocol: 'tcp' },
    ]);
    expect(web.volumes).toEqual([{ type: 'bind', source: '/b', target: '/data' }]);
    expect(web.deploy).toEqual({ replicas: 3, placement: { constraints: ['a==b', 'c==d'] } });
  });

  it('reads .env beside the first file, and the environment wins over it', () => {
    const text = svc('    environment:\n      A: ${A}\n      B: ${B:-dflt}\n      C: $${C}\n');
    const { config } = load(
      { 'stack.yml': text, '.env': 'A=from-dotenv\nB="quoted"\n' },
      undefined,
      {
        env: { A: 'from-env' },
      },
    );
    expect((config.services.web as Record<string, unknown>).environment).toEqual({
      A: 'from-env',
      B: 'quoted',
      C: '${C}',
    });
  });

  it('expands anchors, merge keys and keeps x- extensions', () => {
    const text =
      'x-common: &common\n  image: busybox\n  deploy: {replicas: 2}\nservices:\n  a:\n    <<: *common\n    x-note: hi\n  b:\n    <<: *common\n    deploy: {replicas: 5}\n';
    const { config } = load({ 'stack.yml': text });
    expect(config.services.a).toEqual({
      deploy: { replicas: 2 },
      image: 'busybox',
      'x-note': 'hi',
    });
    expect(config.services.b).toEqual({ deploy: { replicas: 5 }, image: 'busybox' });
    expect(config.extras).toEqual({ 'x-common': { image: 'busybox', deploy: { replicas: 2 } } });
  });

  it('normalises command, healthcheck, env_file, null environment and relative binds', () => {
    const text = svc(
      `    command: sh -c 'echo "hi there"'\n    healthcheck:\n      test: curl -f localhost\n      interval: 90s\n    env_file: app.env\n    environment:\n      FROM_ENV:\n    volumes:\n      - ./data:/data:ro\n      - cache:/cache\n      - type: tmpfs\n        target: /tmp\n        tmpfs: {size: 1000}\n    ports:\n      - "9090-9091:8080-8081/udp"\n`,
    );
    const cwd = dir({ 'stack.yml': text, 'app.env': '# c\nFILE_VAR=1\n' });
    const { config } = loadStackConfig(['stack.yml'], { cwd, env: { FROM_ENV: 'x' } });
    const web = config.services.web as Record<string, unknown>;
    expect(web.command).toEqual(['sh', '-c', 'echo "hi there"']);
    expect(web.healthcheck).toEqual({
      test: ['CMD-SHELL', 'curl -f localhost'],
      interval: '1m30s',
    });
    expect(web.environment).toEqual({ FILE_VAR: '1', FROM_ENV: 'x' });
    expect(web.volumes).toEqual([
      { type: 'bind', source: join(cwd, 'data'), target: '/data', read_only: true },
      { type: 'volume', source: 'cache', target: '/cache' },
      { type: 'tmpfs', target: '/tmp', tmpfs: { size: 1000 } },
    ]);
    expect(web.ports).toEqual([
      { mode: 'ingress', target: 8080, published: 9090, protocol: 'udp' },
      { mode: 'ingress', target: 8081, published: 9091, protocol: 'udp' },
    ]);
  });

  it('warns once per key the stack path ignores, one line each', () => {
    const text = svc('    build: .\n    restart: always\n  db:\n    image: pg\n    build: ./db\n');
    const cwd = dir({ 'stack.yml': text });
    const stack = loadStack('app', ['stack.yml'], { cwd, env: {} });
    expect(stack.warnings).toEqual([
      'Ignoring unsupported options: build',
      'Ignoring unsupported options: restart',
    ]);
  });

  it('accepts and ignores a 3.x version, refuses version 2', () => {
    expect(load({ 'stack.yml': svc('') }).config.version).toBe('3.8');
    expect(errorOf(() => load({ 'stack.yml': 'version: "2"\nservices: {}\n' }))).toMatch(
      /^stack\.yml:1:10: version: unsupported Compose file version: 2/,
    );
  });
});
