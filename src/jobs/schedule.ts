// The `serve` scheduler for data jobs: the daily collect (06:00 in the configured zone by default),
// after which the rollups are brought up to date by the collect job's own hook; and the database's
// `PRAGMA quick_check`, at start and daily (its last result is on /healthz). The bot's jobs
// (weekly summary, alerts) live with the bot service.
import type { Services } from '../services';
import { createLogger } from '../log';
import { startScheduler, type Job } from '../scheduler';
import { CollectBusyError, runCollect } from './collect';
import { botPolling } from '../posts/bot-polling';
import type { QuickCheck } from '../../db/integrity';

const log = createLogger('jobs');

/** When the daily `PRAGMA quick_check` runs (it also runs when `serve` starts). */
export const QUICK_CHECK_CRON = '30 3 * * *';

/** The integrity check: its result is what /healthz reports; damage is logged as an error. */
export function runQuickCheck(services: Services): QuickCheck {
  const r = services.integrity.run(services.db);
  if (r.ok) log.info('quick_check ok');
  else log.error('quick_check found damage in the database: restore a backup', { detail: r.detail });
  return r;
}

export function dataJobs(services: Services): Job[] {
  const { db, config, onSnapshotsChanged } = services;
  return [
    { name: 'quick-check', cron: QUICK_CHECK_CRON, run: () => ({ ok: String(runQuickCheck(services).ok) }) },
    {
      name: 'collect',
      cron: config.schedules.collect,
      run: async () => {
        try {
          const r = await runCollect({ db, config, onSnapshotsChanged, trigger: 'schedule', posts: true, takeUpdates: !botPolling(db) });
          return { run: r.runId, accounts: r.accountsTotal, ok: r.accountsOk, failed: r.accountsFailed, requests: r.requests };
        } catch (err) {
          // A manual `collect` started from the shell holds the lock: that run does the work.
          if (err instanceof CollectBusyError) {
            log.warn('scheduled collect skipped: another run is in progress', { holder_pid: err.holder.pid });
            return { skipped: 'busy' };
          }
          throw err;
        }
      },
    },
  ];
}

/** A `serve` service: the data-job scheduler. */
export function schedulerService(services: Services) {
  let scheduler: ReturnType<typeof startScheduler> | undefined;
  return {
    name: 'scheduler',
    start: async () => {
      runQuickCheck(services);
      scheduler = startScheduler(dataJobs(services), services.config.timezone, log);
    },
    stop: async () => {
      await scheduler?.stop();
    },
  };
}
