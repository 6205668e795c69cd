import { describe, expect, it } from 'vitest';
import type * as grpc from '@grpc/grpc-js';
import type { AgentMessage__Output, ManagerMessage } from '../../proto/index.js';
import { silentLogger } from '../../shared/log/index.js';
import type { IngressService } from '../../shared/model/index.js';
import { AgentSession } from './session.js';

function session() {
  const written: ManagerMessage[] = [];
  const call = {
    write: (m: ManagerMessage) => written.push(m),
  } as unknown as grpc.ServerDuplexStream<AgentMessage__Output, ManagerMessage>;
  return { s: new AgentSession('n1', call, silentLogger()), written };
}

const web = (addrs: string[]): IngressService[] => [
  {
    serviceId: 's1',
    name: 'web',
    ports: [{ published: 8080, target: 80, protocol: 'tcp' }],
    addrs,
  },
];

describe('AgentSession.sendIngress', () => {
  it('sends the whole endpoint set, and again only when it changed', () => {
    const { s, written } = session();
    s.sendIngress([]);
    s.sendIngress(web(['10.240.0.2']));
    s.sendIngress(web(['10.240.0.2']));
    s.sendIngress(web(['10.240.0.2', '10.240.1.3']));
    expect(written.map((m) => m.ingress?.services?.map((x) => x.addrs))).toEqual([
      [],
      [['10.240.0.2']],
      [['10.240.0.2', '10.240.1.3']],
    ]);
  });
});
