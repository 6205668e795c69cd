// A node whose certificate expired while it was offline, with a real manager and a real agent
// process: started again without a token the agent refuses, naming the file and how to rejoin;
// started with --join and --token it rejoins as a new node and reaches Ready, its bridge still
// routing its subnet (the old node, same address and subnet, is no peer to route to).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namesFor } from '../../../agent/network/defaults.js';
import { TestCa } from '../../../agent/session/ca-fixtures.js';
import { identityDir, loadIdentity, saveIdentity } from '../../../agent/session/identity.js';
import {
  bundleCli as bundleManagerCli,
  cli,
  ManagerProcess,
  portPair,
} from '../manager/harness.js';
import { bundleCli as bundleAgentCli, bundlePath, TestAgent, waitFor } from '../runtime/harness.js';

const root = mkdtempSync('/tmp/flt-expired-');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  FLOTILLA_CONFIG: join(root, 'cfg'),
  FLOTILLA_LOG_LEVEL: 'warn',
};
delete env.FLOTILLA_CONTEXT;
const flt = (...args: string[]) => cli(env, ...args);
const subnet = '10.251.49.0/24';
let m: ManagerProcess;
let agent: TestAgent;

interface NodeRow {
  id: string;
  status: { state: string };
}
const nodes = (): NodeRow[] =>
  flt('node', 'ls', '--format', 'json')
    .stdout.split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as NodeRow);

beforeAll(async () => {
  await Promise.all([bundleManagerCli(), bundleAgentCli()]);
  m = new ManagerProcess(root, 'm1', await portPair(), env);
  m.start(['--init', '--cluster-name', 'expired']);
  await m.ready();
  const token = flt('cluster', 'join-token', 'worker', '-q').stdout.trim();
  agent = new TestAgent(['--join', m.grpcAddr, '--token', token], subnet);
  await agent.start();
  await waitFor('the agent ready in the cluster', () =>
    nodes().some((n) => n.status.state === 'ready'),
  );
}, 240_000);

afterAll(async () => {
  if (agent) await agent.destroy();
  await m?.stop();
  rmSync(root, { recursive: true, force: true });
  // Nothing left that refuses the next agent on this subnet (a peer route did, once).
  expect(routesTo(subnet)).toEqual([]);
}, 120_000);

/** The host's routes to `cidr` exactly, as `ip -j route` lists them. */
function routesTo(cidr: string): { dev: string; gateway?: string }[] {
  const out = execFileSync('ip', ['-j', '-4', 'route', 'show', cidr], { encoding: 'utf8' });
  return JSON.parse(out || '[]') as { dev: string; gateway?: string }[];
}

/** `flotilla agent` on the test agent's directories with ARGS, until it exits (60 s at most). */
function agentExit(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(
      'node',
      [
        bundlePath,
        'agent',
        '--data-root',
        agent.dataRoot,
        '--exec-root',
        agent.execRoot,
        '--node-subnet',
        agent.subnet,
        ...args,
      ],
      { env: { ...process.env, FLOTILLA_LOG_LEVEL: 'fatal' } },
    );
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

describe('a node certificate that expired while the node was offline', () => {
  it('is refused without a token, naming the file, and rejoins as a new node with one', async () => {
    const before = nodes().map((n) => n.id);
    expect(before).toHaveLength(1);
    await agent.stop();
    // The node was away longer than its certificate's life: a one-hour certificate issued two
    // days ago (from a CA of the test's own: the agent refuses it before any handshake).
    const id = await loadIdentity(agent.dataRoot);
    expect(id).toBeDefined();
    const ca = await TestCa.create();
    const expired = await ca.issueKeyAndCertificate('worker', id!.nodeId, {
      notBefore: new Date(Date.now() - 2 * 86_400_000),
      lifetimeMs: 3_600_000,
    });
    await saveIdentity(agent.dataRoot, { ...id!, ...expired });

    const refused = await agentExit([]);
    expect(refused.status).toBe(1);
    const first = refused.stderr.split('\n')[0] ?? '';
    expect(first).toContain(
      `the node certificate in ${join(identityDir(agent.dataRoot), 'cert.pem')} expired`,
    );
    expect(refused.stderr).toContain('--token');

    await agent.start();
    await waitFor('a new node ready', () =>
      nodes().some((n) => !before.includes(n.id) && n.status.state === 'ready'),
    );
    const now = await loadIdentity(agent.dataRoot);
    expect(now?.nodeId).not.toBe(id!.nodeId);
    // The manager lists the old node (down, same address and subnet) as a peer: the agent says it
    // leaves that route out, and its subnet stays on its bridge (a route via this machine's own
    // address had taken its place, cutting its containers off, and outlived the agent).
    await waitFor(
      'the agent to take the old node as a peer',
      () =>
        agent.stderrTail(20_000).includes('overlaps this node’s own') ||
        routesTo(subnet).some((r) => r.gateway),
    );
    expect(routesTo(subnet)).toEqual([
      expect.objectContaining({ dev: namesFor(agent.dataRoot).bridgeName }),
    ]);
  });
});
