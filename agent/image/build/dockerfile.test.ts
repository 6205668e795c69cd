import { describe, expect, it } from 'vitest';
import { expandVars, parseDockerfile, parseKeyValues, splitWords } from './dockerfile.js';

describe('parseDockerfile', () => {
  it('reads instructions with line numbers, continuations, comments and both forms', () => {
    const df = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        'ARG BASE=scratch',
        'FROM ${BASE} AS build',
        '',
        '# a comment',
        'RUN echo one \\',
        '  # dropped comment',
        '  && echo two',
        'COPY --chown=1:2 --from=build a b /dst/',
        'CMD ["/bin/sh", "-c", "echo hi"]',
        'healthcheck --interval=5s CMD true',
      ].join('\n'),
    );
    expect(df.instructions.map((i) => [i.name, i.line])).toEqual([
      ['ARG', 2],
      ['FROM', 3],
      ['RUN', 6],
      ['COPY', 9],
      ['CMD', 10],
      ['HEALTHCHECK', 11],
    ]);
    expect(df.instructions[2].rest).toBe('echo one  && echo two');
    expect(df.instructions[3].flags).toEqual({ chown: '1:2', from: 'build' });
    expect(df.instructions[4].json).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(df.instructions[5].flags).toEqual({ interval: '5s' });
  });

  it('honours the escape directive', () => {
    const df = parseDockerfile('# escape=`\nFROM scratch\nRUN a `\n b');
    expect(df.escape).toBe('`');
    expect(df.instructions[1].rest).toBe('a  b');
  });

  it.each([
    ['FROM scratch\nFOO bar', /Dockerfile:2: unknown instruction: FOO/],
    ['RUN echo hi', /Dockerfile:1: the first instruction must be FROM/],
    ['FROM scratch\nCOPY onlyone', /Dockerfile:2: COPY requires at least two arguments/],
    ['FROM a b', /Dockerfile:1: FROM requires either one argument/],
    [
      'FROM scratch\nSHELL /bin/sh',
      /Dockerfile:2: SHELL requires the arguments to be in JSON form/,
    ],
    [
      'FROM scratch\nRUN --mount=type=cache,target=/x true',
      /Dockerfile:2: RUN --mount needs BuildKit/,
    ],
    ['', /Dockerfile:1: the Dockerfile has no instructions/],
    ['FROM scratch\nWORKDIR', /Dockerfile:2: WORKDIR requires at least one argument/],
  ])('rejects %j naming the line', (text, re) => {
    expect(() => parseDockerfile(text)).toThrow(re);
  });
});

describe('variables and words', () => {
  const vars = { A: 'x', EMPTY: '' };
  it.each([
    ['$A/${A}', 'x/x'],
    ['${NOPE:-def}', 'def'],
    ['${EMPTY:-def}', 'def'],
    ['${A:+alt}', 'alt'],
    ['${NOPE:+alt}', ''],
    ['\\$A', '$A'],
    ['cost $5', 'cost '],
    ['$', '$'],
  ])('expands %s', (text, out) => expect(expandVars(text, vars)).toBe(out));

  it('splits quoted words', () => expect(splitWords(`a "b c" 'd e'`)).toEqual(['a', 'b c', 'd e']));

  it('parses ENV forms', () => {
    expect(parseKeyValues('A=1 B="two words"', 'D', 1, 'ENV')).toEqual([
      ['A', '1'],
      ['B', 'two words'],
    ]);
    expect(parseKeyValues('A one two', 'D', 1, 'ENV')).toEqual([['A', 'one two']]);
    expect(() => parseKeyValues('A=1 =2', 'D', 3, 'ENV')).toThrow(
      /D:3: ENV: "=2" is not of the form/,
    );
  });
});
