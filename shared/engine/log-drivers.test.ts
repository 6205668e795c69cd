import { describe, expect, it } from 'vitest';
import { parseLogOptFlags, parseSyslogAddress, validateLogDriver } from './log-drivers.js';

describe('validateLogDriver', () => {
  it('accepts every driver by its Docker name with its options', () => {
    validateLogDriver('json-file', { 'max-size': '10m', 'max-file': '3', compress: 'true' });
    validateLogDriver('local', { 'max-size': '-1' });
    validateLogDriver('syslog', {
      'syslog-address': 'tcp://10.0.0.1:601',
      'syslog-format': 'rfc5424micro',
      'syslog-facility': 'local3',
      tag: '{{.Name}}/{{.ID}}',
    });
    validateLogDriver('journald', { tag: 'x', 'cache-disabled': 'true' });
    validateLogDriver('none');
  });

  it('names an unknown driver, an unknown option and a bad value', () => {
    expect(() => validateLogDriver('gelf')).toThrow('logging driver "gelf" is not supported');
    expect(() => validateLogDriver('json-file', { 'max-sise': '1m' })).toThrow(
      'unknown log opt "max-sise" for json-file log driver',
    );
    expect(() => validateLogDriver('none', { tag: 'x' })).toThrow(
      'unknown log opt "tag" for none log driver',
    );
    expect(() => validateLogDriver('json-file', { 'max-file': '0' })).toThrow(
      'invalid log opt max-file="0" for json-file log driver: must be a positive integer',
    );
    expect(() => validateLogDriver('json-file', { compress: 'yes' })).toThrow(/use true or false/);
    expect(() => validateLogDriver('syslog', { 'syslog-format': 'rfc9999' })).toThrow(/rfc5424/);
    expect(() => validateLogDriver('syslog', { tag: '{{.Nope}}' })).toThrow(/\.Nope/);
  });

  it('reads syslog addresses as Docker does, 514 by default, and refuses TLS', () => {
    expect(parseSyslogAddress('udp://127.0.0.1')).toEqual({
      protocol: 'udp',
      address: '127.0.0.1:514',
    });
    expect(parseSyslogAddress('unixgram:///dev/log')).toEqual({
      protocol: 'unixgram',
      address: '/dev/log',
    });
    expect(() => parseSyslogAddress('tcp+tls://h:6514')).toThrow(/no TLS/);
    expect(() => parseSyslogAddress('udp://h:99999')).toThrow(/HOST:PORT/);
  });

  it('parses KEY=VALUE flags and refuses anything else', () => {
    expect(parseLogOptFlags(['max-size=1m', 'tag=a=b'])).toEqual({ 'max-size': '1m', tag: 'a=b' });
    expect(() => parseLogOptFlags(['oops'])).toThrow(/--log-opt.*KEY=VALUE/);
  });
});
