// Go text/template for --format, as Docker's CLI uses it (templates.Parse + Execute).
import { builtins, headerFuncs, type TemplateFunc } from './funcs.js';
import { execute, structType, type ExecOptions } from './exec.js';
import { parse, type Template } from './parser.js';

export { TemplateError } from './errors.js';
export { structType };
export type { Template, TemplateFunc };

const names = new Set(Object.keys(builtins));

/** Parses a template with Docker's function set; throws TemplateError with Go's message. */
export function parseTemplate(src: string): Template {
  return parse(src, names);
}

export function executeTemplate(t: Template, data: unknown, o: ExecOptions = {}): string {
  return execute(t, data, o);
}

/** Executes with Docker's header functions, which keep a table header's names intact. */
export function executeHeader(t: Template, header: unknown): string {
  return execute(t, header, { funcs: headerFuncs, partial: true });
}
