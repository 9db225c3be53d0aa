// `npx audience-growth <command>`: parses the command line, runs one command, maps errors to exit codes
// (0 success, 1 runtime failure, 2 bad usage or bad input).
import { Command, CommanderError } from 'commander';
import { InputError } from '../config';
import { createLogger, redact } from '../log';
import { ForeignDatabaseError, MigrationMismatchError, MissingDatabaseError } from '../../db';
import { DatabaseWriteError } from '../../db/write';
import { createCliContext, type CliContext } from './context';
import { registrationsFor, type Register } from './commands';

const log = createLogger('cli');

export function buildProgram(ctx: CliContext, registrations: readonly Register[]): Command {
  const program = new Command('audience-growth')
    .description('Tracks how the audience of an organisation\'s social-media channels grows against targets.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of registrations) register(program, ctx);
  // The top-level command's name (`user` for `user add`): decides whether a missing database may be made.
  program.hook('preAction', (_program, action) => {
    let c = action;
    while (c.parent && c.parent !== program) c = c.parent;
    ctx.command = c.name();
  });
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[], ctx: CliContext = createCliContext()): Promise<void> {
  const program = buildProgram(ctx, registrationsFor(argv));
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    code = exitCodeFor(err);
  } finally {
    ctx.close();
  }
  if (code !== 0 || process.exitCode === undefined) process.exitCode = code || process.exitCode;
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return 2; // commander has printed the usage error
  }
  if (err instanceof InputError || err instanceof MigrationMismatchError || err instanceof ForeignDatabaseError || err instanceof MissingDatabaseError) {
    process.stderr.write(`error: ${redact(err.message)}\n`);
    return 2;
  }
  if (err instanceof DatabaseWriteError) {
    process.stderr.write(`error: ${err.message}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  log.error('command failed', { error: message });
  if (process.env.DEBUG && err instanceof Error && err.stack) process.stderr.write(redact(err.stack) + '\n');
  return 1;
}
