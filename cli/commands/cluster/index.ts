// `flotilla cluster info` and `flotilla cluster join-token worker|manager [-q] [--rotate]`;
// `cluster ca` lives in certificates.ts, `cluster backup|restore` in backup.ts, `cluster update` and `cluster admin` in security.ts.
import { formatDocument } from '../../format/render.js';
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import { formatDurationNs, parseDurationNs } from '../../../shared/units/index.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { parseFlags } from '../../exit-status.js';
import { registerClusterSecurityCommands } from './security.js';
import { registerCertificateCommands } from './certificates.js';
import { registerBackupCommands } from './backup.js';

interface Info {
  cluster: {
    id: string;
    name: string;
    createdAt: string;
    caDigest: string;
    /** `cidr` alone from a manager from before several pools. */
    addressPool: { cidrs?: string[]; cidr?: string; subnetPrefixLength: number };
    heartbeatPeriodNs: number;
    nodeDownGraceNs: number;
    taskHistoryLimit: number;
    certExpiryNs?: number;
  };
  manager: { id: string; apiAddr: string; grpcAddr: string; leader: boolean };
  leader: { managerId: string; apiAddr: string; grpcAddr: string } | null;
  managers?: { managerId: string; apiAddr: string; grpcAddr: string }[];
  nodes: { total: number; ready: number; managers: number };
  services: number;
  tasks: { total: number; running: number };
}

export function registerClusterCommands(program: Command, ctx: () => CliContext): void {
  const cluster = program.command('cluster').description('Manage the cluster');
  registerClusterSecurityCommands(cluster, ctx);
  registerCertificateCommands(cluster, ctx);
  registerBackupCommands(cluster, ctx);

  cluster
    .command('info')
    .description('Display cluster-wide information')
    .option('--format <format>', "'json' for the raw document, or a Go template over it")
    .action(async (o: { format?: string }) => {
      const i = await managerClient(ctx()).json<Info>({ path: '/info' });
      if (o.format === 'json') return void ctx().out.write(JSON.stringify(i) + '\n');
      if (o.format) return void ctx().out.write(formatDocument(o.format, i));
      const c = i.cluster;
      ctx().out.write(
        [
          `Cluster:\t${c.name}`,
          ` ID:\t\t${c.id}`,
          ` Created:\t${c.createdAt}`,
          ` CA digest:\tsha256:${c.caDigest}`,
          addressPoolLine(c.addressPool),
          ` Heartbeat:\t${formatDurationNs(c.heartbeatPeriodNs)}`,
          ` Node down after: ${formatDurationNs(c.nodeDownGraceNs)}`,
          ` Task history:\t${c.taskHistoryLimit}`,
          ...(c.certExpiryNs ? [` Cert expiry:\t${formatDurationNs(c.certExpiryNs)}`] : []),
          `Leader:\t\t${i.leader ? `${i.leader.managerId} (${i.leader.apiAddr})` : 'none'}`,
          `This manager:\t${i.manager.id} (${i.manager.apiAddr})${i.manager.leader ? ' [leader]' : ''}`,
          `Managers:\t${(i.managers ?? []).length}`,
          ...(i.managers ?? []).map((m) => ` ${m.managerId}\tapi ${m.apiAddr}\tgrpc ${m.grpcAddr}`),
          `Nodes:\t\t${i.nodes.total} (${i.nodes.ready} ready, ${i.nodes.managers} managers)`,
          `Services:\t${i.services}`,
          `Tasks:\t\t${i.tasks.total} (${i.tasks.running} running)`,
        ].join('\n') + '\n',
      );
    });

  cluster
    .command('join-token')
    .description('Manage join tokens')
    .argument('<role>', 'worker or manager')
    .option('-q, --quiet', 'only display the token')
    .option('--rotate', 'rotate the join token')
    .option('--expiry <duration>', 'the token printed expires this long from now (0: never)')
    .action(async (role: string, o: { quiet?: boolean; rotate?: boolean; expiry?: string }) => {
      if (role !== 'worker' && role !== 'manager')
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: `unknown role ${role}: use worker or manager`,
        });
      const expiryNs =
        o.expiry === undefined
          ? undefined
          : parseFlags(() => parseDurationNs(o.expiry!, '--expiry'));
      const c = managerClient(ctx());
      type Answer = { token: string; command: string; expiresAt: string | null };
      let res = await c.json<Answer>(
        o.rotate
          ? { method: 'POST', path: `/cluster/join-token/${role}/rotate` }
          : { path: `/cluster/join-token/${role}` },
      );
      if (expiryNs !== undefined) {
        await c.json({
          method: 'POST',
          path: `/cluster/join-token/${role}/expiry`,
          body: { expiryNs },
        });
        res = await c.json<Answer>({ path: `/cluster/join-token/${role}` });
      }
      const out = ctx().out;
      if (o.quiet) return void out.write(res.token + '\n');
      if (o.rotate) out.write(`Successfully rotated ${role} join token.\n\n`);
      out.write(
        `To add a ${role} to this cluster, run the following command:\n\n    ${res.command}\n\n`,
      );
      if (res.expiresAt) out.write(`This token expires at ${res.expiresAt}.\n`);
    });
}

/** ` Address pool:\t10.50.0.0/20 (/26 per node)`; several pools are listed in the order used. */
function addressPoolLine(p: Info['cluster']['addressPool']): string {
  const cidrs = p.cidrs ?? (p.cidr ? [p.cidr] : []);
  const per = `/${p.subnetPrefixLength} per node`;
  return cidrs.length > 1
    ? ` Address pools:\t${cidrs.join(', ')} (${per}, used in this order)`
    : ` Address pool:\t${cidrs[0] ?? '-'} (${per})`;
}
