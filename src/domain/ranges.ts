// The ranges every input must keep (issue 17): an audience, a membership figure or a target is a whole number
// from 0 to 10^10 (the largest union counts millions; sums of every account stay exact far below 2^53), and a
// reading's date is a real date from 2000-01-01 to tomorrow (tomorrow: a reader ahead of the configured time
// zone). The CSV imports, the admin forms, the newspaper uploads, the YAML import and the snapshot writer all
// ask here; each path adds its file, line and field, and pages show the key in the reader's language.
import { addDays, isIsoDate } from './dates';

export const MAX_COUNT = 10_000_000_000;
export const FIRST_READING_DATE = '2000-01-01';

/** What is wrong with a value: an English message and a key (`invalid.<key>` in web/i18n) with its values. */
export interface RangeProblem {
  message: string;
  key: string;
  vars: Record<string, string | number>;
}

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : String(v));

/** An audience, membership, subscription figure or target: a whole number 0 … 10^10. */
export function countProblem(value: unknown): RangeProblem | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_COUNT) return undefined;
  const got = shown(value);
  return { message: `must be a whole number from 0 to ${MAX_COUNT}, got ${got}`, key: 'count_range', vars: { max: MAX_COUNT, got } };
}

/** The same for a figure as typed (digits only, no sign, no decimals). */
export function countTextProblem(text: string): RangeProblem | undefined {
  if (/^\d{1,11}$/.test(text) && !countProblem(Number(text))) return undefined;
  return countProblem(text); // named as typed
}

/** The last date a reading may carry: tomorrow of `today` (the local date in the configured time zone). */
export const lastReadingDate = (today: string): string => addDays(today, 1);

/** A reading's date: a real YYYY-MM-DD from 2000-01-01 to tomorrow. */
export function readingDateProblem(date: string, today: string): RangeProblem | undefined {
  if (!isIsoDate(date)) return { message: `must be a real date as YYYY-MM-DD, got ${shown(date)}`, key: 'date', vars: {} };
  const last = lastReadingDate(today);
  if (date < FIRST_READING_DATE || date > last) {
    return { message: `must be a date from ${FIRST_READING_DATE} to ${last}, got ${date}`, key: 'date_range', vars: { first: FIRST_READING_DATE, last, date } };
  }
  return undefined;
}
