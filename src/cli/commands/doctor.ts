// `doctor`: checks config, database, tokens and every API and account, and says how to fix each problem.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { formatDoctorReport, runDoctor } from '../../doctor';

export function register(program: Command, _ctx: CliContext): void {
  program
    .command('doctor')
    .description('check the config, the database, the tokens and that each API and account can be read; explain each problem and its fix (exit 1 if any check fails)')
    .action(async () => {
      // Not through ctx: a config that fails to load is one of the things doctor reports.
      const checks = await runDoctor({ env: process.env });
      process.stdout.write(formatDoctorReport(checks));
      if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
    });
}
