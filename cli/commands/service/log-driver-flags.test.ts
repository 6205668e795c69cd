import { describe, expect, it } from 'vitest';
import { specFromFlags } from './spec-from-flags.js';
import { applyUpdateFlags } from './update.js';

describe('service --log-driver / --log-opt', () => {
  it('sets the task log driver on create, and update replaces it', () => {
    const spec = specFromFlags('nginx', [], {
      name: 'web',
      logDriver: 'syslog',
      logOpt: ['syslog-address=udp://10.0.0.1:514', 'tag={{.Name}}'],
    });
    expect(spec.taskTemplate.containerSpec.logDriver).toEqual({
      name: 'syslog',
      options: { 'syslog-address': 'udp://10.0.0.1:514', tag: '{{.Name}}' },
    });
    const updated = applyUpdateFlags(spec, { logDriver: 'local' });
    expect(updated.taskTemplate.containerSpec.logDriver).toEqual({ name: 'local' });
    expect(applyUpdateFlags(spec, {}).taskTemplate.containerSpec.logDriver).toEqual(
      spec.taskTemplate.containerSpec.logDriver,
    );
  });

  it('refuses an unknown driver or option, and options without a driver', () => {
    expect(() => specFromFlags('nginx', [], { logDriver: 'gelf' })).toThrow(
      'logging driver "gelf" is not supported',
    );
    expect(() => specFromFlags('nginx', [], { logDriver: 'none', logOpt: ['tag=x'] })).toThrow(
      'unknown log opt "tag" for none log driver',
    );
    expect(() => specFromFlags('nginx', [], { logOpt: ['max-size=1m'] })).toThrow(
      /--log-opt.*needs --log-driver/,
    );
  });
});
