// Column tables as docker prints them: upper-case headers, columns padded with three spaces
// (Go's tabwriter; `minWidth` is its minwidth, 10 for `system df`).

export function renderTable(
  headers: string[],
  rows: (string | number)[][],
  opts: { minWidth?: number } = {},
): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) =>
    Math.max((opts.minWidth ?? 0) - 3, ...cells.map((r) => (r[i] ?? '').length)),
  );
  return (
    cells
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i] + 3)))
          .join('')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** `--format json` prints one JSON document per line, as docker does for listings. */
export function renderJsonLines(items: unknown[]): string {
  return items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : '');
}
