import { isoWeek, isoWeekLabel, parseIsoWeek, periodContaining, previousPeriod, parsePeriod, currentPeriod, lastCompletePeriod, customPeriod, periodLength } from '../../src/domain/periods';

describe('ISO weeks', () => {
  test.each([
    ['2026-01-01', '2026-W01'], // Thursday: week 1 of 2026 starts Monday 2025-12-29
    ['2025-12-29', '2026-W01'],
    ['2025-12-28', '2025-W52'],
    ['2021-01-03', '2020-W53'], // Sunday belonging to the last week of the previous year
    ['2021-01-04', '2021-W01'],
    ['2024-12-30', '2025-W01'],
    ['2026-11-23', '2026-W48'],
  ])('%s lies in ISO week %s', (date, label) => {
    expect(isoWeekLabel(date)).toBe(label);
  });

  test.each([
    ['2026-W01', '2025-12-29', '2026-01-04'],
    ['2020-W53', '2020-12-28', '2021-01-03'],
    ['2026-W48', '2026-11-23', '2026-11-29'],
  ])('week %s runs Monday %s to Sunday %s', (label, from, to) => {
    expect(parseIsoWeek(label)).toEqual({ kind: 'week', from, to });
  });

  test.each(['2026-W00', '2025-W53', '2026-53', 'W01'])('%s is rejected', (label) => {
    expect(() => parseIsoWeek(label)).toThrow(RangeError);
  });

  test('week number agrees for every day of a year', () => {
    expect(isoWeek('2026-12-31')).toEqual({ year: 2026, week: 53 });
  });
});

describe('periods in Asia/Almaty, not UTC', () => {
  test.each([
    // 2025-12-28 19:30 UTC is already Monday 2025-12-29 00:30 in Almaty (UTC+5): the new ISO week and year's week 1
    ['2025-12-28T19:30:00Z', 'week', '2025-12-29', '2026-01-04'],
    ['2025-12-28T18:59:59Z', 'week', '2025-12-22', '2025-12-28'],
    // New Year arrives five hours earlier in Almaty
    ['2025-12-31T19:00:00Z', 'year', '2026-01-01', '2026-12-31'],
    ['2025-12-31T18:59:59Z', 'year', '2025-01-01', '2025-12-31'],
    ['2026-03-31T19:00:00Z', 'quarter', '2026-04-01', '2026-06-30'],
    ['2026-02-28T19:00:00Z', 'month', '2026-03-01', '2026-03-31'],
  ] as const)('at %s the current %s is %s … %s', (instant, kind, from, to) => {
    expect(currentPeriod(kind, 'Asia/Almaty', new Date(instant))).toEqual({ kind, from, to });
  });

  test('the weekly summary on Monday 09:00 Almaty covers the ISO week just ended', () => {
    expect(lastCompletePeriod('week', 'Asia/Almaty', new Date('2026-01-05T04:00:00Z'))).toEqual({ kind: 'week', from: '2025-12-29', to: '2026-01-04' });
  });
});

describe('calendar periods and the period before', () => {
  test.each([
    ['month', '2024-02-15', '2024-02-01', '2024-02-29'],
    ['quarter', '2026-11-23', '2026-10-01', '2026-12-31'],
    ['year', '2026-11-23', '2026-01-01', '2026-12-31'],
  ] as const)('%s containing %s is %s … %s', (kind, date, from, to) => {
    expect(periodContaining(kind, date)).toEqual({ kind, from, to });
  });

  test.each([
    [{ kind: 'week', from: '2026-01-05', to: '2026-01-11' }, '2025-12-29', '2026-01-04'],
    [{ kind: 'month', from: '2026-03-01', to: '2026-03-31' }, '2026-02-01', '2026-02-28'],
    [{ kind: 'quarter', from: '2026-01-01', to: '2026-03-31' }, '2025-10-01', '2025-12-31'],
    [{ kind: 'year', from: '2026-01-01', to: '2026-12-31' }, '2025-01-01', '2025-12-31'],
    [{ kind: 'custom', from: '2026-03-10', to: '2026-03-19' }, '2026-02-28', '2026-03-09'],
  ] as const)('before %o comes %s … %s', (p, from, to) => {
    expect(previousPeriod(p)).toMatchObject({ from, to });
  });

  test.each([
    ['week', '2026-11-16', '2026-11-22'],
    ['2026-W01', '2025-12-29', '2026-01-04'],
    ['2026-02', '2026-02-01', '2026-02-28'],
    ['2026-Q4', '2026-10-01', '2026-12-31'],
    ['2025', '2025-01-01', '2025-12-31'],
    ['2026-01-10..2026-01-20', '2026-01-10', '2026-01-20'],
  ])('period %s is %s … %s', (spec, from, to) => {
    expect(parsePeriod(spec, '2026-11-18')).toMatchObject({ from, to });
  });

  test.each(['2026-13', '2026-Q5', 'fortnight', '2026-01-20..2026-01-10'])('period %s is rejected', (spec) => {
    expect(() => parsePeriod(spec, '2026-11-18')).toThrow(RangeError);
  });

  test('a custom range counts both ends', () => {
    expect(periodLength(customPeriod('2026-01-01', '2026-01-31'))).toBe(31);
  });
});
