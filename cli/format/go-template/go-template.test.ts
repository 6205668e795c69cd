import { describe, expect, it } from 'vitest';
import { executeHeader, executeTemplate, parseTemplate, structType } from './index.js';

const run = (src: string, data: unknown, strictStructs = false) =>
  executeTemplate(parseTemplate(src), data, { strictStructs });

const inspect = {
  Name: '/web',
  State: { Status: 'running', Running: true, ExitCode: 0, Pid: 42 },
  Config: {
    Env: ['PATH=/bin', 'A=1'],
    Labels: { 'com.example.tier': 'front', app: 'web' },
    Cmd: ['sh', '-c', 'echo hi'],
    Image: 'alpine:3.19',
  },
  NetworkSettings: {
    Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '443/tcp': null },
    Networks: { bridge: { IPAddress: '10.0.0.2' } },
  },
  Mounts: [],
};

// [template, data, expected]: Docker's formatting page and Go's text/template semantics.
const cases: [string, unknown, string][] = [
  ['plain text', {}, 'plain text'],
  ['{{.Name}}', inspect, '/web'],
  ['{{.State.Status}} {{.State.Pid}}', inspect, 'running 42'],
  ['{{.Config.Labels.app}}', inspect, 'web'],
  ['{{.Config.Labels.nope}}', inspect, '<no value>'],
  ['{{.Missing.Deeper}}', {}, '<no value>'],
  ['{{.Config.Env}}', inspect, '[PATH=/bin A=1]'],
  ['{{.Config.Labels}}', inspect, 'map[app:web com.example.tier:front]'],
  ['{{.N}} {{.F}} {{.B}} {{.Z}}', { N: 3, F: 1.5, B: false, Z: null }, '3 1.5 false <nil>'],
  // Docker's functions (docs.docker.com/engine/cli/formatting).
  ['{{join .Config.Cmd " , "}}', inspect, 'sh , -c , echo hi'],
  ['{{json .Config.Cmd}}', inspect, '["sh","-c","echo hi"]'],
  ['{{json .State}}', { State: { A: '<b>' } }, '{"A":"<b>"}'],
  ['{{lower .Name}} {{upper .Name}}', { Name: 'Web' }, 'web WEB'],
  ['{{title .S}}', { S: 'hello big world' }, 'Hello Big World'],
  ['{{split .Config.Image ":"}}', inspect, '[alpine 3.19]'],
  ['{{index (split .Config.Image ":") 1}}', inspect, '3.19'],
  ['{{truncate .S 3}}|{{truncate .S 10}}', { S: 'abcdef' }, 'abc|abcdef'],
  ['[{{pad .S 1 2}}][{{pad .E 1 2}}]', { S: 'x', E: '' }, '[ x  ][]'],
  [
    '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}',
    inspect,
    'app=web com.example.tier=front ',
  ],
  ['{{range .Config.Env}}{{println .}}{{end}}', inspect, 'PATH=/bin\nA=1\n'],
  ['{{range $i, $e := .L}}{{$i}}:{{$e}},{{end}}', { L: ['a', 'b'] }, '0:a,1:b,'],
  ['{{range .L}}x{{else}}empty{{end}}', { L: [] }, 'empty'],
  ['{{range .Mounts}}{{.Source}}{{else}}none{{end}}', inspect, 'none'],
  [
    '{{range $p, $conf := .NetworkSettings.Ports}}{{$p}}{{if $conf}}->{{(index $conf 0).HostPort}}{{end}} {{end}}',
    inspect,
    '443/tcp 80/tcp->8080 ',
  ],
  ['{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', inspect, '10.0.0.2'],
  ['{{index .Config.Labels "com.example.tier"}}', inspect, 'front'],
  ['[{{index .Config.Labels "missing"}}]', inspect, '[]'],
  ['{{index .L 1}}', { L: ['a', 'b'] }, 'b'],
  ['{{len .Config.Env}} {{len .Name}} {{len .Config.Labels}}', inspect, '2 4 2'],
  ['{{len .Nil}}', { Nil: null }, '0'],
  ['{{slice .S 1 3}} {{slice .L 1}}', { S: 'abcd', L: [1, 2, 3] }, 'bc [2 3]'],
  // Control structures and Go's truth.
  ['{{if .State.Running}}up{{else}}down{{end}}', inspect, 'up'],
  ['{{if eq .State.ExitCode 0}}ok{{end}}', inspect, 'ok'],
  ['{{if eq .S "a" "b" "c"}}in{{end}}', { S: 'b' }, 'in'],
  ['{{if .A}}a{{else if .B}}b{{else}}c{{end}}', { A: '', B: [1] }, 'b'],
  ['{{if and .A .B}}y{{else}}n{{end}}', { A: 1, B: 0 }, 'n'],
  ['{{or .A .B "dflt"}}', { A: '', B: '' }, 'dflt'],
  ['{{and .A .B}}', { A: 'x', B: 'y' }, 'y'],
  ['{{if not .M}}empty map{{end}}', { M: {} }, 'empty map'],
  [
    '{{if ne .A 1}}ne{{end}}{{if lt .A 2}} lt{{end}}{{if le 2 .A}}!{{end}}{{if gt "b" "a"}} gt{{end}}{{if ge .A 1}} ge{{end}}',
    { A: 1 },
    'ne lt gt ge'.replace('ne', ''),
  ],
  ['{{with .State}}{{.Status}}{{end}}', inspect, 'running'],
  ['{{with .Nope}}x{{else}}no{{end}}', {}, 'no'],
  ['{{with $x := .State.Pid}}{{$x}}{{end}}', inspect, '42'],
  // Variables, $ and pipelines.
  ['{{$n := .Name}}{{range .Config.Env}}{{$n}} {{end}}', inspect, '/web /web '],
  ['{{range .Config.Env}}{{$.Name}}{{end}}', inspect, '/web/web'],
  ['{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', {}, '2'],
  ['{{.Name | upper | printf "%s!"}}', { Name: 'a' }, 'A!'],
  ['{{"quoted" | len}}', {}, '6'],
  [
    '{{printf "%s is %d, %v %q %t %5s|%-4s|%03d" .S .N .L .S true "r" "l" 7}}',
    { S: 'x', N: 4, L: [1, 2] },
    'x is 4, [1 2] "x" true     r|l   |007',
  ],
  ['{{printf "%d" "s"}}', {}, '%!d(string=s)'],
  ['{{print "a" 1 2 "b"}}', {}, 'a1 2b'],
  ['{{println "a" 1}}', {}, 'a 1\n'],
  ['{{`raw\\n`}} {{"esc\\t."}} {{\'a\'}}', {}, 'raw\\n esc\t. 97'],
  ['{{range 3}}{{.}}{{end}}', {}, '012'],
  [
    '{{range .L}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}',
    { L: [1, 2, 3, 4, 5] },
    '13',
  ],
  // Trim markers and comments.
  ['a  {{- .X -}}  b', { X: 1 }, 'a1b'],
  ['a {{/* a comment */}} b', {}, 'a  b'],
  ['a {{- /* trimmed */ -}} b', {}, 'ab'],
  ['{{.Label "app"}}', { Label: (k: string) => `<${k}>` }, '<app>'],
  ['{{.Nil}}', { Nil: undefined }, '<no value>'],
];

describe('Go template execution', () => {
  it.each(cases)('%s', (src, data, want) => {
    expect(run(src, data)).toBe(want);
  });
});

const errors: [string, unknown, string][] = [
  ['{{.Nope', {}, 'template: :1: unclosed action'],
  ['{{nope .X}}', {}, 'template: :1: function "nope" not defined'],
  ['{{if .X}}', {}, 'template: :1: unexpected EOF'],
  ['{{end}}', {}, 'template: :1: unexpected {{end}}'],
  ['{{$x}}', {}, 'template: :1: undefined variable "$x"'],
  ['{{define "x"}}{{end}}', {}, 'template: :1: {{define}} is not supported in --format templates'],
  [
    'a\n{{.S.Field}}',
    { S: 'str' },
    'template: :2:2: executing "" at <.S.Field>: can\'t evaluate field Field in type string',
  ],
  [
    '{{.Z.F}}',
    { Z: null },
    'template: :1:2: executing "" at <.Z.F>: nil pointer evaluating interface {}.F',
  ],
  [
    '{{index .L 5}}',
    { L: [] },
    'template: :1:2: executing "" at <index>: error calling index: index out of range: 5',
  ],
  [
    '{{join .S ","}}',
    { S: 'x' },
    'template: :1:2: executing "" at <join>: wrong type for value; expected []string; got string',
  ],
  [
    '{{upper}}',
    {},
    'template: :1:2: executing "" at <upper>: wrong number of args for upper: want 1 got 0',
  ],
  [
    '{{if eq .S 1}}{{end}}',
    { S: 'a' },
    'template: :1:5: executing "" at <eq>: error calling eq: incompatible types for comparison',
  ],
  [
    '{{range .S}}{{end}}',
    { S: 'abc' },
    'template: :1:8: executing "" at <.S>: range can\'t iterate over abc',
  ],
];

describe('Go template errors', () => {
  it.each(errors)('%s', (src, data, want) => {
    expect(() => run(src, data)).toThrow(want);
  });

  it('a struct (a command row) has no unknown fields', () => {
    const row = { ID: 'abc', [structType]: '*formatter.ContainerContext' };
    expect(() => run('{{.Nope}}', row)).toThrow(
      'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext',
    );
  });

  it("inspect's CamelCase documents refuse unknown fields, label maps do not", () => {
    expect(() => run('{{.State.Nope}}', inspect, true)).toThrow('map has no entry for key "Nope"');
    expect(run('{{.Config.Labels.nope}}', inspect, true)).toBe('<no value>');
  });
});

describe('table headers', () => {
  it("keep the column names through Docker's header functions", () => {
    const t = parseTemplate('{{.ID}}\t{{upper .Name}}\t{{json .Labels}}\t{{.Label "x"}}');
    expect(executeHeader(t, { ID: 'CONTAINER ID', Name: 'NAME', Labels: 'LABELS' })).toBe(
      'CONTAINER ID\tNAME\tLABELS\t',
    );
  });
});
