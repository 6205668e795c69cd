import { describe, expect, it } from 'vitest';
import { createLogger } from '../shared/log/index.js';
import { ManagerDirectory } from './directory.js';

const log = createLogger({ proc: 'test', level: 'silent' });

describe('ManagerDirectory', () => {
  it('lists itself and every registered manager, and reports only changes', async () => {
    let registered: { grpcAddr: string }[] = [{ grpcAddr: '10.0.0.2:4242' }];
    let fail = false;
    const d = new ManagerDirectory({
      self: '10.0.0.1:4242',
      list: async () => {
        if (fail) throw new Error('etcd unreachable');
        return registered;
      },
      log,
      refreshMs: 3_600_000,
    });
    const seen: string[][] = [];
    d.onChange((a) => seen.push(a));
    expect(d.addrs()).toEqual(['10.0.0.1:4242']);
    await d.start();
    expect(d.addrs()).toEqual(['10.0.0.1:4242', '10.0.0.2:4242']);
    await d.refresh();
    expect(seen).toHaveLength(1);
    // A manager joins, and one leaves (its record went with its lease).
    registered = [{ grpcAddr: '10.0.0.3:4242' }, { grpcAddr: '10.0.0.1:4242' }];
    await d.refresh();
    expect(seen.at(-1)).toEqual(['10.0.0.1:4242', '10.0.0.3:4242']);
    // A failed read keeps the last list rather than telling agents there is nobody.
    fail = true;
    await d.refresh();
    expect(d.addrs()).toEqual(['10.0.0.1:4242', '10.0.0.3:4242']);
    expect(seen).toHaveLength(2);
    await d.stop();
  });
});
