// Splits a Go text/template source into text and action tokens, as Go's text/template/parse lexer
// does: trim markers `{{- ` / ` -}}`, comments, literals, fields, variables and keywords.
import { TemplateError } from './errors.js';

export type TokenKind =
  | 'text'
  | 'open'
  | 'close'
  | 'field'
  | 'variable'
  | 'ident'
  | 'keyword'
  | 'string'
  | 'number'
  | 'bool'
  | 'nil'
  | 'dot'
  | 'declare'
  | 'assign'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** For strings the unquoted value, for fields the name without the dot, otherwise the source. */
  value: string;
  /** Byte offset in the source, for Go's `:line:col` positions. */
  pos: number;
}

const keywords = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'break',
  'continue',
  'define',
  'template',
  'block',
]);
const escapes: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

/** Lexes `src` into tokens; throws a TemplateError (Go's message) on malformed input. */
export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    const end = open < 0 ? src.length : open;
    let text = src.slice(i, end);
    const trimLeft = open >= 0 && /^\{\{-[ \t\r\n]/.test(src.slice(open, open + 4));
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) out.push({ kind: 'text', value: text, pos: i });
    if (open < 0) break;
    i = lexAction(src, open, trimLeft, out);
  }
  out.push({ kind: 'eof', value: '', pos: src.length });
  return out;
}

/** Lexes one `{{ … }}` starting at `open`; returns the offset after it (and after trimmed space). */
function lexAction(src: string, open: number, trimLeft: boolean, out: Token[]): number {
  let i = open + (trimLeft ? 3 : 2);
  const fail = (msg: string): never => {
    throw new TemplateError(src, open, msg, false);
  };
  const closeAt = (at: number): number | undefined => {
    if (src.startsWith(' -}}', at) || /^[\t\r\n]-\}\}/.test(src.slice(at, at + 4))) return 4;
    if (src.startsWith('}}', at)) return 2;
    return undefined;
  };
  const finish = (at: number, len: number): number => {
    let next = at + len;
    if (len === 4) next += (/^[ \t\r\n]*/.exec(src.slice(next)) ?? [''])[0].length;
    return next;
  };
  // A comment fills the whole action: {{/* … */}}.
  const afterSpace = i + (/^[ \t\r\n]*/.exec(src.slice(i)) ?? [''])[0].length;
  if (src.startsWith('/*', trimLeft ? afterSpace : i)) {
    const c = src.indexOf('*/', i + 2);
    if (c < 0) fail('unclosed comment');
    const len = closeAt(c + 2) ?? (src.startsWith(' -}}', c + 2) ? 4 : undefined);
    if (len === undefined) fail('comment ends before closing delimiter');
    return finish(c + 2, len as number);
  }
  out.push({ kind: 'open', value: '{{', pos: open });
  for (;;) {
    if (i >= src.length) fail('unclosed action');
    const len = closeAt(i);
    if (len !== undefined) {
      out.push({ kind: 'close', value: '}}', pos: i });
      return finish(i, len);
    }
    const ch = src[i];
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if (ch === '\n' || ch === '\r') fail('unclosed action');
    else if (/\s/.test(ch)) i++;
    else if ((m = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
      out.push({ kind: 'field', value: m[0].slice(1), pos: i });
      i += m[0].length;
    } else if ((m = /^\$[A-Za-z0-9_]*/.exec(rest))) {
      out.push({ kind: 'variable', value: m[0], pos: i });
      i += m[0].length;
    } else if (
      (m = /^[-+]?(0[xX][0-9a-fA-F_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?)/.exec(rest))
    ) {
      out.push({ kind: 'number', value: m[0], pos: i });
      i += m[0].length;
    } else if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
      const w = m[0];
      const kind = keywords.has(w)
        ? 'keyword'
        : w === 'true' || w === 'false'
          ? 'bool'
          : w === 'nil'
            ? 'nil'
            : 'ident';
      out.push({ kind, value: w, pos: i });
      i += w.length;
    } else if (ch === '"' || ch === "'") i = lexQuoted(src, i, ch, out, fail);
    else if (ch === '`') {
      const c = src.indexOf('`', i + 1);
      if (c < 0) fail('unterminated raw quoted string');
      out.push({ kind: 'string', value: src.slice(i + 1, c), pos: i });
      i = c + 1;
    } else if (rest.startsWith(':=')) {
      out.push({ kind: 'declare', value: ':=', pos: i });
      i += 2;
    } else {
      const single: Record<string, TokenKind> = {
        '=': 'assign',
        '|': 'pipe',
        '(': 'lparen',
        ')': 'rparen',
        ',': 'comma',
        '.': 'dot',
      };
      if (!single[ch]) fail(`unexpected "${ch}" in command`);
      out.push({ kind: single[ch], value: ch, pos: i });
      i++;
    }
  }
}

/** A "string" (escapes decoded) or a 'c' character constant (an int in Go: its code point). */
function lexQuoted(
  src: string,
  start: number,
  q: string,
  out: Token[],
  fail: (m: string) => never,
): number {
  let i = start + 1;
  let s = '';
  while (src[i] !== q) {
    if (i >= src.length || src[i] === '\n')
      fail(q === '"' ? 'unterminated quoted string' : 'unterminated character constant');
    if (src[i] === '\\') {
      const e = src[i + 1];
      if (e === 'x' || e === 'u' || e === 'U') {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        s += String.fromCodePoint(parseInt(src.slice(i + 2, i + 2 + n), 16));
        i += 2 + n;
        continue;
      }
      if (escapes[e] === undefined) fail(`unknown escape sequence: \\${e}`);
      s += escapes[e];
      i += 2;
    } else s += src[i++];
  }
  if (q === '"') out.push({ kind: 'string', value: s, pos: start });
  else out.push({ kind: 'number', value: String(s.codePointAt(0) ?? 0), pos: start });
  return i + 1;
}
