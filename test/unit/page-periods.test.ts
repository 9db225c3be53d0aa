// Page period presets (last week / month / quarter, last 30 days, so far, custom) and what each is compared with.
import { defaultPreset, resolvePeriod, yearBefore } from '../../src/domain/periods';

describe('a page period and the period it is compared with', () => {
  test.each([
    // preset, today, from, to, previous from, previous to
    ['last_week', '2026-11-23', '2026-11-16', '2026-11-22', '2026-11-09', '2026-11-15'],
    ['last_week', '2026-11-25', '2026-11-16', '2026-11-22', '2026-11-09', '2026-11-15'],
    ['last_month', '2026-11-23', '2026-10-01', '2026-10-31', '2026-09-01', '2026-09-30'],
    ['last_month', '2026-01-05', '2025-12-01', '2025-12-31', '2025-11-01', '2025-11-30'],
    ['last_quarter', '2026-11-23', '2026-07-01', '2026-09-30', '2026-04-01', '2026-06-30'],
    ['last_30_days', '2026-11-23', '2026-10-25', '2026-11-23', '2026-09-25', '2026-10-24'],
    ['week', '2026-11-25', '2026-11-23', '2026-11-25', '2026-11-16', '2026-11-18'],
    ['month', '2026-11-23', '2026-11-01', '2026-11-23', '2026-10-01', '2026-10-23'],
    ['month', '2026-03-31', '2026-03-01', '2026-03-31', '2026-02-01', '2026-02-28'],
    ['quarter', '2026-11-23', '2026-10-01', '2026-11-23', '2026-07-01', '2026-08-23'],
    ['year', '2026-11-23', '2026-01-01', '2026-11-23', '2025-01-01', '2025-11-23'],
  ] as const)('%s on %s is %s … %s, beside %s … %s', (preset, today, from, to, pf, pt) => {
    expect(resolvePeriod(preset, today)).toMatchObject({ preset, from, to, prev: { from: pf, to: pt } });
  });

  test('a custom range is set beside the equally long range before it, or a whole calendar period beside the one before', () => {
    expect(resolvePeriod('custom', '2026-11-23', 'previous', { from: '2026-11-10', to: '2026-11-19' }).prev).toEqual({ from: '2026-10-31', to: '2026-11-09' });
    expect(resolvePeriod('custom', '2026-11-23', 'previous', { from: '2026-02-01', to: '2026-02-28' }).prev).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    expect(() => resolvePeriod('custom', '2026-11-23', 'previous', { from: '2026-11-19', to: '2026-11-10' })).toThrow(RangeError);
  });

  test('compared with a year ago: the same dates a year earlier (29 February becomes 28 February)', () => {
    expect(resolvePeriod('last_month', '2026-11-23', 'year_ago').prev).toEqual({ from: '2025-10-01', to: '2025-10-31' });
    expect(resolvePeriod('last_30_days', '2026-11-23', 'year_ago')).toMatchObject({ days: 30, prev: { from: '2025-10-25', to: '2025-11-23' } });
    expect(yearBefore('2028-02-29')).toBe('2027-02-28');
  });

  test('on a Monday the page opens on last week (the week the bot has just posted), on other days on this month so far', () => {
    expect(defaultPreset('2026-11-23')).toBe('last_week');
    expect(defaultPreset('2026-11-24')).toBe('month');
    expect(defaultPreset('2026-11-29')).toBe('month');
  });
});
