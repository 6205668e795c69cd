// KEY=VALUE files: a service's env_file (parsed as docker's opts.ParseEnvFile: values verbatim,
// no quote handling) and the .env beside the stack file used for interpolation.

export interface EnvEntry {
  key: string;
  /** undefined for a bare `KEY` line: the value comes from the environment, if set there. */
  value: string | undefined;
  line: number;
}

export function parseEnvText(text: string, opts: { stripQuotes?: boolean } = {}): EnvEntry[] {
  const out: EnvEntry[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/^[\s]+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).replace(
      /^export\s+/,
      opts.stripQuotes ? '' : 'export ',
    );
    if (/\s/.test(key.trimEnd()) || key.trim() === '') {
      throw new Error(`line ${i + 1}: variable '${key}' contains whitespaces`);
    }
    let value = eq < 0 ? undefined : line.slice(eq + 1);
    if (value !== undefined && opts.stripQuotes) {
      const m = /^(['"])(.*)\1\s*$/.exec(value);
      if (m) value = m[2];
    }
    out.push({ key: key.trimEnd(), value, line: i + 1 });
  });
  return out;
}
