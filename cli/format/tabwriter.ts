// Go's text/tabwriter as Docker's table formatter configures it (minwidth 10, tabwidth 1,
// padding 3, padchar ' '): tab-terminated cells aligned column by column, in blocks of
// consecutive lines that have that column, as Go aligns them.

const minWidth = 10;
const padding = 3;

const width = (s: string) => [...s].length;

/** Aligns `text` (lines of tab-separated cells); the last cell of a line is not a column. */
export function tabwrite(text: string): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[][] = lines.map(() => []);
  const format = (from: number, to: number, col: number): void => {
    for (let i = from; i < to; i++) {
      if (lines[i].length - 1 <= col) continue;
      // A block: consecutive lines with a tab-terminated cell in this column.
      let end = i;
      let w = 0;
      while (end < to && lines[end].length - 1 > col) w = Math.max(w, width(lines[end++][col]));
      w = Math.max(w + padding, minWidth);
      for (let k = i; k < end; k++) widths[k][col] = w;
      format(i, end, col + 1);
      i = end - 1;
    }
  };
  format(0, lines.length, 0);
  return lines
    .map((cells, i) =>
      cells
        .map((c, j) => (j < cells.length - 1 ? c + ' '.repeat(widths[i][j] - width(c)) : c))
        .join(''),
    )
    .join('\n');
}
