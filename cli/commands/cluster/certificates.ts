// `flotilla cluster ca [--rotate] [-d] [-q]` (Docker's `swarm ca`), and the reading of
// `cluster update --cert-expiry` (the command itself is in security.ts).
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import { formatDurationNs, parseDurationNs } from '../../../shared/units/index.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { writeFileAtomicSync } from '../../../shared/fs/atomic.js';

/** Docker's floor for --cert-expiry. */
const minCertExpiryNs = 3600e9;
const barWidth = 50;

export interface CaStatus {
  rotating: boolean;
  digest: string;
  nodes: { total: number; renewed: number; trustUpdated: number };
  managers: { total: number; renewed: number };
  caCertPem: string;
}

export function registerCertificateCommands(cluster: Command, ctx: () => CliContext): void {
  cluster
    .command('ca')
    .description('Display and rotate the root CA')
    .option('--rotate', 'rotate the cluster CA: new root, every certificate re-issued')
    .option('-d, --detach', 'exit immediately instead of waiting for the rotation to complete')
    .option('-q, --quiet', 'suppress progress output')
    .action(async (o: { rotate?: boolean; detach?: boolean; quiet?: boolean }) => {
      if (o.detach && !o.rotate)
        throw new FlotillaError('INVALID_FLAG_VALUE', {
          flag: '--detach',
          value: 'true',
          reason: 'only applies with --rotate',
        });
      const out = ctx().out;
      if (!o.rotate) {
        const s = await managerClient(ctx()).json<CaStatus>({ path: '/cluster/ca' });
        return void out.write(s.caCertPem);
      }
      const started = await managerClient(ctx()).json<CaStatus>({
        method: 'POST',
        path: '/cluster/ca/rotate',
      });
      // This context's own certificate is of the old root: renew it before that root is dropped.
      await renewContextCertificate(ctx);
      if (!o.detach) await followRotation(ctx, started, Boolean(o.quiet));
      out.write(started.caCertPem);
    });
}

/** --cert-expiry as Docker reads it: a Go duration, at least one hour (else exit 125). */
export function parseCertExpiry(text: string): number {
  let ns: number;
  try {
    ns = parseDurationNs(text, '--cert-expiry');
  } catch (err) {
    throw new FlotillaError(
      'INVALID_FLAG_VALUE',
      { flag: '--cert-expiry', value: text, reason: 'expected a duration such as 2160h' },
      { cause: err },
    );
  }
  if (ns < minCertExpiryNs)
    throw new FlotillaError('INVALID_FLAG_VALUE', {
      flag: '--cert-expiry',
      value: text,
      reason: `must be at least ${formatDurationNs(minCertExpiryNs)}`,
    });
  return ns;
}

async function renewContextCertificate(ctx: () => CliContext): Promise<void> {
  const client = managerClient(ctx());
  const tls = await client.json<{ certPem: string; keyPem: string; caCertPem: string }>({
    method: 'POST',
    path: '/cluster/ca/renew-client',
  });
  const files = client.context.tls;
  replace(files.keyFile, tls.keyPem, 0o600);
  replace(files.certFile, tls.certPem, 0o644);
  replace(files.caFile, tls.caCertPem, 0o644);
}

function replace(path: string, data: string, mode: number): void {
  writeFileAtomicSync(path, data, { mode });
}

/** Polls GET /cluster/ca, drawing Docker's two bars, until every node trusts only the new root. */
async function followRotation(ctx: () => CliContext, first: CaStatus, quiet: boolean) {
  const out = ctx().out;
  const tty = Boolean(out.isTTY);
  if (!quiet) out.write(`desired root digest: sha256:${first.digest}\n`);
  let drawn = '';
  for (let s = first; ;) {
    const lines = rotationLines(s);
    const text = lines.join('\n');
    if (!quiet && text !== drawn) {
      if (tty && drawn) out.write('\x1b[2A\x1b[J');
      out.write(text + '\n');
      drawn = text;
    }
    if (rotationDone(s)) return;
    await new Promise((r) => setTimeout(r, 1000));
    // A fresh client: the context's files were just replaced.
    s = await managerClient(ctx()).json<CaStatus>({ path: '/cluster/ca' });
  }
}

export function rotationDone(s: CaStatus): boolean {
  return !s.rotating && s.nodes.trustUpdated === s.nodes.total;
}

/** The two progress lines; managers count as nodes, as they do in Docker. */
export function rotationLines(s: CaStatus): string[] {
  const total = s.nodes.total + s.managers.total;
  const tlsDone = s.nodes.renewed + s.managers.renewed;
  const caDone = s.nodes.trustUpdated + (s.rotating ? 0 : s.managers.total);
  return [
    `  rotated TLS certificates:  ${bar(tlsDone, total)} ${tlsDone}/${total} nodes`,
    `  rotated CA certificates:   ${bar(caDone, total)} ${caDone}/${total} nodes`,
  ];
}

function bar(done: number, total: number): string {
  const filled = total === 0 ? barWidth : Math.floor((done / total) * barWidth);
  if (filled >= barWidth) return `[${'='.repeat(barWidth)}]`;
  return `[${'='.repeat(filled)}>${' '.repeat(barWidth - filled - 1)}]`;
}
