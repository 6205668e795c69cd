import { describe, expect, it } from 'vitest';
import { defaultServiceSpec } from '../../../shared/model/index.js';
import { applyFileUpdateFlags, parse } from './file-flags.js';

describe('--secret / --config values', () => {
  it('takes a bare name with Docker defaults', () => {
    expect(parse('secret', 'db_pw')).toEqual({
      id: '',
      name: 'db_pw',
      target: 'db_pw',
      uid: '0',
      gid: '0',
      mode: 0o444,
    });
    expect(parse('config', 'app').target).toBe('/app');
  });

  it('reads the long form, with mode in octal as docker does', () => {
    expect(parse('secret', 'source=db_pw,target=pw,uid=1000,gid=2000,mode=0400')).toMatchObject({
      name: 'db_pw',
      target: 'pw',
      uid: '1000',
      gid: '2000',
      mode: 0o400,
    });
    expect(parse('config', 'src=c,target=/etc/c.conf,mode=292').mode).toBe(0o444);
  });

  it('refuses unknown keys, bad modes, bad names and targets with ..', () => {
    expect(() => parse('secret', 'source=a,size=1')).toThrow(/unknown key size/);
    expect(() => parse('secret', 'source=a,mode=rw')).toThrow(/mode/);
    expect(() => parse('secret', 'source=a,uid=root')).toThrow(/uid must be a number/);
    expect(() => parse('secret', '-a')).toThrow(/source/);
    expect(() => parse('secret', 'source=a,target=../x')).toThrow(/\.\./);
  });

  it('removes before it adds on update, by name', () => {
    const spec = defaultServiceSpec('web', 'busybox');
    applyFileUpdateFlags(spec, { secretAdd: ['a', 'b'] });
    applyFileUpdateFlags(spec, { secretRm: ['a'], secretAdd: ['source=b,target=bb'] });
    expect(spec.taskTemplate.containerSpec.secrets?.map((r) => [r.name, r.target])).toEqual([
      ['b', 'bb'],
    ]);
    applyFileUpdateFlags(spec, { secretRm: ['b'] });
    expect(spec.taskTemplate.containerSpec.secrets).toBeUndefined();
  });
});
