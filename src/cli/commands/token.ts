// `token create --role R [--org SLUG] [--name N]`: prints a new API token, alone, on stdout (shown once).
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { createApiToken } from '../../auth';

export function register(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('manage API tokens for /api/v1 (Bearer)');
  token
    .command('create')
    .description('create an API token; it is printed once and stored only as a hash')
    .requiredOption('--role <role>', 'admin | editor | viewer')
    .option('--org <slug>', 'for an editor: the organisation whose subtree it may change')
    .option('--name <name>', 'a name to recognise the token by')
    .action((opts: { role: string; org?: string; name?: string }) => {
      process.stdout.write(createApiToken(ctx.db(), opts) + '\n');
    });
  token.commands.forEach((c) => c.exitOverride());
}
