// The job table: each job is `{ name, cron, run }`, scheduled in the configured time zone. A job never
// overlaps itself, logs start, end and duration, and survives its own failure.
import cron, { type ScheduledTask } from 'node-cron';
import { createLogger, type Logger } from './log';

export interface Job {
  name: string;
  /** Cron expression (5 or 6 fields) in the configured time zone. */
  cron: string;
  run: () => Promise<unknown> | unknown;
}

export interface Scheduler {
  /** Runs a job now (if it is not already running); resolves when it ends. */
  runNow(name: string): Promise<'ran' | 'busy' | 'failed'>;
  nextRuns(): { name: string; next: Date | null }[];
  stop(): Promise<void>;
}

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

/** Wraps a job so that a second start while it runs is skipped, and failures are logged, not thrown. */
export function guarded(job: Job, log: Logger): () => Promise<'ran' | 'busy' | 'failed'> {
  let running = false;
  return async () => {
    if (running) {
      log.warn('job still running; this start is skipped', { job: job.name });
      return 'busy';
    }
    running = true;
    const started = Date.now();
    log.info('job started', { job: job.name });
    try {
      const result = await job.run();
      log.info('job finished', { job: job.name, duration_ms: Date.now() - started, ...(typeof result === 'object' && result ? summarise(result) : {}) });
      return 'ran';
    } catch (err) {
      log.error('job failed', { job: job.name, duration_ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) });
      return 'failed';
    } finally {
      running = false;
    }
  };
}

function summarise(result: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(result).filter(([, v]) => typeof v === 'number' || typeof v === 'string').slice(0, 8));
}

export function startScheduler(jobs: Job[], timezone: string, log: Logger = createLogger('scheduler')): Scheduler {
  const names = new Set<string>();
  const tasks: { name: string; task: ScheduledTask; run: () => Promise<'ran' | 'busy' | 'failed'> }[] = [];
  // Check every job before scheduling any, so a refused table leaves no timer running.
  for (const job of jobs) {
    if (names.has(job.name)) throw new Error(`job ${job.name} is scheduled twice`);
    names.add(job.name);
    if (!cron.validate(job.cron)) throw new Error(`job ${job.name}: invalid cron expression ${JSON.stringify(job.cron)}`);
  }
  for (const job of jobs) {
    const run = guarded(job, log);
    const task = cron.schedule(job.cron, () => run(), { timezone, name: job.name, noOverlap: true, logger: quiet });
    tasks.push({ name: job.name, task, run });
    log.info('job scheduled', { job: job.name, cron: job.cron, timezone, next: task.getNextRun()?.toISOString() });
  }
  return {
    runNow: (name) => {
      const t = tasks.find((x) => x.name === name);
      if (!t) throw new Error(`no job named ${name}`);
      return t.run();
    },
    nextRuns: () => tasks.map((t) => ({ name: t.name, next: t.task.getNextRun() })),
    stop: async () => {
      for (const t of tasks) await t.task.destroy();
    },
  };
}
