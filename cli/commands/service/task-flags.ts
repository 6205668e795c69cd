// Flags that `service create` and `service update` spell the same way (as docker's do): the task's
// resources, restart policy, health check and container settings. Each command adds its own.
import type { Command } from 'commander';
import { collect } from '../../repeatable.js';

export function addTaskSpecOptions(cmd: Command): Command {
  return cmd
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user>', 'username or UID')
    .option('--hostname <name>', 'container hostname')
    .option('--entrypoint <cmd>', "override the image's entrypoint")
    .option('--stop-signal <sig>', 'signal to stop the container')
    .option('--stop-grace-period <duration>', 'time to wait before killing')
    .option('--read-only', 'mount the root filesystem read-only')
    .option('--init', 'run an init inside the container')
    .option('--log-driver <driver>', 'logging driver: json-file, local, journald, syslog, none')
    .option('--log-opt <K=V>', 'logging driver options', collect)
    .option('--max-replicas-per-node <n>', 'maximum tasks per node (0 = unlimited)')
    .option('--reserve-cpu <cpus>', 'reserve CPUs')
    .option('--reserve-memory <bytes>', 'reserve memory')
    .option('--limit-cpu <cpus>', 'limit CPUs')
    .option('--limit-memory <bytes>', 'limit memory')
    .option('--restart-condition <cond>', 'none, on-failure or any')
    .option('--restart-delay <duration>', 'delay between restart attempts')
    .option('--restart-max-attempts <n>', 'maximum restarts before giving up')
    .option('--restart-window <duration>', 'window used to evaluate the restart policy')
    .option('--health-cmd <cmd>', 'command to run to check health')
    .option('--health-interval <duration>', 'time between checks')
    .option('--health-timeout <duration>', 'maximum time a check may take')
    .option('--health-retries <n>', 'consecutive failures to report unhealthy')
    .option('--health-start-period <duration>', 'start period before failures count')
    .option('--no-healthcheck', 'disable any image healthcheck');
}
