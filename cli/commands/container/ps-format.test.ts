import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../../../shared/engine/index.js';
import { applyFilters, formatPs, matchFilter } from './ps-format.js';

const now = Date.parse('2024-01-01T00:10:00Z');
const c = (o: Partial<ContainerSummary>): ContainerSummary => ({
  id: 'a'.repeat(64),
  name: 'web',
  image: 'busybox',
  imageId: 'sha256:' + 'f'.repeat(64),
  command: 'httpd -f -p 80',
  createdAt: '2024-01-01T00:05:00Z',
  state: 'running',
  status: 'Up 5 minutes',
  ports: [],
  labels: {},
  ...o,
});
const web = c({
  ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' } as never],
  labels: { tier: 'front' },
});
const job = c({
  id: 'b'.repeat(64),
  name: 'job',
  state: 'exited',
  status: 'Exited (3) 2 minutes ago',
  image: 'alpine:3',
  command: 'sh -c "a very long command line"',
});

describe('ps filters', () => {
  it('status, name, id, label, ancestor, exited', () => {
    expect(matchFilter(web, 'status=running')).toBe(true);
    expect(matchFilter(job, 'status=running')).toBe(false);
    expect(matchFilter(web, 'name=we')).toBe(true);
    expect(matchFilter(web, 'id=aaaa')).toBe(true);
    expect(matchFilter(web, 'label=tier')).toBe(true);
    expect(matchFilter(web, 'label=tier=back')).toBe(false);
    expect(matchFilter(web, 'ancestor=busybox')).toBe(true);
    expect(matchFilter(web, 'ancestor=ffff')).toBe(true);
    expect(matchFilter(job, 'exited=3')).toBe(true);
    expect(matchFilter(job, 'exited=0')).toBe(false);
  });
  it('ANDs different keys and ORs values of one key', () => {
    expect(applyFilters([web, job], ['status=running', 'status=exited']).length).toBe(2);
    expect(applyFilters([web, job], ['status=exited', 'name=web'])).toEqual([]);
  });
});

describe('ps output', () => {
  it('prints a docker-like table with ports and truncated ids and commands', () => {
    const out = formatPs([web, job], { now }).split('\n');
    expect(out[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    expect(out[1]).toContain('aaaaaaaaaaaa ');
    expect(out[1]).toContain('0.0.0.0:8080->80/tcp');
    expect(out[1]).toContain('5 minutes ago');
    expect(out[2]).toContain('"sh -c \\"a very long …"');
  });
  it('-q prints ids; --no-trunc full ids', () => {
    expect(formatPs([web], { quiet: true })).toBe('aaaaaaaaaaaa\n');
    expect(formatPs([web], { quiet: true, trunc: false })).toBe(`${'a'.repeat(64)}\n`);
  });
  it('--format json and Go templates', () => {
    const j = JSON.parse(formatPs([web], { format: 'json', now }));
    expect(j).toMatchObject({
      ID: 'aaaaaaaaaaaa',
      Names: 'web',
      State: 'running',
      Labels: { tier: 'front' },
    });
    expect(formatPs([web, job], { format: '{{.Names}} {{.State}}' })).toBe(
      'web running\njob exited\n',
    );
    const t = formatPs([web], { format: 'table {{.Names}}\\t{{.Status}}' }).split('\n');
    expect(t[0]).toMatch(/^NAMES\s+STATUS$/);
    expect(t[1]).toMatch(/^web\s+Up 5 minutes$/);
  });
  it("Docker's ContainerContext: the Label method, and an unknown field is an error", () => {
    expect(formatPs([web, job], { format: '{{.Names}}:{{.Label "tier"}}' })).toBe(
      'web:front\njob:\n',
    );
    expect(() => formatPs([web], { format: '{{.Nope}}' })).toThrow(
      'template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext',
    );
    const t = formatPs([web], { format: 'table {{.ID}}\\t{{.RunningFor}}', now }).split('\n');
    expect(t[0]).toBe('CONTAINER ID   CREATED');
    expect(t[1]).toBe('aaaaaaaaaaaa   5 minutes ago');
  });
  it("-s adds Docker's SIZE column: the writable layer and the virtual size", () => {
    const sized = { ...web, sizeRw: 2, sizeRootFs: 4_860_002 };
    const out = formatPs([sized], { size: true, now }).split('\n');
    expect(out[0]).toMatch(/ NAMES +SIZE$/);
    expect(out[1]).toMatch(/ web +2B \(virtual 4\.86MB\)$/);
    expect(formatPs([sized], { format: '{{.Size}}' })).toBe('2B (virtual 4.86MB)\n');
    expect(formatPs([web], { format: '{{.Size}}' })).toBe('0B\n');
  });
});
