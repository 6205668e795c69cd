// Parses lexed Go template tokens into a tree: text, actions, if/with/range with else and
// `else if`/`else with` chains, pipelines, declarations and operands, checked as Go checks them.
import { TemplateError } from './errors.js';
import { lex, type Token } from './lexer.js';

export type Operand =
  | { t: 'field'; names: string[]; pos: number }
  | { t: 'var'; name: string; names: string[]; pos: number }
  | { t: 'dot'; pos: number }
  | { t: 'ident'; name: string; pos: number }
  | { t: 'pipe'; pipe: Pipe; names: string[]; pos: number }
  | { t: 'literal'; value: unknown; pos: number };

export interface Command {
  args: Operand[];
  pos: number;
}

export interface Pipe {
  decl: string[];
  /** `$x = …` assigns an existing variable; `$x := …` declares one. */
  assign: boolean;
  cmds: Command[];
  pos: number;
}

export interface Control {
  t: 'if' | 'with' | 'range';
  pipe: Pipe;
  list: Node[];
  elseList?: Node[];
}

export type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipe }
  | Control
  | { t: 'break' | 'continue'; pos: number };

export interface Template {
  src: string;
  root: Node[];
}

/** Parses `src`; `funcs` are the names a command may call (Go refuses unknown ones at parse). */
export function parse(src: string, funcs: ReadonlySet<string>): Template {
  return { src, root: new Parser(src, lex(src), funcs).parseAll() };
}

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly src: string,
    private readonly toks: Token[],
    private readonly funcs: ReadonlySet<string>,
  ) {}

  parseAll(): Node[] {
    const { list, stop } = this.parseList();
    if (stop) this.fail(stop.pos, `unexpected {{${stop.value}}}`);
    return list;
  }

  private fail(pos: number, msg: string): never {
    throw new TemplateError(this.src, pos, msg, false);
  }

  private next(): Token {
    return this.toks[this.i++];
  }

  private peek(): Token {
    return this.toks[this.i];
  }

  private expect(kind: Token['kind'], what: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t.pos, `unexpected ${describe(t)} in ${what}`);
    return t;
  }

  /** Nodes up to EOF or an `{{end}}`/`{{else}}` (returned as `stop`, its `{{` consumed). */
  private parseList(): { list: Node[]; stop?: Token } {
    const list: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') return { list };
      if (t.kind === 'text') {
        list.push({ t: 'text', text: t.value });
        continue;
      }
      const k = this.peek();
      if (k.kind === 'keyword') {
        this.i++;
        if (k.value === 'end' || k.value === 'else') return { list, stop: k };
        if (k.value === 'if' || k.value === 'with' || k.value === 'range')
          list.push(this.parseControl(k.value, k.pos));
        else if (k.value === 'break' || k.value === 'continue') {
          if (!this.rangeDepth) this.fail(k.pos, `{{${k.value}}} outside {{range}}`);
          this.expect('close', k.value);
          list.push({ t: k.value, pos: k.pos });
        } else this.fail(k.pos, `{{${k.value}}} is not supported in --format templates`);
      } else {
        const pipe = this.parsePipe('command', false);
        this.expect('close', 'command');
        list.push({ t: 'action', pipe });
      }
    }
  }

  private parseControl(kind: 'if' | 'with' | 'range', pos: number): Node {
    const depth = this.vars.length;
    const pipe = this.parsePipe(kind, kind === 'range');
    if (!pipe.cmds.length) this.fail(pos, `missing value for ${kind}`);
    this.expect('close', kind);
    if (kind === 'range') this.rangeDepth++;
    const body = this.parseList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (!body.stop) this.fail(this.src.length, 'unexpected EOF');
    if (body.stop.value === 'else') {
      const chained = this.peek();
      if (chained.kind === 'keyword' && chained.value === kind && kind !== 'range') {
        // `{{else if x}}` is `{{else}}{{if x}}…{{end}}{{end}}` sharing one `{{end}}`.
        this.i++;
        elseList = [this.parseControl(kind, chained.pos)];
      } else {
        this.expect('close', 'else');
        const rest = this.parseList();
        if (rest.stop?.value !== 'end')
          this.fail(
            rest.stop?.pos ?? this.src.length,
            rest.stop ? 'expected end; found {{else}}' : 'unexpected EOF',
          );
        this.expect('close', 'end');
        elseList = rest.list;
      }
    } else this.expect('close', 'end');
    this.vars.length = depth;
    return { t: kind, pipe, list: body.list, elseList };
  }

  private parsePipe(context: string, isRange: boolean): Pipe {
    const pos = this.peek().pos;
    const decl: string[] = [];
    let assign = false;
    const t0 = this.toks[this.i];
    const t1 = this.toks[this.i + 1];
    const t2 = this.toks[this.i + 2];
    const t3 = this.toks[this.i + 3];
    if (t0.kind === 'variable' && (t1.kind === 'declare' || t1.kind === 'assign')) {
      decl.push(t0.value);
      assign = t1.kind === 'assign';
      this.i += 2;
    } else if (
      isRange &&
      t0.kind === 'variable' &&
      t1.kind === 'comma' &&
      t2.kind === 'variable' &&
      (t3.kind === 'declare' || t3.kind === 'assign')
    ) {
      decl.push(t0.value, t2.value);
      assign = t3.kind === 'assign';
      this.i += 4;
    }
    for (const v of decl)
      if (assign) this.checkVar(v, pos);
      else this.vars.push(v);
    const cmds: Command[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'close' || t.kind === 'rparen') break;
      if (t.kind === 'eof') this.fail(t.pos, 'unclosed action');
      cmds.push(this.parseCommand());
      if (this.peek().kind === 'pipe') {
        this.i++;
        const n = this.peek();
        if (n.kind === 'close' || n.kind === 'rparen') this.fail(n.pos, 'missing command');
      }
    }
    if (!cmds.length && context === 'command') this.fail(pos, 'missing value for command');
    return { decl, assign, cmds, pos };
  }

  private parseCommand(): Command {
    const pos = this.peek().pos;
    const args: Operand[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'close' || t.kind === 'rparen' || t.kind === 'pipe') break;
      args.push(this.parseOperand());
    }
    if (!args.length) this.fail(pos, 'empty command');
    return { args, pos };
  }

  private parseOperand(): Operand {
    const t = this.next();
    let op: Operand;
    switch (t.kind) {
      case 'field':
        op = { t: 'field', names: [t.value], pos: t.pos };
        return { ...op, names: [t.value, ...this.chain(t.pos + t.value.length + 1)] };
      case 'variable':
        this.checkVar(t.value, t.pos);
        return { t: 'var', name: t.value, names: this.chain(t.pos + t.value.length), pos: t.pos };
      case 'dot':
        return { t: 'dot', pos: t.pos };
      case 'ident':
        if (!this.funcs.has(t.value)) this.fail(t.pos, `function "${t.value}" not defined`);
        return { t: 'ident', name: t.value, pos: t.pos };
      case 'lparen': {
        const pipe = this.parsePipe('parenthesized pipeline', false);
        const r = this.expect('rparen', 'parenthesized pipeline');
        return { t: 'pipe', pipe, names: this.chain(r.pos + 1), pos: t.pos };
      }
      case 'string':
        return { t: 'literal', value: t.value, pos: t.pos };
      case 'number':
        return { t: 'literal', value: Number(t.value.replace(/_/g, '')), pos: t.pos };
      case 'bool':
        return { t: 'literal', value: t.value === 'true', pos: t.pos };
      case 'nil':
        return { t: 'literal', value: null, pos: t.pos };
      default:
        return this.fail(t.pos, `unexpected ${describe(t)} in operand`);
    }
  }

  /** Field names that follow an operand with no space between (`$x.A.B`, `(…).C`). */
  private chain(end: number): string[] {
    const names: string[] = [];
    for (let t = this.peek(); t.kind === 'field' && t.pos === end; t = this.peek()) {
      names.push(t.value);
      end = t.pos + t.value.length + 1;
      this.i++;
    }
    return names;
  }

  private checkVar(name: string, pos: number): void {
    if (!this.vars.includes(name)) this.fail(pos, `undefined variable "${name}"`);
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'EOF';
  if (t.kind === 'close') return '"}}"';
  return `<${t.value}>`;
}
