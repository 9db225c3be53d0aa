// The best posts across the tree (DESIGN §11, UX "Best posts"): the most engaging counted posts of a period by
// engagement rate (100 × interactions / audience_at), so that a small organisation's good post can win.
// The one owner of post_scores: each counted post's audience_at and ER, kept up to date for the accounts whose
// posts, counters, snapshots or closing changed (score_dirty, written by triggers).
import { writeTx } from '../../db/write';
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
  const run = () =>
    writeTx(db, () => {
    if (opts.full) {
      db.prepare('DELETE FROM post_scores').run();
      db.prepare('DELETE FROM score_dirty').run();
      db.prepare('INSERT INTO score_dirty (account_id, from_day, to_day) SELECT DISTINCT account_id, ?, ? FROM posts').run(FAR_PAST, FAR_FUTURE);
    }
    // The dirty accounts' posts of their ranges, a few hundred accounts at a time, each with its audience_at (the
    // latest snapshot on or before its day) and its stored score: one statement, not five per account. Only the
    // scores that changed are written (each row sits in three indexes). Every stored score of a dirty range is
    // reached through its post (a deleted post's score goes with it, a moved post is dirty where it went).
    const page = db.prepare(
      `SELECT p.id, d.account_id, p.day, coalesce(p.reactions, 0) + coalesce(p.comments, 0) + coalesce(p.shares, 0), p.deleted_at IS NOT NULL,
              a.id IS NULL, a.closed_day,
              (SELECT s.audience FROM snapshots s WHERE s.account_id = d.account_id AND s.day <= p.day ORDER BY s.day DESC LIMIT 1),
              sc.post_id IS NOT NULL, sc.account_id, sc.day, sc.audience_at, sc.er
       FROM (SELECT account_id, from_day, to_day FROM score_dirty WHERE account_id > ? AND from_day < ? ORDER BY account_id LIMIT 200) d
       JOIN posts p INDEXED BY posts_account_day ON p.account_id = d.account_id AND p.day BETWEEN d.from_day AND d.to_day
       LEFT JOIN accounts a ON a.id = d.account_id
       LEFT JOIN post_scores sc ON sc.post_id = p.id`,
    );
    const lastOf = db.prepare('SELECT max(account_id), count(*) FROM (SELECT account_id FROM score_dirty WHERE account_id > ? AND from_day < ? ORDER BY account_id LIMIT 200)');
    const del = db.prepare('DELETE FROM post_scores WHERE post_id = ?');
    const upd = db.prepare('UPDATE post_scores SET account_id = ?, day = ?, audience_at = ?, er = ? WHERE post_id = ?');
    // a refreshed counter or a new audience moves the score only: the (account, day) index is left alone
    const updScore = db.prepare('UPDATE post_scores SET audience_at = ?, er = ? WHERE post_id = ?');
    const ins = db.prepare('INSERT INTO post_scores (post_id, account_id, day, audience_at, er) VALUES (?, ?, ?, ?, ?)');
    type Row = [number, number, number, number, number, number, number | null, number | null, number, number | null, number | null, number | null, number | null];
    // a daily collect's accounts (dirty from the recent days) first, in scans; then the others (below `start`)
    const recent = opts.full ? { start: FAR_FUTURE + 1, accounts: 0, posts: 0 } : updateRecentScores(db, { del, upd, updScore, ins });
    accounts += recent.accounts;
    posts += recent.posts;
    for (let after = -1; ; ) {
      const [last, n] = lastOf.raw().get(after, recent.start) as [number | null, number];
      if (last === null) break;
      accounts += n;
      for (const [id, accountId, day, interactions, deleted, gone, closed, audience, has, oldAccount, oldDay, oldAudience, oldEr] of page.raw().all(after, recent.start) as Row[]) {
        const counted = !deleted && !gone && (closed === null || day < closed) && audience !== null && audience > 0;
        if (!counted) {
          if (has) del.run(id);
          continue;
        }
        const er = (100 * interactions) / audience!;
        posts++;
        if (!has) ins.run(id, accountId, day, audience, er);
        else if (oldAccount !== accountId || oldDay !== day) upd.run(accountId, day, audience, er, id);
        else if (oldAudience !== audience || oldEr !== er) updScore.run(audience, er, id);
      }
      after = last;
    }
    db.prepare('DELETE FROM score_dirty').run();
  });
  run();
  return { accounts, posts, ms: performance.now() - t0 };
}

/** From how many dirty accounts a daily run's posts and scores are read in scans of the recent days (tests set 1). */
export const POST_SCORES_TUNING = { bulkFrom: 64 };

type Stmt = { run(...params: unknown[]): unknown };

/**
 * The scores of the accounts dirty from the recent days (a daily collect: every account, from the last week), as
 * updatePostScores computes them, read in a few scans rather than a statement per account page with a snapshot
 * seek per post: the recent days' posts in day order (about the order they were written in), their stored scores
 * by day, each account's snapshots of its posts' days once. Writes in post id order. Returns the first day of the
 * scans: accounts dirty from before it are left to the caller (FAR_FUTURE + 1: none were done here).
 */
function updateRecentScores(db: Db, w: { del: Stmt; upd: Stmt; updScore: Stmt; ins: Stmt }): { start: number; accounts: number; posts: number } {
  const none = { start: FAR_FUTURE + 1, accounts: 0, posts: 0 };
  const dirty = db.prepare('SELECT account_id, from_day, to_day FROM score_dirty').raw().all() as [number, number, number][];
  if (dirty.length < POST_SCORES_TUNING.bulkFrom) return none;
  // from the median account's first dirty day, at most two months earlier for the others
  const froms = dirty.map((d) => d[1]).filter((f) => f > FAR_PAST).sort((a, b) => a - b);
  if (froms.length < POST_SCORES_TUNING.bulkFrom) return none;
  const start = froms.find((f) => f >= froms[froms.length >> 1] - 64)!;
  const ranges = new Map<number, [number, number]>();
  for (const [a, from, to] of dirty) if (from >= start) ranges.set(a, [from, to]);
  const closedOf = new Map(db.prepare('SELECT id, closed_day FROM accounts').raw().all() as [number, number | null][]);
  type Post = [number, number, number, number]; // id, day, interactions, deleted
  const byAccount = new Map<number, Post[]>();
  const postsOf = db.prepare(
    `SELECT account_id, id, day, coalesce(reactions, 0) + coalesce(comments, 0) + coalesce(shares, 0), deleted_at IS NOT NULL FROM posts INDEXED BY posts_day WHERE day >= ?`,
  );
  for (const [a, id, day, interactions, deleted] of postsOf.raw().iterate(start) as IterableIterator<[number, number, number, number, number]>) {
    const r = ranges.get(a);
    if (!r || day < r[0] || day > r[1]) continue;
    const list = byAccount.get(a);
    if (list) list.push([id, day, interactions, deleted]);
    else byAccount.set(a, [[id, day, interactions, deleted]]);
  }
  // their stored scores: the posts of a few days were mostly written together, so their ids are close and the
  // scores (keyed by post id) are read in one range; ids spread out (history read late) are read one by one
  type Stored = [number, number, number, number]; // account, day, audience_at, er
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  for (const list of byAccount.values()) {
    for (const [id] of list) {
      lo = Math.min(lo, id);
      hi = Math.max(hi, id);
      n++;
    }
  }
  const ranged = n > 0 && hi - lo < 4 * n;
  const stored = new Map<number, Stored>();
  if (ranged) {
    for (const [id, a, day, audience, er] of db.prepare('SELECT post_id, account_id, day, audience_at, er FROM post_scores WHERE post_id BETWEEN ? AND ?').raw().iterate(lo, hi) as IterableIterator<[number, ...Stored]>) {
      stored.set(id, [a, day, audience, er]);
    }
  }
  const storedOne = db.prepare('SELECT account_id, day, audience_at, er FROM post_scores WHERE post_id = ?').raw();
  const snapBefore = db.prepare('SELECT audience FROM snapshots WHERE account_id = ? AND day <= ? ORDER BY day DESC LIMIT 1').pluck();
  const snapsIn = db.prepare('SELECT day, audience FROM snapshots WHERE account_id = ? AND day > ? AND day <= ? ORDER BY day').raw();
  // post id → what to write: null deletes its score, a shorter row updates the score only
  const writes: [number, unknown[] | null, Stmt][] = [];
  let posts = 0;
  for (const [accountId, list] of byAccount) {
    list.sort((a, b) => a[1] - b[1]);
    const gone = !closedOf.has(accountId);
    const closed = closedOf.get(accountId) ?? null;
    let audience = snapBefore.get(accountId, list[0][1]) as number | undefined;
    const snaps = snapsIn.all(accountId, list[0][1], list[list.length - 1][1]) as [number, number][];
    let si = 0;
    for (const [id, day, interactions, deleted] of list) {
      while (si < snaps.length && snaps[si][0] <= day) audience = snaps[si++][1];
      const old = ranged ? stored.get(id) : (storedOne.get(id) as Stored | undefined);
      const counted = !deleted && !gone && (closed === null || day < closed) && audience !== undefined && audience > 0;
      if (!counted) {
        if (old) writes.push([id, null, w.del]);
        continue;
      }
      const er = (100 * interactions) / audience!;
      posts++;
      if (!old) writes.push([id, [id, accountId, day, audience, er], w.ins]);
      else if (old[0] !== accountId || old[1] !== day) writes.push([id, [accountId, day, audience, er, id], w.upd]);
      else if (old[2] !== audience || old[3] !== er) writes.push([id, [audience, er, id], w.updScore]);
    }
  }
  writes.sort((a, b) => a[0] - b[0]);
  for (const [id, params, stmt] of writes) stmt.run(...(params ?? [id]));
  return { start, accounts: ranges.size, posts };
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
  /** The channel as users know it: its title, or its id (@name, Page id) when it has none. */
  account_title: string;
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

/** (the partial index post_scores_best, migration 0019, holds the posts at or above it: keep them equal) */
export const DEFAULT_MIN_AUDIENCE = 50;

interface Candidate {
  id: number;
  er: number;
  interactions: number;
  published_at: number;
}

/** a before b in the page's order: higher ER, then more interactions, then newer */
const better = (a: Candidate, b: Candidate): number => b.er - a.er || b.interactions - a.interactions || b.published_at - a.published_at;

/** Accounts of a subtree at most this many, or this share of all (1 / FEW_SHARE): read their scores directly (post_scores_account) rather than by day. */
const FEW_ACCOUNTS = 60;
const FEW_SHARE = 8;

/**
 * The counted posts of a period with the highest ER, best first (ties: more interactions, then newer).
 *
 * How it stays fast on millions of posts: the scores are indexed by (day, er). Each day of the period is walked
 * from its highest ER down, and only while the ER is at least that of the worst of the best `limit` found so
 * far, so after the first days each day costs one index seek and a few rows, whatever the period's length and
 * however the ERs spread over time. A small subtree's few accounts are read directly instead.
 */
export function bestPosts(db: Db, q: BestPostsQuery): BestPost[] {
  const limit = q.limit ?? 20;
  const filters: string[] = ['s.audience_at >= ?'];
  const params: unknown[] = [q.minAudience ?? DEFAULT_MIN_AUDIENCE];
  if (q.group && q.group !== 'social') {
    filters.push('a.platform IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(platformsOf(q.group)));
  }
  if (q.level) {
    filters.push('o.level = ?');
    params.push(q.level);
  }
  if (q.rubric) {
    filters.push('EXISTS (SELECT 1 FROM post_rubrics r WHERE r.post_id = s.post_id AND r.rubric = ? AND r.origin <> 2)');
    params.push(q.rubric);
  }
  const select = `SELECT s.post_id, s.er, coalesce(p.reactions, 0) + coalesce(p.comments, 0) + coalesce(p.shares, 0), p.published_at`;
  const joins = `CROSS JOIN accounts a ON a.id = s.account_id CROSS JOIN organisations o ON o.id = a.org_id CROSS JOIN posts p ON p.id = s.post_id`;
  const best: Candidate[] = [];
  const offer = (c: Candidate): void => {
    if (best.length === limit && better(c, best[limit - 1]) >= 0) return;
    let i = best.length;
    while (i > 0 && better(c, best[i - 1]) < 0) i--;
    best.splice(i, 0, c);
    if (best.length > limit) best.pop();
  };
  const accounts = accountsOf(db, q);
  if (limit <= 0 || accounts?.length === 0) return [];
  // few accounts (a small subtree, the primaries' channels, one platform of a region): their scores directly
  const total = accounts ? (db.prepare("SELECT count(*) FROM accounts WHERE platform <> 'newspaper'").pluck().get() as number) : 0;
  if (accounts && (accounts.length <= FEW_ACCOUNTS || accounts.length * FEW_SHARE <= total)) {
    const stmt = db.prepare(`${select} FROM post_scores s INDEXED BY post_scores_account ${joins} WHERE s.account_id = ? AND s.day BETWEEN ? AND ? AND ${filters.join(' AND ')}`).raw();
    for (const account of accounts) {
      for (const [id, er, interactions, published] of stmt.iterate(account, q.from, q.to, ...params) as IterableIterator<[number, number, number, number]>) {
        offer({ id, er, interactions, published_at: published });
      }
    }
  } else {
    walkDays(db, q, accounts, offer, () => (best.length === limit ? best[limit - 1].er : -1));
  }
  if (best.length === 0) return [];
  const details = db.prepare(
    `SELECT p.id, o.id AS org_id, o.slug AS org_slug, o.level AS org_level, o.name_ru, o.name_kk, o.name_en, a.platform, coalesce(a.title, a.platform_id) AS account_title,
       p.post_id, p.day, p.kind, p.url, p.text, p.reactions, p.comments, p.shares, p.views, p.views_approximate, s.audience_at, s.er AS engagement_rate,
       (SELECT group_concat(rubric, ';') FROM (SELECT rubric FROM post_rubrics WHERE post_id = p.id AND origin <> 2 ORDER BY rubric)) AS rubric_list
     FROM post_scores s CROSS JOIN posts p ON p.id = s.post_id CROSS JOIN accounts a ON a.id = s.account_id CROSS JOIN organisations o ON o.id = a.org_id
     WHERE s.post_id = ?`,
  );
  return best.map((c) => {
    const { rubric_list, ...r } = details.get(c.id) as Omit<BestPost, 'rubrics'> & { rubric_list: string | null };
    return { ...r, rubrics: rubric_list ? rubric_list.split(';') : [] };
  });
}

/**
 * The period's days from the last, each from its highest ER down while the ER is at least the worst of the best
 * found so far. The rows come from a covering index of the posts with an audience of at least the default
 * minimum (post_scores_best: day, er, account), so a row a filter leaves out costs no table or join read: the
 * account filters (platform, level, subtree) are a set of account ids, the rubric one seek for the rows that
 * pass them, the tie-breaking counters one read for those that pass everything.
 */
function walkDays(db: Db, q: BestPostsQuery, accounts: readonly number[] | undefined, offer: (c: Candidate) => void, worst: () => number): void {
  const allowed = accounts ? new Set(accounts) : undefined;
  const minAudience = q.minAudience ?? DEFAULT_MIN_AUDIENCE;
  const rows =
    minAudience === DEFAULT_MIN_AUDIENCE
      ? db.prepare(`SELECT post_id, er, account_id FROM post_scores INDEXED BY post_scores_best WHERE day = ? AND er >= ? AND audience_at >= ${DEFAULT_MIN_AUDIENCE} ORDER BY er DESC`).raw()
      : db.prepare(`SELECT post_id, er, account_id FROM post_scores INDEXED BY post_scores_day_er WHERE day = ? AND er >= ? AND audience_at >= ${Math.floor(minAudience)} ORDER BY er DESC`).raw();
  const hasRubric = db.prepare('SELECT 1 FROM post_rubrics WHERE post_id = ? AND rubric = ? AND origin <> 2').pluck();
  const counters = db.prepare('SELECT coalesce(reactions, 0) + coalesce(comments, 0) + coalesce(shares, 0), published_at FROM posts WHERE id = ?').raw();
  for (let day = q.to; day >= q.from; day--) {
    for (const [id, er, accountId] of rows.iterate(day, worst()) as IterableIterator<[number, number, number]>) {
      if (er < worst()) break;
      if (allowed && !allowed.has(accountId)) continue;
      if (q.rubric && hasRubric.get(id, q.rubric) === undefined) continue;
      const [interactions, published] = counters.get(id) as [number, number];
      offer({ id, er, interactions, published_at: published });
    }
  }
}

/** The accounts the query's account filters leave (platform, level of the own org, subtree); undefined: all. */
function accountsOf(db: Db, q: BestPostsQuery): number[] | undefined {
  const where: string[] = ["a.platform <> 'newspaper'"];
  const params: unknown[] = [];
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
  if (params.length === 0) return undefined;
  return db.prepare(`SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE ${where.join(' AND ')}`).pluck().all(...params) as number[];
}
