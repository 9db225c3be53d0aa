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

/** The day after which an account's contribution never changes: its last snapshot or its closing. */
export function lastChangeDay(a: AccountHistory): number | null {
  const last = a.snapshots.length ? a.snapshots[a.snapshots.length - 1].day : null;
  if (last === null) return null;
  return a.closedDay !== null && a.closedDay > last ? a.closedDay : last;
}

/**
 * The account's contribution (asOf carried forward while tracked, else nothing) from chunk `fromChunk`
 * through the chunk of its last change, or through `fromChunk` itself when its last change lies before it
 * (its carried value, so that a caller replacing a stored run from `fromChunk` replaces it with what carries
 * on). Null when it contributes nothing from `fromChunk` on.
 */
export function accountRun(a: AccountHistory, fromChunk: number): DailyRun | null {
  const end = lastChangeDay(a);
  if (end === null) return null;
  const firstDay = a.snapshots[0].day;
  const startChunk = Math.max(fromChunk, chunkOf(firstDay));
  const endChunk = Math.max(chunkOf(end), startChunk);
  const n = (endChunk - startChunk + 1) * CHUNK_DAYS;
  const base = chunkStart(startChunk);
  const sum = new Float64Array(n);
  const cnt = new Int32Array(n);
  const snaps = a.snapshots;
  let k = 0;
  // last snapshot at or before `base`
  while (k + 1 < snaps.length && snaps[k + 1].day <= base) k++;
  const closed = a.closedDay ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const day = base + i;
    while (k + 1 < snaps.length && snaps[k + 1].day <= day) k++;
    if (snaps[k].day <= day && day < closed) {
      sum[i] = snaps[k].audience;
      cnt[i] = 1;
    }
  }
  if (chunkOf(end) < startChunk && cnt[0] === 0) return null;
  return { firstChunk: startChunk, sum, cnt };
}
