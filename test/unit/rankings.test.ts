import { competitionRanks, rankChange } from '../../src/domain/rankings';
import { detectSuspicious } from '../../src/domain/suspicious';

test.each([
  [[10, 30, 20], [3, 1, 2]],
  [[5, 5, 1], [1, 1, 3]],
  [[null, 2, 2, 7], [null, 2, 2, 1]],
  [[-1, -3], [1, 2]],
])('ranks of %j are %j', (values, ranks) => {
  expect(competitionRanks(values)).toEqual(ranks);
});

test.each([
  [1, 4, 3],
  [4, 1, -3],
  [2, null, null],
])('rank %p after %p is a change of %p', (rank, prev, change) => {
  expect(rankChange(rank, prev)).toBe(change);
});

describe('suspicious growth', () => {
  const steady = (days: number, start = 10_000, perDay = 10) => Array.from({ length: days }, (_, i) => ({ day: i, audience: start + perDay * i + (i % 3) }));
  test.each([
    ['a bought-subscribers spike is flagged', 5000, 'spike'],
    ['a sudden drop is flagged', -3000, 'drop'],
    ['ordinary growth is not', 12, null],
    ['a jump small in absolute terms is not', 40, null],
  ] as const)('%s', (_name, jump, kind) => {
    const s = steady(40);
    const snaps = [...s, { day: 40, audience: s[39].audience + jump }];
    const flags = detectSuspicious(snaps);
    if (kind === null) expect(flags).toEqual([]);
    else expect(flags).toEqual([expect.objectContaining({ day: 40, kind })]);
  });

  test('fewer than 7 earlier changes: no judgement yet', () => {
    expect(detectSuspicious([{ day: 0, audience: 10 }, { day: 1, audience: 11 }, { day: 2, audience: 5000 }])).toEqual([]);
  });

  test('a tiny channel does not flap', () => {
    const s = Array.from({ length: 30 }, (_, i) => ({ day: i, audience: 20 + (i % 2) }));
    expect(detectSuspicious([...s, { day: 30, audience: 45 }])).toEqual([]);
  });
});
