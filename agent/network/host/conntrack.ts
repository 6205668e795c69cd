// Forgets the kernel's connection-tracking entries towards a container address. A published port
// is a DNAT rule; conntrack remembers each flow's translation, so after the rule is gone a client
// retransmitting a SYN (or a UDP client that keeps sending) still follows the old entry to an
// address nobody answers at, and hangs until the entry times out (up to 2 minutes for SYN_SENT).
// Deleting the entries whose reply source is the container's address makes the next packet meet
// the rules as they are now. Best effort: without the conntrack tool the entries only time out.
import type { Logger } from '../../../shared/log/index.js';
import { run } from '../exec.js';

let missingReported = false;

/**
 * @param opts.unansweredOnly only TCP flows still waiting for the SYN to be answered, and UDP flows:
 *   for an address that left the routing mesh while its task still serves the connections it has
 *   (drain). Deleting an established flow would send its next packet to another task mid-stream.
 */
export async function forgetConnectionsTo(
  ip: string,
  log: Logger,
  opts: { unansweredOnly?: boolean } = {},
): Promise<void> {
  if (!opts.unansweredOnly) return forget(['-D', '--reply-src', ip], log);
  await forget(['-D', '--reply-src', ip, '-p', 'tcp', '--state', 'SYN_SENT'], log);
  await forget(['-D', '--reply-src', ip, '-p', 'udp'], log);
}

async function forget(args: string[], log: Logger): Promise<void> {
  // Exit 1 with "0 flow entries have been deleted" is the normal "nothing to forget".
  const r = await run('conntrack', args, { allowFailure: true }).catch(
    (err: NodeJS.ErrnoException) => ({ code: -1, stdout: '', stderr: String(err.message) }),
  );
  if (r.code === 0 || /flow entries have been deleted/.test(r.stderr)) return;
  if (!missingReported) {
    missingReported = true;
    log.warn(
      { stderr: r.stderr.trim() },
      'could not flush connection tracking (is the conntrack tool installed?); stale flows to removed containers time out on their own',
    );
  }
}
