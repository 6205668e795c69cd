import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import type { ContainerEngine } from '../runtime/types.js';
import { startClusterAgent } from './cluster-agent.js';
import { saveIdentity } from './identity.js';

const dir = mkdtempSync(join(tmpdir(), 'flt-cluster-agent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startClusterAgent', () => {
  // The token is for the first join only (deploy/README.md tells operators to delete it after).
  it('runs a node that has joined from its stored identity, with no token and no --join', async () => {
    const dataRoot = join(dir, 'joined');
    await saveIdentity(dataRoot, {
      nodeId: 'n1',
      certPem: 'CERT',
      keyPem: 'KEY',
      caCertPem: 'CA',
      managers: ['10.0.0.1:4242'],
    });
    const agent = await startClusterAgent({
      config: { dataRoot, join: '', token: '', hostname: 'h', advertiseAddr: '' },
      log: silentLogger(),
      engine: {} as ContainerEngine,
    });
    expect(agent).toBeDefined();
  });

  it('stays a standalone engine when it never joined and has no token', async () => {
    const agent = await startClusterAgent({
      config: {
        dataRoot: join(dir, 'fresh'),
        join: '',
        token: '',
        hostname: 'h',
        advertiseAddr: '',
      },
      log: silentLogger(),
      engine: {} as ContainerEngine,
    });
    expect(agent).toBeUndefined();
  });
});
