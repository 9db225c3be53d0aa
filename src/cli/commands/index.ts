// The CLI's commands, one module each, registered in this order (the order `--help` lists them). Each module is
// loaded only when needed: a command line naming one command loads that one (`import-audience` does not load the
// web server, the bot or the Graph SDK: less start-up time and memory), anything else loads them all.
import type { Command } from 'commander';
import type { CliContext } from '../context';

export type Register = (program: Command, ctx: CliContext) => void;

type Loader = () => { register: Register };


export const commands: ReadonlyArray<readonly [name: string, load: Loader]> = [
  ['import', () => require('./import') as typeof import('./import')],
  ['import-audience', () => require('./import-audience') as typeof import('./import-audience')],
  ['export', () => require('./export') as typeof import('./export')],
  ['compute', () => require('./compute') as typeof import('./compute')],
  ['backup', () => require('./backup') as typeof import('./backup')],
  ['collect', () => require('./collect') as typeof import('./collect')],
  ['emulator', () => require('./emulator') as typeof import('./emulator')],
  ['user', () => require('./user') as typeof import('./user')],
  ['token', () => require('./token') as typeof import('./token')],
  ['summary', () => require('./summary') as typeof import('./summary')],
  ['doctor', () => require('./doctor') as typeof import('./doctor')],
  ['serve', () => require('./serve') as typeof import('./serve')],
  ['demo', () => require('./demo') as typeof import('./demo')],
];

/** The registrations for a command line: its command's alone when it names one, else every command's. */
export function registrationsFor(argv: readonly string[]): Register[] {
  const named = commands.find(([name]) => name === argv[0]);
  return (named ? [named] : commands).map(([, load]) => load().register);
}
