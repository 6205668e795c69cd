// `flotilla cluster backup FILE` (an etcd snapshot of the store, through the manager API, written
// 0600 and never over an existing file) and `flotilla cluster restore FILE` (on a manager's
// machine, with that manager stopped: the snapshot becomes its embedded etcd's data).
import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { restoreEtcdSnapshot } from '../../../manager/index.js';
import { defaultDataRoot } from '../../../shared/config/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';

export function registerBackupCommands(cluster: Command, ctx: () => CliContext): void {
  cluster
    .command('backup')
    .description('Write a snapshot of the cluster store to FILE (secrets stay encrypted)')
    .argument('<file>', 'where to write it (must not exist; written 0600)')
    .action(async (file: string) => {
      const res = await managerClient(ctx()).stream({ path: '/cluster/backup' });
      let out;
      try {
        // wx: never over an existing file; 0600: whoever reads it reads the cluster's state.
        out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
        await new Promise<void>((resolve, reject) => {
          out!.once('open', () => resolve());
          out!.once('error', reject);
        });
      } catch (err) {
        res.destroy();
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: `cannot write ${file}: ${(err as Error).message}`,
        });
      }
      try {
        await pipeline(res, out);
      } catch (err) {
        rmSync(file, { force: true });
        throw err;
      }
      ctx().out.write(`backup written to ${file}\n`);
    });

  cluster
    .command('restore')
    .description(
      "Make FILE (from `cluster backup`) this machine's manager data; the manager must be stopped",
    )
    .argument('<file>', 'a file written by `flotilla cluster backup`')
    .option('--data-root <dir>', 'the manager data root', join(defaultDataRoot, 'manager'))
    .action(async (file: string, o: { dataRoot: string }) => {
      // The member starts on loopback; the first manager to join rewrites its peer URL.
      const { replaced } = await restoreEtcdSnapshot({ file, dataRoot: o.dataRoot });
      ctx().out.write(
        `restored ${file} into ${join(o.dataRoot, 'etcd')}` +
          (replaced ? ` (the data it replaced is in ${replaced})` : '') +
          '\nstart the manager on this data root; other managers join it again with --join\n',
      );
    });
}
