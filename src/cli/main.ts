// `npx audience-growth <command>`: parses the command line, runs one command, maps errors to exit codes
// (0 success, 1 runtime failure, 2 bad usage or bad input).
import { Command, CommanderError } from 'commander';
import { InputError } from '../config';
import { createLogger, redact } from '../log';
import { MigrationMismatchError } from '../../db';
import { createCliContext, type CliContext } from './context';
import { commands } from './commands';

const log = createLogger('cli');

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('audience-growth')
    .description('Tracks how the audience of an organisation\'s social-media channels grows against targets.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of commands) register(program, ctx);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[], ctx: CliContext = createCliContext()): Promise<void> {
  const program = buildProgram(ctx);
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
  if (err instanceof InputError || err instanceof MigrationMismatchError) {
    process.stderr.write(`error: ${redact(err.message)}\n`);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  log.error('command failed', { error: message });
  if (process.env.DEBUG && err instanceof Error && err.stack) process.stderr.write(redact(err.stack) + '\n');
  return 1;
}
