// The bot as a `serve` service: the outbox sender, the command bot (long polling, or a webhook when
// configured), and its jobs — the weekly summary (Monday 09:00 in the configured zone by default) and
// the alert check.
import { POST_UPDATE_TYPES, savePostUpdates, type TgUpdate } from '../posts/telegram-updates';
import { markBotPolling } from '../posts/bot-polling';
import crypto from 'node:crypto';
import type { Telegraf } from 'telegraf';
import type { Db } from '../../db';
import type { AppConfig, Language } from '../config';
import { lastCompletePeriod, isoWeekLabel } from '../domain/periods';
import { ensureRollups } from '../jobs/compute';
import { createLogger, redact } from '../log';
import { recordBotState, type BotState } from './state';
import { startScheduler, type Job, type Scheduler } from '../scheduler';
import { checkAlerts, type AlertCounts } from './alerts';
import { createBot } from './commands';
import { Outbox, Sender, type SenderOptions } from './outbox';
import { queueWeeklySummaries, type QueuedSummary } from './summary';
import { createTelegram, telegramSendApi } from './telegram';

const log = createLogger('bot');

/** How often serve looks for new alerts (also right after the weekly summary). */
export const ALERTS_CRON = '*/15 * * * *';

/** The ISO week just ended, as 'YYYY-Www', in the configured time zone. */
export function lastWeekLabel(config: AppConfig, now = new Date()): string {
  return isoWeekLabel(lastCompletePeriod('week', config.timezone, now).from);
}

/** The weekly-summary job: queues the week just ended for every destination chat. */
export function runWeeklySummary(db: Db, config: AppConfig, outbox: Outbox, opts: { week?: string; now?: Date; lang?: Language } = {}): QueuedSummary[] {
  ensureRollups(db);
  const week = opts.week ?? lastWeekLabel(config, opts.now);
  const queued = queueWeeklySummaries(db, config, outbox, week, { lang: opts.lang });
  log.info('weekly summary queued', { week, chats: queued.length, posts: queued.reduce((n, q) => n + q.queued.length, 0) });
  return queued;
}

export function runAlertCheck(db: Db, config: AppConfig, outbox: Outbox, now = new Date()): AlertCounts {
  ensureRollups(db);
  return checkAlerts(db, config, outbox, now);
}

/** The bot's scheduled jobs, in the shape of src/scheduler.ts's job table. */
export function botJobs(db: Db, config: AppConfig, outbox: Outbox, sender?: Sender): Job[] {
  return [
    {
      name: 'weekly-summary',
      cron: config.schedules.weeklySummary,
      run: () => {
        const queued = runWeeklySummary(db, config, outbox);
        sender?.kick();
        return { chats: queued.length };
      },
    },
    {
      name: 'bot-alerts',
      cron: ALERTS_CRON,
      run: () => {
        const counts = runAlertCheck(db, config, outbox);
        sender?.kick();
        return counts;
      },
    },
  ];
}

export interface BotService {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Runs one of the bot's jobs now ('weekly-summary', 'bot-alerts'); for tests, the demo and admins. */
  runNow(job: string): Promise<'ran' | 'busy' | 'failed'>;
  nextRuns(): { name: string; next: Date | null }[];
  readonly outbox: Outbox;
  readonly sender: Sender;
  readonly bot: Telegraf;
}

export interface BotServiceOptions {
  /** Skip launching the command bot (polling/webhook); the sender and the jobs still run. */
  commands?: boolean;
  sender?: SenderOptions;
  /** Pauses between tries of a failed start (tests use short ones). */
  retry?: RetryPolicy;
}

/**
 * Everything the bot does under `serve`; null when TELEGRAM_BOT_TOKEN is not set. The command bot uses
 * long polling, or a webhook when `telegram.webhook` is configured.
 */
export function createBotService(ctx: { db: Db; config: AppConfig }, opts: BotServiceOptions = {}): BotService | null {
  const { db, config } = ctx;
  if (!config.env.telegramBotToken) {
    log.info('TELEGRAM_BOT_TOKEN is not set: the bot is off');
    return null;
  }
  const outbox = new Outbox(db);
  const sender = new Sender(outbox, telegramSendApi(createTelegram(config)), opts.sender);
  const bot = createBot({ db, config });
  let scheduler: Scheduler | undefined;
  let supervisor: { stop(): Promise<void> } | undefined;
  let pollingBeat: NodeJS.Timeout | undefined;
  let webhookStopped: (() => void) | undefined;
  return {
    name: 'bot',
    outbox,
    sender,
    bot,
    runNow: (job) => {
      if (!scheduler) throw new Error('the bot service is not started');
      return scheduler.runNow(job);
    },
    nextRuns: () => scheduler?.nextRuns() ?? [],
    async start() {
      sender.start();
      scheduler = startScheduler(botJobs(db, config, outbox, sender), config.timezone, createLogger('bot.jobs'));
      if (opts.commands === false) return;
      // Channel posts of channels where the bot is an administrator (DESIGN §11): stored as they arrive.
      const storePost = (update: unknown) => {
        try {
          savePostUpdates(db, config.timezone, [update as TgUpdate]);
        } catch (err) {
          log.error('storing a channel post failed', { error: err as Error });
        }
      };
      bot.on('channel_post', (c) => storePost(c.update));
      bot.on('edited_channel_post', (c) => storePost(c.update));
      const hook = config.telegram.webhook;
      const launchOpts = hook
        ? {
            webhook: {
              domain: hook.domain,
              port: hook.port ?? 8443,
              hookPath: hook.path ?? '/telegram/webhook',
              // Telegram sends this header with every update, so strangers cannot post fake updates.
              secretToken: crypto.createHash('sha256').update(`webhook:${config.env.telegramBotToken}`).digest('hex').slice(0, 48),
            },
          }
        : { dropPendingUpdates: false };
      // Set explicitly: Telegram keeps the previous setting when it is left out.
      const allowedUpdates = ['message', ...POST_UPDATE_TYPES] as ('message' | 'channel_post' | 'edited_channel_post')[];
      // collect leaves the channel posts to this service while it takes updates (polling or webhook: Telegram
      // refuses getUpdates with 409 while a webhook is set, so collect must not poll then either) — marked
      // only while it really does
      const beat = () => {
        try {
          markBotPolling(db, true);
        } catch (err) {
          log.warn('marking the bot as polling failed', { error: err as Error });
        }
      };
      supervisor = superviseLaunch({
        db,
        retry: opts.retry,
        mode: hook ? 'webhook' : 'polling',
        // getMe and deleteWebhook first, so the state turns to polling only once Telegram has answered both
        // (launch() then skips getMe and asks deleteWebhook once more); launch() resolves when polling stops,
        // or fails.
        start: async (running) => {
          bot.botInfo = await bot.telegram.getMe();
          if (!hook) await bot.telegram.deleteWebhook({ drop_pending_updates: false });
          if (!running()) return;
          await bot.launch({ ...launchOpts, allowedUpdates });
          // with a webhook, launch() resolves once the webhook is set: the bot runs until stopped
          if (hook) await new Promise<void>((resolve) => (webhookStopped = resolve));
        },
        onRunning: () => {
          beat();
          pollingBeat ??= setInterval(beat, 30_000);
          pollingBeat.unref();
          log.info(hook ? 'bot listening for webhook updates' : 'bot polling for updates', hook ? { domain: hook.domain, port: hook.port ?? 8443 } : {});
        },
        onDown: () => {
          if (pollingBeat) clearInterval(pollingBeat);
          pollingBeat = undefined;
          try {
            markBotPolling(db, false);
          } catch {
            // the heartbeat goes stale by itself
          }
        },
        stopBot: () => {
          try {
            bot.stop('serve stopping');
          } catch {
            // not running
          }
          webhookStopped?.();
        },
      });
    },
    async stop() {
      await supervisor?.stop();
      supervisor = undefined;
      await scheduler?.stop();
      await sender.stop();
    },
  };
}

export interface RetryPolicy {
  /** First pause after a failed start; doubles up to maxMs. */
  firstMs?: number;
  maxMs?: number;
}

/**
 * Starts the command bot and keeps it started: a failed start (getMe, deleteWebhook, polling) or polling that
 * stops by itself is tried again after a pause that doubles up to 5 minutes, forever, until `stop()`. Each
 * change of state is logged once and recorded in bot_state (the collection health page shows it); the same
 * failure again while retrying is not logged again.
 */
export function superviseLaunch(o: {
  db: Db;
  mode: 'polling' | 'webhook';
  retry?: RetryPolicy;
  /** Starts the bot; calls `running()` once Telegram answered the start requests (false: stop instead). */
  start: (running: () => boolean) => Promise<void>;
  onRunning: () => void;
  onDown: () => void;
  stopBot: () => void;
}): { stop(): Promise<void> } {
  const firstMs = o.retry?.firstMs ?? 1_000;
  const maxMs = o.retry?.maxMs ?? 300_000;
  let stopped = false;
  let wake: (() => void) | undefined;
  let signalStop = () => {};
  let launched: Promise<void> | undefined;
  const stopSignal = new Promise<void>((resolve) => (signalStop = resolve));
  let state: BotState | undefined;
  let since = Date.now();
  let lastLogged = '';
  const set = (next: BotState, extra: { attempts?: number; error?: string; nextAttemptAt?: number } = {}) => {
    if (next !== state) {
      state = next;
      since = Date.now();
    }
    try {
      recordBotState(o.db, { state: next, since, attempts: extra.attempts ?? 0, error: extra.error, nextAttemptAt: extra.nextAttemptAt });
    } catch (err) {
      log.warn('recording the bot state failed', { error: err as Error });
    }
  };
  const loop = (async () => {
    let delay = firstMs;
    let attempts = 0;
    set('starting');
    while (!stopped) {
      let failure: string;
      try {
        const started = o.start(() => {
          if (stopped) return false;
          attempts = 0;
          delay = firstMs;
          lastLogged = '';
          set(o.mode);
          o.onRunning();
          return true;
        });
        started.catch(() => {}); // after stop() it is waited for 2 s at most (telegraf winds polling down)
        launched = started;
        await Promise.race([started, stopSignal]);
        failure = 'polling stopped by itself';
      } catch (err) {
        failure = redact(err instanceof Error ? err.message : String(err));
      }
      o.onDown();
      if (stopped) break;
      attempts++;
      const nextAttemptAt = Date.now() + delay;
      set('retrying', { attempts, error: failure, nextAttemptAt });
      if (failure !== lastLogged) {
        lastLogged = failure;
        log.error('the bot could not start or stopped; it keeps trying', { error: failure, retry_in_ms: delay });
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      delay = Math.min(delay * 2, maxMs);
    }
    set('stopped');
  })();
  return {
    async stop() {
      stopped = true;
      signalStop();
      o.stopBot();
      wake?.();
      await loop;
      await Promise.race([launched, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    },
  };
}

/** `serve`'s factory (add to SERVICES in src/cli/commands/serve.ts). */
export const botService = (ctx: { db: Db; config: AppConfig }): BotService | null => createBotService(ctx);
