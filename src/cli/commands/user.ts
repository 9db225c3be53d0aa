// `user add --login L --role R [--org SLUG]`: the password comes from stdin or a hidden prompt.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { addUser } from '../../auth';
import { InputError } from '../../config';

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
  user.commands.forEach((c) => c.exitOverride());
}
