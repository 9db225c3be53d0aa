// The changes the posts property tests make in random order, shared: a post written or deleted through the
// posts writer, a reading written or the first one removed, an account closed or reopened. Each test adds its
// own (reads, moves, updates) around them.
import type { Db } from '../../db';
import { fromEpochDay } from '../../src/domain/dates';
import { savePosts, type PostInput } from '../../src/posts/store';

export type PostsOp =
  | { t: 'post'; account: number; id: number; day: number; reactions?: number | null; comments?: number | null; shares?: number | null; views?: number | null }
  | { t: 'delete'; account: number; id: number }
  | { t: 'snapshot'; account: number; day: number; audience?: number }
  | { t: 'unsnap'; account: number }
  | { t: 'close'; account: number; day: number | null };

/** Noon in Almaty (07:00 UTC) of an epoch day: a post's local date is that day. */
export const noonOf = (day: number): number => Date.parse(`${fromEpochDay(day)}T07:00:00Z`);

/** Applies one shared change; days are counted from `day0`. A post without counters has one reaction, a reading without an audience 100. */
export function applyPostsOp(db: Db, o: PostsOp, day0: number, tz: string): void {
  switch (o.t) {
    case 'post': {
      const p: PostInput = { postId: String(o.id), publishedAt: noonOf(day0 + o.day), kind: 'text', text: 'x', reactions: o.reactions === undefined ? 1 : o.reactions };
      if (o.comments !== undefined) p.comments = o.comments;
      if (o.shares !== undefined) p.shares = o.shares;
      if (o.views !== undefined) p.views = o.views;
      savePosts(db, tz, [{ accountId: o.account, posts: [p], source: 'api', readAt: 1 }], { updateFigures: false });
      break;
    }
    case 'delete':
      savePosts(db, tz, [{ accountId: o.account, posts: [], source: 'api', readAt: 2, deleted: [String(o.id)] }], { updateFigures: false });
      break;
    case 'snapshot':
      db.prepare('INSERT OR REPLACE INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, 0)').run(o.account, day0 + o.day, o.audience ?? 100);
      break;
    case 'unsnap':
      db.prepare('DELETE FROM snapshots WHERE account_id = ? AND day = (SELECT min(day) FROM snapshots WHERE account_id = ?)').run(o.account, o.account);
      break;
    case 'close':
      db.prepare('UPDATE accounts SET closed_day = ? WHERE id = ?').run(o.day === null ? null : day0 + o.day, o.account);
      break;
  }
}
