// `demo [--port N] [--db FILE]`: the whole product against the built-in API emulator with two years of
// sample history, in its own database; prints the URL, a login and where the bot's posts can be seen.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { InputError } from '../../config';
import { createLogger, setLogLevel } from '../../log';
import { DEFAULT_DEMO_DB, startDemo } from '../../demo';

const log = createLogger('demo');

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n > 65535) throw new InputError(`must be a port number 0-65535 (0: any free port), got ${JSON.stringify(v)}`, undefined, undefined, '--port');
  return n;
}

export function register(program: Command, _ctx: CliContext): void {
  program
    .command('demo')
    .description('run everything (web, bot, scheduler) against the built-in API emulator with two years of sample data, in its own database; prints the URL and a login')
    .option('--port <n>', 'web port (0: any free port); default PORT, else 3000', parsePort)
    .option('--db <file>', 'the demo database, deleted and made afresh at every start (never DATABASE_PATH)', DEFAULT_DEMO_DB)
    .action(async (o: { port?: number; db: string }) => {
      // The demo's own steps are the output; service logs only when something goes wrong.
      if (!process.env.LOG_LEVEL) setLogLevel('warn');
      const out = (s: string) => process.stdout.write(s + '\n');
      out('Starting the audience-growth demo (sample data; nothing is sent to Facebook or Telegram)…');
      const demo = await startDemo({ port: o.port, dbPath: o.db, say: out });
      out('');
      out(`Ready in ${(demo.readyMs / 1000).toFixed(1)} s.`);
      out('');
      out(`  Web pages:   ${demo.url}`);
      out(`  Log in:      ${demo.login} / ${demo.password}   (an admin; the password is new at every start)`);
      out(`  Bot posts:   ${demo.emulatorUrl}/__emulator/messages   (the weekly summary of ${demo.week} is there)`);
      out(`  Emulator:    ${demo.emulatorUrl}   (Graph API + Bot API; counters: GET /__emulator/stats)`);
      out(`  Database:    ${demo.dbPath}   (demo only, made afresh at every start)`);
      out('');
      out('Press Ctrl+C to stop.');
      await new Promise<void>((resolve) => {
        const onSignal = (signal: string) => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          out(`\nStopping the demo (${signal})…`);
          demo.stop().then(
            () => resolve(),
            (err: unknown) => {
              log.error('stopping the demo failed', { error: err as Error });
              process.exitCode = 1;
              resolve();
            },
          );
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
      out('Demo stopped.');
    });
}
