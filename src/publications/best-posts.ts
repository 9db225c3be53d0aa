// The best posts across the tree (DESIGN §11, UX "Best posts"): the most engaging counted posts of a period by
// engagement rate (100 × interactions / audience_at), so that a small organisation's good post can win.
// The one owner of post_scores: each counted post's audience_at and ER, kept up to date for the accounts whose
// posts, counters, snapshots or closing changed (score_dirty, written by triggers).
import type { Db } from '../../db';
import { platformsOf, type Platform, type PlatformGroup } from '../domain/growth';

const FAR_PAST = -1_000_000_000;
const FAR_FUTURE = 1_000_000_000;

export interface ScoresSummary {
  accounts: number;
  posts: number;
  ms: number;
}

/** Recomputes the scores of the posts that changed (or of all posts with `full`). */
export function updatePostScores(db: Db, opts: { full?: boolean } = {}): ScoresSummary {
  const t0 = performance.now();
  let accounts = 0;
  let posts = 0;
  const run = db.transaction(() => {
    const dirty: [number, number, number][] = opts.full
      ? (db.prepare('SELECT DISTINCT account_id FROM posts').pluck().all() as number[]).map((a) => [a, FAR_PAST, FAR_FUTURE])
      : (db.prepare('SELECT account_id, from_day, to_day FROM score_dirty').raw().all() as [number, number, number][]);
    if (opts.full) db.prepare('DELETE FROM post_scores').run();
    const closedOf = db.prepare('SELECT closed_day FROM accounts WHERE id = ?').pluck();
    // the snapshots that give audience_at in [from, to]: the latest one on or before `from`, then those after it
    // (not the account's whole history: a daily update touches a week of a three-year account)
    const snapBefore = db.prepare('SELECT day, audience FROM snapshots WHERE account_id = ? AND day <= ? ORDER BY day DESC LIMIT 1');
    const snapsIn = db.prepare('SELECT day, audience FROM snapshots WHERE account_id = ? AND day > ? AND day <= ? ORDER BY day');
    const postsOf = db.prepare(
      'SELECT id, day, coalesce(reactions, 0) + coalesce(comments, 0) + coalesce(shares, 0), deleted_at IS NOT NULL FROM posts INDEXED BY posts_account_day WHERE account_id = ? AND day BETWEEN ? AND ? ORDER BY day',
    );
    // Only the scores that changed are written (each row sits in three indexes): a day's refresh of a week's
    // counters leaves most of them as they were.
    const stored = db.prepare('SELECT post_id, day, audience_at, er FROM post_scores INDEXED BY post_scores_account WHERE account_id = ? AND day BETWEEN ? AND ?');
    const del = db.prepare('DELETE FROM post_scores WHERE post_id = ?');
    const upd = db.prepare('UPDATE post_scores SET day = ?, audience_at = ?, er = ? WHERE post_id = ?');
    const ins = db.prepare('INSERT OR REPLACE INTO post_scores (post_id, account_id, day, audience_at, er) VALUES (?, ?, ?, ?, ?)');
    for (const [accountId, from, to] of dirty) {
      accounts++;
      const old = opts.full ? undefined : new Map((stored.raw().all(accountId, from, to) as [number, number, number, number][]).map(([id, day, aud, er]) => [id, [day, aud, er] as const]));
      const closed = closedOf.get(accountId) as number | null | undefined;
      if (closed === undefined) {
        for (const id of old?.keys() ?? []) del.run(id);
        continue;
      }
      const first = snapBefore.raw().get(accountId, from) as [number, number] | undefined;
      const history = [...(first ? [first] : []), ...(snapsIn.raw().all(accountId, from, to) as [number, number][])];
      let i = -1; // index of the latest snapshot dated ≤ the post's day (posts come by day)
      for (const [id, day, interactions, deleted] of postsOf.raw().all(accountId, from, to) as [number, number, number, number][]) {
        if (deleted || (closed !== null && day >= closed)) continue;
        while (i + 1 < history.length && history[i + 1][0] <= day) i++;
        const audience = i >= 0 ? history[i][1] : 0;
        if (audience <= 0) continue;
        const er = (100 * interactions) / audience;
        posts++;
        const was = old?.get(id);
        if (was) {
          old!.delete(id);
          if (was[0] !== day || was[1] !== audience || was[2] !== er) upd.run(day, audience, er, id);
        } else ins.run(id, accountId, day, audience, er);
      }
      for (const id of old?.keys() ?? []) del.run(id);
    }
    db.prepare('DELETE FROM score_dirty').run();
  });
  if (db.inTransaction) run();
  else run.immediate();
  return { accounts, posts, ms: performance.now() - t0 };
}

export interface BestPostsQuery {
  /** the subtree's org ids (all orgs when omitted) */
  orgIds?: readonly number[];
  from: number;
  to: number;
  group?: PlatformGroup;
  rubric?: string;
  /** the level of the post's own organisation */
  level?: string;
  /** posts of accounts with fewer followers than this on the post's day are left out (a 5-follower channel's
   *  3 likes are not "the best experience"); default 50 */
  minAudience?: number;
  limit?: number;
}

export interface BestPost {
  id: number;
  org_id: number;
  org_slug: string;
  org_level: string;
  name_ru: string;
  name_kk: string | null;
  name_en: string | null;
  platform: Platform;
  account_title: string | null;
  post_id: string;
  day: number;
  kind: string;
  url: string | null;
  text: string;
  reactions: number | null;
  comments: number | null;
  shares: number | null;
  views: number | null;
  views_approximate: number;
  audience_at: number;
  engagement_rate: number;
  rubrics: string[];
}

export const DEFAULT_MIN_AUDIENCE = 50;

/** The counted posts of a period with the highest ER, best first (ties: more interactions, then newer). */
export function bestPosts(db: Db, q: BestPostsQuery): BestPost[] {
  const where: string[] = ['s.day BETWEEN ? AND ?', 's.audience_at >= ?'];
  const params: unknown[] = [q.from, q.to, q.minAudience ?? DEFAULT_MIN_AUDIENCE];
  if (q.group && q.group !== 'social') {
    where.push('a.platform IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(platformsOf(q.group)));
  }
  if (q.level) {
    where.push('o.level = ?');
    params.push(q.level);
  }
  if (q.orgIds) {
    where.push('a.org_id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(q.orgIds));
  }
  if (q.rubric) {
    where.push('EXISTS (SELECT 1 FROM post_rubrics r WHERE r.post_id = s.post_id AND r.rubric = ? AND r.origin <> 2)');
    params.push(q.rubric);
  }
  // The scores drive the query (CROSS JOIN keeps them the outer loop). Walking them from the highest ER down stops after `limit` matches: few rows for a long period or a
  // broad filter. A short period within a small subtree has few posts at all: read its days instead.
  const index = q.orgIds && q.orgIds.length < 50 && q.to - q.from < 62 ? 'post_scores_day_er' : 'post_scores_er';
  const rows = db
    .prepare(
      `SELECT p.id, o.id AS org_id, o.slug AS org_slug, o.level AS org_level, o.name_ru, o.name_kk, o.name_en, a.platform, a.title AS account_title,
         p.post_id, p.day, p.kind, p.url, p.text, p.reactions, p.comments, p.shares, p.views, p.views_approximate, s.audience_at, s.er AS engagement_rate,
         (SELECT group_concat(rubric, ';') FROM (SELECT rubric FROM post_rubrics WHERE post_id = p.id AND origin <> 2 ORDER BY rubric)) AS rubric_list
       FROM post_scores s INDEXED BY ${index}
       CROSS JOIN posts p ON p.id = s.post_id
       CROSS JOIN accounts a ON a.id = s.account_id
       CROSS JOIN organisations o ON o.id = a.org_id
       WHERE ${where.join(' AND ')}
       ORDER BY s.er DESC, coalesce(p.reactions, 0) + coalesce(p.comments, 0) + coalesce(p.shares, 0) DESC, p.published_at DESC
       LIMIT ?`,
    )
    .all(...params, q.limit ?? 20) as (Omit<BestPost, 'rubrics'> & { rubric_list: string | null })[];
  return rows.map(({ rubric_list, ...r }) => ({ ...r, rubrics: rubric_list ? rubric_list.split(';') : [] }));
}
