// Docker's system routes: /_ping (version negotiation), /version and /info, answered from the
// agent's own components. Clients call them unversioned before they pick an API version.
import { cpus, hostname, release, totalmem } from 'node:os';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { AgentComponents } from '../../components.js';
import { maxApiVersion, minApiVersion } from './rewrite.js';

/** The agent's release (the CLI's `--version`); Docker clients show it as the server version. */
const flotillaVersion = '0.1.0';

const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm' };

function pingHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('API-Version', maxApiVersion)
    .header('Docker-Experimental', 'false')
    .header('OSType', 'linux')
    .header('Builder-Version', '1')
    .header('Cache-Control', 'no-cache, no-store, must-revalidate')
    .header('Pragma', 'no-cache');
}

export function dockerSystemRoutes(app: FastifyInstance, c: AgentComponents): void {
  // fastify answers HEAD from this GET (exposeHeadRoutes): same headers, no body.
  app.get('/docker/_ping', async (_req, reply) => pingHeaders(reply).type('text/plain').send('OK'));

  app.get('/docker/version', async (_req, reply) => {
    const arch = goArch[process.arch] ?? process.arch;
    const server = {
      Version: flotillaVersion,
      ApiVersion: maxApiVersion,
      MinAPIVersion: minApiVersion,
      GitCommit: '',
      GoVersion: `node${process.versions.node}`,
      Os: 'linux',
      Arch: arch,
      KernelVersion: release(),
      BuildTime: '',
    };
    return pingHeaders(reply).send({
      Platform: { Name: 'Flotilla' },
      Components: [
        {
          Name: 'Engine',
          Version: flotillaVersion,
          Details: {
            ApiVersion: maxApiVersion,
            MinAPIVersion: minApiVersion,
            Os: 'linux',
            Arch: arch,
          },
        },
      ],
      ...server,
    });
  });

  app.get('/docker/info', async () => {
    const all = await c.containers.list({ all: true });
    const count = (s: string) => all.filter((x) => x.state === s).length;
    return {
      ID: c.config.hostname || hostname(),
      Name: c.config.hostname || hostname(),
      Containers: all.length,
      ContainersRunning: count('running'),
      ContainersPaused: count('paused'),
      ContainersStopped: all.length - count('running') - count('paused'),
      Images: c.images.list().length,
      Driver: 'overlay',
      DockerRootDir: c.config.dataRoot,
      ServerVersion: flotillaVersion,
      OperatingSystem: 'Flotilla agent',
      OSType: 'linux',
      Architecture: process.arch === 'x64' ? 'x86_64' : process.arch,
      KernelVersion: release(),
      NCPU: cpus().length,
      MemTotal: totalmem(),
      CgroupDriver: 'cgroupfs',
      CgroupVersion: '1',
      LoggingDriver: 'k8s-file',
      DefaultRuntime: 'runc',
      Runtimes: { runc: { path: 'runc' } },
      Swarm: { LocalNodeState: 'inactive' },
      SecurityOptions: ['name=seccomp,profile=builtin'],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Log: ['k8s-file'] },
      Warnings: [],
    };
  });

  app.all('/docker/too-old/:version', async (req) => {
    const v = (req.params as { version: string }).version;
    throw new FlotillaError('INVALID_ARGUMENT', {
      detail: `client version ${v} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`,
    });
  });
}
