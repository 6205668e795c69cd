import { describe, expect, it } from 'vitest';
import type * as grpc from '@grpc/grpc-js';
import type { AgentMessage__Output, ManagerMessage } from '../../proto/index.js';
import { silentLogger } from '../../shared/log/index.js';
import type { IngressService } from '../../shared/model/index.js';
import { AgentSession, ingressChangesMessage } from './session.js';

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

describe('AgentSession ingress', () => {
  it('sends the whole endpoint set once per version', () => {
    const { s, written } = session();
    s.sendIngress([], 0);
    s.sendIngress(web(['10.240.0.2']), 1);
    s.sendIngress(web(['10.240.0.2']), 1);
    expect(written.map((m) => m.ingress?.services?.map((x) => x.addrs))).toEqual([
      [],
      [['10.240.0.2']],
    ]);
  });

  it('then only the changes, or the whole set to an agent that holds another version', () => {
    const { s, written } = session();
    s.sendIngress(web(['10.240.0.2']), 3);
    const change = { serviceId: 's1', addedAddrs: ['10.240.1.3'], removedAddrs: [] };
    s.sendIngressChanges(ingressChangesMessage([change]), 3, web(['10.240.0.2', '10.240.1.3']), 4);
    expect(written[1].ingressChanges?.changes).toEqual([
      { serviceId: 's1', removed: false, addedAddrs: ['10.240.1.3'], removedAddrs: [] },
    ]);
    expect(written[1].ingress).toBeUndefined();
    // Changes from version 5 to 6 do not apply to an agent at version 4: it gets the set at 6.
    s.sendIngressChanges(ingressChangesMessage([change]), 5, web(['10.240.9.9']), 6);
    expect(written[2].ingressChanges).toBeUndefined();
    expect(written[2].ingress?.services?.map((x) => x.addrs)).toEqual([['10.240.9.9']]);
  });
});
