// `backup <file>`: an online backup of the live database (safe while serve and collect run).
import fs from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { InputError } from '../../config';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('backup')
    .description('write a consistent copy of the live database to a file (online; the service may keep running)')
    .argument('<file>', 'the backup file to write (must not exist)')
    .action(async (file: string) => {
      if (fs.existsSync(file)) throw new InputError('already exists: choose a new file name (backups never overwrite)', file);
      const started = Date.now();
      const tmp = `${file}.partial`;
      await ctx.db().backup(tmp);
      fs.renameSync(tmp, file);
      process.stdout.write(`backup written to ${file} (${fs.statSync(file).size} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    });
}
