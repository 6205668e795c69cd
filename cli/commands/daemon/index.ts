// `flotilla agent` and `flotilla manager`: the long-running processes share the one executable.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { ContextStore } from '../../contexts/index.js';

export function registerDaemonCommands(program: Command, _ctx: () => CliContext): void {
  program
    .command('agent')
    .description('Run the agent: the container engine of this machine')
    .option('--data-root <dir>', 'root of persistent state (default /var/lib/flotilla)')
    .option('--exec-root <dir>', 'root of runtime state and sockets (default /run/flotilla)')
    .option('--config-file <file>', 'JSON config file (default /etc/flotilla/agent.json)')
    .option(
      '--insecure-registry <host:port>',
      'registry to reach over plain HTTP (repeatable)',
      collect,
    )
    .option('--join <addr>', 'manager address (ADDR:4242) to join')
    .option('--token <token>', 'join token printed by `flotilla cluster join-token`')
    .option('--token-file <file>', 'file (0600) holding the join token; or FLOTILLA_JOIN_TOKEN')
    .option('--node-subnet <cidr>', 'container subnet of this machine')
    .option('--advertise-addr <ip>', 'address other nodes reach this node at')
    .option('--hostname <name>', 'node hostname reported to the manager')
    .option(
      '--default-runtime <name>',
      'OCI runtime of containers created without --runtime: runc (default) or crun (cgroup v2 only)',
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { runAgent } = await import('../../../agent/index.js');
      const host = (cmd.parent?.opts() as { host?: string }).host;
      // The flag is singular like docker's (--insecure-registry, repeatable); the setting is a list.
      const { insecureRegistry, ...rest } = opts;
      await runAgent({
        ...rest,
        host,
        ...(insecureRegistry ? { insecureRegistries: insecureRegistry as string[] } : {}),
      });
    });

  program
    .command('manager')
    .description('Run a manager: cluster store, API, CA and (when leader) the reconcilers')
    .option('--data-root <dir>', 'root of manager state (default /var/lib/flotilla/manager)')
    .option('--exec-root <dir>', 'root of runtime state and sockets (default /run/flotilla)')
    .option('--etcd <urls>', 'etcd client URLs, comma separated (default: embedded etcd)', collect)
    .option('--etcd-cacert <file>', 'CA certificate of the etcd server')
    .option('--etcd-cert <file>', 'client certificate for etcd')
    .option('--etcd-key <file>', 'client key for etcd')
    .option('--listen-api <addr>', 'HTTPS API address (default: gRPC host, port + 1 = 4243)')
    .option('--listen-grpc <addr>', 'agent gRPC address (default 0.0.0.0:4242)')
    .option('--advertise-addr <ip>', 'address agents and managers reach this manager at')
    .option('--init', 'create a new cluster in an empty store')
    .option('--cluster-name <name>', 'name of the cluster created by --init')
    .option(
      '--default-addr-pool <cidr>',
      'with --init: address pool node subnets come from (repeatable: the pools are used ' +
        'in order, the next once the one before is full; default 10.240.0.0/16)',
      collect,
    )
    .option(
      '--default-addr-pool-mask-length <n>',
      'with --init: prefix length of each node subnet, in every pool (default 24)',
    )
    .option('--join <addr>', 'join the cluster of the manager at ADDR:4242')
    .option('--token <token>', 'manager join token (`flotilla cluster join-token manager`)')
    .option('--token-file <file>', 'file (0600) holding the manager join token')
    .option('--no-socket', 'do not serve the API on <exec-root>/manager.sock')
    .action(async (opts: Record<string, unknown>) => {
      const { runManager } = await import('../../../manager/index.js');
      const flags = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
      const manager = await runManager(flags, {
        onInitialized: ({ clusterId, clusterName, apiAddr, admin }) => {
          // The CLI on this machine works at once: an admin context, made current.
          const contexts = new ContextStore();
          const name = clusterName;
          contexts.save({ name, clusterId, managers: [apiAddr] }, admin);
          contexts.use(name);
          process.stderr.write(
            `Cluster ${clusterId} initialised; CLI context "${name}" written to ${contexts.dir}.\n` +
              'To add a worker, run `flotilla cluster join-token worker` on this machine.\n',
          );
        },
      });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await manager.stop();
      process.exit(0);
    });
}
