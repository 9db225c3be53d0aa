// The best posts' engagement rates (post_scores, src/publications/best-posts.ts) must equal DESIGN §11 computed
// directly over the raw posts and snapshots after any sequence of new posts, counter refreshes, deletions,
// snapshot changes and closings: updated incrementally (account by account, or as a daily run's scans of the
// recent days) and after a full rebuild.
import fc from 'fast-check';
import { openDatabase, type Db } from '../../db';
import { applyPostsOp } from '../helpers/posts-ops';
import { bestPosts, updatePostScores, POST_SCORES_TUNING } from '../../src/publications/best-posts';
import { toEpochDay } from '../../src/domain/dates';

const TZ = 'Asia/Almaty';
const DAY0 = toEpochDay('2026-01-10');
const SPAN = 80;
const ACCOUNTS: [number, string][] = [
  [1, 'facebook'],
  [2, 'telegram'],
  [3, 'instagram'],
  [4, 'telegram'],
];

function setup(): Db {
  const db = openDatabase(':memory:');
  db.prepare("INSERT INTO organisations (id, slug, parent_id, level, name_ru, created_at, updated_at) VALUES (1, 'kz', NULL, 'council', 'x', 0, 0)").run();
  db.prepare("INSERT INTO organisations (id, slug, parent_id, level, name_ru, created_at, updated_at) VALUES (2, 'r', 1, 'region', 'x', 0, 0)").run();
  const acc = db.prepare('INSERT INTO accounts (id, org_id, platform, platform_id, created_at, updated_at) VALUES (?, 2, ?, ?, 0, 0)');
  for (const [id, platform] of ACCOUNTS) acc.run(id, platform, `a${id}`);
  return db;
}


/** Every counted post with an audience on its day: id → [audience_at, ER]. */
function reference(db: Db): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  const rows = db
    .prepare(
      `SELECT p.id, p.day, coalesce(p.reactions, 0) + coalesce(p.comments, 0) + coalesce(p.shares, 0) AS inter,
              (SELECT audience FROM snapshots s WHERE s.account_id = p.account_id AND s.day <= p.day ORDER BY s.day DESC LIMIT 1) AS aud
       FROM posts p JOIN accounts a ON a.id = p.account_id
       WHERE p.deleted_at IS NULL AND (a.closed_day IS NULL OR p.day < a.closed_day)`,
    )
    .all() as { id: number; day: number; inter: number; aud: number | null }[];
  for (const r of rows) if (r.aud !== null && r.aud > 0) out.set(r.id, [r.aud, (100 * r.inter) / r.aud]);
  return out;
}

function check(db: Db): void {
  const want = reference(db);
  const got = bestPosts(db, { from: DAY0 - 10, to: DAY0 + SPAN + 10, minAudience: 0, limit: 10_000 });
  expect(new Map(got.map((p) => [p.id, [p.audience_at, p.engagement_rate]]))).toEqual(want);
}

const counter = fc.option(fc.nat(500), { nil: null });
const op = fc.oneof(
  fc.record({ t: fc.constant('post' as const), account: fc.integer({ min: 1, max: 4 }), id: fc.integer({ min: 1, max: 30 }), day: fc.nat(SPAN - 1), reactions: counter, comments: counter, shares: counter }),
  fc.record({ t: fc.constant('delete' as const), account: fc.integer({ min: 1, max: 4 }), id: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ t: fc.constant('snapshot' as const), account: fc.integer({ min: 1, max: 4 }), day: fc.nat(SPAN - 1), audience: fc.nat(2000) }),
  fc.record({ t: fc.constant('unsnap' as const), account: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ t: fc.constant('close' as const), account: fc.integer({ min: 1, max: 4 }), day: fc.option(fc.nat(SPAN - 1), { nil: null }) }),
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
    case 'update':
      updatePostScores(db);
      break;
  }
}

describe('post scores', () => {
  it('equal §11 computed from the raw posts, incrementally and after a full rebuild', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.boolean(), (ops, bulk) => {
        POST_SCORES_TUNING.bulkFrom = bulk ? 1 : 64;
        const db = setup();
        try {
          ops.forEach((o, i) => {
            apply(db, o);
            if (i % 7 === 6) {
              updatePostScores(db);
              check(db);
            }
          });
          updatePostScores(db);
          check(db);
          updatePostScores(db, { full: true });
          check(db);
        } finally {
          db.close();
        }
      }),
      { numRuns: 150 },
    );
    POST_SCORES_TUNING.bulkFrom = 64;
  });
});
