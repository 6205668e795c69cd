// `flotilla cluster admin add|ls|rm`, `cluster update --autolock|--rotate-key|--join-token-expiry|
// --cert-expiry`,
// `cluster unlock`, `cluster unlock-key`: who may use the cluster, and the keys that guard it.
import { renderTableOr } from '../../format/render.js';
import type { Command } from 'commander';
import { FlotillaError, isFlotillaError } from '../../../shared/errors/index.js';
import { parseDurationNs } from '../../../shared/units/index.js';
import { readAll } from '../../clients/agent-client.js';
import { ManagerClient, managerClient } from '../../clients/manager-client.js';
import { ContextStore, makeBundle, writeBundle } from '../../contexts/index.js';
import type { CliContext } from '../../context.js';
import { parseFlags } from '../../exit-status.js';
import { parseCertExpiry } from './certificates.js';
import { renderJsonLines } from '../../render/table.js';

interface AdminIssued {
  admin: { id: string; name: string; createdAt: string };
  certPem: string;
  caCertPem: string;
  clusterId: string;
  clusterName: string;
  managers: string[];
}

export function registerClusterSecurityCommands(cluster: Command, ctx: () => CliContext): void {
  const admin = cluster.command('admin').description('Manage admin certificates');

  admin
    .command('add')
    .description('Issue an admin certificate into a context bundle (`flotilla context import`)')
    .argument('<name>')
    .option('-o, --output <file>', 'bundle file (default NAME.flotilla-context; - for stdout)')
    .action(async (name: string, o: { output?: string }) => {
      // The key is made here and never leaves this machine except in the bundle.
      const { createCsr, generateKeyPair } = await import('../../../manager/index.js');
      const { keys, keyPem } = await generateKeyPair();
      const csrPem = await createCsr(`CN=${name}`, keys);
      const res = await managerClient(ctx()).json<AdminIssued>({
        method: 'POST',
        path: '/cluster/admins',
        body: { name, csrPem },
      });
      const bundle = makeBundle({
        name: `${res.clusterName}-${name}`,
        clusterId: res.clusterId,
        managers: res.managers,
        description: `admin ${name} of cluster ${res.clusterName}`,
        caCertPem: res.caCertPem,
        certPem: res.certPem,
        keyPem,
      });
      if (o.output === '-') return void ctx().out.write(JSON.stringify(bundle, null, 2) + '\n');
      const file = o.output ?? `${name}.flotilla-context`;
      writeBundle(bundle, file);
      ctx().out.write(
        `${res.admin.id}\nAdmin certificate for "${name}" written to ${file} (keep it secret).\n` +
          `Install it with: flotilla context import ${file}\n`,
      );
    });

  admin
    .command('ls')
    .alias('list')
    .description('List admin certificates that are not revoked')
    .option('--format <format>', "'json' (one JSON document per line) or a Go template")
    .option('-q, --quiet', 'only show names')
    .action(async (o: { format?: string; quiet?: boolean }) => {
      const list = await managerClient(ctx()).json<AdminIssued['admin'][]>({
        path: '/cluster/admins',
      });
      if (o.quiet) return void ctx().out.write(list.map((a) => a.name + '\n').join(''));
      if (o.format === 'json') return void ctx().out.write(renderJsonLines(list));
      ctx().out.write(
        renderTableOr(
          o.format,
          ['ID', 'Name', 'CreatedAt'],
          ['ID', 'NAME', 'CREATED'],
          list.map((a) => [a.id, a.name, a.createdAt]),
        ),
      );
    });

  admin
    .command('rm')
    .alias('remove')
    .description('Revoke admin certificates: they are refused at once')
    .argument('<names...>')
    .action(async (names: string[]) => {
      const c = managerClient(ctx());
      for (const n of names) {
        await c.json({ method: 'DELETE', path: `/cluster/admins/${encodeURIComponent(n)}` });
        ctx().out.write(`${n}\n`);
      }
    });

  cluster
    .command('update')
    .description('Update the cluster settings')
    .option(
      '--autolock [bool]',
      'true (default) or false: lock restarted managers until `cluster unlock`',
    )
    .option('--rotate-key', 'rotate the key that encrypts the CA key (every manager follows)')
    .option(
      '--join-token-expiry <duration>',
      'join tokens expire this long after they are made (0: never)',
    )
    .option('--cert-expiry <duration>', 'validity period for node certificates (default 2160h0m0s)')
    .action(
      async (o: {
        autolock?: string | boolean;
        rotateKey?: boolean;
        joinTokenExpiry?: string;
        certExpiry?: string;
      }) => {
        const autolock = parseFlags(() => parseBool('--autolock', o.autolock));
        const expiryNs =
          o.joinTokenExpiry === undefined
            ? undefined
            : parseFlags(() => parseDurationNs(o.joinTokenExpiry!, '--join-token-expiry'));
        const certExpiryNs = o.certExpiry === undefined ? undefined : parseCertExpiry(o.certExpiry);
        if (
          autolock === undefined &&
          !o.rotateKey &&
          expiryNs === undefined &&
          certExpiryNs === undefined
        )
          throw new FlotillaError('INVALID_ARGUMENT', {
            detail:
              'cluster update needs at least one of --autolock, --rotate-key, --join-token-expiry, --cert-expiry',
          });
        const c = managerClient(ctx());
        const out = ctx().out;
        if (o.rotateKey) {
          await c.json({ method: 'POST', path: '/cluster/key-encryption-key/rotate' });
          out.write('Rotated the key-encryption key.\n');
        }
        if (expiryNs !== undefined)
          await c.json({ method: 'POST', path: '/cluster/join-token-expiry', body: { expiryNs } });
        if (certExpiryNs !== undefined)
          await c.json({ method: 'POST', path: '/cluster/update', body: { certExpiryNs } });
        if (autolock !== undefined) {
          const r = await c.json<{ unlockKey?: string }>({
            method: 'POST',
            path: '/cluster/autolock',
            body: { enabled: autolock },
          });
          if (r.unlockKey) out.write(unlockKeyText(r.unlockKey));
        }
        out.write('Cluster updated.\n');
      },
    );

  cluster
    .command('unlock')
    .description('Unlock locked managers (reads the unlock key from stdin, or prompts for it)')
    .option('--manager <addr>', 'unlock only the manager at this API address')
    .action(async (o: { manager?: string }) => {
      const key = await readUnlockKey(ctx());
      const context = new ContextStore().resolve(ctx().contextName);
      const addrs = o.manager ? [o.manager] : context.managers;
      let unlocked = 0;
      for (const addr of addrs) {
        try {
          await new ManagerClient({ ...context, managers: [addr] }).json({
            method: 'POST',
            path: '/cluster/unlock',
            body: { unlockKey: key },
          });
          unlocked++;
        } catch (err) {
          if (isFlotillaError(err) && err.code === 'CLUSTER_NOT_LOCKED' && addrs.length > 1)
            continue;
          if (isFlotillaError(err) && err.code === 'MANAGER_UNREACHABLE' && addrs.length > 1)
            continue;
          throw err;
        }
      }
      if (unlocked === 0) throw new FlotillaError('CLUSTER_NOT_LOCKED', {});
    });

  cluster
    .command('unlock-key')
    .description('Show or rotate the unlock key')
    .option('-q, --quiet', 'only display the key')
    .option('--rotate', 'rotate the unlock key')
    .action(async (o: { quiet?: boolean; rotate?: boolean }) => {
      const r = await managerClient(ctx()).json<{ unlockKey: string }>(
        o.rotate
          ? { method: 'POST', path: '/cluster/unlock-key/rotate' }
          : { path: '/cluster/unlock-key' },
      );
      if (o.quiet) return void ctx().out.write(r.unlockKey + '\n');
      if (o.rotate) ctx().out.write('Successfully rotated manager unlock key.\n\n');
      ctx().out.write(unlockKeyText(r.unlockKey));
    });
}

function parseBool(flag: string, v: string | boolean | undefined): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new FlotillaError('INVALID_FLAG_VALUE', { value: v, flag, reason: 'use true or false' });
}

function unlockKeyText(key: string): string {
  return (
    'To unlock a manager after it restarts, run the `flotilla cluster unlock`\n' +
    'command and provide the following key:\n\n' +
    `    ${key}\n\n` +
    'Remember to store this key in a password manager, since without it you\n' +
    'will not be able to restart the manager.\n'
  );
}

async function readUnlockKey(c: CliContext): Promise<string> {
  let text: string;
  if (process.stdin.isTTY) {
    c.err.write('Enter unlock key: ');
    text = await new Promise<string>((resolve) => {
      process.stdin.once('data', (d) => resolve(String(d)));
    });
    process.stdin.pause();
  } else text = await readAll(process.stdin);
  const key = text.trim();
  if (!key) throw new FlotillaError('INVALID_ARGUMENT', { detail: 'no unlock key given' });
  return key;
}
