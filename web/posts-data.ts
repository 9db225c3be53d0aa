// The posts of one channel for its page (DESIGN §11): newest first, a page at a time, with the channel's posts
// collection state (last read, last failure, no public preview). Deleted posts are not listed.
import type { Db } from '../db';
import { fromEpochDay } from '../src/domain/dates';

export const POSTS_PAGE_SIZE = 50;

export function channelPosts(db: Db, accountId: number, page: number) {
  const total = db.prepare('SELECT count(*) FROM posts WHERE account_id = ? AND deleted_at IS NULL').pluck().get(accountId) as number;
  const pages = Math.max(1, Math.ceil(total / POSTS_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const list = (
    db
      .prepare(
        `SELECT post_id, day, published_at, kind, forwarded, text, url, reactions, comments, shares, views, views_approximate
         FROM posts INDEXED BY posts_account_day WHERE account_id = ? AND deleted_at IS NULL ORDER BY day DESC, published_at DESC LIMIT ? OFFSET ?`,
      )
      .all(accountId, POSTS_PAGE_SIZE, (current - 1) * POSTS_PAGE_SIZE) as { day: number; text: string; reactions: number | null; comments: number | null; shares: number | null }[]
  ).map((p) => ({ ...p, date: fromEpochDay(p.day), excerpt: p.text.length > 160 ? `${p.text.slice(0, 157)}…` : p.text }));
  const state = db.prepare('SELECT last_ok_at, last_failed_at, last_error, no_preview FROM post_collect_state WHERE account_id = ?').get(accountId) as
    | { last_ok_at: number | null; last_failed_at: number | null; last_error: string | null; no_preview: number }
    | undefined;
  return { list, total, page: current, pages, state };
}
