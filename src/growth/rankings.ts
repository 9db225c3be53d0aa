// Rankings (DESIGN §4): orgs of one level ranked by a growth metric, with their rank in the previous period.
import type { Db } from '../../db';
import type { PlatformGroup } from '../domain/growth';
import { reachShare } from '../domain/growth';
import { inferPeriod, previousPeriod } from '../domain/periods';
import { competitionRanks, rankChange, type RankingMetric } from '../domain/rankings';
import { growthFor, newGrowthCache, type GrowthRow } from './growth';
import { loadTree, subtreeOf } from './tree';

export const RANKING_COLUMNS = [
  'org', 'level', 'platform', 'from', 'to', 'members', 'audience_start', 'audience_end', 'net_growth', 'growth_percent',
  'per_1000_members', 'reach_share', 'metric', 'rank', 'previous_rank', 'rank_change',
] as const;
export interface RankingRow extends GrowthRow {
  level: string;
  members: number | null;
  /** audience at the end of the period ÷ members */
  reach_share: number | null;
  metric: RankingMetric;
  rank: number | null;
  previous_rank: number | null;
  /** places gained against the previous period (positive = up) */
  rank_change: number | null;
}

/**
 * Orgs of one level ranked by a metric (default growth %), best first, unranked (undefined metric) last;
 * with their rank in the previous period of the same kind and length.
 */
export function rankings(
  db: Db,
  opts: { level: string; platform: PlatformGroup; from: string; to: string; metric?: RankingMetric; org?: string; prev?: { from: string; to: string }; previousValues?: boolean },
): (RankingRow & { previous_value?: number | null })[] {
  const metric = opts.metric ?? 'growth_percent';
  const nodes = subtreeOf(loadTree(db), opts.org).filter((n) => n.level === opts.level);
  // (a page may compare with another period, e.g. a year ago; `previousValues` adds the metric's value in it)
  const prev = opts.prev ?? previousPeriod(inferPeriod(opts.from, opts.to));
  const cache = newGrowthCache(); // the previous period ends the day before this one starts
  const cur = growthFor(db, nodes, opts.platform, opts.from, opts.to, cache);
  const before = growthFor(db, nodes, opts.platform, prev.from, prev.to, cache);
  const valueOf = (r: GrowthRow, i: number) => (metric === 'reach_share' ? reachShare(r.audience_end, nodes[i].members) : r[metric]);
  const ranks = competitionRanks(cur.map(valueOf));
  const prevRanks = competitionRanks(before.map(valueOf));
  // (literals, not spreads: the fields of GrowthRow, reach_share, then the ranking's, in this order)
  const rows: RankingRow[] = cur.map((r, i) => ({
    org: r.org,
    platform: r.platform,
    from: r.from,
    to: r.to,
    audience_start: r.audience_start,
    audience_end: r.audience_end,
    net_growth: r.net_growth,
    growth_percent: r.growth_percent,
    per_1000_members: r.per_1000_members,
    reach_share: reachShare(r.audience_end, nodes[i].members),
    level: nodes[i].level,
    members: nodes[i].members,
    metric,
    rank: ranks[i],
    previous_rank: prevRanks[i],
    rank_change: rankChange(ranks[i], prevRanks[i]),
    ...(opts.previousValues ? { previous_value: valueOf(before[i], i) } : {}),
  }));
  // slugs are [a-z0-9-]: plain code-unit order, much cheaper than localeCompare over 5,000 primaries
  return rows.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
}
