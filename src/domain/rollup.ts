// Daily contribution of one account to its orgs' audience, in fixed 32-day chunks (pure; no storage).
import type { AccountHistory } from './growth';

/** Days per stored chunk. A power of two so that chunk = day >> 5. */
export const CHUNK_DAYS = 32;
export const chunkOf = (day: number): number => Math.floor(day / CHUNK_DAYS);
export const chunkStart = (chunk: number): number => chunk * CHUNK_DAYS;

/**
 * A run of daily values: `sum[i]` = Σ audience of tracked accounts and `cnt[i]` = how many are tracked, for
 * day `firstChunk * 32 + i`. Beyond the last day the last values carry on; before the first, nothing is tracked.
 */
export interface DailyRun {
  firstChunk: number;
  sum: Float64Array;
  cnt: Int32Array;
}

/**
 * The account's contribution (asOf carried forward while tracked, else nothing) from chunk `fromChunk`
 * through the chunk of its last change, or through `fromChunk` itself when its last change lies before it
 * (its carried value, so that a caller replacing a stored run from `fromChunk` replaces it with what carries
 * on). Null when it contributes nothing from `fromChunk` on.
 */
export function accountRun(a: AccountHistory, fromChunk: number): DailyRun | null {
  return accountRunOf(
    a.snapshots.map((r) => r.day),
    a.snapshots.map((r) => r.audience),
    a.closedDay,
    fromChunk,
  );
}

/** accountRun on readings as two arrays in day order, days and audiences (no object per reading). */
export function accountRunOf(days: ArrayLike<number>, auds: ArrayLike<number>, closedDay: number | null, fromChunk: number): DailyRun | null {
  const n = days.length;
  if (n === 0) return null;
  const lastReading = days[n - 1];
  // the day after which its contribution never changes: its last reading or its closing
  const end = closedDay !== null && closedDay > lastReading ? closedDay : lastReading;
  const startChunk = Math.max(fromChunk, chunkOf(days[0]));
  const endChunk = Math.max(chunkOf(end), startChunk);
  const len = (endChunk - startChunk + 1) * CHUNK_DAYS;
  const base = chunkStart(startChunk);
  const sum = new Float64Array(len);
  const cnt = new Int32Array(len);
  let k = 0;
  // last reading at or before `base`
  while (k + 1 < n && days[k + 1] <= base) k++;
  const closed = closedDay ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < len; i++) {
    const day = base + i;
    while (k + 1 < n && days[k + 1] <= day) k++;
    if (days[k] <= day && day < closed) {
      sum[i] = auds[k];
      cnt[i] = 1;
    }
  }
  if (chunkOf(end) < startChunk && cnt[0] === 0) return null;
  return { firstChunk: startChunk, sum, cnt };
}
