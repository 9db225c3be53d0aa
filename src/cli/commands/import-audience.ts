// `import-audience <file.csv>`: readings org,platform,account,date,audience; all-or-nothing.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { importAudience } from '../../import';
import { createProgress, type Progress } from '../../progress';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('import-audience')
    .description('import audience readings from CSV (org,platform,account,date,audience); nothing is written if any line is bad')
    .argument('<file>', 'CSV file with a header line')
    .action((file: string) => {
      const started = Date.now();
      let phase: string | undefined;
      let progress: Progress | undefined;
      const onProgress = (done: number, total: number, p: 'check' | 'write') => {
        if (p !== phase) {
          progress?.stop();
          phase = p;
          progress = createProgress('import-audience', total, { unit: p === 'check' ? 'lines checked' : 'readings written', since: started });
        }
        progress!.update(done, total);
      };
      const result = (() => {
        try {
          return importAudience(ctx.db(), file, { config: ctx.config(), onSnapshotsChanged: ctx.services().onSnapshotsChanged, onProgress });
        } finally {
          progress?.stop();
        }
      })();
      process.stdout.write(`${file}: ${result.written} readings imported from ${result.lines} lines in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    });
}
