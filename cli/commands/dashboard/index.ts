// `flotilla dashboard --url`: asks the context's manager for a one-time login URL of its web
// dashboard, bound to this context's admin certificate and valid for a few minutes. Opening it
// in a browser starts a session (a cookie); the URL is spent once opened.
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';

export function registerDashboardCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('dashboard')
    .description("Print a one-time login URL for the manager's web dashboard")
    .option('--url', 'print the login URL (it works once, for a few minutes)')
    .option('--format <format>', 'json: the URL and its expiry as JSON')
    .action(async (o: { url?: boolean; format?: string }) => {
      if (!o.url)
        throw new FlotillaError('INVALID_FLAG_VALUE', {
          flag: '--url',
          value: '',
          reason: '`flotilla dashboard` only prints a login URL: give --url',
        });
      if (o.format !== undefined && o.format !== 'json')
        throw new FlotillaError('INVALID_FLAG_VALUE', {
          flag: '--format',
          value: o.format,
          reason: 'only json is supported',
        });
      const r = await managerClient(ctx()).json<{ url: string; expiresAt: string }>({
        method: 'POST',
        path: '/dashboard-logins',
      });
      ctx().out.write(o.format === 'json' ? JSON.stringify(r) + '\n' : `${r.url}\n`);
    });
}
