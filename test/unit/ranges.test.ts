// The input ranges (issue 17): counts 0 … 10^10, reading dates 2000-01-01 … tomorrow — each boundary both ways.
import { countProblem, countTextProblem, FIRST_READING_DATE, MAX_COUNT, readingDateProblem } from '../../src/domain/ranges';

describe('counts (audiences, members, targets, subscribers)', () => {
  test.each([0, 1, MAX_COUNT])('%p is accepted', (n) => expect(countProblem(n)).toBeUndefined());
  test.each([-1, MAX_COUNT + 1, 2 ** 53 - 1, 1.5, Number.NaN, Infinity, '5', null])('%p is refused', (n) => {
    expect(countProblem(n)).toMatchObject({ key: 'count_range', message: expect.stringContaining('from 0 to 10000000000') });
  });
  test.each(['0', '10000000000', '00042'])('text %j is accepted', (t) => expect(countTextProblem(t)).toBeUndefined());
  test.each(['10000000001', '9007199254740991', '-1', '1.0', '1e3', '', ' 1', 'много'])('text %j is refused', (t) => {
    expect(countTextProblem(t)?.key).toBe('count_range');
  });
});

describe('reading dates', () => {
  const today = '2026-11-23';
  test.each([FIRST_READING_DATE, '2013-06-30', today, '2026-11-24'])('%s is accepted', (d) => expect(readingDateProblem(d, today)).toBeUndefined());
  test.each(['1999-12-31', '1900-01-01', '2026-11-25', '2100-01-01'])('%s is refused, naming the range', (d) => {
    expect(readingDateProblem(d, today)).toEqual({ key: 'date_range', message: `must be a date from 2000-01-01 to 2026-11-24, got ${d}`, vars: { first: '2000-01-01', last: '2026-11-24', date: d } });
  });
  test.each(['2026-02-30', '23.11.2026', ''])('%j is not a date', (d) => expect(readingDateProblem(d, today)?.key).toBe('date'));
  test('tomorrow across a month and a year end', () => {
    expect(readingDateProblem('2027-01-01', '2026-12-31')).toBeUndefined();
    expect(readingDateProblem('2027-01-02', '2026-12-31')?.key).toBe('date_range');
  });
});
