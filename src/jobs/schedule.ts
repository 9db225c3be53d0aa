// The `serve` scheduler for data jobs: the daily collect (06:00 in the configured zone by default),
// after which the rollups are brought up to date by the collect job's own hook. The bot's jobs
// (weekly summary, alerts) live with the bot service.
import type { Services } from '../services';
import { createLogger } from '../log';
import { startScheduler, type Job } from '../scheduler';
import { CollectBusyError, runCollect } from './collect';
import { botPolling } from '../posts/bot-polling';

const log = createLogger('jobs');

export function dataJobs(services: Services): Job[] {
  const { db, config, onSnapshotsChanged } = services;
  return [
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
      scheduler = startScheduler(dataJobs(services), services.config.timezone, log);
    },
    stop: async () => {
      await scheduler?.stop();
    },
  };
}
