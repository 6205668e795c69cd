// Executes a parsed Go template over JSON-shaped data with Go's semantics: dot and `$`, variables
// and their scopes, pipelines, field chains on maps (methods when a field is a function), if/with/
// range with else, break/continue, lazy and/or, and Go's printing of the result.
import { TemplateError } from './errors.js';
import { builtins, FuncError, truth, type TemplateFunc } from './funcs.js';
import { goString, goType } from './print.js';
import type { Command, Control, Node, Operand, Pipe, Template } from './parser.js';

/** Marks an object as a Go struct: an unknown field is an error, not `<no value>`. */
export const structType = Symbol('go-struct-type');

export interface ExecOptions {
  funcs?: Record<string, TemplateFunc>;
  /** Go's `missingkey=error` (docker inspect's raw-map fallback): a missing map key is an error. */
  missingKeyError?: boolean;
  /**
   * docker inspect: a missing key of an object whose keys are all Go field names (CamelCase) is
   * `map has no entry for key`, as Docker's raw fallback says; other maps (labels) give `<no value>`.
   */
  strictStructs?: boolean;
  /** Keep what was written before an error instead of throwing (Docker's table headers). */
  partial?: boolean;
}

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

export function execute(tmpl: Template, data: unknown, o: ExecOptions = {}): string {
  const s = new State(tmpl.src, data, o.funcs ?? builtins, o);
  try {
    s.walkList(data, tmpl.root);
  } catch (err) {
    if (!o.partial || !(err instanceof TemplateError)) throw err;
  }
  return s.out.join('');
}

class State {
  out: string[] = [];
  private vars: [string, unknown][];

  constructor(
    private readonly src: string,
    root: unknown,
    private readonly funcs: Record<string, TemplateFunc>,
    private readonly o: ExecOptions,
  ) {
    this.vars = [['$', root]];
  }

  private fail(pos: number, msg: string): never {
    const end = this.src.slice(pos).search(/[\s}|)]/);
    const at = this.src.slice(pos, end < 0 ? undefined : pos + end);
    throw new TemplateError(this.src, pos, msg, true, at);
  }

  walkList(dot: unknown, list: Node[]): void {
    for (const n of list) this.walk(dot, n);
  }

  private walk(dot: unknown, n: Node): void {
    switch (n.t) {
      case 'text':
        this.out.push(n.text);
        return;
      case 'action': {
        const v = this.evalPipe(dot, n.pipe);
        if (!n.pipe.decl.length) this.out.push(goString(v));
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'range':
        return this.walkRange(dot, n);
      default: {
        const mark = this.vars.length;
        const v = this.evalPipe(dot, n.pipe);
        if (truth(v)) this.walkList(n.t === 'with' ? v : dot, n.list);
        else if (n.elseList) this.walkList(dot, n.elseList);
        this.vars.length = mark;
      }
    }
  }

  private walkRange(dot: unknown, n: Control): void {
    const mark = this.vars.length;
    const decl = n.pipe.decl;
    const v = this.evalPipe(dot, { ...n.pipe, decl: [] });
    let items: [unknown, unknown][];
    if (Array.isArray(v)) items = v.map((e, i) => [i, e]);
    else if (typeof v === 'number' && Number.isInteger(v)) {
      if (decl.length > 1)
        this.fail(n.pipe.pos, `can't use ${v} to iterate over more than one variable`);
      items = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    } else if (v === undefined || v === null) items = [];
    else if (typeof v === 'object') {
      const rec = v as Record<string, unknown>;
      items = Object.keys(rec)
        .sort()
        .map((k) => [k, rec[k]]);
    } else return this.fail(n.pipe.pos, `range can't iterate over ${goString(v)}`);
    for (const [k, e] of items) {
      const iter = this.vars.length;
      if (decl.length === 1) this.setVar(decl[0], e, n.pipe.assign);
      if (decl.length === 2) {
        this.setVar(decl[0], k, n.pipe.assign);
        this.setVar(decl[1], e, n.pipe.assign);
      }
      try {
        this.walkList(e, n.list);
      } catch (err) {
        if (err === BREAK) break;
        if (err !== CONTINUE) throw err;
      } finally {
        this.vars.length = iter;
      }
    }
    if (!items.length && n.elseList) this.walkList(dot, n.elseList);
    this.vars.length = mark;
  }

  private setVar(name: string, value: unknown, assign: boolean): void {
    if (!assign) return void this.vars.push([name, value]);
    for (let i = this.vars.length - 1; i >= 0; i--)
      if (this.vars[i][0] === name) return void (this.vars[i][1] = value);
  }

  private evalPipe(dot: unknown, p: Pipe): unknown {
    let v: unknown = undefined;
    let first = true;
    for (const c of p.cmds) {
      v = this.evalCommand(dot, c, first ? [] : [v]);
      first = false;
    }
    for (const d of p.decl) this.setVar(d, v, p.assign);
    return v;
  }

  private evalCommand(dot: unknown, c: Command, final: unknown[]): unknown {
    const [head, ...rest] = c.args;
    if (head.t === 'ident') return this.call(dot, head, rest, final);
    if (head.t === 'field') {
      const args = [...rest.map((a) => this.evalArg(dot, a)), ...final];
      return this.fieldChain(dot, head.names, head.pos, args);
    }
    if (rest.length || final.length)
      this.fail(
        c.pos,
        `can't give argument to non-function ${this.src.slice(head.pos).split(/[\s}]/)[0]}`,
      );
    return this.evalArg(dot, head);
  }

  private call(
    dot: unknown,
    f: Extract<Operand, { t: 'ident' }>,
    rest: Operand[],
    final: unknown[],
  ) {
    const fn = this.funcs[f.name];
    const n = rest.length + final.length;
    if (n < fn.min || n > fn.max)
      this.fail(
        f.pos,
        `wrong number of args for ${f.name}: want ${fn.max === Infinity ? `at least ${fn.min}` : fn.min} got ${n}`,
      );
    if (f.name === 'and' || f.name === 'or') {
      // Go evaluates and/or lazily: the first falsy (and) or truthy (or) argument wins.
      let v: unknown;
      const want = f.name === 'or';
      for (const a of rest) if (truth((v = this.evalArg(dot, a))) === want) return v;
      for (const a of final) if (truth((v = a)) === want) return v;
      return v;
    }
    const args = [...rest.map((a) => this.evalArg(dot, a)), ...final];
    try {
      return fn.call(args);
    } catch (err) {
      if (!(err instanceof FuncError)) throw err;
      const msg =
        fn.errs && !err.message.startsWith('wrong type')
          ? `error calling ${f.name}: ${err.message}`
          : err.message;
      return this.fail(f.pos, msg);
    }
  }

  private evalArg(dot: unknown, a: Operand): unknown {
    switch (a.t) {
      case 'dot':
        return dot;
      case 'literal':
        return a.value;
      case 'field':
        return this.fieldChain(dot, a.names, a.pos, []);
      case 'var': {
        const found = [...this.vars].reverse().find(([k]) => k === a.name);
        return this.fieldChain(found?.[1], a.names, a.pos, [], !a.names.length);
      }
      case 'pipe':
        return this.fieldChain(this.evalPipe(dot, a.pipe), a.names, a.pos, [], !a.names.length);
      case 'ident':
        return this.call(dot, a, [], []);
    }
  }

  /** `.A.B` on `v`; arguments go to the last field when it is a method (a function). */
  private fieldChain(
    v: unknown,
    names: string[],
    pos: number,
    args: unknown[],
    bare = false,
  ): unknown {
    if (bare) return v;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      v = this.field(v, name, pos, last ? args : []);
    });
    return v;
  }

  private field(v: unknown, name: string, pos: number, args: unknown[]): unknown {
    if (v === undefined) {
      if (this.o.missingKeyError) this.fail(pos, `nil data; no entry for key "${name}"`);
      return undefined;
    }
    if (v === null) this.fail(pos, `nil pointer evaluating interface {}.${name}`);
    if (typeof v !== 'object' || Array.isArray(v))
      this.fail(pos, `can't evaluate field ${name} in type ${goType(v)}`);
    const rec = v as Record<string | symbol, unknown>;
    const struct = rec[structType] as string | undefined;
    if (!Object.hasOwn(rec, name) && !(struct && typeof rec[name] === 'function')) {
      if (struct) this.fail(pos, `can't evaluate field ${name} in type ${struct}`);
      if (this.o.missingKeyError || (this.o.strictStructs && looksLikeStruct(rec)))
        this.fail(pos, `map has no entry for key "${name}"`);
      if (args.length) this.fail(pos, `${name} is not a method but has arguments`);
      return undefined;
    }
    const f = rec[name];
    if (typeof f === 'function') {
      const fn = f as (...a: unknown[]) => unknown;
      if (args.length !== fn.length)
        this.fail(pos, `wrong number of args for ${name}: want ${fn.length} got ${args.length}`);
      return fn.call(v, ...args);
    }
    if (args.length) this.fail(pos, `${name} has arguments but cannot be invoked as function`);
    return f;
  }
}

function looksLikeStruct(rec: Record<string, unknown>): boolean {
  const keys = Object.keys(rec);
  return keys.length > 0 && keys.every((k) => /^[A-Z][A-Za-z0-9]*$/.test(k));
}
