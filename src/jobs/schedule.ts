// The `serve` scheduler for data jobs: the daily collect (06:00 in the configured zone by default),
// after which the rollups are brought up to date by the collect job's own hook. The bot's jobs
// (weekly summary, alerts) live with the bot service.
import type { Db } from '../../db';
import type { AppConfig } from '../config';
import { createLogger } from '../log';
import { startScheduler, type Job } from '../scheduler';
import { CollectBusyError, runCollect } from './collect';
import '../growth-engine';
import { afterSnapshotsChanged } from './hooks';

const log = createLogger('jobs');

export function dataJobs(db: Db, config: AppConfig): Job[] {
  return [
    {
      name: 'collect',
      cron: config.schedules.collect,
      run: async () => {
        try {
          const r = await runCollect({ db, config, trigger: 'schedule', onSnapshotsChanged: afterSnapshotsChanged });
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
export function schedulerService({ db, config }: { db: Db; config: AppConfig }) {
  let scheduler: ReturnType<typeof startScheduler> | undefined;
  return {
    name: 'scheduler',
    start: async () => {
      scheduler = startScheduler(dataJobs(db, config), config.timezone, log);
    },
    stop: async () => {
      await scheduler?.stop();
    },
  };
}
