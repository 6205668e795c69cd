import { describe, expect, it } from 'vitest';
import { exitStatus } from '../exit-status.js';
import { formatCells, formatDocument, formatRows, headerName } from './render.js';
import { tabwrite } from './tabwriter.js';

const rows = [
  { ID: 'a1b2c3', Names: 'web', Status: 'Up 2 minutes', Labels: 'tier=front' },
  { ID: 'd4e5f6', Names: 'a-much-longer-name', Status: 'Exited (0)', Labels: '' },
];

function failure(f: () => unknown): { message: string; status: number } {
  try {
    f();
  } catch (err) {
    return { message: (err as Error).message, status: exitStatus(err) };
  }
  throw new Error('did not fail');
}

describe('--format over rows', () => {
  it('leaves the default, table and json to the command', () => {
    for (const f of [undefined, '', 'table', 'json']) expect(formatRows(f, rows)).toBeUndefined();
  });

  it('runs the template once per row, with \\t and \\n escapes as Docker', () => {
    expect(formatRows('{{.ID}}\\t{{.Names}}', rows)).toBe(
      'a1b2c3\tweb\nd4e5f6\ta-much-longer-name\n',
    );
  });

  it("table: a header from Docker's column names, aligned by tabwriter (minwidth 10, padding 3)", () => {
    const out = formatRows('table {{.ID}}\\t{{.Names}}\\t{{.Status}}', rows, {
      ID: 'CONTAINER ID',
    });
    expect(out).toBe(
      [
        'CONTAINER ID   NAMES                STATUS',
        'a1b2c3         web                  Up 2 minutes',
        'd4e5f6         a-much-longer-name   Exited (0)',
        '',
      ].join('\n'),
    );
  });

  it('table: columns narrower than minwidth are padded to 10; functions keep headers', () => {
    expect(formatRows('table {{.Labels}}\\t{{upper .Names}}', rows)).toBe(
      'LABELS       NAMES\ntier=front   WEB\n             A-MUCH-LONGER-NAME\n',
    );
    expect(formatRows('table {{.Names}}', [{ Names: 'x' }])).toBe('NAMES\nx\n');
  });

  it('column names: CamelCase split unless the command names it', () => {
    expect(headerName('RunningFor')).toBe('RUNNING FOR');
    expect(headerName('ID', { ID: 'IMAGE ID' })).toBe('IMAGE ID');
  });

  it("a command's table rows under Docker's field names", () => {
    const out = formatCells(
      '{{.Name}}={{.Driver}}',
      ['Driver', 'Name'],
      ['DRIVER', 'VOLUME NAME'],
      [['local', 'data']],
    );
    expect(out).toBe('data=local\n');
    expect(
      formatCells(
        'table {{.Name}}',
        ['Driver', 'Name'],
        ['DRIVER', 'VOLUME NAME'],
        [['local', 'v']],
      ),
    ).toBe('VOLUME NAME\nv\n');
  });

  it('errors: one line, template parsing error, status 1', () => {
    expect(failure(() => formatRows('{{.Nope', rows))).toEqual({
      message: 'template parsing error: template: :1: unclosed action',
      status: 1,
    });
    expect(failure(() => formatRows('{{.ID | nope}}', rows)).message).toBe(
      'template parsing error: template: :1: function "nope" not defined',
    );
    expect(failure(() => formatRows('{{.ID.X}}', rows))).toEqual({
      message:
        'template parsing error: template: :1:2: executing "" at <.ID.X>: can\'t evaluate field X in type string',
      status: 1,
    });
  });
});

describe('--format of one document (inspect, version, info)', () => {
  const doc = {
    Name: '/web',
    Config: { Labels: { b: '2', a: '1' } },
    State: { Status: 'running' },
  };

  it('prints the template and a newline', () => {
    expect(
      formatDocument('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}', doc, true),
    ).toBe('a=1 b=2 \n');
    expect(formatDocument('{{.State.Status}}', doc, true)).toBe('running\n');
  });

  it("inspect: a template that does not parse exits 64, an unknown field 1 (Docker's)", () => {
    expect(failure(() => formatDocument('{{.Name', doc, true))).toEqual({
      message: 'template parsing error: template: :1: unclosed action',
      status: 64,
    });
    expect(failure(() => formatDocument('{{.State.Nope}}', doc, true))).toEqual({
      message:
        'template parsing error: template: :1:2: executing "" at <.State.Nope>: map has no entry for key "Nope"',
      status: 1,
    });
  });
});

describe('tabwriter', () => {
  it('aligns blocks of consecutive lines that have the column', () => {
    // The widest cell (15) plus padding 3: 18 columns.
    expect(tabwrite('a\tb\nlonger-than-ten\tc\nsingle')).toBe(
      `${'a'.padEnd(18)}b\n${'longer-than-ten'.padEnd(18)}c\nsingle`,
    );
  });
});
