// Rankings (DESIGN §4): orgs of one level ranked by a growth metric, with their rank in the previous period.
// Computed as columns (one Float64Array per figure, NaN = none) and sorted as numbers; a row object is made
// only for the rows asked for (a page of 100 of 50,000 primaries at ten times the union).
import type { Db } from '../../db';
import type { PlatformGroup } from '../domain/growth';
import { reachShare } from '../domain/growth';
import { inferPeriod, previousPeriod } from '../domain/periods';
import { competitionRanksOf, rankChange, type RankingMetric } from '../domain/rankings';
import { growthColumns, newGrowthCache, type GrowthRow } from './growth';
import { loadTree, subtreeOf, type OrgNode, type OrgTree } from './tree';

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

export type RankingRowWithPrevious = RankingRow & { previous_value?: number | null };

/** The figures of a ranking by position in `nodes`; NaN where the row has null. */
export interface RankingColumns {
  members: Float64Array;
  audience_start: Float64Array;
  audience_end: Float64Array;
  net_growth: Float64Array;
  growth_percent: Float64Array;
  per_1000_members: Float64Array;
  reach_share: Float64Array;
  rank: Float64Array;
  previous_rank: Float64Array;
  rank_change: Float64Array;
  /** the metric's value in the previous period */
  previous_value: Float64Array;
}

/** A ranking before its rows are made: columns, the ranking order, and rows on demand. */
export interface RankingTable {
  metric: RankingMetric;
  /** the orgs of the level in scope; the columns are by position in this list */
  nodes: ReadonlyArray<OrgNode>;
  count: number;
  /** how many orgs have a rank (they come first in `order`) */
  ranked: number;
  /** positions in ranking order: best first, equal ranks by slug, unranked last (by slug) */
  order: Int32Array;
  cols: RankingColumns;
  /** the row of the org at position `i` of `nodes` */
  row(i: number): RankingRowWithPrevious;
  /** the rows of `order[start..end)` (default: every row, in ranking order) */
  rows(start?: number, end?: number, order?: Int32Array): RankingRowWithPrevious[];
}

interface LevelList {
  nodes: OrgNode[];
  /** positions in `nodes` in slug order (plain code units: slugs are [a-z0-9-]) */
  bySlug: Int32Array;
}
const levelLists = new WeakMap<OrgTree, Map<string, LevelList>>();
/** The orgs of `level` in the subtree of `org` (or the whole tree), tree order; once per tree. Do not mutate. */
function levelNodes(tree: OrgTree, org: string | undefined, level: string): LevelList {
  let m = levelLists.get(tree);
  if (!m) levelLists.set(tree, (m = new Map()));
  const key = `${org ?? ''}\u0000${level}`;
  let list = m.get(key);
  if (!list) {
    const nodes = subtreeOf(tree, org).filter((n) => n.level === level);
    const bySlug = Int32Array.from(nodes.keys()).sort((a, b) => (nodes[a].slug < nodes[b].slug ? -1 : nodes[a].slug > nodes[b].slug ? 1 : 0));
    list = { nodes, bySlug };
    if (m.size >= 64) m.clear(); // a handful of scopes are asked for; not one entry per org of the tree
    m.set(key, list);
  }
  return list;
}

const nullable = (v: number): number | null => (Number.isNaN(v) ? null : v);

/**
 * Orgs of one level ranked by a metric (default growth %), as columns; rows are made by `rows()` for what is
 * shown. Ranks in the previous period of the same kind and length (or `prev`, e.g. a year ago); a page may
 * ask for the metric's value in it (`previousValues`).
 */
export function rankingTable(
  db: Db,
  opts: { level: string; platform: PlatformGroup; from: string; to: string; metric?: RankingMetric; org?: string; prev?: { from: string; to: string }; previousValues?: boolean },
): RankingTable {
  const metric = opts.metric ?? 'growth_percent';
  const tree = loadTree(db);
  const { nodes, bySlug } = levelNodes(tree, opts.org, opts.level);
  const count = nodes.length;
  const prev = opts.prev ?? previousPeriod(inferPeriod(opts.from, opts.to));
  const cache = newGrowthCache(); // the previous period ends the day before this one starts
  const now = growthColumns(db, nodes, opts.platform, opts.from, opts.to, cache);
  const before = growthColumns(db, nodes, opts.platform, prev.from, prev.to, cache);
  // (loops, not Float64Array.from with a function: 50,000 calls through it cost tens of milliseconds)
  const members = new Float64Array(count);
  for (let i = 0; i < count; i++) members[i] = nodes[i].members ?? NaN;
  const reach = (end: Float64Array): Float64Array => {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = reachShare(nullable(end[i]), nodes[i].members) ?? NaN;
    return out;
  };
  const reachNow = reach(now.audience_end);
  const valuesNow = metric === 'reach_share' ? reachNow : now[metric];
  const previousValue = metric === 'reach_share' ? reach(before.audience_end) : before[metric];
  const rank = competitionRanksOf(valuesNow);
  const previousRank = competitionRanksOf(previousValue);
  const change = new Float64Array(count);
  for (let i = 0; i < count; i++) change[i] = rankChange(nullable(rank[i]), nullable(previousRank[i])) ?? NaN;

  // the order: a counting sort by rank (unranked after every rank) of the orgs taken in slug order, so equal
  // ranks stay in slug order (no comparator over 50,000 rows)
  const starts = new Int32Array(count + 3);
  let ranked = 0;
  for (let i = 0; i < count; i++) {
    const r = rank[i];
    if (!Number.isNaN(r)) ranked++;
    starts[(Number.isNaN(r) ? count + 1 : r) + 1]++;
  }
  for (let r = 1; r < starts.length; r++) starts[r] += starts[r - 1];
  const order = new Int32Array(count);
  for (const i of bySlug) {
    const r = rank[i];
    order[starts[Number.isNaN(r) ? count + 1 : r]++] = i;
  }

  const cols: RankingColumns = { members, ...now, reach_share: reachNow, rank, previous_rank: previousRank, rank_change: change, previous_value: previousValue };
  // (a literal, not spreads: the fields of GrowthRow, reach_share, then the ranking's, in this order)
  const row = (i: number): RankingRowWithPrevious => {
    const n = nodes[i];
    const r: RankingRowWithPrevious = {
      org: n.slug,
      platform: opts.platform,
      from: opts.from,
      to: opts.to,
      audience_start: nullable(now.audience_start[i]),
      audience_end: nullable(now.audience_end[i]),
      net_growth: nullable(now.net_growth[i]),
      growth_percent: nullable(now.growth_percent[i]),
      per_1000_members: nullable(now.per_1000_members[i]),
      reach_share: nullable(reachNow[i]),
      level: n.level,
      members: n.members,
      metric,
      rank: nullable(rank[i]),
      previous_rank: nullable(previousRank[i]),
      rank_change: nullable(change[i]),
    };
    if (opts.previousValues) r.previous_value = nullable(previousValue[i]);
    return r;
  };
  return {
    metric,
    nodes,
    count,
    ranked,
    order,
    cols,
    row,
    rows(start = 0, end = count, o = order) {
      const out: RankingRowWithPrevious[] = [];
      for (let k = Math.max(0, start); k < Math.min(end, o.length); k++) out.push(row(o[k]));
      return out;
    },
  };
}

/**
 * Orgs of one level ranked by a metric (default growth %), best first, unranked (undefined metric) last;
 * with their rank in the previous period of the same kind and length. Every row: a page shows
 * `rankingTable(...).rows(start, end)` instead.
 */
export function rankings(db: Db, opts: Parameters<typeof rankingTable>[1]): RankingRowWithPrevious[] {
  return rankingTable(db, opts).rows();
}
