// Suspicious growth: a day on which an account's audience moved far outside its own recent pattern.
//
// Rule (documented for the committee): for each snapshot with a previous snapshot at most MAX_GAP days
// earlier, the daily change is (audience − previous) ÷ days between them. Its baseline is the median of the
// account's previous WINDOW daily changes (at least MIN_HISTORY of them), its spread 1.4826 × their median
// absolute deviation (a robust standard deviation), floored at MIN_SPREAD followers/day and at 0.1 % of the
// audience so quiet channels do not flap. The day is flagged when the change is at least Z_THRESHOLD spreads
// from the median AND differs from it by at least MIN_ABS followers/day and by 1 % of the previous audience.
// A bought-subscribers spike shows as kind 'spike', a sudden loss as 'drop'.

export const SUSPICIOUS_RULE = {
  WINDOW: 28,
  MIN_HISTORY: 7,
  MAX_GAP: 7,
  Z_THRESHOLD: 6,
  MIN_SPREAD: 2,
  MIN_ABS: 50,
  MIN_RELATIVE: 0.01,
} as const;

export interface SuspiciousFlag {
  day: number;
  audience: number;
  previous_audience: number;
  daily_change: number;
  expected_change: number;
  score: number;
  kind: 'spike' | 'drop';
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Flags among snapshots dated ≥ fromDay; `snapshots` sorted by day, including enough history before fromDay. */
export function detectSuspicious(
  snapshots: ReadonlyArray<{ day: number; audience: number }>,
  fromDay = Number.NEGATIVE_INFINITY,
): SuspiciousFlag[] {
  const R = SUSPICIOUS_RULE;
  const flags: SuspiciousFlag[] = [];
  const history: number[] = []; // the last WINDOW daily changes, oldest first
  const sorted: number[] = []; // the same values, ascending (kept sorted so the median is O(1) per day)
  // Where x stands (or would stand) in `sorted`: binary search for the first value ≥ x.
  const indexOf = (x: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const insertSorted = (x: number) => sorted.splice(indexOf(x), 0, x);
  const removeSorted = (x: number) => sorted.splice(indexOf(x), 1);
  for (let i = 1; i < snapshots.length; i++) {
    const prev = snapshots[i - 1];
    const cur = snapshots[i];
    const gap = cur.day - prev.day;
    if (gap <= 0 || gap > R.MAX_GAP) {
      history.length = 0; // a long gap breaks the pattern: start learning again
      sorted.length = 0;
      continue;
    }
    const change = (cur.audience - prev.audience) / gap;
    if (cur.day >= fromDay && history.length >= R.MIN_HISTORY) {
      const med = median(sorted);
      const dev = change - med;
      // the absolute and relative floors are cheap: most days stop here, before the MAD
      if (Math.abs(dev) >= R.MIN_ABS && Math.abs(dev) >= R.MIN_RELATIVE * prev.audience) {
        const mad = median(sorted.map((x) => Math.abs(x - med)).sort((a, b) => a - b));
        const spread = Math.max(1.4826 * mad, R.MIN_SPREAD, 0.001 * prev.audience);
        const score = dev / spread;
        if (Math.abs(score) >= R.Z_THRESHOLD) {
          flags.push({
            day: cur.day,
            audience: cur.audience,
            previous_audience: prev.audience,
            daily_change: change,
            expected_change: med,
            score,
            kind: dev > 0 ? 'spike' : 'drop',
          });
        }
      }
    }
    history.push(change);
    insertSorted(change);
    if (history.length > R.WINDOW) removeSorted(history.shift() as number);
  }
  return flags;
}
