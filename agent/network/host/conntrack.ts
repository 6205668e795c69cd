// Forgets the kernel's connection-tracking entries towards a container address. A published port
// is a DNAT rule; conntrack remembers each flow's translation, so after the rule is gone a client
// retransmitting a SYN (or a UDP client that keeps sending) still follows the old entry to an
// address nobody answers at, and hangs until the entry times out (up to 2 minutes for SYN_SENT).
// Deleting the entries whose reply source is the container's address makes the next packet meet
// the rules as they are now. Best effort: without the conntrack tool the entries only time out.
import type { Logger } from '../../../shared/log/index.js';
import { run } from '../exec.js';

let missingReported = false;

export async function forgetConnectionsTo(ip: string, log: Logger): Promise<void> {
  // Exit 1 with "0 flow entries have been deleted" is the normal "nothing to forget".
  const r = await run('conntrack', ['-D', '--reply-src', ip], { allowFailure: true }).catch(
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
