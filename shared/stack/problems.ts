// Collects every problem found in a set of stack files, each tied to a file position and a field
// path, so the loader can report them all at once, sorted by position, instead of the first only.
import { FlotillaError } from '../errors/index.js';

export interface Position {
  file: string;
  line: number;
  column: number;
}

export interface Problem {
  pos?: Position;
  /** Dotted field path (`services.web.deploy.replicas`, `services.web.ports[0]`); may be empty. */
  path: string;
  message: string;
}

export type Path = (string | number)[];

/** `services.web.ports[0].target` from ['services', 'web', 'ports', 0, 'target']. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

export function formatProblem(p: Problem): string {
  const where = p.pos ? `${p.pos.file}:${p.pos.line}:${p.pos.column}: ` : '';
  return `${where}${p.path ? `${p.path}: ` : ''}${p.message}`;
}

export class Problems {
  readonly list: Problem[] = [];

  add(pos: Position | undefined, path: Path | string, message: string): void {
    const p = typeof path === 'string' ? path : formatPath(path);
    // One problem per field: a value that failed interpolation is not reported again by the schema.
    if (p !== '' && this.list.some((x) => x.path === p && x.pos?.file === pos?.file)) return;
    this.list.push({ pos, path: p, message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Sorted by file order (as given), line, column; problems without a position go last. */
  sorted(fileOrder: string[] = []): Problem[] {
    const rank = (f?: string) => (f === undefined ? 1e9 : fileOrder.indexOf(f));
    return [...this.list].sort(
      (a, b) =>
        rank(a.pos?.file) - rank(b.pos?.file) ||
        (a.pos?.line ?? 1e9) - (b.pos?.line ?? 1e9) ||
        (a.pos?.column ?? 0) - (b.pos?.column ?? 0),
    );
  }

  /** Throws STACK_INVALID listing every problem, one per line, if there are any. */
  throwIfAny(fileOrder: string[] = []): void {
    if (this.empty) return;
    const lines = this.sorted(fileOrder).map(formatProblem);
    throw new FlotillaError('STACK_INVALID', {
      count: lines.length,
      detail: lines.join('\n'),
    });
  }
}
