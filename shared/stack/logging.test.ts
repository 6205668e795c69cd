import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStack } from './index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function stackOf(text: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'stack-logging-'));
  dirs.push(cwd);
  writeFileSync(join(cwd, 'stack.yml'), text);
  return loadStack('shop', ['stack.yml'], { cwd, env: {} });
}

describe('stack logging:', () => {
  it('becomes the task log driver, with options as strings', () => {
    const { services } = stackOf(
      'services:\n  web:\n    image: nginx\n    logging:\n      driver: json-file\n' +
        '      options:\n        max-size: 10m\n        max-file: 3\n',
    );
    expect(services[0].taskTemplate.containerSpec.logDriver).toEqual({
      name: 'json-file',
      options: { 'max-size': '10m', 'max-file': '3' },
    });
  });

  it('without a driver, keeps the options for each agent default driver', () => {
    const { services } = stackOf(
      'services:\n  web:\n    image: nginx\n    logging:\n      options: { max-size: 1m }\n',
    );
    expect(services[0].taskTemplate.containerSpec.logDriver).toEqual({
      name: '',
      options: { 'max-size': '1m' },
    });
  });

  it('refuses an unknown driver or option, naming it', () => {
    expect(() =>
      stackOf('services:\n  web:\n    image: nginx\n    logging: { driver: fluentd }\n'),
    ).toThrow('logging driver "fluentd" is not supported');
    expect(() =>
      stackOf(
        'services:\n  web:\n    image: nginx\n    logging:\n      driver: syslog\n      options: { max-size: 1m }\n',
      ),
    ).toThrow('unknown log opt "max-size" for syslog log driver');
  });
});
