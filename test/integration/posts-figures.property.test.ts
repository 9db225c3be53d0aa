// The precomputed post figures must equal DESIGN §11 computed directly over the raw posts and snapshots, after
// any sequence of new posts, counter refreshes, deletions, snapshot changes, closings and moves, both when
// updated incrementally and after a full rebuild.
import fc from 'fast-check';
import { openDatabase, type Db } from '../../db';
import { applyPostsOp, noonOf } from '../helpers/posts-ops';
import { savePosts, type PostInput } from '../../src/posts/store';
import { orgPostFigures, allOrgsPostFigures, lastPostDay, lastPostDays, updatePostFigures, ensurePostFigures, POST_FIGURES_TUNING, type PostFigures } from '../../src/posts/figures';
import { toEpochDay } from '../../src/domain/dates';

const TZ = 'Asia/Almaty';
const DAY0 = toEpochDay('2026-01-10'); // not chunk-aligned
const SPAN = 80;
const GROUPS = ['facebook', 'instagram', 'telegram', 'social'] as const;
const ORGS: [number, number | null][] = [
  [1, null],
  [2, 1],
  [3, 1],
  [4, 2],
  [5, 3],
  [6, 4],
];
const ACCOUNTS: [number, number, string][] = [
  [1, 6, 'facebook'],
  [2, 6, 'telegram'],
  [3, 4, 'instagram'],
  [4, 5, 'telegram'],
  [5, 3, 'facebook'],
];

function setup(): Db {
  const db = openDatabase(':memory:');
  const ins = db.prepare("INSERT INTO organisations (id, slug, parent_id, level, name_ru, created_at, updated_at) VALUES (?, ?, ?, ?, 'x', 0, 0)");
  for (const [id, parent] of ORGS) ins.run(id, `o${id}`, parent, parent === null ? 'council' : 'region');
  const acc = db.prepare('INSERT INTO accounts (id, org_id, platform, platform_id, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)');
  for (const [id, org, platform] of ACCOUNTS) acc.run(id, org, platform, `a${id}`);
  return db;
}

// noon in Almaty of a day (UTC+5): the local date is the day itself

function reference(db: Db, root: number, group: string, from: number, to: number): PostFigures {
  const parent = new Map((db.prepare('SELECT id, parent_id FROM organisations').all() as { id: number; parent_id: number | null }[]).map((o) => [o.id, o.parent_id]));
  const under = (org: number) => {
    for (let o: number | null | undefined = org; o != null; o = parent.get(o)) if (o === root) return true;
    return false;
  };
  const accounts = (db.prepare('SELECT id, org_id, platform, closed_day FROM accounts').all() as { id: number; org_id: number; platform: string; closed_day: number | null }[]).filter(
    (a) => under(a.org_id) && (group === 'social' || a.platform === group),
  );
  const out: PostFigures = { posts: 0, interactions: 0, views: 0, er_interactions: 0, er_audience: 0, vr_views: 0, vr_audience: 0 };
  for (const a of accounts) {
    const posts = db
      .prepare('SELECT day, reactions, comments, shares, views FROM posts WHERE account_id = ? AND deleted_at IS NULL AND day BETWEEN ? AND ?')
      .all(a.id, from, to) as { day: number; reactions: number | null; comments: number | null; shares: number | null; views: number | null }[];
    for (const p of posts) {
      if (a.closed_day !== null && a.closed_day <= p.day) continue;
      const inter = (p.reactions ?? 0) + (p.comments ?? 0) + (p.shares ?? 0);
      const aud = (db.prepare('SELECT audience FROM snapshots WHERE account_id = ? AND day <= ? ORDER BY day DESC LIMIT 1').pluck().get(a.id, p.day) as number | undefined) ?? null;
      out.posts++;
      out.interactions += inter;
      if (p.views !== null) out.views += p.views;
      if (aud !== null && aud > 0) {
        out.er_interactions += inter;
        out.er_audience += aud;
        if (p.views !== null) {
          out.vr_views += p.views;
          out.vr_audience += aud;
        }
      }
    }
  }
  return out;
}

const counter = fc.option(fc.nat(500), { nil: null });
const op = fc.oneof(
  fc.record({ t: fc.constant('post' as const), account: fc.integer({ min: 1, max: 5 }), id: fc.integer({ min: 1, max: 30 }), day: fc.nat(SPAN - 1), reactions: counter, comments: counter, shares: counter, views: counter }),
  fc.record({ t: fc.constant('delete' as const), account: fc.integer({ min: 1, max: 5 }), id: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ t: fc.constant('snapshot' as const), account: fc.integer({ min: 1, max: 5 }), day: fc.nat(SPAN - 1), audience: fc.nat(2000) }),
  fc.record({ t: fc.constant('unsnap' as const), account: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ t: fc.constant('close' as const), account: fc.integer({ min: 1, max: 5 }), day: fc.option(fc.nat(SPAN - 1), { nil: null }) }),
  fc.record({ t: fc.constant('moveOrg' as const), org: fc.integer({ min: 4, max: 6 }), parent: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ t: fc.constant('moveAccount' as const), account: fc.integer({ min: 1, max: 5 }), org: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ t: fc.constant('update' as const) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(db: Db, o: Op): void {
  switch (o.t) {
    case 'post':
    case 'delete':
    case 'snapshot':
    case 'unsnap':
    case 'close':
      applyPostsOp(db, o, DAY0, TZ);
      break;
    case 'moveOrg':
      if (o.org !== o.parent) db.prepare('UPDATE organisations SET parent_id = ? WHERE id = ?').run(o.parent, o.org);
      break;
    case 'moveAccount':
      db.prepare('UPDATE accounts SET org_id = ? WHERE id = ?').run(o.org, o.account);
      break;
    case 'update':
      updatePostFigures(db);
      break;
  }
}

function check(db: Db, from: number, to: number): void {
  for (const group of GROUPS) {
    const all = allOrgsPostFigures(db, group, DAY0 + from, DAY0 + to);
    for (const [org] of ORGS) {
      const want = reference(db, org, group, DAY0 + from, DAY0 + to);
      expect({ org, group, ...orgPostFigures(db, org, group, DAY0 + from, DAY0 + to) }).toEqual({ org, group, ...want });
      expect({ org, group, ...(all.get(org) ?? want) }).toEqual({ org, group, ...want });
    }
  }
  // each account's latest counted post (days since the last post, today's silence)
  const stored = lastPostDays(db);
  for (const [account] of ACCOUNTS) {
    const want = db
      .prepare('SELECT max(p.day) FROM posts p JOIN accounts a ON a.id = p.account_id WHERE p.account_id = ? AND p.deleted_at IS NULL AND (a.closed_day IS NULL OR p.day < a.closed_day)')
      .pluck()
      .get(account) as number | null;
    expect({ account, last: stored.get(account) ?? null }).toEqual({ account, last: want });
  }
}

describe('post figures', () => {
  it('equal §11 computed from the raw posts, incrementally and after a full rebuild', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.nat(SPAN - 1), fc.nat(SPAN - 1), fc.boolean(), fc.boolean(), (ops, a, b, scan, bulk) => {
        // the stored rows of a (group, chunk) read one by one, or in one range scan (as for a day of every org);
        // the accounts' posts and figures read account by account, or in scans of the recent days (a daily collect)
        POST_FIGURES_TUNING.scanFrom = scan ? 1 : 64;
        POST_FIGURES_TUNING.bulkFrom = bulk ? 1 : 64;
        const db = setup();
        try {
          // updated along the way too: each update subtracts what the accounts counted before and adds what they count now
          ops.forEach((o, i) => {
            apply(db, o);
            if (i % 7 === 6) {
              ensurePostFigures(db);
              check(db, 0, SPAN - 1);
            }
          });
          ensurePostFigures(db);
          const [from, to] = a <= b ? [a, b] : [b, a];
          check(db, from, to);
          check(db, 0, SPAN - 1);
          updatePostFigures(db, { full: true });
          check(db, from, to);
        } finally {
          db.close();
        }
      }),
      { numRuns: 100 },
    );
    POST_FIGURES_TUNING.scanFrom = 64;
    POST_FIGURES_TUNING.bulkFrom = 64;
  });

  it('give the latest counted post date on or before a day, skipping deleted posts and closed days', () => {
    const db = setup();
    const post = (id: string, day: number): PostInput => ({ postId: id, publishedAt: noonOf(day), kind: 'photo' });
    savePosts(db, TZ, [{ accountId: 2, posts: [post('1', DAY0 + 3), post('2', DAY0 + 40), post('3', DAY0 + 41)], source: 'preview', readAt: 1 }]);
    expect(lastPostDay(db, 2, DAY0 + 39)).toBe(DAY0 + 3);
    expect(lastPostDay(db, 2, DAY0 + 41)).toBe(DAY0 + 41);
    expect(lastPostDay(db, 2, DAY0 + 2)).toBeNull();
    savePosts(db, TZ, [{ accountId: 2, posts: [], source: 'preview', readAt: 2, deleted: ['3'] }]);
    expect(lastPostDay(db, 2, DAY0 + 100)).toBe(DAY0 + 40);
    db.prepare('UPDATE accounts SET closed_day = ? WHERE id = 2').run(DAY0 + 40);
    ensurePostFigures(db);
    expect(lastPostDay(db, 2, DAY0 + 100)).toBe(DAY0 + 3);
    expect(orgPostFigures(db, 1, 'telegram', DAY0, DAY0 + 100).posts).toBe(1);
    db.close();
  });

  it('mark a post deleted after two complete reads without it, and bring it back when it reappears', () => {
    const db = setup();
    const p = (id: string): PostInput => ({ postId: id, publishedAt: noonOf(DAY0 + 1), kind: 'text', reactions: 1, comments: 0, shares: 0 });
    const window = { fromMs: noonOf(DAY0), toMs: noonOf(DAY0 + 5) };
    savePosts(db, TZ, [{ accountId: 1, posts: [p('a'), p('b')], source: 'api', readAt: 1, complete: window }]);
    const first = savePosts(db, TZ, [{ accountId: 1, posts: [p('a')], source: 'api', readAt: 2, complete: window }]);
    expect(first.deleted).toBe(0);
    expect(orgPostFigures(db, 1, 'social', DAY0, DAY0 + 5).posts).toBe(2);
    const second = savePosts(db, TZ, [{ accountId: 1, posts: [p('a')], source: 'api', readAt: 3, complete: window }]);
    expect(second.deleted).toBe(1);
    expect(orgPostFigures(db, 1, 'social', DAY0, DAY0 + 5).posts).toBe(1);
    expect(db.prepare("SELECT deleted_at FROM posts WHERE post_id = 'b'").pluck().get()).toBe(3);
    savePosts(db, TZ, [{ accountId: 1, posts: [p('a'), p('b')], source: 'api', readAt: 4, complete: window }]);
    expect(orgPostFigures(db, 1, 'social', DAY0, DAY0 + 5).posts).toBe(2);
    db.close();
  });

  it('keeps counters a source does not give (an update without views) and refuses bad input, changing nothing', () => {
    const db = setup();
    savePosts(db, TZ, [{ accountId: 2, posts: [{ postId: '7', publishedAt: noonOf(DAY0), kind: 'text', text: 'old', views: 4850, viewsApproximate: true, reactions: 3 }], source: 'preview', readAt: 1 }]);
    savePosts(db, TZ, [{ accountId: 2, posts: [{ postId: '7', publishedAt: noonOf(DAY0), kind: 'text', text: 'edited' }], source: 'updates', readAt: 2 }]);
    expect(db.prepare("SELECT text, views, views_approximate, reactions FROM posts WHERE post_id = '7'").get()).toEqual({ text: 'edited', views: 4850, views_approximate: 1, reactions: 3 });
    expect(() =>
      savePosts(db, TZ, [{ accountId: 2, posts: [{ postId: '8', publishedAt: noonOf(DAY0), kind: 'text' }, { postId: '9', publishedAt: noonOf(DAY0), kind: 'text', views: -1 }], source: 'preview', readAt: 3 }]),
    ).toThrow(/post 9: views must be a whole number/);
    expect(db.prepare('SELECT count(*) FROM posts').pluck().get()).toBe(1);
    db.close();
  });
});
