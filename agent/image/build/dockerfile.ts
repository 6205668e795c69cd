// Parses a Dockerfile into instructions with their line numbers: parser directives, comments, line
// continuations, JSON (exec) and shell forms, flags (--from, --chown), and variable expansion for the
// instructions Docker expands. It knows nothing about executing them (see builder.ts).
import { FlotillaError } from '../../../shared/errors/index.js';

export type InstructionName =
  | 'FROM'
  | 'RUN'
  | 'CMD'
  | 'LABEL'
  | 'EXPOSE'
  | 'ENV'
  | 'ADD'
  | 'COPY'
  | 'ENTRYPOINT'
  | 'VOLUME'
  | 'USER'
  | 'WORKDIR'
  | 'ARG'
  | 'STOPSIGNAL'
  | 'HEALTHCHECK'
  | 'SHELL'
  | 'ONBUILD'
  | 'MAINTAINER';

const known = new Set<string>([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
  'ONBUILD',
  'MAINTAINER',
]);

export interface Instruction {
  name: InstructionName;
  /** 1-based line where the instruction starts. */
  line: number;
  /** The text after the keyword and flags, continuations joined, not yet variable-expanded. */
  rest: string;
  /** `--name=value` flags before the arguments (COPY --from, --chown; RUN --mount is refused). */
  flags: Record<string, string>;
  /** Set when the arguments are a JSON array (exec form). */
  json?: string[];
  /** The instruction as written, for step output (`Step 2/5 : RUN echo hi`). */
  original: string;
}

export interface Dockerfile {
  /** Path shown in errors. */
  file: string;
  instructions: Instruction[];
  escape: '\\' | '`';
}

/** Error helper: every message names the Dockerfile and the line. */
export function dockerfileError(file: string, line: number, reason: string): FlotillaError {
  return new FlotillaError('DOCKERFILE_SYNTAX', { file, line, reason });
}

export function parseDockerfile(text: string, file = 'Dockerfile'): Dockerfile {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let escape: '\\' | '`' = '\\';
  let i = 0;
  // Parser directives: only at the very top, before any comment, blank line or instruction.
  for (; i < lines.length; i++) {
    const m = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[i]);
    if (!m) break;
    if (m[1].toLowerCase() === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`')
        throw dockerfileError(file, i + 1, `invalid escape token "${m[2]}"`);
      escape = m[2];
    }
  }
  const instructions: Instruction[] = [];
  while (i < lines.length) {
    const startLine = i + 1;
    let raw = lines[i];
    i++;
    if (/^\s*(#|$)/.test(raw)) continue;
    // Join continuation lines; comment lines inside a continuation are dropped, as Docker does.
    while (endsWithEscape(raw, escape) && i <= lines.length) {
      raw = raw.replace(/\s*$/, '').slice(0, -1);
      while (i < lines.length && /^\s*#/.test(lines[i])) i++;
      if (i >= lines.length) break;
      raw += lines[i].replace(/^\s*/, ' ');
      i++;
    }
    const m = /^\s*(\S+)\s*(.*)$/.exec(raw);
    if (!m) continue;
    const keyword = m[1].toUpperCase();
    if (!known.has(keyword)) throw dockerfileError(file, startLine, `unknown instruction: ${m[1]}`);
    const { flags, rest } = splitFlags(m[2], file, startLine);
    const ins: Instruction = {
      name: keyword as InstructionName,
      line: startLine,
      rest: rest.trim(),
      flags,
      original: `${keyword} ${m[2].trim()}`,
    };
    const json = tryJsonArray(ins.rest);
    if (json) ins.json = json;
    validate(ins, file);
    instructions.push(ins);
  }
  if (instructions.length === 0)
    throw dockerfileError(file, 1, 'the Dockerfile has no instructions');
  const first = instructions.find((x) => x.name !== 'ARG');
  if (!first || first.name !== 'FROM')
    throw dockerfileError(
      file,
      first?.line ?? 1,
      'the first instruction must be FROM (only ARG may come before it)',
    );
  return { file, instructions, escape };
}

function endsWithEscape(line: string, escape: string): boolean {
  return line.replace(/\s+$/, '').endsWith(escape);
}

function splitFlags(
  text: string,
  file: string,
  line: number,
): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = text;
  for (;;) {
    const m = /^--([a-zA-Z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!m) break;
    flags[m[1]] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
  if (flags.mount !== undefined)
    throw dockerfileError(file, line, 'RUN --mount needs BuildKit and is not supported');
  return { flags, rest };
}

function tryJsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {}
  return undefined;
}

const needsArgs = new Set<InstructionName>([
  'FROM',
  'RUN',
  'COPY',
  'ADD',
  'WORKDIR',
  'USER',
  'EXPOSE',
  'ARG',
  'ENV',
  'LABEL',
  'STOPSIGNAL',
  'VOLUME',
  'SHELL',
]);

function validate(ins: Instruction, file: string): void {
  if (needsArgs.has(ins.name) && ins.rest === '')
    throw dockerfileError(file, ins.line, `${ins.name} requires at least one argument`);
  if ((ins.name === 'COPY' || ins.name === 'ADD') && (ins.json ?? splitWords(ins.rest)).length < 2)
    throw dockerfileError(
      file,
      ins.line,
      `${ins.name} requires at least two arguments: a source and a destination`,
    );
  if (ins.name === 'SHELL' && !ins.json)
    throw dockerfileError(file, ins.line, 'SHELL requires the arguments to be in JSON form');
  if (ins.name === 'FROM') {
    const w = splitWords(ins.rest);
    if (!(w.length === 1 || (w.length === 3 && w[1].toUpperCase() === 'AS')))
      throw dockerfileError(
        file,
        ins.line,
        'FROM requires either one argument, or three: FROM <image> AS <name>',
      );
  }
}

/** Splits on whitespace; quotes (anywhere in a word) group and are removed, as Docker's word lexer. */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) out.push(word);
  return out;
}

/**
 * Expands $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alternative} as Docker does in ENV, ARG, COPY,
 * WORKDIR, USER, LABEL, EXPOSE, FROM ...; `\$` keeps a literal dollar. Unknown variables are empty.
 */
export function expandVars(text: string, vars: Record<string, string>, escape = '\\'): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === escape && text[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    if (text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end < 0) {
        out += text.slice(i);
        break;
      }
      const body = text.slice(i + 2, end);
      const m = /^(\w+)(?::([-+])(.*))?$/s.exec(body);
      if (!m) out += '';
      else {
        const v = vars[m[1]];
        if (m[2] === '-') out += v !== undefined && v !== '' ? v : m[3];
        else if (m[2] === '+') out += v !== undefined && v !== '' ? m[3] : '';
        else out += v ?? '';
      }
      i = end;
      continue;
    }
    const m = /^\w+/.exec(text.slice(i + 1));
    if (!m) {
      out += '$';
      continue;
    }
    out += vars[m[0]] ?? '';
    i += m[0].length;
  }
  return out;
}

/** Parses `K=V K2="v 2"` (or the legacy `K V`) as ENV and LABEL take it. */
export function parseKeyValues(
  text: string,
  file: string,
  line: number,
  what: string,
): [string, string][] {
  const words = splitWords(text);
  if (words.length === 0)
    throw dockerfileError(file, line, `${what} requires at least one argument`);
  if (!words[0].includes('=')) {
    // Legacy form: ENV KEY value with spaces
    const m = /^(\S+)\s+(.*)$/s.exec(text.trim());
    if (!m) throw dockerfileError(file, line, `${what} must have two arguments`);
    return [[m[1], m[2]]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw dockerfileError(file, line, `${what}: "${w}" is not of the form KEY=VALUE`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}
