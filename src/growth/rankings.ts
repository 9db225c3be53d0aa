// Rankings (DESIGN §4): orgs of one level ranked by a growth metric, with their rank in the previous period.
import type { Db } from '../../db';
import type { GrowthFigures, PlatformGroup } from '../domain/growth';
import { reachShare } from '../domain/growth';
import { inferPeriod, previousPeriod } from '../domain/periods';
import { competitionRanks, rankChange, type RankingMetric } from '../domain/rankings';
import { growthEach, newGrowthCache, type GrowthRow } from './growth';
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
  const valueOf = (g: GrowthFigures, end: number | null, members: number | null): number | null => (metric === 'reach_share' ? reachShare(end, members) : g[metric]);
  // (literals, not spreads: the fields of GrowthRow, reach_share, then the ranking's, in this order; the
  // previous period only as the metric's values)
  const rows = growthEach(db, nodes, opts.platform, opts.from, opts.to, cache, (n, start, end, g) => ({
    org: n.slug,
    platform: opts.platform,
    from: opts.from,
    to: opts.to,
    audience_start: start,
    audience_end: end,
    net_growth: g.net_growth,
    growth_percent: g.growth_percent,
    per_1000_members: g.per_1000_members,
    reach_share: reachShare(end, n.members),
    level: n.level,
    members: n.members,
    metric,
    rank: null as number | null,
    previous_rank: null as number | null,
    rank_change: null as number | null,
  })) as (RankingRow & { previous_value?: number | null })[];
  const before = growthEach(db, nodes, opts.platform, prev.from, prev.to, cache, (n, _start, end, g) => valueOf(g, end, n.members));
  const ranks = competitionRanks(rows.map((r) => (metric === 'reach_share' ? r.reach_share : r[metric])));
  const prevRanks = competitionRanks(before);
  rows.forEach((r, i) => {
    r.rank = ranks[i];
    r.previous_rank = prevRanks[i];
    r.rank_change = rankChange(ranks[i], prevRanks[i]);
    if (opts.previousValues) r.previous_value = before[i];
  });
  // slugs are [a-z0-9-]: plain code-unit order, much cheaper than localeCompare over 5,000 primaries
  return rows.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
}
