// Target progress, straight-path expectation, 28-day trend, forecast, eta and status (DESIGN §5), exactly.
import { fromEpochDay, toEpochDay } from './dates';

export const TARGET_STATUSES = ['achieved', 'missed', 'no_data', 'on_track', 'at_risk', 'behind'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/** Days in the trend window, ending on the day asked for. */
export const RATE_WINDOW_DAYS = 28;
/** Fewer defined days than this in the window: no daily rate. */
export const RATE_MIN_POINTS = 7;

export interface TargetDefinition {
  baseline_date: string;
  baseline: number;
  target: number;
  due_date: string;
}

export interface TargetEvaluation {
  date: string;
  current: number | null;
  progress_percent: number | null;
  expected: number | null;
  daily_rate: number | null;
  forecast: number | null;
  required_per_day: number | null;
  eta: string | null;
  status: TargetStatus;
}

/** Target entered as +N % of the baseline: baseline × (1 + N/100), rounded to the nearest whole number. */
export function targetFromPercent(baseline: number, percent: number): number {
  // baseline × (100 + N) is exact for whole N, so halves round the way arithmetic says they should.
  return Math.round((baseline * (100 + percent)) / 100);
}

/** Least-squares slope of value against day; null with fewer than RATE_MIN_POINTS points. */
export function dailyRate(points: ReadonlyArray<{ day: number; value: number }>): number | null {
  if (points.length < RATE_MIN_POINTS) return null;
  let mx = 0;
  let my = 0;
  for (const p of points) {
    mx += p.day;
    my += p.value;
  }
  mx /= points.length;
  my /= points.length;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.day - mx) * (p.value - my);
    sxx += (p.day - mx) * (p.day - mx);
  }
  return sxx === 0 ? null : sxy / sxx;
}

/**
 * Evaluates a target on `date`. `audience(day)` answers audience(O, P, day) (null when undefined); it is
 * asked for `date` and the 27 days before it.
 */
export function evaluateTarget(t: TargetDefinition, date: string, audience: (day: number) => number | null): TargetEvaluation {
  const d = toEpochDay(date);
  const b = toEpochDay(t.baseline_date);
  const due = toEpochDay(t.due_date);
  const current = audience(d);
  const points: { day: number; value: number }[] = [];
  for (let x = d - RATE_WINDOW_DAYS + 1; x <= d; x++) {
    const v = x === d ? current : audience(x);
    if (v !== null) points.push({ day: x, value: v });
  }
  const rate = dailyRate(points);
  const span = t.target - t.baseline;

  const progress = current === null || span === 0 ? null : ((current - t.baseline) / span) * 100;
  const expected = due === b ? null : t.baseline + (span * (d - b)) / (due - b);
  const forecast = current === null || rate === null ? null : current + rate * (due - d);
  const required = current === null || d >= due ? null : (t.target - current) / (due - d);
  const eta = current !== null && rate !== null && current < t.target && rate > 0 ? fromEpochDay(d + Math.ceil((t.target - current) / rate)) : null;

  let status: TargetStatus;
  if (current !== null && current >= t.target) status = 'achieved';
  else if (d > due) status = 'missed';
  else if (current === null || rate === null || forecast === null) status = 'no_data';
  else if (forecast >= t.target) status = 'on_track';
  else if (forecast >= t.target - 0.2 * span) status = 'at_risk';
  else status = 'behind';

  return { date, current, progress_percent: progress, expected, daily_rate: rate, forecast, required_per_day: required, eta, status };
}

/**
 * A target must ask for growth: a value at or below its baseline is refused unless it is explicitly a "hold"
 * target (keep the audience where it is). The one rule the import and the admin form both apply; returns
 * why it is refused, or null when the value is acceptable.
 */
export function targetLevelProblem(baseline: number, target: number, hold = false): string | null {
  if (hold || target > baseline) return null;
  return `${target} is not above the baseline ${baseline}: a target must ask for growth (mark it as a hold target to keep the audience at its level)`;
}

/** What is still needed, as a page, the print pack and the bot say it: never a negative need. */
export interface TargetGap {
  /** current ≥ target: nothing more is needed ("выполнено") */
  done: boolean;
  /** target − current, when there is still a way to go */
  needed: number | null;
  /** required per day, when there is still a way to go and time left */
  perDay: number | null;
  /** the share of the planned growth still to go (0…1+), for ordering rows by the size of the gap */
  share: number | null;
}

export function targetGap(t: Pick<TargetDefinition, 'baseline' | 'target'> & Pick<TargetEvaluation, 'current' | 'required_per_day'>): TargetGap {
  if (t.current === null) return { done: false, needed: null, perDay: null, share: null };
  if (t.current >= t.target) return { done: true, needed: null, perDay: null, share: 0 };
  const span = t.target - t.baseline;
  return {
    done: false,
    needed: t.target - t.current,
    perDay: t.required_per_day !== null && t.required_per_day > 0 ? t.required_per_day : null,
    share: span > 0 ? (t.target - t.current) / span : null,
  };
}

/** Worst first: missed (the due date has passed) → behind → at risk → no data → on track → achieved. */
export const STATUS_SEVERITY: Record<TargetStatus, number> = { missed: 0, behind: 1, at_risk: 2, no_data: 3, on_track: 4, achieved: 5 };

/** Orders targets for a review: worst status first, then the biggest share of the plan still to go. */
export function compareForReview<T extends Pick<TargetEvaluation, 'status' | 'current' | 'required_per_day'> & Pick<TargetDefinition, 'baseline' | 'target'>>(a: T, b: T): number {
  const s = STATUS_SEVERITY[a.status] - STATUS_SEVERITY[b.status];
  if (s !== 0) return s;
  const ga = targetGap(a).share;
  const gb = targetGap(b).share;
  if (ga === null || gb === null) return ga === null ? (gb === null ? 0 : 1) : -1;
  return gb - ga;
}
