// Docker's prune prompt: prints the warning, reads one line of stdin, and says yes only to y/yes.
import type { CliContext } from './context.js';

export async function confirm(c: CliContext, warning: string): Promise<boolean> {
  c.out.write(`WARNING! ${warning}\nAre you sure you want to continue? [y/N] `);
  const answer = await new Promise<string>((resolve) => {
    process.stdin.once('data', (d) => resolve(String(d)));
    process.stdin.once('end', () => resolve(''));
  });
  process.stdin.pause();
  return /^y(es)?$/i.test(answer.trim());
}
