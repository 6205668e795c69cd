import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CliContext } from '../../context.js';
import { registerStackCommands } from './index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(args: string[]): { out: string; err: string } {
  let out = '';
  let err = '';
  const o = new PassThrough();
  const e = new PassThrough();
  o.on('data', (b) => (out += b));
  e.on('data', (b) => (err += b));
  const ctx = { out: o, err: e, debug: false } as unknown as CliContext;
  const program = new Command().exitOverride();
  registerStackCommands(program, () => ctx);
  program.parse(['stack', 'config', ...args], { from: 'user' });
  return { out, err };
}

describe('flotilla stack config', () => {
  it('prints the merged, normalised stack of several -c files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-cli-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'a.yml'),
      'services:\n  web:\n    image: nginx\n    ports: ["127.0.0.1:80:80"]\n',
    );
    writeFileSync(join(dir, 'b.yml'), 'services:\n  web:\n    image: nginx:2\n');
    const { out, err } = run(['-c', join(dir, 'a.yml'), '-c', join(dir, 'b.yml')]);
    expect(parse(out)).toEqual({
      version: '3.13',
      services: {
        web: {
          image: 'nginx:2',
          ports: [{ mode: 'ingress', target: 80, published: 80, protocol: 'tcp' }],
        },
      },
    });
    expect(err).toContain(
      "ignoring IP-address (127.0.0.1:80:80/tcp) service will listen on '0.0.0.0'",
    );
  });

  it('names each ignored key in one warning line, and what stack deploy would refuse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-cli-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'a.yml'),
      'services:\n  web:\n    image: nginx\n    isolation: hyperv\n    credential_spec: {file: x}\n' +
        '    networks: [back]\nvolumes:\n  data: {driver: nfs}\n',
    );
    const { out, err } = run(['-c', join(dir, 'a.yml')]);
    expect(parse(out).services.web.isolation).toBe('hyperv');
    expect(err.split('\n').filter(Boolean)).toEqual([
      'WARNING: Ignoring unsupported options: credential_spec',
      'WARNING: Ignoring unsupported options: isolation',
      'WARNING: Ignoring unsupported options: volumes.data.driver "nfs" (only the local driver is supported; the volume is a local one)',
      `WARNING: stack deploy refuses this: ${join(dir, 'a.yml')}:6:15: services.web.networks.back: undeclared network "back": declare it under networks:`,
    ]);
  });
});
