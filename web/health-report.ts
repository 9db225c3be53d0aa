// Collection health as one object: the page and /api/v1/health show the same thing.
import type { Db } from '../db';
import type { Level } from '../src/config';
import { fromEpochDay } from '../src/domain/dates';
import { STALE_AFTER_DAYS } from '../src/domain/staleness';
import { accountTrends, coverageGaps, healthAccounts, lastCollectAt, lastRuns, type AccountState, type AccountTrend, type RunRow } from './queries';

export interface HealthReport {
  date: string;
  last_collect_at: number | null;
  runs: RunRow[];
  failing: AccountState[];
  stale: AccountState[];
  /** Reading fine but fewer followers than 30 days before (the page only; not in /api/v1/health). */
  falling: AccountTrend[];
  /** Reading fine but exactly as many followers as 30 days before (the page only). */
  notGrowing: AccountTrend[];
  coverage: ReturnType<typeof coverageGaps>;
  accounts_total: number;
  accounts_open: number;
}

/**
 * Collection health of every account, or of those of the organisations `inScope` accepts (a subtree); coverage
 * gaps listed for the levels `gapLevels` accepts (default every level; the counts cover all).
 */
export function healthReport(db: Db, today: string, inScope?: (orgId: number) => boolean, gapLevels?: (level: Level) => boolean): HealthReport {
  const accounts = healthAccounts(db, today, inScope);
  const trends = accountTrends(db, today, inScope);
  return {
    date: today,
    last_collect_at: lastCollectAt(db),
    runs: lastRuns(db),
    failing: accounts.failing,
    stale: accounts.stale.sort((a, b) => (a.last_day ?? -1e9) - (b.last_day ?? -1e9)),
    falling: trends.falling,
    notGrowing: trends.notGrowing,
    coverage: coverageGaps(db, today, inScope, gapLevels),
    accounts_total: accounts.total,
    accounts_open: accounts.open,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function accountJson(a: AccountState) {
  return {
    org: a.org_slug,
    platform: a.platform,
    account: a.platform_id,
    title: a.title,
    last_date: a.last_day === null ? null : fromEpochDay(a.last_day),
    last_audience: a.last_audience,
    error_kind: a.error_kind,
    error_message: a.error_message,
    error_at: iso(a.error_at),
  };
}

/** The JSON shape of /api/v1/health: dates as YYYY-MM-DD, instants as ISO strings. */
export function healthJson(r: HealthReport) {
  return {
    date: r.date,
    last_collect_at: iso(r.last_collect_at),
    stale_after_days: STALE_AFTER_DAYS,
    accounts_total: r.accounts_total,
    accounts_open: r.accounts_open,
    runs: r.runs.map((x) => ({ ...x, started_at: iso(x.started_at), finished_at: iso(x.finished_at) })),
    failing: r.failing.map(accountJson),
    stale: r.stale.map(accountJson),
    coverage: {
      missing_by_level: r.coverage.counts,
      orgs_by_level: r.coverage.orgsByLevel,
      orgs: r.coverage.gaps.map((g) => ({ org: g.slug, level: g.level, missing: g.missing })),
    },
  };
}
