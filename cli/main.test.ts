import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FlotillaError } from '../shared/errors/index.js';
import { main } from './main.js';

// A fake agent on a unix socket: each route answers with a status and a body, as the real one does.
const routes = new Map<string, () => { status: number; body: unknown }>();
const refuse = (err: FlotillaError) => () => ({ status: 400, body: err.toJSON() });
routes.set('POST /containers/nosuch/stop', () => ({
  status: 404,
  body: new FlotillaError('CONTAINER_NOT_FOUND', { id: 'nosuch' }).toJSON(),
}));
routes.set('POST /containers/create', refuse(new FlotillaError('CONTAINER_NAME_IN_USE', {})));
routes.set('POST /containers/c1/start', () => ({
  status: 400,
  body: new FlotillaError(
    'CONTAINER_COMMAND_NOT_FOUND',
    { id: 'c1', command: 'nope' },
    { exitCode: 127 },
  ).toJSON(),
}));

let dir: string;
let server: Server;
let host: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-main-'));
  host = `unix://${join(dir, 'agent.sock')}`;
  server = createServer((req, res) => {
    const route = routes.get(`${req.method} ${req.url?.split('?')[0]}`);
    const { status, body } = route?.() ?? { status: 500, body: { message: 'no route' } };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(join(dir, 'agent.sock'), resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs the CLI in this process against the fake agent; returns the status and stderr. */
async function cli(...args: string[]): Promise<{ status: number; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((stderr += String(c)), true));
  const status = await main(['-H', host, ...args]);
  vi.restoreAllMocks();
  return { status, stderr };
}

describe('exit status', () => {
  it('is 125 for an unknown flag, as Docker', async () => {
    const r = await cli('ps', '--bogus');
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('is 125 for a flag without its value', async () => {
    expect((await cli('stop', '--time')).status).toBe(125);
  });

  it('is 1 for a usage error: a missing or an extra argument', async () => {
    expect((await cli('stop')).status).toBe(1);
    expect((await cli('ps', 'extra')).status).toBe(1);
  });

  it('is 1 for an unknown command, and 0 for a group without its subcommand (usage shown)', async () => {
    expect((await cli('bogus')).status).toBe(1);
    expect((await cli('network')).status).toBe(0);
  });

  it("is 1 when a verb other than run or create fails (the agent's error)", async () => {
    const r = await cli('stop', 'nosuch');
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('Error: No such container: nosuch');
  });

  it("is 125 when run fails on the engine's error, and 1 for create", async () => {
    const run = await cli('run', '--name', 'dup', 'busybox', 'true');
    expect(run.status).toBe(125);
    expect(run.stderr).toMatch(/^Error: the container name .* is already in use/);
    expect((await cli('create', '--name', 'dup', 'busybox', 'true')).status).toBe(1);
  });

  it('is 125 for a bad option value of create, as for run', async () => {
    for (const verb of ['create', 'run', 'container create']) {
      const r = await cli(...verb.split(' '), '--memory', '12q', 'busybox');
      expect(r.status).toBe(125);
      expect(r.stderr).toMatch(/--memory: invalid size "12q"/);
    }
  });

  it('is 127 when run starts a command that is not there; start says 1', async () => {
    routes.set('POST /containers/create', () => ({ status: 201, body: { Id: 'c1' } }));
    try {
      const r = await cli('run', '-d', 'busybox', 'nope');
      expect(r.status).toBe(127);
      expect(r.stderr).toMatch(/nope/);
      expect((await cli('start', 'c1')).status).toBe(1);
    } finally {
      routes.set('POST /containers/create', refuse(new FlotillaError('CONTAINER_NAME_IN_USE', {})));
    }
  });

  it('is 1 when the agent cannot be reached, but 125 for run', async () => {
    const gone = `unix://${join(dir, 'gone.sock')}`;
    expect((await cli('-H', gone, 'ps')).status).toBe(1);
    expect((await cli('-H', gone, 'run', 'busybox')).status).toBe(125);
  });
});

describe('image names', () => {
  // The old repo:tag split read "app@sha256:…" as repository "app@sha256" with the digest's hex as
  // its tag, and sent that to the agent.
  it('refuses to commit to a digest, before asking the agent', async () => {
    const r = await cli('commit', 'c1', `app@sha256:${'a'.repeat(64)}`);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/refusing to create a tag with a digest reference/);
  });
});
