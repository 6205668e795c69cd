// A node whose certificate expired while it was offline: the agent refuses to start with a message
// that says how to rejoin, and the session client refuses to dial with it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import { TestCa } from './ca-fixtures.js';
import { startClusterAgent } from './cluster-agent.js';
import { saveIdentity, type NodeIdentity } from './identity.js';

/** An identity whose one-hour certificate was issued two days ago. */
async function expiredIdentity(): Promise<NodeIdentity> {
  const ca = await TestCa.create();
  const tls = await ca.issueKeyAndCertificate('worker', 'node-1', {
    notBefore: new Date(Date.now() - 2 * 86_400_000),
    lifetimeMs: 3_600_000,
  });
  return { nodeId: 'node-1', managers: ['127.0.0.1:1'], ...tls };
}

let dataRoot: string | undefined;
afterEach(async () => {
  vi.useRealTimers();
  if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
});

describe('an expired node certificate', () => {
  it('stops the agent with NODE_CERTIFICATE_EXPIRED and the way to rejoin', async () => {
    dataRoot = await mkdtemp(join(tmpdir(), 'flotilla-expired-'));
    await saveIdentity(dataRoot, await expiredIdentity());
    const start = startClusterAgent({
      config: { dataRoot, join: '', token: '', hostname: 'alpha', advertiseAddr: '127.0.0.1' },
      log: silentLogger(),
      engine: {} as never,
    });
    await expect(start).rejects.toMatchObject({
      code: 'NODE_CERTIFICATE_EXPIRED',
      message: expect.stringContaining(join(dataRoot, 'node', 'cert.pem')),
      hint: expect.stringContaining('--token'),
    });
  });
});
