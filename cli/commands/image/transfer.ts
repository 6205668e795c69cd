// `pull` and `push`: send the request with the user's registry credentials and render the agent's
// NDJSON progress stream (cli/render/progress.ts). A stream that ends in an error line fails the
// command with that error.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { followProgress } from '../../render/progress-stream.js';
import { ProgressRenderer } from '../../render/progress.js';
import { authHeader, registryOfImage } from '../../registry/index.js';

export async function pullImage(
  c: CliContext,
  name: string,
  o: { platform?: string; quiet?: boolean },
): Promise<void> {
  const res = await c.agent().open({
    method: 'POST',
    path: '/images/pull',
    query: { fromImage: name, platform: o.platform },
    headers: await authHeader(registryOfImage(name)),
  });
  const renderer = new ProgressRenderer(c.out);
  const result = (await followProgress(res, (e) => {
    if (!o.quiet) renderer.write(e);
  })) as { ref?: string } | undefined;
  // Docker ends with the full name of what was pulled (the only line with -q).
  c.out.write(`${fullName(result?.ref ?? name)}\n`);
}

/** docker.io/library/busybox:latest for `busybox`, as `docker pull` prints its last line. */
function fullName(familiar: string): string {
  const slash = familiar.indexOf('/');
  const first = slash < 0 ? '' : familiar.slice(0, slash);
  const hasDomain = first === 'localhost' || first.includes('.') || first.includes(':');
  if (hasDomain) return familiar;
  return slash < 0 ? `docker.io/library/${familiar}` : `docker.io/${familiar}`;
}

export function registerTransferCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('pull')
    .description('Download an image from a registry')
    .argument('<name>', 'NAME[:TAG|@DIGEST]')
    .option('--platform <platform>', 'pull this platform (os/arch[/variant])')
    .option('-q, --quiet', 'suppress verbose output')
    .action(async (name: string, o: { platform?: string; quiet?: boolean }) => {
      await pullImage(ctx(), name, o);
    });

  program
    .command('push')
    .description('Upload an image to a registry')
    .argument('<name>', 'NAME[:TAG]')
    .option('-q, --quiet', 'suppress verbose output')
    .action(async (name: string, o: { quiet?: boolean }) => {
      const c = ctx();
      const res = await c.agent().open({
        method: 'POST',
        path: '/images/push',
        query: { name },
        headers: await authHeader(registryOfImage(name)),
      });
      const renderer = new ProgressRenderer(c.out);
      await followProgress(res, (e) => {
        if (!o.quiet) renderer.write(e);
      });
      if (o.quiet) c.out.write(`${name}\n`);
    });
}
