// `compute [--full]`: brings the growth rollups up to date (incrementally, or rebuilt from all snapshots).
import type { Command } from 'commander';
import type { CliContext } from '../context';
import '../../growth-engine';
import { computeRollups } from '../../jobs/compute';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('compute')
    .description('update the precomputed growth rollups from the snapshots changed since the last run')
    .option('--full', 'rebuild all rollups from every snapshot')
    .action((opts: { full?: boolean }) => {
      const s = computeRollups(ctx.db(), { full: opts.full ?? false });
      process.stdout.write(`${s.mode} compute: ${s.accounts} accounts, ${s.pairs} org × platform series, ${s.chunks} chunks written in ${(s.ms / 1000).toFixed(2)} s\n`);
    });
}
