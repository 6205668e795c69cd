import { describe, expect, it } from 'vitest';
import { commandName } from './command-name.js';

describe('commandName', () => {
  it('skips global options and their values', () => {
    expect(commandName(['-H', 'unix:///x.sock', '--debug', 'run', '--rm', 'busybox'])).toBe('run');
    expect(commandName(['--context', 'prod', 'agent', '--join', 'm:4242'])).toBe('agent');
  });

  it('is undefined when only options are given', () => {
    expect(commandName(['--version'])).toBeUndefined();
    expect(commandName([])).toBeUndefined();
  });
});
