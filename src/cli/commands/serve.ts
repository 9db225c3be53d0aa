// `serve`: the production entry (`npm start`) — starts every long-running service and stops them on SIGINT/SIGTERM.
//
// Services are a list: each factory gets the shared context and returns something to start and stop, or
// null when it is not configured (e.g. no bot token). The web server is one of them; the scheduler and the
// Telegram bot add their factories to SERVICES. Services start in order and stop in reverse order.
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { createLogger } from '../../log';
import { createApp, createWebServer } from '../../../web/app';
import { botService } from '../../bot/service';
import { schedulerService } from '../../jobs/schedule';
import { ensureRollups } from '../../jobs/compute';
import { ensureInformationWork } from '../../publications/measures-data';
import { rubricsChanged } from '../../publications/classify';
import type { Services } from '../../services';

const log = createLogger('serve');

/** What every service is given: the wiring of src/services.ts. */
export type ServeContext = Services;

export interface Service {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type ServiceFactory = (ctx: ServeContext) => Service | null;

/**
 * Express `trust proxy` from TRUST_PROXY: unset/empty/false → no proxy; true → any; a number → that many hops;
 * anything else (addresses, `loopback`, CIDR lists) as Express reads it.
 */
export function trustProxySetting(value: string | undefined): boolean | number | string {
  const v = value?.trim();
  if (!v || v === 'false' || v === '0') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

/** The web dashboard and JSON API on config.env.port, behind sign-in (web/auth.ts). */
export const webService: ServiceFactory = (services) => {
  const { config } = services;
  const app = createApp({ ...services, trustProxy: trustProxySetting(process.env.TRUST_PROXY) });
  const server = createWebServer(app);
  return {
    name: 'web',
    start: () =>
      new Promise<void>((resolve, reject) => {
        // what changed while it was stopped (new rubrics in the config: every post again) is brought up to date
        // before the first visitor, who would otherwise wait for it
        const t0 = performance.now();
        // (new rubrics take minutes on a large union: said before, not only after)
        if (services.db.prepare('SELECT 1 FROM posts LIMIT 1').get() !== undefined && rubricsChanged(services.db, config.rubrics)) log.info('the rubrics changed: re-classifying every post before the web server starts');
        ensureRollups(services.db);
        ensureInformationWork(services.db, config.rubrics);
        const ms = Math.round(performance.now() - t0);
        if (ms >= 1000) log.info('figures brought up to date', { ms });
        server.once('error', reject);
        server.listen(config.env.port, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          log.info('web server listening', { url: `http://localhost:${port}/` });
          resolve();
        });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  };
};

/** Everything `serve` runs, in start order. The scheduler and the bot register here. */
export const SERVICES: ServiceFactory[] = [webService, schedulerService, botService];

/** Starts the services; the returned function stops the started ones in reverse order. */
export async function startServices(ctx: ServeContext, factories: ServiceFactory[] = SERVICES): Promise<() => Promise<void>> {
  const started: Service[] = [];
  const stopAll = async () => {
    for (const s of [...started].reverse()) {
      try {
        await s.stop();
        log.info('stopped', { service: s.name });
      } catch (err) {
        log.error('stop failed', { service: s.name, error: err as Error });
      }
    }
    started.length = 0;
  };
  try {
    for (const make of factories) {
      const service = make(ctx);
      if (!service) continue;
      await service.start();
      started.push(service);
      log.info('started', { service: service.name });
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return stopAll;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the web dashboard and JSON API (and the scheduler and bot when configured) until stopped')
    .action(async () => {
      const stop = await startServices(ctx.services());
      await new Promise<void>((resolve) => {
        const onSignal = (signal: string) => {
          log.info('shutting down', { signal });
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          stop().then(resolve, resolve);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
    });
}
