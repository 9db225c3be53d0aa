// Ranking orgs of one level by a growth metric, with the change of rank against the previous period.

export const RANKING_METRICS = ['growth_percent', 'net_growth', 'per_1000_members', 'reach_share'] as const;
export type RankingMetric = (typeof RANKING_METRICS)[number];

/**
 * Standard competition ranks ("1, 2, 2, 4"), highest value first; rows whose value is null get no rank.
 * Returns ranks in the order of the input.
 */
export function competitionRanks(values: ReadonlyArray<number | null>): Array<number | null> {
  const order = values
    .map((v, i) => ({ v, i }))
    .filter((x): x is { v: number; i: number } => x.v !== null && Number.isFinite(x.v))
    .sort((a, b) => b.v - a.v);
  const ranks: Array<number | null> = values.map(() => null);
  order.forEach((x, pos) => {
    ranks[x.i] = pos > 0 && order[pos - 1].v === x.v ? (ranks[order[pos - 1].i] as number) : pos + 1;
  });
  return ranks;
}

/** Places gained since the previous period (positive = moved up); null when either rank is missing. */
export function rankChange(rank: number | null, previousRank: number | null): number | null {
  return rank === null || previousRank === null ? null : previousRank - rank;
}
