// `token create --role R [--org SLUG] [--name N]`: prints a new API token, alone, on stdout (shown once).
// `token list`: the tokens without their values (only hashes are stored). `token revoke --name N | --id N`.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { createApiToken } from '../../auth';
import { InputError } from '../../config';
import { listTokens, localDateTime, revokeToken, textTable, tokenById, tokenByName } from '../../admin/users';

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
  token
    .command('list')
    .description('list the API tokens (never their values: only hashes are stored)')
    .action(() => {
      const tz = ctx.config().timezone;
      const rows = listTokens(ctx.db()).map((t) => [String(t.id), t.name ?? '-', t.role, t.org_slug ?? '-', localDateTime(t.created_at, tz), localDateTime(t.last_used_at, tz), t.revoked_at === null ? '-' : localDateTime(t.revoked_at, tz)]);
      process.stdout.write(textTable(['id', 'name', 'role', 'org', 'created', 'last used', 'revoked'], rows));
    });
  token
    .command('revoke')
    .description('revoke an API token by its name or id (see token list): its next request is refused')
    .option('--name <name>', 'the name the token was created with')
    .option('--id <id>', 'the id token list shows')
    .action((opts: { name?: string; id?: string }) => {
      if ((opts.name === undefined) === (opts.id === undefined)) throw new InputError('give either --name or --id', undefined, undefined, '--name');
      const db = ctx.db();
      let t;
      if (opts.id !== undefined) {
        if (!/^[1-9]\d{0,15}$/.test(opts.id)) throw new InputError(`must be a token id as token list shows it, got ${JSON.stringify(opts.id)}`, undefined, undefined, '--id');
        t = tokenById(db, Number(opts.id));
        if (!t) throw new InputError(`no API token has the id ${opts.id} (see token list)`, undefined, undefined, '--id');
      } else {
        t = tokenByName(db, opts.name!);
      }
      const label = `API token ${t.id}${t.name ? ` (${t.name})` : ''}`;
      process.stdout.write(revokeToken(db, { actor: 'cli' }, t) ? `${label} revoked\n` : `${label} was already revoked\n`);
    });
  token.commands.forEach((c) => c.exitOverride());
}
