// `compute [--full]`: brings the growth rollups up to date (incrementally, or rebuilt from all snapshots).
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { computeRollups, type ComputeProgress } from '../../jobs/compute';
import { createProgress, type Progress } from '../../progress';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('compute')
    .description('update the precomputed growth rollups from the snapshots changed since the last run')
    .option('--full', 'rebuild all rollups from every snapshot')
    .action((opts: { full?: boolean }) => {
      const started = Date.now();
      let phase: string | undefined;
      let progress: Progress | undefined;
      const onProgress: ComputeProgress = (done, total, p) => {
        if (p !== phase) {
          progress?.stop();
          phase = p;
          progress = createProgress('compute', total, { unit: p === 'accounts' ? 'accounts' : 'org × platform series', since: started });
        }
        progress!.update(done, total);
      };
      let s;
      try {
        s = computeRollups(ctx.db(), { full: opts.full ?? false, onProgress });
      } finally {
        progress?.stop();
      }
      process.stdout.write(`${s.mode} compute: ${s.accounts} accounts, ${s.pairs} org × platform series, ${s.chunks} chunks written in ${(s.ms / 1000).toFixed(2)} s\n`);
    });
}
