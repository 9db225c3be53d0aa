// `user add --login L --role R [--org SLUG]` (the password comes from stdin or a hidden prompt), `user list`,
// `user disable --login L` (its sessions end at once; not the last enabled admin), `user enable --login L`.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { addUser } from '../../auth';
import { InputError } from '../../config';
import { disableUser, enableUser, listUsers, localDateTime, textTable, userByLogin } from '../../admin/users';

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  process.stderr.write('password: ');
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  let pw = '';
  return new Promise((resolve, reject) => {
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          return resolve(pw);
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          return reject(new InputError('cancelled', undefined, undefined, 'password'));
        }
        if (ch === '\u007f') pw = pw.slice(0, -1);
        else pw += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export function register(program: Command, ctx: CliContext): void {
  const user = program.command('user').description('manage users who log in to the web pages');
  user
    .command('add')
    .description('add a user; the password is read from stdin, or asked for on a terminal')
    .requiredOption('--login <login>', 'login name')
    .requiredOption('--role <role>', 'admin | editor | viewer')
    .option('--org <slug>', 'for an editor: the organisation whose subtree it edits')
    .action(async (opts: { login: string; role: string; org?: string }) => {
      const password = await readPassword();
      addUser(ctx.db(), { login: opts.login, role: opts.role, org: opts.org, password });
      process.stdout.write(`user ${opts.login} added (${opts.role}${opts.org ? `, ${opts.org}` : ''})\n`);
    });
  user
    .command('list')
    .description('list the users: login, role, organisation, when created, and whether disabled')
    .action(() => {
      const tz = ctx.config().timezone;
      const rows = listUsers(ctx.db()).map((u) => [u.login, u.role, u.org_slug ?? '-', localDateTime(u.created_at, tz), u.disabled_at === null ? 'active' : `disabled ${localDateTime(u.disabled_at, tz)}`]);
      process.stdout.write(textTable(['login', 'role', 'org', 'created', 'state'], rows));
    });
  const known = (login: string) => {
    const u = userByLogin(ctx.db(), login);
    if (!u) throw new InputError(`no user ${JSON.stringify(login)} (see user list)`, undefined, undefined, '--login');
    return u;
  };
  user
    .command('disable')
    .description('disable a user: it can no longer sign in and its open sessions end at once')
    .requiredOption('--login <login>', 'login name')
    .action((opts: { login: string }) => {
      const changed = disableUser(ctx.db(), { actor: 'cli' }, known(opts.login), '--login');
      process.stdout.write(changed ? `user ${opts.login} disabled\n` : `user ${opts.login} was already disabled\n`);
    });
  user
    .command('enable')
    .description('let a disabled user sign in again')
    .requiredOption('--login <login>', 'login name')
    .action((opts: { login: string }) => {
      const changed = enableUser(ctx.db(), { actor: 'cli' }, known(opts.login));
      process.stdout.write(changed ? `user ${opts.login} enabled\n` : `user ${opts.login} was not disabled\n`);
    });
  user.commands.forEach((c) => c.exitOverride());
}
