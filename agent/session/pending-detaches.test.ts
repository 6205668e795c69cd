import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../shared/errors/index.js';
import { silentLogger } from '../../shared/log/index.js';
import type { ClusterAttachments } from '../runtime/index.js';
import { PendingDetaches } from './pending-detaches.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A manager that answers only while `up`; records what it released. */
function manager() {
  const m = {
    up: false,
    released: [] as string[],
    attach: async () => {
      throw new Error('not used');
    },
    detach: async (id: string) => {
      if (!m.up) throw new FlotillaError('MANAGER_UNREACHABLE', { address: 'm1', reason: 'down' });
      m.released.push(id);
    },
  };
  return m;
}

describe('PendingDetaches', () => {
  it('keeps a detach no manager answered (0600 file) and sends it again, also after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flt-detach-'));
    dirs.push(dir);
    const m = manager();
    const a = new PendingDetaches(m as unknown as ClusterAttachments, dir, silentLogger());
    await a.detach('att1');
    expect(await a.held()).toEqual(['att1']);
    const file = join(dir, 'pending-detaches.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await a.retry();
    expect(m.released).toEqual([]);

    // A restarted agent reads the file; the manager is back.
    m.up = true;
    const b = new PendingDetaches(m as unknown as ClusterAttachments, dir, silentLogger());
    await b.retry();
    expect(m.released).toEqual(['att1']);
    expect(await b.held()).toEqual([]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual([]);
    await b.detach('att2');
    expect(m.released).toEqual(['att1', 'att2']);
  });

  it("does not keep a manager's refusal", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flt-detach-'));
    dirs.push(dir);
    const refusing = {
      attach: async () => {
        throw new Error('not used');
      },
      detach: async (id: string) => {
        throw new FlotillaError('NETWORK_ATTACHMENT_FOREIGN', { id });
      },
    };
    const a = new PendingDetaches(refusing as unknown as ClusterAttachments, dir, silentLogger());
    await expect(a.detach('att9')).rejects.toMatchObject({ code: 'NETWORK_ATTACHMENT_FOREIGN' });
    expect(await a.held()).toEqual([]);
  });
});
