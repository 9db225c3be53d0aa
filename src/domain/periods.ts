// Reporting periods on local calendar dates: ISO weeks, months, quarters, years and custom ranges.
import { addDays, fromEpochDay, localDate, toEpochDay } from './dates';

export type PeriodKind = 'week' | 'month' | 'quarter' | 'year' | 'custom';

/** An inclusive range of local dates. */
export interface Period {
  kind: PeriodKind;
  from: string;
  to: string;
}

function ymd(date: string): [number, number, number] {
  toEpochDay(date); // validates
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function iso(y: number, m: number, d: number): string {
  return fromEpochDay(Math.round(Date.UTC(y, m - 1, d) / 86_400_000));
}

/** Day of week, 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const dow = (((toEpochDay(date) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return dow === 0 ? 7 : dow;
}

/** ISO-8601 week-numbering year and week of a date. */
export function isoWeek(date: string): { year: number; week: number } {
  const thursday = addDays(date, 4 - isoWeekday(date));
  const year = Number(thursday.slice(0, 4));
  const week = Math.floor(daysSinceJan1(thursday) / 7) + 1;
  return { year, week };
}

function daysSinceJan1(date: string): number {
  return toEpochDay(date) - toEpochDay(`${date.slice(0, 4)}-01-01`);
}

/** 'YYYY-Www' label of the ISO week containing a date. */
export function isoWeekLabel(date: string): string {
  const { year, week } = isoWeek(date);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Monday–Sunday range of an ISO week given as 'YYYY-Www'; throws on a week that does not exist. */
export function parseIsoWeek(label: string): Period {
  const m = /^(\d{4})-W(\d{2})$/.exec(label);
  if (!m) throw new RangeError(`not an ISO week (YYYY-Www): ${JSON.stringify(label)}`);
  const year = Number(m[1]);
  const week = Number(m[2]);
  const jan4 = `${m[1]}-01-04`;
  const week1Monday = addDays(jan4, 1 - isoWeekday(jan4));
  const from = addDays(week1Monday, (week - 1) * 7);
  if (week < 1 || isoWeek(from).year !== year) throw new RangeError(`no such ISO week: ${label}`);
  return { kind: 'week', from, to: addDays(from, 6) };
}

/** The period of the given kind that contains a local date. */
export function periodContaining(kind: Exclude<PeriodKind, 'custom'>, date: string): Period {
  const [y, m] = ymd(date);
  switch (kind) {
    case 'week': {
      const from = addDays(date, 1 - isoWeekday(date));
      return { kind, from, to: addDays(from, 6) };
    }
    case 'month':
      return { kind, from: iso(y, m, 1), to: iso(y, m + 1, 0) };
    case 'quarter': {
      const q0 = Math.floor((m - 1) / 3) * 3 + 1;
      return { kind, from: iso(y, q0, 1), to: iso(y, q0 + 3, 0) };
    }
    case 'year':
      return { kind, from: iso(y, 1, 1), to: iso(y, 12, 31) };
  }
}

/** The period containing "now" as seen in a time zone (never the machine's TZ). */
export function currentPeriod(kind: Exclude<PeriodKind, 'custom'>, timeZone: string, instant: Date = new Date()): Period {
  return periodContaining(kind, localDate(timeZone, instant));
}

/** The last complete period of a kind before the one containing "now" (e.g. the ISO week just ended). */
export function lastCompletePeriod(kind: Exclude<PeriodKind, 'custom'>, timeZone: string, instant: Date = new Date()): Period {
  return previousPeriod(currentPeriod(kind, timeZone, instant));
}

export function customPeriod(from: string, to: string): Period {
  if (toEpochDay(to) < toEpochDay(from)) throw new RangeError(`period ends before it starts: ${from} … ${to}`);
  return { kind: 'custom', from, to };
}

/** Number of days in a period (inclusive). */
export function periodLength(p: Period): number {
  return toEpochDay(p.to) - toEpochDay(p.from) + 1;
}

/**
 * The period before: the previous calendar week / month / quarter / year, or for a custom range
 * the range of the same length that ends the day before it starts.
 */
export function previousPeriod(p: Period): Period {
  if (p.kind === 'custom') {
    const len = periodLength(p);
    return { kind: 'custom', from: addDays(p.from, -len), to: addDays(p.from, -1) };
  }
  return periodContaining(p.kind, addDays(p.from, -1));
}

/**
 * Parses a period written as 'YYYY-Www', 'YYYY-MM', 'YYYY-Qn', 'YYYY', 'FROM..TO', or a kind word
 * ('week', 'month', 'quarter', 'year') meaning the period containing `today`.
 */
export function parsePeriod(spec: string, today: string): Period {
  const s = spec.trim();
  if (s === 'week' || s === 'month' || s === 'quarter' || s === 'year') return periodContaining(s, today);
  if (/^\d{4}-W\d{2}$/.test(s)) return parseIsoWeek(s);
  let m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) throw new RangeError(`no such month: ${s}`);
    return periodContaining('month', `${m[1]}-${m[2]}-01`);
  }
  m = /^(\d{4})-Q([1-4])$/.exec(s);
  if (m) return periodContaining('quarter', iso(Number(m[1]), (Number(m[2]) - 1) * 3 + 1, 1));
  if (/^\d{4}$/.test(s)) return periodContaining('year', `${s}-01-01`);
  m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(s);
  if (m) return customPeriod(m[1], m[2]);
  throw new RangeError(`not a period (week, month, quarter, year, YYYY-Www, YYYY-MM, YYYY-Qn, YYYY, FROM..TO): ${JSON.stringify(spec)}`);
}

/** The kind of calendar period a range is exactly (an ISO week, month, quarter, year), else custom. */
export function inferPeriod(from: string, to: string): Period {
  for (const kind of ['week', 'month', 'quarter', 'year'] as const) {
    const p = periodContaining(kind, from);
    if (p.from === from && p.to === to) return p;
  }
  return customPeriod(from, to);
}

// ---------------------------------------------------------------------------------------------------------
// Page periods: the presets a page offers and what each is compared with.

/** The presets a page offers: complete periods just ended, periods so far, the last 30 days, or custom. */
export const PERIOD_PRESETS = [
  'last_week', 'last_month', 'last_quarter', 'last_30_days', 'week', 'month', 'quarter', 'year', 'custom',
] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];
/** What a period is set beside: the period just before it, or the same dates a year earlier. */
export const COMPARISONS = ['previous', 'year_ago'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface ComparedPeriod {
  preset: PeriodPreset;
  from: string;
  to: string;
  days: number;
  compare: Comparison;
  /** The period it is compared with. */
  prev: { from: string; to: string };
}

/** The preset a page opens with: on a Monday last week (the week the bot has just posted), else this month so far. */
export function defaultPreset(today: string): PeriodPreset {
  return isoWeekday(today) === 1 ? 'last_week' : 'month';
}

/** The same date a year earlier (29 February becomes 28 February). */
export function yearBefore(date: string): string {
  const [y, m, d] = ymd(date);
  const last = Number(iso(y - 1, m + 1, 0).slice(8, 10));
  return iso(y - 1, m, Math.min(d, last));
}

/**
 * Resolves a preset on `today`. "So far" presets end today and are compared with the same days of the
 * previous calendar period (1–23 October for 1–23 November); complete ones with the whole period before;
 * the last 30 days with the 30 days before them; a custom range with the equally long range before it
 * (a whole calendar period's predecessor when the range is one). `year_ago` takes the same dates a year earlier.
 */
export function resolvePeriod(preset: PeriodPreset, today: string, compare: Comparison = 'previous', custom?: { from: string; to: string }): ComparedPeriod {
  let from: string;
  let to: string;
  let prev: { from: string; to: string };
  switch (preset) {
    case 'last_week':
    case 'last_month':
    case 'last_quarter': {
      const kind = preset.slice(5) as 'week' | 'month' | 'quarter';
      const p = previousPeriod(periodContaining(kind, today));
      ({ from, to } = p);
      const before = previousPeriod(p);
      prev = { from: before.from, to: before.to };
      break;
    }
    case 'last_30_days':
      from = addDays(today, -29);
      to = today;
      prev = { from: addDays(from, -30), to: addDays(from, -1) };
      break;
    case 'week':
    case 'month':
    case 'quarter':
    case 'year': {
      const full = periodContaining(preset, today);
      from = full.from;
      to = full.to < today ? full.to : today;
      const prevFull = previousPeriod(full);
      const prevTo = addDays(prevFull.from, toEpochDay(to) - toEpochDay(from));
      prev = { from: prevFull.from, to: prevTo < prevFull.to ? prevTo : prevFull.to };
      break;
    }
    case 'custom': {
      if (!custom) throw new RangeError('a custom period needs from and to');
      const p = customPeriod(custom.from, custom.to);
      ({ from, to } = p);
      const before = previousPeriod(inferPeriod(from, to));
      prev = { from: before.from, to: before.to };
      break;
    }
  }
  if (compare === 'year_ago') prev = { from: yearBefore(from), to: yearBefore(to) };
  return { preset, from, to, days: toEpochDay(to) - toEpochDay(from) + 1, compare, prev };
}
