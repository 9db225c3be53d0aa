// When an account's latest reading is stale (DESIGN §4): the one rule pages, health, the bot and exports use.
import type { Platform } from './growth';

/** An account is stale when its latest reading is older than this many days (newspapers: figures twice a year). */
export const STALE_AFTER_DAYS: Readonly<Record<Platform, number>> = { facebook: 3, instagram: 3, telegram: 3, newspaper: 400 };

/** Closed on `day` (epoch day): not counted on and after its closing day. */
export function isClosedOn(closedDay: number | null, day: number): boolean {
  return closedDay !== null && closedDay <= day;
}

/** Stale on `day` (epoch day): open, and no reading, or the latest one more than STALE_AFTER_DAYS old. */
export function isStaleOn(a: { platform: Platform; last_day: number | null; closed_day: number | null }, day: number): boolean {
  if (isClosedOn(a.closed_day, day)) return false;
  return a.last_day === null || day - a.last_day > STALE_AFTER_DAYS[a.platform];
}

/** The same rule in SQL over `accounts a` and a column or parameter giving the last reading's day (e.g. `r.last_day`) and the epoch day (e.g. `@day`). */
export function staleSql(lastDay: string, day: string): string {
  const cases = Object.entries(STALE_AFTER_DAYS)
    .map(([p, d]) => `WHEN '${p}' THEN ${d}`)
    .join(' ');
  return `(a.closed_day IS NULL OR a.closed_day > ${day}) AND (${lastDay} IS NULL OR ${day} - ${lastDay} > CASE a.platform ${cases} END)`;
}
