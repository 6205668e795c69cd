// Checks and canonicalises unit-bearing fields (durations in Go form, sizes as byte strings, CPU
// counts), reporting a bad value at its field path instead of throwing.
import { formatDurationNs, parseBytes, parseDurationNs } from '../units/index.js';
import type { NormalizeContext } from './compose-types.js';
import { str } from './normalize-values.js';
import type { Path } from './problems.js';

export class Fields {
  constructor(
    private readonly ctx: NormalizeContext,
    private readonly base: Path,
  ) {}

  fail(path: Path, message: string): void {
    const full = [...this.base, ...path];
    this.ctx.problems.add(this.ctx.src.positionOf(full), full, message);
  }

  duration(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined;
    try {
      const s = str(v);
      // Go's time.ParseDuration accepts "0" only; shared/units agrees.
      const ns = parseDurationNs(s, 'x');
      if (!Number.isSafeInteger(ns)) {
        this.fail(path, `duration out of range: ${JSON.stringify(s)}`);
        return undefined;
      }
      return formatDurationNs(ns);
    } catch {
      this.fail(path, `invalid duration ${JSON.stringify(str(v))} (use e.g. 10s, 1m30s, 500ms)`);
      return undefined;
    }
  }

  size(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined;
    try {
      const n = parseBytes(typeof v === 'number' ? v : str(v), 'x');
      if (!Number.isSafeInteger(n)) {
        this.fail(path, `size out of range: ${JSON.stringify(str(v))}`);
        return undefined;
      }
      return String(n);
    } catch {
      this.fail(path, `invalid size ${JSON.stringify(str(v))} (use e.g. 512M, 1.5G, 100k)`);
      return undefined;
    }
  }

  cpus(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined;
    const s = str(v);
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s.trim()) || (Number(s) * 1e9) % 1 > 1e-6) {
      this.fail(path, `invalid CPU count ${JSON.stringify(s)} (use e.g. "0.5" or "2")`);
    }
    return s;
  }
}
