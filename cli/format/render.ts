// `--format` as Docker's formatter applies it (cli/command/formatter): a Go template run once per
// row, `table TEMPLATE` with a header row and tabwriter columns, `\t`/`\n` escapes, and Go's
// errors as `template parsing error: …` (status 1; 64 when `inspect`, `version` or `info`
// cannot parse theirs, as Docker's).
import { FlotillaError } from '../../shared/errors/index.js';
import { StatusError } from '../exit-status.js';
import {
  executeHeader,
  executeTemplate,
  parseTemplate,
  TemplateError,
  type Template,
} from './go-template/index.js';
import { tabwrite } from './tabwriter.js';
import { renderTable } from '../render/table.js';

/** Docker's preFormat: drop the `table` key, trim spaces, and turn `\t` `\n` into the characters. */
function preFormat(format: string): { src: string; table: boolean } {
  const table = format.startsWith('table');
  const src = (table ? format.slice(5) : format)
    .replace(/^ +| +$/g, '')
    .replace(/\\t/g, '\t')
    .replace(/\\n/g, '\n');
  return { src, table };
}

function templateError(err: unknown, status = 1): never {
  if (!(err instanceof TemplateError)) throw err;
  const fe = new FlotillaError('FORMAT_TEMPLATE_INVALID', { detail: err.message });
  throw status === 1 ? fe : new StatusError(status, fe);
}

function compile(src: string, status = 1): Template {
  try {
    return parseTemplate(src);
  } catch (err) {
    return templateError(err, status);
  }
}

/** Docker's column name for a field: `RunningFor` → `RUNNING FOR` unless the command names it. */
export function headerName(field: string, headers: Record<string, string> = {}): string {
  return headers[field] ?? field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toUpperCase();
}

/** Is `format` a template (not the command's own default, `table` or `json`)? */
export function isTemplate(format: string | undefined): format is string {
  return format !== undefined && format !== '' && format !== 'table' && format !== 'json';
}

/**
 * The output of a listing's `--format TEMPLATE` over its rows (Docker's field names), or
 * undefined when `format` is unset, `table` or `json`: the command prints those itself.
 */
export function formatRows(
  format: string | undefined,
  rows: object[],
  headers: Record<string, string> = {},
): string | undefined {
  if (!isTemplate(format)) return undefined;
  const { src, table } = preFormat(format);
  const tmpl = compile(src);
  let body = '';
  try {
    for (const r of rows) body += `${executeTemplate(tmpl, r)}\n`;
  } catch (err) {
    templateError(err);
  }
  if (!table) return body;
  const keys = new Set<string>(Object.keys(headers));
  for (const r of rows) for (const k of Object.keys(r)) keys.add(k);
  const header = Object.fromEntries([...keys].map((k) => [k, headerName(k, headers)]));
  // Docker writes the header, a newline, then the rows, all through one tabwriter.
  return tabwrite(`${executeHeader(tmpl, header)}\n${body}`);
}

/** Parses a document's template before anything is fetched: Docker refuses it first (64). */
export function checkDocumentFormat(format: string | undefined, strict = false): void {
  if (format && format !== 'json') compile(strict ? format : preFormat(format).src, 64);
}

/**
 * One document's `--format` (`inspect`, `version`, `info`): the template's output and a newline;
 * a template that does not parse exits 64. `inspect` sets `strict`: the template is taken as
 * written, and an unknown field of the document is Docker's raw-map fallback error (`map has no
 * entry for key`).
 */
export function formatDocument(format: string, doc: unknown, strict = false): string {
  const tmpl = compile(strict ? format : preFormat(format).src, 64);
  try {
    return `${executeTemplate(tmpl, doc, { strictStructs: strict })}\n`;
  } catch (err) {
    return templateError(err);
  }
}

/**
 * `--format TEMPLATE` over a command's table: each row becomes an object of Docker's field names
 * (`fields`, in column order) and the table's own headers name the columns. Undefined as formatRows.
 */
export function formatCells(
  format: string | undefined,
  fields: string[],
  headers: string[],
  cells: (string | number)[][],
): string | undefined {
  if (!isTemplate(format)) return undefined;
  const rows = cells.map((r) => Object.fromEntries(fields.map((f, i) => [f, r[i] ?? ''])));
  return formatRows(format, rows, Object.fromEntries(fields.map((f, i) => [f, headers[i]])));
}

/** A command's table, or its `--format TEMPLATE` over the same rows (`fields`: Docker's names). */
export function renderTableOr(
  format: string | undefined,
  fields: string[],
  headers: string[],
  cells: (string | number)[][],
): string {
  return formatCells(format, fields, headers, cells) ?? renderTable(headers, cells);
}
