import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveJoinToken } from './join-token.js';

const dir = mkdtempSync(join(tmpdir(), 'flt-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveJoinToken', () => {
  it('takes --token, then a 0600 --token-file, then FLOTILLA_JOIN_TOKEN', () => {
    const f = join(dir, 'token');
    writeFileSync(f, 'FLT-from-file\n', { mode: 0o600 });
    const env = { FLOTILLA_JOIN_TOKEN: 'FLT-from-env' };
    expect(resolveJoinToken({ token: 'FLT-flag', tokenFile: f }, env)).toBe('FLT-flag');
    expect(resolveJoinToken({ token: '', tokenFile: f }, env)).toBe('FLT-from-file');
    expect(resolveJoinToken({ token: '', tokenFile: '' }, env)).toBe('FLT-from-env');
    expect(resolveJoinToken({ token: '', tokenFile: '' }, {})).toBe('');
  });

  it('refuses a token file other users can read', () => {
    const f = join(dir, 'open');
    writeFileSync(f, 'FLT-x');
    chmodSync(f, 0o644);
    expect(() => resolveJoinToken({ token: '', tokenFile: f }, {})).toThrow(
      /invalid value ".*open" for flag --token-file: other users may read it \(mode 644\)/,
    );
  });
});

describe('deploy/ keeps join tokens out of argv', () => {
  const read = (p: string) => readFileSync(new URL(`../../deploy/${p}`, import.meta.url), 'utf8');

  it('has no --token in the systemd units; they read FLOTILLA_JOIN_TOKEN from an environment file', () => {
    for (const unit of ['flotilla-agent.service', 'flotilla-manager.service']) {
      const text = read(`systemd/${unit}`);
      const exec = text.split('\n').filter((l) => l.startsWith('ExecStart'));
      expect(exec.join('\n')).not.toMatch(/--token\b|FLOTILLA_JOIN_TOKEN/);
      expect(text).toMatch(/^EnvironmentFile=.*\.env$/m);
      expect(text).toContain('FLOTILLA_JOIN_TOKEN');
    }
  });

  it('never shows a token in argv or in FLOTILLA_AGENT_ARGS in the operator docs', () => {
    const doc = read('README.md');
    expect(doc).not.toMatch(/--token FLT|FLOTILLA_AGENT_ARGS="[^"]*--token/);
    expect(doc).toContain('FLOTILLA_JOIN_TOKEN=');
    expect(doc).toMatch(/chmod 600 \/etc\/flotilla\/agent\.env/);
  });
});
