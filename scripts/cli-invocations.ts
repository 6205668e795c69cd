// The CLI invocations a test's text spells out: for each bracketed list (`run(['create', '-i'])`,
// `c.flt('service', 'create', …)`, a Python list in a pty driver), the words of the string literals
// directly inside it and in the arrays it holds, in order. Calls and objects inside are their own.

/** Words of one bracketed list's own string literals (a literal 'run --rm' gives two words). */
export type Invocation = string[];

const words = (s: string) => s.split(/\s+/).filter(Boolean);
const closer: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
// A `/` after one of these (or at the start) opens a regular expression, not a division.
const regexLead = /[(,=:[!&|?{};]|^$/;

/**
 * The invocations in `text`. Literals starting at an offset in `skip` (test titles) are left out.
 * Template literals count as one literal at their place and are also read as code, for the lists
 * a driver script inside them holds.
 */
export function invocations(text: string, skip: ReadonlySet<number> = new Set()): Invocation[] {
  const out: Invocation[] = [];
  const stack: { close: string; tokens: string[] }[] = [{ close: '', tokens: [] }];
  const top = () => stack[stack.length - 1]!;
  let lastCode = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '/' && next === '/') {
      i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    } else if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (ch === '/' && regexLead.test(lastCode)) {
      i = skipRegex(text, i);
      lastCode = 'x';
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== ch && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      if (!skip.has(i)) top().tokens.push(...words(text.slice(i + 1, j)));
      i = j + 1;
      lastCode = 'x';
    } else if (ch === '`') {
      const { end, literal, code } = readTemplate(text, i);
      if (!skip.has(i)) top().tokens.push(...words(literal));
      out.push(...invocations(code));
      i = end;
      lastCode = 'x';
    } else if (ch in closer) {
      stack.push({ close: closer[ch]!, tokens: [] });
      lastCode = ch;
      i++;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      if (stack.length > 1 && top().close === ch) {
        const frame = stack.pop()!;
        if (frame.tokens.length) out.push(frame.tokens);
        // An array's words are also its enclosing list's: `sh('run', ['--add-host', x], script)`
        // passes them with the verb (a call or an object inside is an invocation of its own).
        if (ch === ']' && top().close !== '}') top().tokens.push(...frame.tokens);
      }
      lastCode = ch;
      i++;
    } else {
      if (!/\s/.test(ch)) lastCode = ch;
      i++;
    }
  }
  for (const frame of stack) if (frame.tokens.length) out.push(frame.tokens);
  return out;
}

/** Past the regular expression literal at `start` (a `[...]` class may hold a `/`). */
function skipRegex(text: string, start: number): number {
  let inClass = false;
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '\n') return j;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return j + 1;
  }
  return text.length;
}

/** The template literal at `start`: its text without `${…}`, and all of it to read as code. */
function readTemplate(text: string, start: number): { end: number; literal: string; code: string } {
  let literal = '';
  let code = '';
  let j = start + 1;
  while (j < text.length && text[j] !== '`') {
    if (text[j] === '\\') {
      literal += text.slice(j, j + 2);
      code += text.slice(j, j + 2);
      j += 2;
    } else if (text[j] === '$' && text[j + 1] === '{') {
      let depth = 1;
      let k = j + 2;
      while (k < text.length && depth > 0) {
        if (text[k] === '{') depth++;
        else if (text[k] === '}') depth--;
        k++;
      }
      literal += ' ';
      code += text.slice(j + 2, k - 1);
      j = k;
    } else {
      literal += text[j];
      code += text[j];
      j++;
    }
  }
  return { end: j + 1, literal, code };
}
