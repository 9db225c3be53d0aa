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

function median(sorted: ArrayLike<number>, n = sorted.length): number {
  return n % 2 ? sorted[(n - 1) >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Flags among snapshots dated ≥ fromDay; `snapshots` sorted by day, including enough history before fromDay. */
export function detectSuspicious(
  snapshots: ReadonlyArray<{ day: number; audience: number }>,
  fromDay = Number.NEGATIVE_INFINITY,
): SuspiciousFlag[] {
  return detectSuspiciousOf(
    snapshots.map((s) => s.day),
    snapshots.map((s) => s.audience),
    fromDay,
  );
}

// the window and its sorted copy, reused between calls (the rollups call this for every account)
const ring = new Float64Array(SUSPICIOUS_RULE.WINDOW + 1);
const sorted = new Float64Array(SUSPICIOUS_RULE.WINDOW + 1);

/** detectSuspicious on readings as two arrays in day order, days and audiences (no object per reading). */
export function detectSuspiciousOf(days: ArrayLike<number>, auds: ArrayLike<number>, fromDay = Number.NEGATIVE_INFINITY): SuspiciousFlag[] {
  const R = SUSPICIOUS_RULE;
  const flags: SuspiciousFlag[] = [];
  // the last WINDOW daily changes, oldest first (a ring of WINDOW + 1), and the same values ascending (kept
  // sorted so the median is O(1) per day); typed arrays shifted by hand: 50 M readings at ten times the union
  let head = 0;
  let size = 0;
  // Where x stands (or would stand) in `sorted`: binary search for the first value ≥ x.
  const indexOf = (x: number) => {
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (let i = 1; i < days.length; i++) {
    const prevDay = days[i - 1];
    const prevAudience = auds[i - 1];
    const day = days[i];
    const audience = auds[i];
    const gap = day - prevDay;
    if (gap <= 0 || gap > R.MAX_GAP) {
      head = 0; // a long gap breaks the pattern: start learning again
      size = 0;
      continue;
    }
    const change = (audience - prevAudience) / gap;
    if (day >= fromDay && size >= R.MIN_HISTORY) {
      const med = median(sorted, size);
      const dev = change - med;
      // the absolute and relative floors are cheap: most days stop here, before the MAD
      if (Math.abs(dev) >= R.MIN_ABS && Math.abs(dev) >= R.MIN_RELATIVE * prevAudience) {
        const mad = median(Array.from(sorted.subarray(0, size), (x) => Math.abs(x - med)).sort((a, b) => a - b));
        const spread = Math.max(1.4826 * mad, R.MIN_SPREAD, 0.001 * prevAudience);
        const score = dev / spread;
        if (Math.abs(score) >= R.Z_THRESHOLD) {
          flags.push({
            day,
            audience,
            previous_audience: prevAudience,
            daily_change: change,
            expected_change: med,
            score,
            kind: dev > 0 ? 'spike' : 'drop',
          });
        }
      }
    }
    // append to the window and insert in order; past WINDOW values, drop the oldest from both
    ring[(head + size) % ring.length] = change;
    const at = indexOf(change);
    for (let k = size; k > at; k--) sorted[k] = sorted[k - 1];
    sorted[at] = change;
    size++;
    if (size > R.WINDOW) {
      const oldest = ring[head];
      head = (head + 1) % ring.length;
      size--;
      for (let k = indexOf(oldest); k < size; k++) sorted[k] = sorted[k + 1];
    }
  }
  return flags;
}
