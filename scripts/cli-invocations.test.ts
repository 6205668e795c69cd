import { describe, expect, it } from 'vitest';
import { invocations } from './cli-invocations.js';
import { invokes } from './flag-coverage.js';

describe('invocations', () => {
  it('gives each argument list its own words, arrays inside counted with their list', () => {
    const text = `
      const r = await run(['create', ...none, '--name', name, 'busybox']);
      await c.flt('service', 'create', '-d', c.image('web:v1'), 'sh -c true');
      await sh('run', ['--add-host', 'db:10.0.0.1'], 'cat /etc/hosts');
    `;
    const calls = invocations(text);
    expect(calls).toContainEqual(['create', '--name', 'busybox']);
    expect(calls).toContainEqual(['service', 'create', '-d', 'sh', '-c', 'true']);
    expect(calls).toContainEqual(['web:v1']);
    expect(calls).toContainEqual(['run', '--add-host', 'db:10.0.0.1', 'cat', '/etc/hosts']);
  });

  it('reads the lists of a script inside a template literal, and skips comments and regexps', () => {
    const text = [
      "// don't count (this) ['rm', '-f']",
      'const driver = `',
      "os.execvp('node',['node',sys.argv[1],'run','--rm','-it','busybox','sh'])",
      '`;',
      "expect(x).toMatch(/'\\[(/); await run(['load', '-i', out]);",
    ].join('\n');
    const calls = invocations(text);
    expect(calls).toContainEqual(['node', 'run', '--rm', '-it', 'busybox', 'sh']);
    expect(calls).toContainEqual(['load', '-i']);
    expect(calls.flat()).not.toContain('-f');
  });

  it('leaves out the literals it is told to skip (test titles)', () => {
    const text = "it('rm -f removes it', async () => { await run(['ps']); });";
    expect(invocations(text, new Set([3])).flat()).toEqual(['ps', 'ps']);
  });
});

describe('invokes', () => {
  it('needs the command words first (after a client name) and the flag after them', () => {
    expect(invokes(['image', 'rm', '-f', 'x'], ['image', 'rm'], ['--force', '-f'])).toBe(true);
    expect(invokes(['node', 'run', '--rm'], ['run'], ['--rm'])).toBe(true);
    expect(invokes(['run', '--name=web'], ['run'], ['--name'])).toBe(true);
    // The flag before the command, or the command not first, or another command's flag: no.
    expect(invokes(['-f', 'image', 'rm'], ['image', 'rm'], ['-f'])).toBe(false);
    expect(invokes(['service', 'rm', '-f'], ['rm'], ['-f'])).toBe(false);
    expect(invokes(['load', '-i', 'x'], ['create'], ['-i'])).toBe(false);
    // The root's flags come before the command.
    expect(invokes(['-H', 'unix:///s', 'ps'], [], ['-H'])).toBe(true);
    expect(invokes(['ps', '-H'], [], ['-H'])).toBe(false);
  });
});
