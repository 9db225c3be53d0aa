import { toEpochDay as d } from '../../src/domain/dates';
import { compareForReview, dailyRate, evaluateTarget, targetFromPercent, targetGap, targetLevelProblem, TargetDefinition, type TargetStatus } from '../../src/domain/targets';

const target: TargetDefinition = { baseline_date: '2026-01-01', baseline: 1000, target: 2000, due_date: '2026-12-31' };
const D = '2026-07-01'; // 181 days after the baseline, 183 before the due date
const linear = (current: number, perDay: number) => (day: number) => current + perDay * (day - d(D));

describe('target status (§5), first rule that holds', () => {
  test.each([
    ['achieved', D, linear(2000, 0)],
    ['achieved even after the due date', '2027-02-01', () => 2500],
    ['missed', '2027-01-05', linear(1500, 1)],
    ['no_data: no audience', D, () => null],
    ['no_data: fewer than 7 days for the rate', D, (day: number) => (day > d(D) - 6 ? 1500 : null)],
    ['on_track', D, linear(1500, 3)], // forecast 2049
    ['at_risk', D, linear(1500, 2)], // forecast 1866 ≥ 1800
    ['behind', D, linear(1500, 1)], // forecast 1683 < 1800
  ] as const)('%s', (name, date, audience) => {
    expect(evaluateTarget(target, date, audience).status).toBe(name.split(/[ :]/)[0]);
  });

  test('every figure on a day with a steady trend', () => {
    const e = evaluateTarget(target, D, linear(1500, 2));
    expect(e.current).toBe(1500);
    expect(e.progress_percent).toBe(50);
    expect(e.expected).toBeCloseTo(1000 + (1000 * 181) / 364, 10);
    expect(e.daily_rate).toBeCloseTo(2, 10);
    expect(e.forecast).toBeCloseTo(1500 + 2 * 183, 8);
    expect(e.required_per_day).toBeCloseTo(500 / 183, 12);
    expect(e.eta).toBe('2027-03-08'); // 2026-07-01 + 250 days
  });

  test.each([
    ['required per day undefined on the due date', '2026-12-31', 'required_per_day', null],
    ['required per day undefined after the due date', '2027-01-10', 'required_per_day', null],
    ['eta undefined when shrinking', D, 'eta', null],
  ] as const)('%s', (_name, date, field, expected) => {
    expect(evaluateTarget(target, date, linear(1500, -1))[field]).toBe(expected);
  });

  test('progress % undefined when the target equals the baseline', () => {
    const e = evaluateTarget({ ...target, target: 1000 }, D, () => 900);
    expect(e.progress_percent).toBeNull();
    expect(e.status).toBe('behind'); // flat: forecast 900 below the target, and 20 % of a zero span is no slack
  });
});

describe('daily rate: 28-day least squares', () => {
  const pts = (n: number) => Array.from({ length: n }, (_, i) => ({ day: 100 + i * 3, value: 10 + 4 * i * 3 }));
  test.each([
    [0, null],
    [6, null],
    [7, 4],
    [10, 4],
  ])('%i defined days → %p', (n, expected) => {
    const r = dailyRate(pts(n));
    if (expected === null) expect(r).toBeNull();
    else expect(r).toBeCloseTo(expected, 10);
  });

  test('only days within [D − 27, D] count', () => {
    const audience = (day: number) => (day < d(D) - 27 ? 0 : 10 * day);
    expect(evaluateTarget(target, D, audience).daily_rate).toBeCloseTo(10, 8);
  });
});

test.each([
  [1000, 25, 1250],
  [30, 15, 35], // 34.5 rounds up
  [0, 50, 0],
  [333, 10, 366], // 366.3
])('baseline %i + %i %% is a target of %i', (baseline, percent, expected) => {
  expect(targetFromPercent(baseline, percent)).toBe(expected);
});

describe('target semantics people read right', () => {
  test.each([
    [1000, 1200, false, true],
    [1000, 1000, false, false],
    [21091, 500, false, false],
    [1000, 1000, true, true],
    [1000, 900, true, true],
  ])('baseline %d, target %d, hold %s: accepted %s', (baseline, target, hold, ok) => {
    const problem = targetLevelProblem(baseline, target, hold);
    if (ok) expect(problem).toBeNull();
    else expect(problem).toMatch(/not above the baseline/);
  });

  test('an achieved target needs nothing more: no negative need per day', () => {
    expect(targetGap({ baseline: 1000, target: 1200, current: 1300, required_per_day: -2.5 })).toEqual({ done: true, needed: null, perDay: null, share: 0 });
    expect(targetGap({ baseline: 1000, target: 1200, current: 1150, required_per_day: 1.25 })).toEqual({ done: false, needed: 50, perDay: 1.25, share: 0.25 });
    expect(targetGap({ baseline: 1000, target: 1200, current: 1150, required_per_day: null })).toMatchObject({ needed: 50, perDay: null });
    expect(targetGap({ baseline: 1000, target: 1200, current: null, required_per_day: null })).toEqual({ done: false, needed: null, perDay: null, share: null });
  });

  test('a review lists the worst first (missed, behind, at risk, no data, on track, achieved), then the biggest share still to go', () => {
    const row = (status: TargetStatus, current: number | null) => ({ status, current, baseline: 0, target: 100, required_per_day: null });
    const rows = [row('achieved', 120), row('on_track', 90), row('behind', 60), row('no_data', null), row('at_risk', 80), row('behind', 20), row('missed', 50)];
    expect(rows.sort(compareForReview).map((r) => `${r.status}:${r.current}`)).toEqual(['missed:50', 'behind:20', 'behind:60', 'at_risk:80', 'no_data:null', 'on_track:90', 'achieved:120']);
  });
});
