import { describe, expect, it } from 'vitest';
import { loadDispatcherProto } from '../../proto/index.js';
import { withSharedEncoding } from './shared-encoding.js';

describe('withSharedEncoding', () => {
  const service = loadDispatcherProto().flotilla.v1.Dispatcher.service;
  const { definition, encodeOnce } = withSharedEncoding(service);
  const serialize = definition.Session.responseSerialize;
  const msg = () => ({
    ingressChanges: { changes: [{ serviceId: 's1', addedAddrs: ['10.0.0.1'] }] },
  });

  it('sends a message encoded once as those bytes, every time', () => {
    const m = encodeOnce(msg());
    const first = serialize(m);
    expect(serialize(m)).toBe(first); // the same Buffer: not encoded again
    expect(first.equals(service.Session.responseSerialize(msg()))).toBe(true);
  });

  it('encodes other messages as before, and what it sends decodes to the message', () => {
    const plain = msg();
    expect(serialize(plain).equals(service.Session.responseSerialize(plain))).toBe(true);
    const decoded = definition.Session.responseDeserialize(serialize(encodeOnce(msg())));
    expect(decoded.ingressChanges.changes[0]).toMatchObject({
      serviceId: 's1',
      addedAddrs: ['10.0.0.1'],
    });
  });
});
