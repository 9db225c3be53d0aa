// Rubrics on a real SQLite file: classification of new and edited posts, re-classification when the rubrics
// change with editors' decisions kept (and audit-logged), rubric counts per org equal to a direct count over
// the raw posts after random changes (incrementally and rebuilt), the best posts by ER, and standards kept as
// versions.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../db';
import { savePosts, type PostInput } from '../../src/posts/store';
import { classifyPosts, postRubrics, setPostRubric } from '../../src/publications/classify';
import { rubricPostsOf, updateRubricFigures } from '../../src/publications/rubric-figures';
import { bestPosts, updatePostScores } from '../../src/publications/best-posts';
import { currentStandards, setStandards, standardVersions } from '../../src/publications/standards-store';
import { fromEpochDay, toEpochDay } from '../../src/domain/dates';
import { compileRubrics, type RubricDefinition } from '../../src/domain/rubrics';
import { DEFAULT_RUBRICS } from '../../src/domain/default-rubrics';

const TZ = 'Asia/Almaty';
const DAY0 = toEpochDay('2026-03-05');
const noonOf = (day: number) => Date.parse(`${fromEpochDay(day)}T07:00:00Z`);

// council 1 → region 2 → branch 3 → primaries 4, 5; region 6 (no children)
const ORGS: [number, number | null, string][] = [
  [1, null, 'council'],
  [2, 1, 'region'],
  [3, 2, 'branch'],
  [4, 3, 'primary'],
  [5, 3, 'primary'],
  [6, 1, 'region'],
];
const ACCOUNTS: [number, number, string][] = [
  [1, 4, 'facebook'],
  [2, 4, 'telegram'],
  [3, 5, 'instagram'],
  [4, 3, 'telegram'],
  [5, 6, 'facebook'],
  [6, 1, 'telegram'],
];

function setup(file = ':memory:'): Db {
  const db = openDatabase(file);
  const ins = db.prepare("INSERT INTO organisations (id, slug, parent_id, level, name_ru, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0)");
  for (const [id, parent, level] of ORGS) ins.run(id, `o${id}`, parent, level, `Организация ${id}`);
  const acc = db.prepare('INSERT INTO accounts (id, org_id, platform, platform_id, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)');
  for (const [id, org, platform] of ACCOUNTS) acc.run(id, org, platform, platform === 'telegram' ? `@chan${id}xx` : `${1000 + id}`);
  return db;
}

const post = (id: string, day: number, text: string, reactions: number | null = 0, extra: Partial<PostInput> = {}): PostInput => ({
  postId: id,
  publishedAt: noonOf(day),
  kind: 'text',
  text,
  reactions,
  comments: 0,
  shares: 0,
  views: null,
  ...extra,
});

const RUBRICS: RubricDefinition[] = [
  { slug: 'legal', name: { ru: 'Правовая защита' }, keywords: ['правовая защита', 'құқық қорғау'], hashtags: ['#правоваязащита'] },
  { slug: 'safety', name: { ru: 'Охрана труда' }, keywords: ['охрана труда'], hashtags: [] },
];

describe('classification', () => {
  test('new posts are classified; edited text is classified again; nothing else is touched', () => {
    const db = setup();
    savePosts(db, TZ, [{ accountId: 1, source: 'api', readAt: Date.now(), posts: [post('1', DAY0, 'О правовой защите'), post('2', DAY0, 'Охрана труда'), post('3', DAY0, 'Праздник')] }]);
    expect(classifyPosts(db, RUBRICS)).toMatchObject({ mode: 'full', posts: 3, matched: 2 }); // first run: no stored rubrics yet
    const idOf = (pid: string) => db.prepare('SELECT id FROM posts WHERE post_id = ?').pluck().get(pid) as number;
    expect(postRubrics(db, idOf('1')).rubrics).toEqual(['legal']);
    expect(postRubrics(db, idOf('3')).rubrics).toEqual([]);
    savePosts(db, TZ, [{ accountId: 1, source: 'api', readAt: Date.now(), posts: [post('3', DAY0, 'Праздник и охрана труда'), post('4', DAY0 + 1, 'Мұғалімдердің құқықтарын қорғау')] }]);
    expect(classifyPosts(db, RUBRICS)).toMatchObject({ mode: 'pending', posts: 2, matched: 2 });
    expect(postRubrics(db, idOf('3')).rubrics).toEqual(['safety']);
    expect(postRubrics(db, idOf('4')).rubrics).toEqual(['legal']);
    expect(classifyPosts(db, RUBRICS)).toMatchObject({ mode: 'pending', posts: 0 });
  });

  test("an editor's decisions win, are audit-logged, and survive re-classification with other rubrics", () => {
    const db = setup();
    savePosts(db, TZ, [{ accountId: 1, source: 'api', readAt: Date.now(), posts: [post('1', DAY0, 'О правовой защите'), post('2', DAY0, 'Праздник')] }]);
    classifyPosts(db, RUBRICS);
    const [p1, p2] = db.prepare('SELECT id FROM posts ORDER BY post_id').pluck().all() as number[];
    const slugs = RUBRICS.map((r) => r.slug);
    setPostRubric(db, 'editor1', p1, 'legal', 'remove', slugs);
    setPostRubric(db, 'editor1', p2, 'safety', 'add', slugs);
    expect(postRubrics(db, p1).rubrics).toEqual([]);
    expect(postRubrics(db, p2).rubrics).toEqual(['safety']);
    // changed rubrics: everything is classified again, the decisions stay
    const changed = [...RUBRICS, { slug: 'holiday', name: { ru: 'Праздники' }, keywords: ['праздник'], hashtags: [] }];
    expect(classifyPosts(db, changed)).toMatchObject({ mode: 'full', posts: 2 });
    expect(postRubrics(db, p1).rubrics).toEqual([]);
    expect(postRubrics(db, p2).rubrics).toEqual(['holiday', 'safety']);
    expect(classifyPosts(db, changed, { full: true })).toMatchObject({ mode: 'full' });
    expect(postRubrics(db, p1).rubrics).toEqual([]);
    const log = db.prepare("SELECT actor, action, subject, after FROM audit_log WHERE action LIKE 'post.rubric.%' ORDER BY id").all() as { actor: string; action: string; subject: string; after: string }[];
    expect(log.map((l) => [l.actor, l.action, l.subject, JSON.parse(l.after).rubrics])).toEqual([
      ['editor1', 'post.rubric.remove', 'post:facebook:1001:1', []],
      ['editor1', 'post.rubric.add', 'post:facebook:1001:2', ['safety']],
    ]);
    // back to matching
    setPostRubric(db, 'editor1', p1, 'legal', 'auto', slugs);
    classifyPosts(db, changed);
    expect(postRubrics(db, p1).rubrics).toEqual(['legal']);
  });

  test('an unknown rubric or post is refused and changes nothing', () => {
    const db = setup();
    savePosts(db, TZ, [{ accountId: 1, source: 'api', readAt: Date.now(), posts: [post('1', DAY0, 'x')] }]);
    const id = db.prepare('SELECT id FROM posts').pluck().get() as number;
    expect(() => setPostRubric(db, 'e', id, 'nosuch', 'add', ['legal'])).toThrow(/no rubric nosuch; rubrics are legal/);
    expect(() => setPostRubric(db, 'e', 999, 'legal', 'add', ['legal'])).toThrow(/no post 999/);
    expect(db.prepare('SELECT count(*) FROM post_rubrics').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(0);
  });
});

// Direct count: counted posts of accounts(O, P) in [from, to] with rubric r (matched or added, not removed).
function directRubricPosts(db: Db, orgId: number, platforms: string[], from: number, to: number): Map<string, number> {
  const parent = new Map((db.prepare('SELECT id, parent_id FROM organisations').all() as { id: number; parent_id: number | null }[]).map((o) => [o.id, o.parent_id]));
  const under = (org: number) => {
    for (let o: number | null | undefined = org; o != null; o = parent.get(o)) if (o === orgId) return true;
    return false;
  };
  const out = new Map<string, number>();
  const rows = db
    .prepare(
      `SELECT a.org_id, a.platform, a.closed_day, p.day, p.deleted_at, r.rubric, r.origin FROM posts p JOIN accounts a ON a.id = p.account_id
       JOIN post_rubrics r ON r.post_id = p.id`,
    )
    .all() as { org_id: number; platform: string; closed_day: number | null; day: number; deleted_at: number | null; rubric: string; origin: number }[];
  for (const r of rows) {
    if (!under(r.org_id) || !platforms.includes(r.platform) || r.day < from || r.day > to || r.deleted_at !== null || r.origin === 2) continue;
    if (r.closed_day !== null && r.day >= r.closed_day) continue;
    out.set(r.rubric, (out.get(r.rubric) ?? 0) + 1);
  }
  return out;
}

describe('rubric counts per org', () => {
  const TEXTS = ['О правовой защите', 'Охрана труда', 'Правовая защита и охрана труда', 'Праздник', 'құқық қорғау'];
  const op = fc.oneof(
    fc.record({ t: fc.constant('post' as const), account: fc.integer({ min: 1, max: 6 }), id: fc.integer({ min: 1, max: 25 }), day: fc.nat(69), text: fc.nat(TEXTS.length - 1), reactions: fc.nat(500) }),
    fc.record({ t: fc.constant('delete' as const), account: fc.integer({ min: 1, max: 6 }), id: fc.integer({ min: 1, max: 25 }) }),
    fc.record({ t: fc.constant('close' as const), account: fc.integer({ min: 1, max: 6 }), day: fc.option(fc.nat(69), { nil: null }) }),
    fc.record({ t: fc.constant('edit' as const), n: fc.nat(200), rubric: fc.constantFrom('legal', 'safety'), action: fc.constantFrom('add' as const, 'remove' as const, 'auto' as const) }),
    fc.record({ t: fc.constant('move' as const) }),
    fc.record({ t: fc.constant('snap' as const), account: fc.integer({ min: 1, max: 6 }), day: fc.nat(69), audience: fc.nat(3000) }),
    fc.record({ t: fc.constant('rubrics' as const) }),
  );
  // the committee changes the rubrics: legal loses «құқық қорғау» and gains «праздник»; safety is gone
  const OTHER: RubricDefinition[] = [{ slug: 'legal', name: { ru: 'Правовая защита' }, keywords: ['правовая защита', 'праздник'], hashtags: [] }];

  test('equal a direct count over the raw posts after random changes, incrementally and rebuilt', () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 }), (batches) => {
        const db = setup();
        let rubrics = RUBRICS;
        for (const batch of batches) {
          for (const o of batch) {
            if (o.t === 'rubrics') {
              rubrics = rubrics === RUBRICS ? OTHER : RUBRICS;
            } else if (o.t === 'post') {
              savePosts(db, TZ, [{ accountId: o.account, source: 'api', readAt: Date.now(), posts: [post(String(o.id), DAY0 + o.day, TEXTS[o.text], o.reactions)] }], { updateFigures: false });
            } else if (o.t === 'delete') {
              db.prepare('UPDATE posts SET deleted_at = 1 WHERE account_id = ? AND post_id = ?').run(o.account, String(o.id));
            } else if (o.t === 'close') {
              db.prepare('UPDATE accounts SET closed_day = ? WHERE id = ?').run(o.day === null ? null : DAY0 + o.day, o.account);
            } else if (o.t === 'edit') {
              const ids = db.prepare('SELECT id FROM posts ORDER BY id').pluck().all() as number[];
              if (ids.length) setPostRubric(db, 'e', ids[o.n % ids.length], o.rubric, o.action, ['legal', 'safety']);
            } else if (o.t === 'snap') {
              db.prepare('INSERT OR REPLACE INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, 0)').run(o.account, DAY0 + o.day, o.audience);
            } else {
              // primary 5 moves between branch 3 and region 6
              db.prepare('UPDATE organisations SET parent_id = CASE parent_id WHEN 3 THEN 6 ELSE 3 END WHERE id = 5').run();
            }
          }
          classifyPosts(db, rubrics);
          updateRubricFigures(db);
          check(db);
          // the posts' scores (best posts) follow the same changes incrementally: equal a rebuild
          updatePostScores(db);
          const scores = db.prepare('SELECT * FROM post_scores ORDER BY post_id').all();
          updatePostScores(db, { full: true });
          expect(db.prepare('SELECT * FROM post_scores ORDER BY post_id').all()).toEqual(scores);
          // the stored matched rubrics are what the current rubrics match, editors' rows aside
          const matcher = compileRubrics(rubrics);
          for (const { id, text } of db.prepare('SELECT id, text FROM posts').all() as { id: number; text: string }[]) {
            const edited = db.prepare('SELECT rubric FROM post_rubrics WHERE post_id = ? AND origin <> 0').pluck().all(id) as string[];
            const stored = db.prepare('SELECT rubric FROM post_rubrics WHERE post_id = ? AND origin = 0 ORDER BY rubric').pluck().all(id);
            expect([id, stored]).toEqual([id, matcher.match(text).filter((r) => !edited.includes(r))]);
          }
        }
        updateRubricFigures(db, { full: true });
        check(db);
        db.close();
      }),
      { numRuns: 60 },
    );
  });

  function check(db: Db): void {
    const orgs = ORGS.map(([id, , level]) => ({ id, level }));
    for (const [group, platforms] of [
      ['social', ['facebook', 'instagram', 'telegram']],
      ['telegram', ['telegram']],
      ['facebook', ['facebook']],
    ] as const) {
      for (const [from, to] of [
        [DAY0, DAY0 + 69],
        [DAY0 + 10, DAY0 + 40],
        [DAY0 + 31, DAY0 + 31],
      ]) {
        const got = rubricPostsOf(db, orgs, group, from, to);
        for (const o of orgs) expect([o.id, group, from, Object.fromEntries(got.get(o.id)!)]).toEqual([o.id, group, from, Object.fromEntries(directRubricPosts(db, o.id, [...platforms], from, to))]);
      }
    }
  }
});

describe('best posts', () => {
  test('by ER across the tree, with filters, skipping deleted posts, closed accounts and tiny audiences', () => {
    const db = setup();
    const snap = db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, 0)');
    snap.run(1, DAY0 - 5, 100); // primary 4 facebook
    snap.run(2, DAY0 - 5, 1000); // primary 4 telegram
    snap.run(4, DAY0 - 5, 5000); // branch 3 telegram
    snap.run(5, DAY0 - 5, 10); // region 6 facebook: too small to be ranked
    snap.run(6, DAY0 - 5, 20000); // council telegram
    savePosts(db, TZ, [
      { accountId: 1, source: 'api', readAt: Date.now(), posts: [post('a', DAY0, 'Охрана труда', 10), post('b', DAY0 + 1, 'Праздник', 3)] },
      { accountId: 2, source: 'api', readAt: Date.now(), posts: [post('c', DAY0, 'О правовой защите', 50), post('d', DAY0 + 2, 'Удалён', 900)] },
      { accountId: 4, source: 'api', readAt: Date.now(), posts: [post('e', DAY0, 'Правовая защита', 400)] },
      { accountId: 5, source: 'api', readAt: Date.now(), posts: [post('f', DAY0, 'Маленький канал', 9)] },
      { accountId: 6, source: 'api', readAt: Date.now(), posts: [post('g', DAY0 + 3, 'Охрана труда', 100), post('h', DAY0 + 40, 'Вне периода', 19000)] },
    ]);
    db.prepare("UPDATE posts SET deleted_at = 1 WHERE post_id = 'd'").run();
    classifyPosts(db, RUBRICS);
    updatePostScores(db);
    const ids = (rows: { post_id: string }[]) => rows.map((r) => r.post_id);
    const period = { from: DAY0, to: DAY0 + 30 };
    // ER: a 10 %, b 3 %, c 5 %, e 8 %, g 0.5 %; f has 10 followers (under 50), d deleted, h outside
    expect(ids(bestPosts(db, period))).toEqual(['a', 'e', 'c', 'b', 'g']);
    expect(bestPosts(db, period)[0]).toMatchObject({ org_slug: 'o4', platform: 'facebook', audience_at: 100, engagement_rate: 10, rubrics: ['safety'] });
    expect(ids(bestPosts(db, { ...period, rubric: 'legal' }))).toEqual(['e', 'c']);
    expect(ids(bestPosts(db, { ...period, group: 'telegram' }))).toEqual(['e', 'c', 'g']);
    expect(ids(bestPosts(db, { ...period, level: 'primary' }))).toEqual(['a', 'c', 'b']);
    expect(ids(bestPosts(db, { ...period, orgIds: [3, 4, 5] }))).toEqual(['a', 'e', 'c', 'b']);
    expect(ids(bestPosts(db, { ...period, minAudience: 1 }))).toEqual(['f', 'a', 'e', 'c', 'b', 'g']);
    expect(ids(bestPosts(db, { ...period, limit: 2 }))).toEqual(['a', 'e']);
    // a counter refresh, a new reading, a closing: scores follow incrementally, and equal a rebuild
    savePosts(db, TZ, [{ accountId: 2, source: 'api', readAt: Date.now(), posts: [post('c', DAY0, 'О правовой защите', 200)] }]);
    snap.run(1, DAY0, 1000); // facebook of primary 4 now 1 000: post a is 1 %
    db.prepare('UPDATE accounts SET closed_day = ? WHERE id = 4').run(DAY0); // branch channel closed on the post's day
    updatePostScores(db);
    expect(ids(bestPosts(db, period))).toEqual(['c', 'a', 'g', 'b']); // c 20 %, a 1 %, g 0.5 %, b 0.3 %; e closed
    const before = db.prepare('SELECT * FROM post_scores ORDER BY post_id').all();
    updatePostScores(db, { full: true });
    expect(db.prepare('SELECT * FROM post_scores ORDER BY post_id').all()).toEqual(before);
  });
});

describe('standards', () => {
  test('set from the config, versioned on change with the decision, retired, unchanged when the same', () => {
    const db = setup();
    const rubrics = DEFAULT_RUBRICS.map((r) => r.slug);
    const first = setStandards(
      db,
      [
        { level: 'primary', platform: 'social', posts_per_week: 2, decision: 'Постановление № 19' },
        { level: 'region', platform: 'social', rubric_share: { 'legal-protection': 10, 'social-partnership': 10 }, active_share: 80 },
      ],
      { actor: 'import', rubrics },
    );
    expect(first).toEqual({ created: 2, versioned: 0, unchanged: 0 });
    expect(setStandards(db, [{ level: 'primary', platform: 'social', posts_per_week: 2, decision: 'Постановление № 19' }], { actor: 'import', rubrics })).toEqual({ created: 0, versioned: 0, unchanged: 1 });
    expect(setStandards(db, [{ level: 'primary', platform: 'social', posts_per_week: 3, decision: 'Постановление № 25' }], { actor: 'admin', rubrics })).toEqual({ created: 0, versioned: 1, unchanged: 0 });
    const now = currentStandards(db);
    expect(now.map((s) => [s.level, s.platform, s.version, s.posts_per_week, s.active_share, s.rubric_share, s.decision])).toEqual([
      ['region', 'social', 1, null, 80, { 'legal-protection': 10, 'social-partnership': 10 }, null],
      ['primary', 'social', 2, 3, null, null, 'Постановление № 25'],
    ]);
    expect(standardVersions(db, now[1].id).map((v) => [v.version, v.posts_per_week, v.decision, v.set_by])).toEqual([
      [2, 3, 'Постановление № 25', 'admin'],
      [1, 2, 'Постановление № 19', 'import'],
    ]);
    setStandards(db, [{ level: 'region', platform: 'social', retire: true, decision: 'Постановление № 30' }], { actor: 'admin', rubrics });
    expect(currentStandards(db).map((s) => s.level)).toEqual(['primary']);
    expect(() => setStandards(db, [{ level: 'region', platform: 'social', rubric_share: { nosuch: 5 } }], { actor: 'admin', rubrics })).toThrow(/no rubric nosuch/);
    expect(db.prepare("SELECT count(*) FROM audit_log WHERE action LIKE 'standard.%'").pluck().get()).toBe(4);
  });
});

test('the migration applies to a file database and reopens', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ag-rub-')), 'db.sqlite');
  setup(file).close();
  const db = openDatabase(file);
  expect(db.prepare("SELECT count(*) FROM schema_migrations WHERE id = '0010_rubrics'").pluck().get()).toBe(1);
  db.close();
});
