// Ranking orgs of one level by a growth metric, with the change of rank against the previous period.

export const RANKING_METRICS = ['growth_percent', 'net_growth', 'per_1000_members', 'reach_share'] as const;
export type RankingMetric = (typeof RANKING_METRICS)[number];

/**
 * Standard competition ranks ("1, 2, 2, 4"), highest value first; rows whose value is null get no rank.
 * Returns ranks in the order of the input.
 */
export function competitionRanks(values: ReadonlyArray<number | null>): Array<number | null> {
  const ranks = competitionRanksOf(Float64Array.from(values, (v) => (v === null ? NaN : v)));
  return Array.from(ranks, (r) => (Number.isNaN(r) ? null : r));
}

/**
 * competitionRanks over a column of numbers (NaN or ±Infinity = no value, no rank: NaN). Rank = 1 + how many
 * values are strictly higher: a binary search in the values sorted once, numerically, without a comparator
 * (50,000 primaries at ten times the union).
 */
export function competitionRanksOf(values: Float64Array): Float64Array {
  let n = 0;
  const sorted = new Float64Array(values.length);
  for (const v of values) if (Number.isFinite(v)) sorted[n++] = v;
  const finite = sorted.subarray(0, n).sort();
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = NaN;
      continue;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (finite[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = 1 + n - lo;
  }
  return out;
}

/** Places gained since the previous period (positive = moved up); null when either rank is missing. */
export function rankChange(rank: number | null, previousRank: number | null): number | null {
  return rank === null || previousRank === null ? null : previousRank - rank;
}
