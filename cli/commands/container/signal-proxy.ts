// `run`/`start -a` with --sig-proxy (Docker's default for an attached run without a tty): the
// signals the CLI receives are sent to the container's process through the agent's kill route,
// instead of ending the CLI and leaving the container running.
import type { AgentClient } from '../../clients/agent-client.js';

/** What Docker's ForwardAllSignals forwards that a Node process can catch (not SIGCHLD/PIPE/WINCH). */
const forwarded: NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
];

/** Installs the forwarding; the returned function removes it (when the container has exited). */
export function proxySignals(
  agent: AgentClient,
  id: string,
  onError: (err: unknown) => void,
): () => void {
  const handlers = forwarded.map((signal) => {
    const h = (): void => {
      agent
        .json({ method: 'POST', path: `/containers/${id}/kill`, query: { signal } })
        .catch(onError);
    };
    process.on(signal, h);
    return [signal, h] as const;
  });
  return () => {
    for (const [signal, h] of handlers) process.off(signal, h);
  };
}
