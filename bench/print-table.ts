/**
 * Prints `cells` under `header`, columns two spaces apart, a dashed rule under the header: the
 * first column (case names) left-aligned, the others (numbers) right-aligned.
 *
 * @example printTable(['case', 'ms'], [['matMul', '5.8']]);
 */
export function printTable(header: string[], cells: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => (line[column] as string).length)),
  );
  const render = (line: string[]) =>
    line
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] as number) : cell.padStart(widths[column] as number),
      )
      .join('  ');
  console.log(render(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of cells) console.log(render(line));
}
