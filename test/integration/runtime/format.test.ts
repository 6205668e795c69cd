// `--format` as a Docker user writes it: Go templates (range with variables, if/else, len, json,
// Docker's functions and the ps Label method) on inspect, ps and images, the `table` directive,
// and Docker's errors and exit statuses for a template that does not parse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent, useTestAgent } from './harness.js';

const agent = new TestAgent();
const run = (args: string[]) => agent.cli(args);
useTestAgent(agent);

beforeAll(async () => {
  const r = await run([
    ...['run', '-d', '--network', 'none', '--name', 'fmt-web'],
    ...['--label', 'tier=front', '--label', 'app=web', 'busybox', 'sleep', '600'],
  ]);
  expect(r.status, r.stderr).toBe(0);
});
afterAll(() => agent.removeAll());

describe('--format', () => {
  it('inspect -f ranges over a map with $k, $v and branches on Go truth', async () => {
    const labels = await run([
      ...['inspect', '-f', '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}'],
      'fmt-web',
    ]);
    expect(labels.stderr).toBe('');
    expect(labels.stdout).toBe('app=web tier=front \n');
    const state = await run([
      'inspect',
      '-f',
      '{{if .State.Running}}up{{else}}down{{end}} {{len .Config.Labels}} {{json .State.Running}} {{index .Config.Labels "tier" | upper}}',
      'fmt-web',
    ]);
    expect(state.stderr).toBe('');
    expect(state.stdout).toBe('up 2 true FRONT\n');
  });

  it('ps --format: fields, the Label method, functions and the table directive', async () => {
    const r = await run([
      ...['ps', '--filter', 'name=fmt-web'],
      ...[
        '--format',
        '{{.Names}} {{.Label "tier"}} {{upper .State}} {{join (split .Image ":") "@"}}',
      ],
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('fmt-web front RUNNING busybox\n');
    const t = await run([
      'ps',
      '--filter',
      'name=fmt-web',
      '--format',
      'table {{.Names}}\\t{{.State}}',
    ]);
    expect(t.stdout).toBe('NAMES     STATE\nfmt-web   running\n');
  });

  it("images --format with the table directive prints Docker's header and columns", async () => {
    const r = await run(['images', '--format', 'table {{.Repository}}\\t{{.Tag}}']);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('REPOSITORY   TAG');
    expect(lines).toContain('busybox      latest');
  });

  it("a template that does not parse: Docker's message, 1 for ps, 64 for inspect", async () => {
    const ps = await run(['ps', '--format', '{{.Names']);
    expect(ps.stderr).toContain('template parsing error: template: :1: unclosed action');
    expect(ps.status).toBe(1);
    const insp = await run(['inspect', '-f', '{{nope .Name}}', 'fmt-web']);
    expect(insp.stderr).toContain(
      'template parsing error: template: :1: function "nope" not defined',
    );
    expect(insp.status).toBe(64);
    const field = await run(['inspect', '-f', '{{.State.Nope}}', 'fmt-web']);
    expect(field.stderr).toContain('map has no entry for key "Nope"');
    expect(field.status).toBe(1);
  });
});
