// The one writer of matched rubrics (post_rubrics rows of origin 0) and of editors' rubric decisions (origin 1
// = added, 2 = removed). New or edited posts are classified on every compute; when the configured rubrics
// change (or on `compute --rubrics`) every post is classified again. Editors' decisions are never touched by
// classification: a removed rubric stays removed, an added one stays added (DESIGN §11).
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { audit } from '../../db/orgs';
import { InputError } from '../config';
import { compileRubrics, withOverrides, type RubricDefinition, type RubricOverride } from '../domain/rubrics';

export interface ClassifySummary {
  mode: 'full' | 'pending';
  posts: number;
  /** posts given at least one matched rubric */
  matched: number;
  ms: number;
}

/** What the stored classification depends on: slugs, keywords and hashtags (not names). */
export function rubricsFingerprint(rubrics: readonly RubricDefinition[]): string {
  return JSON.stringify(rubrics.map((r) => [r.slug, [...r.keywords], [...r.hashtags]]));
}

/** True when the stored classification was made with other rubrics than these. */
export function rubricsChanged(db: Db, rubrics: readonly RubricDefinition[]): boolean {
  const stored = db.prepare('SELECT fingerprint FROM rubric_config WHERE id = 1').pluck().get() as string | undefined;
  return stored !== rubricsFingerprint(rubrics);
}

/**
 * Classifies the posts that are new or edited since the last run, or all posts (`full`, or when the rubrics
 * changed). One transaction; matched rows of a post are replaced, editors' rows kept.
 */
export function classifyPosts(db: Db, rubrics: readonly RubricDefinition[], opts: { full?: boolean; onProgress?: (done: number, total: number) => void } = {}): ClassifySummary {
  const t0 = performance.now();
  const matcher = compileRubrics(rubrics);
  const full = opts.full === true || rubricsChanged(db, rubrics);
  const insert = db.prepare('INSERT OR IGNORE INTO post_rubrics (post_id, rubric, origin) VALUES (?, ?, 0)');
  const remove = db.prepare('DELETE FROM post_rubrics WHERE post_id = ? AND rubric = ? AND origin = 0');
  // a changed post marks its chunk and its day: a chunk with any day in rubric_dirty_day is recounted for
  // those days only (migration 0011), so a day left out would keep a stale count
  const markChunk = db.prepare('INSERT INTO rubric_dirty (chunk) VALUES (?) ON CONFLICT (chunk) DO NOTHING');
  const markDay = db.prepare('INSERT INTO rubric_dirty_day (day) VALUES (?) ON CONFLICT (day) DO NOTHING');
  let posts = 0;
  let matched = 0;
  const run = () =>
    writeTx(db, () => {
    if (full) {
      // Every post again, written as a difference: a post whose matched rubrics did not change costs no write
      // (changing one rubric's keywords re-writes only the posts that rubric gains or loses), and only the
      // chunks of changed posts have their rubric counts recomputed. Pages of posts by id, with the stored
      // matched rubrics of the same id range read alongside (better-sqlite3 cannot write while iterating).
      // Editors' decisions are never touched; those on rubrics that no longer exist are kept (they come
      // back if the rubric does).
      const total = db.prepare('SELECT count(*) FROM posts').pluck().get() as number;
      const page = db.prepare('SELECT id, day, text FROM posts WHERE id > ? ORDER BY id LIMIT 5000').raw();
      const storedOf = db.prepare('SELECT post_id, rubric, origin FROM post_rubrics WHERE post_id BETWEEN ? AND ?').raw();
      // matched rows of posts that no longer exist, and of rubrics no longer configured, go first
      db.prepare('DELETE FROM post_rubrics WHERE origin = 0 AND post_id NOT IN (SELECT id FROM posts)').run();
      const known = new Set(matcher.slugs);
      for (const r of db.prepare('SELECT DISTINCT rubric FROM post_rubrics INDEXED BY post_rubrics_rubric WHERE origin = 0').pluck().all() as string[]) {
        if (known.has(r)) continue;
        db.prepare('INSERT INTO rubric_dirty (chunk) SELECT DISTINCT p.day >> 5 FROM post_rubrics r JOIN posts p ON p.id = r.post_id WHERE r.rubric = ? AND r.origin = 0 ON CONFLICT (chunk) DO NOTHING').run(r);
        db.prepare('INSERT INTO rubric_dirty_day (day) SELECT DISTINCT p.day FROM post_rubrics r JOIN posts p ON p.id = r.post_id WHERE r.rubric = ? AND r.origin = 0 ON CONFLICT (day) DO NOTHING').run(r);
        db.prepare('DELETE FROM post_rubrics WHERE rubric = ? AND origin = 0').run(r);
      }
      let lastId = -1;
      for (;;) {
        const rows = page.all(lastId) as [number, number, string][];
        if (rows.length === 0) break;
        // post id → its stored rows: matched rubrics as they are, an editor's row as `!rubric` (never replaced)
        const stored = new Map<number, string[]>();
        for (const [id, rubric, origin] of storedOf.all(rows[0][0], rows[rows.length - 1][0]) as [number, string, number][]) {
          const key = origin === 0 ? rubric : `!${rubric}`;
          const list = stored.get(id);
          if (list) list.push(key);
          else stored.set(id, [key]);
        }
        for (const [id, day, text] of rows) {
          const slugs = matcher.match(text);
          if (slugs.length) matched++;
          const before = stored.get(id);
          if (before === undefined && slugs.length === 0) continue;
          let changed = false;
          for (const s of slugs) {
            if (before?.includes(s) || before?.includes(`!${s}`)) continue;
            insert.run(id, s);
            changed = true;
          }
          for (const s of before ?? []) {
            if (s.startsWith('!') || slugs.includes(s)) continue;
            remove.run(id, s);
            changed = true;
          }
          if (changed) {
            markChunk.run(day >> 5);
            markDay.run(day);
          }
        }
        posts += rows.length;
        lastId = rows[rows.length - 1][0];
        opts.onProgress?.(posts, total);
      }
    } else {
      const total = db.prepare('SELECT count(*) FROM rubric_pending').pluck().get() as number;
      if (total === 0) return;
      db.prepare('DELETE FROM post_rubrics WHERE origin = 0 AND post_id IN (SELECT post_id FROM rubric_pending)').run();
      // CROSS JOIN: from the few pending posts to theirs; without statistics SQLite otherwise scans every post's day
      db.prepare('INSERT INTO rubric_dirty (chunk) SELECT DISTINCT p.day >> 5 FROM rubric_pending r CROSS JOIN posts p ON p.id = r.post_id WHERE true ON CONFLICT (chunk) DO NOTHING').run();
      db.prepare('INSERT INTO rubric_dirty_day (day) SELECT DISTINCT p.day FROM rubric_pending r CROSS JOIN posts p ON p.id = r.post_id WHERE true ON CONFLICT (day) DO NOTHING').run();
      // read in pages by id: better-sqlite3 cannot write while a read is being iterated
      const stmt = db.prepare('SELECT p.id, p.text FROM rubric_pending r CROSS JOIN posts p ON p.id = r.post_id WHERE r.post_id > ? ORDER BY r.post_id LIMIT 5000').raw();
      for (let rows = stmt.all(-1) as [number, string][]; rows.length; rows = stmt.all(rows[rows.length - 1][0]) as [number, string][]) {
        for (const [id, text] of rows) {
          const slugs = matcher.match(text);
          if (slugs.length) matched++;
          for (const s of slugs) insert.run(id, s);
        }
        posts += rows.length;
        opts.onProgress?.(posts, total);
      }
    }
    db.prepare('DELETE FROM rubric_pending').run();
    db.prepare('INSERT INTO rubric_config (id, fingerprint) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint').run(rubricsFingerprint(rubrics));
  });
  run();
  opts.onProgress?.(posts, posts);
  return { mode: full ? 'full' : 'pending', posts, matched, ms: performance.now() - t0 };
}

/** A post's rubrics: matched ones with the editors' decisions on top (sorted slugs). */
export function postRubrics(db: Db, postId: number): { rubrics: string[]; matched: string[]; overrides: (RubricOverride & { set_by: string | null; set_at: number | null })[] } {
  const rows = db.prepare('SELECT rubric, origin, set_by, set_at FROM post_rubrics WHERE post_id = ? ORDER BY rubric').all(postId) as { rubric: string; origin: number; set_by: string | null; set_at: number | null }[];
  const matched = rows.filter((r) => r.origin === 0).map((r) => r.rubric);
  const overrides = rows.filter((r) => r.origin !== 0).map((r) => ({ rubric: r.rubric, action: r.origin === 1 ? ('add' as const) : ('remove' as const), set_by: r.set_by, set_at: r.set_at }));
  return { rubrics: withOverrides(matched, overrides), matched, overrides };
}

/**
 * An editor adds or removes one rubric of one post, audit-logged. The decision replaces whatever matching
 * said for that rubric and survives re-classification. `action: 'auto'` drops the decision (matching
 * decides again, at the next classification of the post).
 */
export function setPostRubric(db: Db, actor: string, postId: number, rubric: string, action: 'add' | 'remove' | 'auto', known: readonly string[]): void {
  if (!known.includes(rubric)) throw new InputError(`no rubric ${rubric}; rubrics are ${known.join(', ')}`, undefined, undefined, 'rubric');
  writeTx(db, () => {
    const post = db.prepare('SELECT p.id, p.post_id, a.platform, a.platform_id FROM posts p JOIN accounts a ON a.id = p.account_id WHERE p.id = ?').get(postId) as
      | { id: number; post_id: string; platform: string; platform_id: string }
      | undefined;
    if (!post) throw new InputError(`no post ${postId}`, undefined, undefined, 'post');
    const before = postRubrics(db, postId).rubrics;
    if (action === 'auto') {
      db.prepare('DELETE FROM post_rubrics WHERE post_id = ? AND rubric = ? AND origin <> 0').run(postId, rubric);
      db.prepare('INSERT OR IGNORE INTO rubric_pending (post_id) VALUES (?)').run(postId);
    } else {
      db.prepare(
        `INSERT INTO post_rubrics (post_id, rubric, origin, set_by, set_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (post_id, rubric) DO UPDATE SET origin = excluded.origin, set_by = excluded.set_by, set_at = excluded.set_at`,
      ).run(postId, rubric, action === 'add' ? 1 : 2, actor, Date.now());
    }
    db.prepare('INSERT INTO rubric_dirty (chunk) SELECT day >> 5 FROM posts WHERE id = ? ON CONFLICT (chunk) DO NOTHING').run(postId);
    const after = postRubrics(db, postId).rubrics;
    audit(db, actor, `post.rubric.${action}`, `post:${post.platform}:${post.platform_id}:${post.post_id}`, { rubric, rubrics: before }, { rubric, rubrics: after });
  });
}
