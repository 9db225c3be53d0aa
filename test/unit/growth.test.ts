import { toEpochDay as d } from '../../src/domain/dates';
import { AccountHistory, audienceOn, growthFigures, growthOfAccounts, reachShare } from '../../src/domain/growth';
import { accountRun, CHUNK_DAYS } from '../../src/domain/rollup';

const acc = (snaps: Array<[string, number]>, closed: string | null = null): AccountHistory => ({
  snapshots: snaps.map(([day, audience]) => ({ day: d(day), audience })),
  closedDay: closed === null ? null : d(closed),
});

describe('audience (§4)', () => {
  const a = acc([['2026-03-01', 100], ['2026-03-05', 130]]);
  const b = acc([['2026-03-03', 50]], '2026-03-06');
  test.each([
    ['2026-02-28', null], // nothing tracked yet: undefined, not zero
    ['2026-03-01', 100],
    ['2026-03-02', 100], // gap carried forward
    ['2026-03-03', 150],
    ['2026-03-05', 180],
    ['2026-03-06', 130], // b closed on this day: no longer counted
    ['2026-09-01', 130],
  ])('on %s the audience is %p', (day, expected) => {
    expect(audienceOn([a, b], d(day))).toBe(expected);
  });

  test('an account closed before anything else is tracked leaves the audience undefined', () => {
    expect(audienceOn([acc([['2026-03-01', 10]], '2026-03-02')], d('2026-03-02'))).toBeNull();
  });
});

describe('net growth (§4)', () => {
  test.each([
    {
      name: 'gaps are carried forward',
      accounts: [acc([['2026-01-25', 100], ['2026-02-10', 140]])],
      expected: { audience_start: 100, audience_end: 140, net_growth: 40, growth_percent: 40 },
    },
    {
      name: 'an account first seen inside the period adds its later growth, not its starting followers',
      accounts: [acc([['2026-01-31', 1000], ['2026-02-28', 1100]]), acc([['2026-02-10', 500], ['2026-02-28', 520]])],
      expected: { audience_start: 1000, audience_end: 1620, net_growth: 120, growth_percent: 12 },
    },
    {
      name: 'a channel closed inside the period is a loss of its followers',
      accounts: [acc([['2026-01-31', 1000], ['2026-02-28', 1050]]), acc([['2026-01-31', 300], ['2026-02-05', 310]], '2026-02-15')],
      expected: { audience_start: 1300, audience_end: 1050, net_growth: -250, growth_percent: (-250 / 1300) * 100 },
    },
    {
      name: 'a channel first seen and closed inside the period counts for nothing',
      accounts: [acc([['2026-01-31', 10], ['2026-02-28', 20]]), acc([['2026-02-03', 999], ['2026-02-04', 5000]], '2026-02-20')],
      expected: { audience_start: 10, audience_end: 20, net_growth: 10, growth_percent: 100 },
    },
    {
      name: 'zero starting audience: growth % undefined',
      accounts: [acc([['2026-01-15', 0], ['2026-02-28', 35]])],
      expected: { audience_start: 0, audience_end: 35, net_growth: 35, growth_percent: null },
    },
    {
      name: 'no audience before the period: growth % undefined, net growth counts from the first snapshot',
      accounts: [acc([['2026-02-02', 70], ['2026-02-20', 75]])],
      expected: { audience_start: null, audience_end: 75, net_growth: 5, growth_percent: null },
    },
    {
      name: 'audience undefined on both ends: everything undefined',
      accounts: [acc([['2026-03-05', 70]])],
      expected: { audience_start: null, audience_end: null, net_growth: null, growth_percent: null },
    },
    {
      name: 'all channels closed by the end: the whole audience is lost',
      accounts: [acc([['2026-01-20', 400]], '2026-02-01')],
      expected: { audience_start: 400, audience_end: null, net_growth: -400, growth_percent: -100 },
    },
  ])('$name', ({ accounts, expected }) => {
    expect(growthOfAccounts(accounts, d('2026-02-01'), d('2026-02-28'))).toMatchObject(expected);
  });

  test.each([
    [500, 600, 0, 2000, 50],
    [500, 600, 0, null, null],
    [500, 600, 0, 0, null],
  ])('per 1,000 members: start %p end %p, members %p → %p', (start, end, f, members, expected) => {
    expect(growthFigures(start, end, f, members).per_1000_members).toBe(expected);
  });

  test.each([
    [250, 1000, 0.25],
    [250, null, null],
    [null, 1000, null],
  ])('reach share of %p over %p members is %p', (aud, members, expected) => {
    expect(reachShare(aud, members)).toBe(expected);
  });
});

describe('account runs for the rollups', () => {
  test('carry forward while tracked, stop on the closing day, start at the first snapshot', () => {
    const a = acc([['1970-01-03', 5], ['1970-01-06', 8]], '1970-01-09');
    const run = accountRun(a, 0)!;
    expect(run.firstChunk).toBe(0);
    expect(run.sum.length).toBe(CHUNK_DAYS);
    expect(Array.from(run.sum.slice(0, 11))).toEqual([0, 0, 5, 5, 5, 8, 8, 8, 0, 0, 0]);
    expect(Array.from(run.cnt.slice(0, 11))).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  test('an account without snapshots contributes nothing', () => {
    expect(accountRun(acc([]), 0)).toBeNull();
  });
});
