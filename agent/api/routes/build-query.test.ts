import { describe, expect, it } from 'vitest';
import { buildQuery } from './build-query.js';

describe('buildQuery', () => {
  it("reads what the docker CLI's classic builder sends by default", () => {
    const q = {
      t: 'a:1',
      dockerfile: 'sub/Other.Dockerfile',
      rm: '1',
      memory: '0',
      cpushares: '0',
      shmsize: '0',
      networkmode: 'default',
      buildargs: '{"WHO":"ann","UNSET":null}',
      labels: '{"made.by":"test"}',
      cachefrom: 'null',
      ulimits: 'null',
      version: '1',
      target: 'first',
    };
    expect(buildQuery(q)).toEqual({
      tags: ['a:1'],
      dockerfile: 'sub/Other.Dockerfile',
      buildArgs: { WHO: 'ann' },
      labels: { 'made.by': 'test' },
      noCache: false,
      target: 'first',
      quiet: false,
    });
  });

  it('refuses by name what the builder does not do', () => {
    expect(() => buildQuery({ pull: '1' })).toThrow(/build parameter pull=1 is not supported/);
    expect(() => buildQuery({ memory: '1000000' })).toThrow(/memory=1000000/);
    expect(() => buildQuery({ version: '2' })).toThrow(/version=2/);
    expect(() => buildQuery({ labels: '[1]' })).toThrow(/labels must be a JSON object/);
  });
});
