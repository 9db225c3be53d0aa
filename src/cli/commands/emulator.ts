// `emulator --port N [--seed S] [--latency MS]`: the Graph API + Bot API emulator alone, until stopped.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { InputError } from '../../config';
import { startEmulator } from '../../../collectors/emulator';

function intOption(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || n < min || n > max) throw new InputError(`must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`, undefined, undefined, name);
    return n;
  };
}

export function register(program: Command, _ctx: CliContext): void {
  program
    .command('emulator')
    .description('run the Facebook Graph API + Telegram Bot API emulator on one port (for the demo, tests and trying things out)')
    .option('--port <n>', 'port to listen on (0: any free port)', intOption('--port', 0, 65535), 8090)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <seed>', 'seed of the deterministic audiences', '1')
    .option('--latency <ms>', 'delay added to every answer', intOption('--latency', 0, 60_000), 0)
    .option('--unknown <ids>', 'comma-separated Page/IG ids or chats that do not exist')
    .option('--invalid-token <tokens>', 'comma-separated tokens answered as expired')
    .option('--page-tasks <tokens>', 'comma-separated system-user tokens that have a task on every Page (others get no Page token)')
    .option('--app-secret <secret>', 'require appsecret_proof made with this app secret on every Graph call')
    .action(async (o: { port: number; host: string; seed: string; latency: number; unknown?: string; invalidToken?: string; pageTasks?: string; appSecret?: string }) => {
      const list = (s?: string) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);
      const emu = await startEmulator({
        port: o.port,
        host: o.host,
        seed: o.seed,
        latencyMs: o.latency,
        unknownIds: list(o.unknown),
        invalidTokens: list(o.invalidToken),
        pageTasks: Object.fromEntries(list(o.pageTasks).map((t) => [t, '*' as const])),
        appSecret: o.appSecret,
      });
      process.stdout.write(
        `emulator listening on ${emu.url} (seed ${o.seed}, latency ${o.latency} ms)\n` +
          `  FACEBOOK_GRAPH_URL=${emu.url}\n  INSTAGRAM_GRAPH_URL=${emu.instagramUrl}\n  TELEGRAM_API_ROOT=${emu.url}\n` +
          `  sent messages: GET ${emu.url}/__emulator/messages · counters: GET ${emu.url}/__emulator/stats\n` +
          'as strict as Meta: Insights need Page tokens, given only to --page-tasks tokens; press Ctrl+C to stop\n',
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void emu.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
