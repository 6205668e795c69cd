import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envName, readConfigFile, resolveSettings } from './resolve.js';

describe('settings precedence', () => {
  const defaults = { dataRoot: '/var/lib/flotilla', insecureRegistries: [] as string[], port: 1 };
  it('prefers flags, then env, then file, then defaults', () => {
    const file = { dataRoot: '/file', port: 3 };
    const env = { FLOTILLA_DATA_ROOT: '/env', FLOTILLA_INSECURE_REGISTRIES: 'a:1,b:2' };
    expect(resolveSettings(defaults, { dataRoot: '/flag' }, file, env)).toEqual({
      dataRoot: '/flag',
      insecureRegistries: ['a:1', 'b:2'],
      port: 3,
    });
    expect(resolveSettings(defaults, {}, file, env).dataRoot).toBe('/env');
    expect(resolveSettings(defaults, {}, file, {}).dataRoot).toBe('/file');
    expect(resolveSettings(defaults, {}, {}, {}).dataRoot).toBe('/var/lib/flotilla');
  });
  it('names env variables', () => expect(envName('dataRoot')).toBe('FLOTILLA_DATA_ROOT'));
  it('reports a broken config file by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flt-'));
    const f = join(dir, 'agent.json');
    writeFileSync(f, '{nope');
    expect(() => readConfigFile(f)).toThrow(new RegExp(`invalid configuration in ${f}`));
    expect(readConfigFile(join(dir, 'missing.json'))).toEqual({});
  });
});
