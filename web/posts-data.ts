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
        `SELECT id, post_id, day, published_at, kind, forwarded, text, url, reactions, comments, shares, views, views_approximate,
           (SELECT group_concat(rubric || ':' || origin, ';') FROM (SELECT rubric, origin FROM post_rubrics WHERE post_id = posts.id ORDER BY rubric)) AS rubric_rows
         FROM posts INDEXED BY posts_account_day WHERE account_id = ? AND deleted_at IS NULL ORDER BY day DESC, published_at DESC LIMIT ? OFFSET ?`,
      )
      .all(accountId, POSTS_PAGE_SIZE, (current - 1) * POSTS_PAGE_SIZE) as {
      id: number;
      day: number;
      text: string;
      reactions: number | null;
      comments: number | null;
      shares: number | null;
      rubric_rows: string | null;
    }[]
  ).map(({ rubric_rows, ...p }) => {
    // the post's rubrics (matched, or added by an editor: `edited`); a rubric an editor removed is not listed
    const rows = (rubric_rows ? rubric_rows.split(';') : []).map((r) => {
      const i = r.lastIndexOf(':');
      return { slug: r.slice(0, i), origin: Number(r.slice(i + 1)) };
    });
    return {
      ...p,
      date: fromEpochDay(p.day),
      excerpt: p.text.length > 160 ? `${p.text.slice(0, 157)}…` : p.text,
      rubrics: rows.filter((r) => r.origin !== 2).map((r) => ({ slug: r.slug, edited: r.origin === 1 })),
      removed: rows.filter((r) => r.origin === 2).map((r) => r.slug),
    };
  });
  const state = db.prepare('SELECT last_ok_at, last_failed_at, last_error, no_preview FROM post_collect_state WHERE account_id = ?').get(accountId) as
    | { last_ok_at: number | null; last_failed_at: number | null; last_error: string | null; no_preview: number }
    | undefined;
  return { list, total, page: current, pages, state };
}

/** Every listed post of a channel with its ER (post_scores), for the page's download, newest first. */
export function channelPostsForDownload(db: Db, accountId: number) {
  return (
    db
      .prepare(
        `SELECT p.id, p.day, p.kind, p.text, p.url, p.reactions, p.comments, p.shares, p.views, s.er AS engagement_rate, s.audience_at,
           (SELECT group_concat(rubric, ';') FROM (SELECT rubric FROM post_rubrics WHERE post_id = p.id AND origin <> 2 ORDER BY rubric)) AS rubric_list
         FROM posts p INDEXED BY posts_account_day LEFT JOIN post_scores s ON s.post_id = p.id
         WHERE p.account_id = ? AND p.deleted_at IS NULL ORDER BY p.day DESC, p.published_at DESC`,
      )
      .all(accountId) as {
      id: number;
      day: number;
      kind: string;
      text: string;
      url: string | null;
      reactions: number | null;
      comments: number | null;
      shares: number | null;
      views: number | null;
      engagement_rate: number | null;
      audience_at: number | null;
      rubric_list: string | null;
    }[]
  ).map(({ rubric_list, ...p }) => ({ ...p, date: fromEpochDay(p.day), rubrics: rubric_list ? rubric_list.split(';') : [] }));
}
