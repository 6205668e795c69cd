// `version`, `info` and `system info`: the client's and the agent's versions and the engine's
// state, from the agent's Docker-shaped /version and /info (one source for both dialects).
import type { Command } from 'commander';
import { formatBytes } from '../../../shared/units/index.js';
import type { CliContext } from '../../context.js';
import { formatDocument } from '../../format/render.js';
import { registerDiskUsageCommand } from './df.js';
import { registerSystemPruneCommand } from './prune.js';

const clientVersion = '0.1.0';
const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm' };

type Doc = Record<string, unknown>;

function formatted(fmt: string | undefined, doc: Doc): string | undefined {
  if (!fmt) return undefined;
  if (fmt === 'json') return `${JSON.stringify(doc)}\n`;
  return formatDocument(fmt, doc);
}

/**
 * docker version's template sees Go's struct, whose field is APIVersion (ApiVersion is only the
 * JSON name): the alias is not enumerable, so `json` still prints Docker's JSON.
 */
function goFields(doc: Doc): Doc {
  const out = { ...doc };
  Object.defineProperty(out, 'APIVersion', { value: doc.ApiVersion, enumerable: false });
  return out;
}

function clientDoc(): Doc {
  return {
    Version: clientVersion,
    ApiVersion: '1.50',
    GoVersion: `node${process.versions.node}`,
    Os: 'linux',
    Arch: goArch[process.arch] ?? process.arch,
  };
}

function versionText(client: Doc, server: Doc | undefined): string {
  const lines = [
    'Client:',
    ` Version:           ${client.Version}`,
    ` API version:       ${client.ApiVersion}`,
    ` Node version:      ${client.GoVersion}`,
    ` OS/Arch:           ${client.Os}/${client.Arch}`,
  ];
  if (server)
    lines.push(
      '',
      'Server: Flotilla',
      ' Engine:',
      `  Version:          ${server.Version}`,
      `  API version:      ${server.ApiVersion} (minimum version ${server.MinAPIVersion})`,
      `  OS/Arch:          ${server.Os}/${server.Arch}`,
      `  Kernel Version:   ${server.KernelVersion}`,
    );
  return `${lines.join('\n')}\n`;
}

function infoText(i: Doc): string {
  return `${[
    'Server:',
    ` Containers: ${i.Containers}`,
    `  Running: ${i.ContainersRunning}`,
    `  Paused: ${i.ContainersPaused}`,
    `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`,
    ` Server Version: ${i.ServerVersion}`,
    ` Storage Driver: ${i.Driver}`,
    ` Logging Driver: ${i.LoggingDriver}`,
    ` Cgroup Driver: ${i.CgroupDriver}`,
    ` Cgroup Version: ${i.CgroupVersion}`,
    ` Default Runtime: ${i.DefaultRuntime}`,
    ` Kernel Version: ${i.KernelVersion}`,
    ` Operating System: ${i.OperatingSystem}`,
    ` OSType: ${i.OSType}`,
    ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`,
    ` Total Memory: ${formatBytes(Number(i.MemTotal))}`,
    ` Name: ${i.Name}`,
    ` ID: ${i.ID}`,
    ` Docker Root Dir: ${i.DockerRootDir}`,
  ].join('\n')}\n`;
}

function registerInfo(cmd: Command, ctx: () => CliContext): void {
  cmd
    .description('Display system-wide information')
    .option('-f, --format <format>', "'json' or a Go template ({{.ServerVersion}})")
    .action(async (o: { format?: string }) => {
      const c = ctx();
      const info = await c.agent().json<Doc>({ path: '/info' });
      c.out.write(formatted(o.format, info) ?? infoText(info));
    });
}

export function registerSystemCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('version')
    .description('Show the Flotilla version information')
    .option('-f, --format <format>', "'json' or a Go template ({{.Server.Version}})")
    .action(async (o: { format?: string }) => {
      const c = ctx();
      const client = clientDoc();
      // Docker prints the client's part, then fails (status 1) when the engine is unreachable.
      let server: Doc | undefined;
      let failure: unknown;
      try {
        server = await c.agent().json<Doc>({ path: '/version' });
      } catch (err) {
        failure = err;
      }
      c.out.write(
        formatted(o.format, { Client: goFields(client), Server: server && goFields(server) }) ??
          versionText(client, server),
      );
      if (failure) throw failure;
    });
  registerInfo(program.command('info'), ctx);
  const system = program.command('system').description('Manage the engine');
  registerInfo(system.command('info'), ctx);
  registerDiskUsageCommand(system, ctx);
  registerSystemPruneCommand(system, ctx);
}
