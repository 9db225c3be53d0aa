// Facebook Page history (Page Insights `page_follows`) written as `backfill` snapshots. History never
// replaces a reading taken by the API, entered by hand or imported (the writer's rule). A Page whose
// history fails keeps the windows that did arrive and records a `backfill:` failure of its own.
import type { AccountTarget, Collector, HistoryOutcome, HistoryPoint } from '../../../collectors/types';
import type { CollectRun } from './context';
import type { BackfillStats } from './types';

const DAY_MS = 86_400_000;
const HALF_DAY_MS = DAY_MS / 2;

/**
 * The date a `page_follows` value belongs to (DESIGN §3): a value whose end_time is day D+1 at 07:00 UTC
 * (08:00 in the northern winter: midnight Pacific time) is the audience at the end of day D, stored as the
 * snapshot of local date D, whatever the configured time zone.
 */
export function historyDay(endTime: number): number {
  return Math.floor((endTime - HALF_DAY_MS) / DAY_MS);
}

export async function runBackfill(run: CollectRun, collector: Collector, pages: AccountTarget[], days: number): Promise<BackfillStats | undefined> {
  if (!collector.backfill || pages.length === 0) return undefined;
  const t0 = Date.now();
  const b: BackfillStats = { accounts: pages.length, failed: 0, snapshotsWritten: 0, requests: 0, wallMs: 0 };
  let historiesDone = 0;
  const store = (accountId: number, points: HistoryPoint[]) =>
    run.writer.transaction(() => {
      const at = Date.now();
      for (const p of points) {
        if (run.writer.put({ accountId, day: historyDay(p.endTime), audience: p.audience, source: 'backfill', at })) b.snapshotsWritten++;
      }
    });
  await collector.backfill(
    pages,
    days,
    {
      report: (o: HistoryOutcome) => {
        const row = run.byId.get(o.accountId);
        if (!row) return;
        if (o.points?.length) store(o.accountId, o.points);
        if (!o.ok) {
          b.failed++;
          run.fail(row, o.error, true);
        }
        run.opts.onProgress?.(++historiesDone, pages.length, 'backfill');
      },
      countRequest: (n = 1) => (b.requests += n),
      log: run.collectorLog,
    },
    new Date(),
  );
  b.wallMs = Date.now() - t0;
  run.log.info('backfill finished', { days, accounts: b.accounts, failed: b.failed, snapshots: b.snapshotsWritten, requests: b.requests });
  return b;
}
