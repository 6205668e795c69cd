import { describe, expect, it } from 'vitest';
import { formatBinding, parsePublish, publishAllPorts } from './publish.js';

describe('parsePublish', () => {
  it('reads HOSTPORT:CONTAINERPORT, IP:HOSTPORT:CONTAINERPORT and IP::CONTAINERPORT', () => {
    expect(parsePublish('8080:80')).toEqual([
      { hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    ]);
    expect(parsePublish('127.0.0.1:8080:80/udp')).toEqual([
      { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' },
    ]);
    expect(parsePublish('127.0.0.1::80')).toEqual([
      { hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' },
    ]);
    expect(parsePublish('0.0.0.0:81:80/TCP')[0]).toMatchObject({ hostIp: '', hostPort: 81 });
  });

  it('gives a lone container port a random host port', () => {
    expect(parsePublish('53/udp')).toEqual([
      { hostIp: '', hostPort: 0, containerPort: 53, protocol: 'udp' },
    ]);
  });

  it('expands matching ranges pairwise', () => {
    expect(parsePublish('8000-8002:80-82').map((b) => [b.hostPort, b.containerPort])).toEqual([
      [8000, 80],
      [8001, 81],
      [8002, 82],
    ]);
    expect(parsePublish('80-81').map((b) => b.hostPort)).toEqual([0, 0]);
  });

  it('names the value and the reason when refusing', () => {
    expect(() => parsePublish('8000-8003:80-82')).toThrow(/"8000-8003:80-82".*differ in length/);
    expect(() => parsePublish('70000:80')).toThrow(/"70000:80".*outside 1-65535/);
    expect(() => parsePublish('80/sctp')).toThrow(/"80\/sctp".*sctp/);
    expect(() => parsePublish('1.2.3:80:80')).toThrow(/"1.2.3:80:80".*IPv4/);
    expect(() => parsePublish('a:b:c:d')).toThrow(/too many/);
    expect(() => parsePublish('8080:')).toThrow(/no container port/);
    expect(() => parsePublish('90-80')).toThrow(/ends before/);
    expect(() => parsePublish('[::1]:80:80')).toThrow(/IPv6/);
  });

  it('publishes every exposed port on a random host port for -P', () => {
    expect(publishAllPorts(['80/tcp', '53/udp'])).toEqual([
      { hostIp: '', hostPort: 0, containerPort: 80, protocol: 'tcp' },
      { hostIp: '', hostPort: 0, containerPort: 53, protocol: 'udp' },
    ]);
    expect(formatBinding({ hostIp: '', hostPort: 32768, containerPort: 80, protocol: 'tcp' })).toBe(
      '0.0.0.0:32768->80/tcp',
    );
  });
});
