// The §11 measures, table-driven: posts, posts per week, ER, VR over closed accounts, deleted posts, null
// counters, zero and missing audiences and albums; silence and days since the last post at their
// boundaries; active share at each level; rubric shares; standards compliance.
import {
  activeShare,
  change,
  checkStandard,
  daysSinceLastPost,
  figuresOfPosts,
  meetsStandard,
  publicationMeasures,
  rubricShare,
  silenceOn,
  sumFigures,
  type LevelOrg,
  type RawAccount,
  type RawPost,
} from '../../src/domain/publications';

const D = 20_000; // a day number; periods below are [D, D + 6] (a week)

function account(id: number, audience: Record<number, number> | null, closedDay: number | null = null): RawAccount {
  const days = audience ? Object.keys(audience).map(Number).sort((a, b) => a - b) : [];
  return {
    id,
    closedDay,
    audienceAt(day) {
      let v: number | null = null;
      for (const d of days) if (d <= day) v = audience![d];
      return v;
    },
  };
}

const post = (accountId: number, day: number, r: number | null, c: number | null, s: number | null, views: number | null, deleted = false): RawPost => ({
  accountId,
  day,
  deleted,
  reactions: r,
  comments: c,
  shares: s,
  views,
});

const accounts = new Map<number, RawAccount>([
  [1, account(1, { [D - 10]: 1000 })], // 1 000 followers all week
  [2, account(2, { [D - 10]: 500 }, D + 3)], // closed on D + 3: posts from that day on do not count
  [3, account(3, null)], // no audience reading at all: ER/VR leave its posts out
  [4, account(4, { [D - 10]: 0 })], // zero audience: left out of ER/VR too
  [5, account(5, { [D + 2]: 200 })], // first reading on D + 2: posts before it have no audience_at
]);

describe('posts, posts per week, interactions, ER and VR', () => {
  test.each<[string, RawPost[], { posts: number; posts_per_week: number; interactions: number; engagement_rate: number | null; view_rate: number | null }]>([
    ['no posts: zeros, ER and VR null', [], { posts: 0, posts_per_week: 0, interactions: 0, engagement_rate: null, view_rate: null }],
    [
      'two posts of a 1 000 account',
      [post(1, D, 10, 2, 3, 400), post(1, D + 1, 5, 0, 0, 100)],
      { posts: 2, posts_per_week: 2, interactions: 20, engagement_rate: 1, view_rate: 25 },
    ],
    [
      'null counters count as 0 in interactions; null views leave the post out of VR only',
      [post(1, D, 10, null, null, null), post(1, D + 1, 10, 0, null, 200)],
      { posts: 2, posts_per_week: 2, interactions: 20, engagement_rate: 1, view_rate: 20 },
    ],
    [
      'a deleted post counts nowhere',
      [post(1, D, 10, 0, 0, 100), post(1, D + 1, 90, 0, 0, 900, true)],
      { posts: 1, posts_per_week: 1, interactions: 10, engagement_rate: 1, view_rate: 10 },
    ],
    [
      'posts of a closed account count up to the day before its closing',
      [post(2, D + 2, 5, 0, 0, null), post(2, D + 3, 50, 0, 0, null), post(2, D + 5, 50, 0, 0, null)],
      { posts: 1, posts_per_week: 1, interactions: 5, engagement_rate: 1, view_rate: null },
    ],
    [
      'posts without an audience reading count in posts and interactions, not in ER',
      [post(3, D, 7, 0, 0, 70), post(1, D, 10, 0, 0, null)],
      { posts: 2, posts_per_week: 2, interactions: 17, engagement_rate: 1, view_rate: null },
    ],
    [
      'a zero audience is left out of ER and VR',
      [post(4, D, 7, 0, 0, 70)],
      { posts: 1, posts_per_week: 1, interactions: 7, engagement_rate: null, view_rate: null },
    ],
    [
      'audience_at is the reading as of the post date: before the first reading, none',
      [post(5, D + 1, 8, 0, 0, 10), post(5, D + 2, 4, 0, 0, 20)],
      { posts: 2, posts_per_week: 2, interactions: 12, engagement_rate: 2, view_rate: 10 },
    ],
    [
      'an album is one post with its counters',
      [{ ...post(1, D, 30, 5, 5, 1000) }],
      { posts: 1, posts_per_week: 1, interactions: 40, engagement_rate: 4, view_rate: 100 },
    ],
    [
      'posts outside the period are not counted',
      [post(1, D - 1, 10, 0, 0, 10), post(1, D + 7, 10, 0, 0, 10), post(1, D + 6, 1, 0, 0, 10)],
      { posts: 1, posts_per_week: 1, interactions: 1, engagement_rate: 0.1, view_rate: 1 },
    ],
    [
      'ER is Σ interactions / Σ audience_at, not a mean of rates',
      [post(1, D, 10, 0, 0, null), post(5, D + 3, 10, 0, 0, null)],
      { posts: 2, posts_per_week: 2, interactions: 20, engagement_rate: (100 * 20) / 1200, view_rate: null },
    ],
  ])('%s', (_name, posts, expected) => {
    const m = publicationMeasures(figuresOfPosts(posts, accounts, D, D + 6), 7);
    expect(m.posts).toBe(expected.posts);
    expect(m.posts_per_week).toBeCloseTo(expected.posts_per_week, 10);
    expect(m.interactions).toBe(expected.interactions);
    if (expected.engagement_rate === null) expect(m.engagement_rate).toBeNull();
    else expect(m.engagement_rate).toBeCloseTo(expected.engagement_rate, 10);
    if (expected.view_rate === null) expect(m.view_rate).toBeNull();
    else expect(m.view_rate).toBeCloseTo(expected.view_rate, 10);
  });

  test.each([
    [7, 14, 14],
    [30, 3, 0.7],
    [1, 1, 7],
  ])('posts per week over %i days with %i posts is %d', (days, posts, perWeek) => {
    expect(publicationMeasures({ ...sumFigures([]), posts }, days).posts_per_week).toBeCloseTo(perWeek, 10);
  });

  test('a period of no days is refused', () => {
    expect(() => publicationMeasures(sumFigures([]), 0)).toThrow(RangeError);
  });

  test('daily figures summed over days give the period figures', () => {
    const posts = [post(1, D, 10, 2, 3, 400), post(5, D + 3, 4, 0, 0, 20), post(3, D + 4, 1, 1, 1, 5)];
    const byDay = [0, 1, 2, 3, 4, 5, 6].map((i) => figuresOfPosts(posts, accounts, D + i, D + i));
    expect(sumFigures(byDay)).toEqual(figuresOfPosts(posts, accounts, D, D + 6));
  });
});

describe('silence and days since the last post', () => {
  const readOn = (days: number[]) => (d: number) => days.includes(d);
  test.each<[string, number | null, number[], 'posting' | 'silent' | 'unknown', number | null]>([
    ['posted today', D, [D], 'posting', 0],
    ['posted 13 days ago: still posting', D - 13, [D], 'posting', 13],
    ['posted 14 days ago: silent', D - 14, [D], 'silent', 14],
    ['never posted, read today: silent', null, [D], 'silent', null],
    ['read 2 days ago: still known', D - 20, [D - 2], 'silent', 20],
    ['last read 3 days ago: unknown, not silent', D - 20, [D - 3], 'unknown', 20],
    ['never read: unknown', null, [], 'unknown', null],
    ['a post in the window counts even without a read', D - 5, [], 'posting', 5],
    ['a post dated after D is not the last post as of D', D + 1, [D], 'silent', null],
  ])('%s', (_name, last, reads, silence, since) => {
    expect(silenceOn(D, last, readOn(reads))).toBe(silence);
    expect(daysSinceLastPost(D, last)).toBe(since);
  });
});

describe('active organisations at each level', () => {
  const acc = (tracked: boolean, lastPostDay: number | null) => ({ tracked, lastPostDay });
  const orgs: LevelOrg[] = [
    { level: 'council', accounts: [acc(true, D)] },
    { level: 'region', accounts: [acc(true, D - 3)] },
    { level: 'region', accounts: [acc(true, D - 14)] }, // silent for 14 days: not active
    { level: 'region', accounts: [] }, // no account: not counted at all
    { level: 'branch', accounts: [acc(true, null), acc(true, D - 13)] }, // one of two channels posted: active
    { level: 'branch', accounts: [acc(false, D - 1)] }, // its only account is no longer tracked: not counted
    { level: 'primary', accounts: [acc(true, D)] },
    { level: 'primary', accounts: [acc(true, D)] },
    { level: 'primary', accounts: [acc(true, null)] },
    { level: 'primary', accounts: [acc(true, D - 30)] },
  ];
  test.each([
    ['council', 1, 1, 100],
    ['region', 2, 1, 50],
    ['branch', 1, 1, 100],
    ['primary', 4, 2, 50],
  ])('%s: %i with accounts, %i active, %d %%', (level, withAccounts, active, share) => {
    expect(activeShare(orgs, level, D)).toEqual({ orgs_with_accounts: withAccounts, active_orgs: active, active_share: share });
  });
  test('a level with no org that has an account has no share', () => {
    expect(activeShare([{ level: 'branch', accounts: [] }], 'branch', D)).toEqual({ orgs_with_accounts: 0, active_orgs: 0, active_share: null });
  });
});

describe('rubric shares and changes', () => {
  test.each([
    [3, 12, 25],
    [0, 12, 0],
    [0, 0, null],
  ])('%i of %i posts → %p', (r, p, share) => {
    expect(rubricShare(r, p)).toBe(share);
  });
  test.each([
    [5, 3, 2],
    [null, 3, null],
    [3, null, null],
  ])('change of %p against %p is %p', (c, p, d) => {
    expect(change(c, p)).toBe(d);
  });
});

describe('standards compliance', () => {
  const standard = { level: 'region', platform: 'social', posts_per_week: 2, active_share: 80, rubric_share: { 'social-partnership': 10, 'legal-protection': 10 } };
  test('every criterion with its margin; met only when all are', () => {
    const checks = checkStandard(standard, {
      posts_per_week: 2.5,
      active_share: 75,
      rubric_share: { 'legal-protection': 12, 'social-partnership': 10 },
    });
    expect(checks).toEqual([
      { measure: 'posts_per_week', required: 2, actual: 2.5, margin: 0.5, met: true },
      { measure: 'active_share', required: 80, actual: 75, margin: -5, met: false },
      { measure: 'rubric_share:legal-protection', required: 10, actual: 12, margin: 2, met: true },
      { measure: 'rubric_share:social-partnership', required: 10, actual: 10, margin: 0, met: true },
    ]);
    expect(meetsStandard(checks)).toBe(false);
  });
  test.each<[string, { posts_per_week: number | null; active_share: number | null; rubric_share: Record<string, number | null> }, boolean | null]>([
    ['exactly at the standard meets it', { posts_per_week: 2, active_share: 80, rubric_share: { 'social-partnership': 10, 'legal-protection': 10 } }, true],
    ['no posts: shares cannot be judged', { posts_per_week: 2, active_share: 80, rubric_share: { 'social-partnership': null, 'legal-protection': null } }, null],
    ['a failed criterion fails even when another cannot be judged', { posts_per_week: 1, active_share: null, rubric_share: {} }, false],
  ])('%s', (_name, figures, met) => {
    expect(meetsStandard(checkStandard(standard, figures))).toBe(met);
  });
});
