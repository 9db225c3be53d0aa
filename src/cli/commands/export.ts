// `export <kind>`: snapshots, audience, growth or targets as csv, json or xlsx, to stdout or --out.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { InputError } from '../../config';
import { exportKinds, streamExport } from '../../exports';
import { FORMATS, writeRows, type Format } from '../../export-format';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('export snapshots, audience, growth, targets, posts, publications or rubrics')
    .argument('<kind>', 'snapshots | audience | growth | targets | posts | publications | rubrics')
    .option('--org <slug>', 'organisation (its whole subtree)')
    .option('--platform <p>', 'facebook | instagram | telegram | newspaper | social (default social; snapshots default to all)')
    .option('--from <date>', 'first local date, YYYY-MM-DD')
    .option('--to <date>', 'last local date, YYYY-MM-DD')
    .option('--date <date>', 'targets: the day the figures are computed for (default today)')
    .option('--format <f>', 'csv | json | xlsx', 'csv')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (kind: string, opts: { org?: string; platform?: string; from?: string; to?: string; date?: string; format: string; out?: string }) => {
      if (!(FORMATS as readonly string[]).includes(opts.format)) {
        throw new InputError(`must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}`, undefined, undefined, '--format');
      }
      const { exporters } = ctx.services();
      if (!exportKinds(exporters).includes(kind)) throw new InputError(`must be one of ${exportKinds(exporters).join(', ')}, got ${JSON.stringify(kind)}`, undefined, undefined, 'kind');
      const { columns, rows } = streamExport(exporters, kind, ctx.db(), opts, ctx.config());
      await writeRows(rows, columns, opts.format as Format, opts.out, kind);
    });
}
