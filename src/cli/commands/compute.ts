// `compute [--full]`: brings the growth rollups up to date (incrementally, or rebuilt from all snapshots).
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { computeRollups, type ComputeProgress } from '../../jobs/compute';
import { createProgress, type Progress } from '../../progress';
import { classifyPosts } from '../../publications/classify';
import { ensureInformationWork } from '../../publications/measures-data';
import { updateRubricFigures } from '../../publications/rubric-figures';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('compute')
    .description('update the precomputed growth rollups from the snapshots changed since the last run')
    .option('--full', 'rebuild all rollups from every snapshot')
    .option('--rubrics', 're-classify every post with the configured rubrics (editors\' decisions are kept), then recount rubrics')
    .action((opts: { full?: boolean; rubrics?: boolean }) => {
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
      const db = ctx.db();
      const rubrics = ctx.config().rubrics;
      if (opts.rubrics) {
        const bar = createProgress('rubrics', 0, { unit: 'posts', since: Date.now() });
        let c;
        try {
          c = classifyPosts(db, rubrics, { full: true, onProgress: (done, total) => bar.update(done, total) });
        } finally {
          bar.stop();
        }
        const r = updateRubricFigures(db, { full: true });
        const rate = c.posts / Math.max(c.ms / 1000, 1e-9);
        process.stdout.write(
          `rubrics: ${c.posts} posts re-classified (${c.matched} with a rubric) in ${(c.ms / 1000).toFixed(2)} s, ${Math.round(rate)} posts/s; ${r.rows} rubric series rows in ${(r.ms / 1000).toFixed(2)} s\n`,
        );
      }
      ensureInformationWork(db, rubrics);
    });
}
