// `login` and `logout`, and the registry credentials the image commands send to the agent in
// X-Registry-Auth. Credentials live with the CLI user (CredentialStore, <cliConfigDir()>/auth.json),
// never in the agent: a shared engine must not hold people's passwords.
import type { Command } from 'commander';
import { CredentialStore, registryKey } from '../../registry/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { readAll } from '../../clients/agent-client.js';
import type { CliContext } from '../../context.js';

export function registerAuthCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('login')
    .description('Log in to a registry')
    .argument('[server]', 'registry host[:port]', 'docker.io')
    .option('-u, --username <username>', 'username')
    .option('-p, --password <password>', 'password')
    .option('--password-stdin', 'take the password from stdin')
    .action(
      async (
        server: string,
        o: { username?: string; password?: string; passwordStdin?: boolean },
      ) => {
        const c = ctx();
        let password = o.password;
        if (o.passwordStdin) {
          if (o.password)
            throw new FlotillaError('INVALID_ARGUMENT', {
              detail: '--password and --password-stdin are mutually exclusive',
            });
          password = (await readAll(process.stdin)).replace(/\r?\n$/, '');
        } else if (o.password) {
          c.err.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
        }
        if (!o.username || password === undefined)
          throw new FlotillaError('INVALID_ARGUMENT', {
            detail: 'login needs --username and --password or --password-stdin',
          });
        const key = registryKey(server);
        await c.agent().json({
          method: 'POST',
          path: '/auth',
          body: { serveraddress: key, username: o.username, password },
        });
        await new CredentialStore().set(key, { username: o.username, password });
        c.out.write('Login Succeeded\n');
      },
    );

  program
    .command('logout')
    .description('Log out from a registry')
    .argument('[server]', 'registry host[:port]', 'docker.io')
    .action(async (server: string) => {
      const c = ctx();
      const key = registryKey(server);
      if (!(await new CredentialStore().remove(key))) {
        c.out.write(`Not logged in to ${key}\n`);
        return;
      }
      c.out.write(`Removing login credentials for ${key}\n`);
    });
}
