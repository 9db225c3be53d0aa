// Today's reading of one platform's accounts through its collector: one snapshot (source `api`) per
// account read, one recorded failure per account not read — exactly one outcome per account, whatever the
// collector does. A collector that throws or forgets an account leaves a recorded gap, never a silent one.
import { localDate, toEpochDay } from '../../domain/dates';
import { CollectorError, redact } from '../../../collectors/http';
import type { AccountTarget, CollectedPlatform, CollectOutcome, Collector } from '../../../collectors/types';
import type { CollectRun } from './context';

export async function collectPlatform(run: CollectRun, platform: CollectedPlatform, accounts: AccountTarget[], collector: Collector | undefined): Promise<void> {
  const stats = run.stats(platform);
  if (!collector) {
    for (const a of accounts) {
      run.fail(run.byId.get(a.accountId)!, { kind: 'other', message: `no collector registered for ${platform}` });
      stats.failed++;
    }
    return;
  }
  const seen = new Set<number>();
  const t0 = Date.now();
  const report = (o: CollectOutcome) => {
    const accountId = o.ok ? o.reading.accountId : o.accountId;
    const row = run.byId.get(accountId);
    if (!row || seen.has(accountId)) return; // exactly once per account, whatever a collector does
    seen.add(accountId);
    if (o.ok) {
      const r = o.reading;
      run.storeReading(row, toEpochDay(localDate(run.timezone, new Date(r.at))), r.audience, r.at, r.title, r.resolvedId);
      stats.ok++;
    } else {
      run.fail(row, o.error);
      stats.failed++;
    }
    run.progress();
  };
  try {
    await collector.collect(accounts, { report, countRequest: (n = 1) => (stats.requests += n), log: run.collectorLog, posts: run.postsAlongside });
  } catch (e) {
    run.log.error('collector failed', { platform, error: redact((e as Error).message) });
  }
  for (const a of accounts) {
    if (!seen.has(a.accountId)) report({ ok: false, accountId: a.accountId, error: new CollectorError('other', 'the collector returned no reading') });
  }
  stats.wallMs = Date.now() - t0;
}
