// /org/:slug/channel/:id: one channel of an organisation and its posts (DESIGN §11), newest first, with date,
// kind, a text excerpt, counters as last read and a link; a page at a time. `id` is the account's number.
// A Telegram channel without a public preview says so, with its fix.
import { Router } from 'express';
import { renderPage, type WebContext } from '../context';
import { notFound, orgParam, pageParam } from '../params';
import { fromEpochDay } from '../../src/domain/dates';

const PAGE_SIZE = 50;

export function channelRouter(ctx: WebContext): Router {
  const router = Router();
  router.get('/org/:slug/channel/:id', (req, res) => {
    const org = orgParam(ctx.db, req.params.slug, 'slug')!;
    const id = Number(req.params.id);
    const account = Number.isSafeInteger(id)
      ? (ctx.db.prepare('SELECT id, org_id, platform, platform_id, title, closed_day FROM accounts WHERE id = ? AND org_id = ?').get(id, org.id) as
          | { id: number; org_id: number; platform: string; platform_id: string; title: string | null; closed_day: number | null }
          | undefined)
      : undefined;
    if (!account) throw notFound(`organisation ${org.slug} has no channel ${JSON.stringify(req.params.id)}`);
    const page = pageParam(req) ?? 1;
    const total = ctx.db.prepare('SELECT count(*) FROM posts WHERE account_id = ? AND deleted_at IS NULL').pluck().get(account.id) as number;
    const posts = (
      ctx.db
        .prepare(
          `SELECT post_id, day, published_at, kind, forwarded, text, url, reactions, comments, shares, views, views_approximate
           FROM posts INDEXED BY posts_account_day WHERE account_id = ? AND deleted_at IS NULL ORDER BY day DESC, published_at DESC LIMIT ? OFFSET ?`,
        )
        .all(account.id, PAGE_SIZE, (page - 1) * PAGE_SIZE) as { day: number; text: string; reactions: number | null; comments: number | null; shares: number | null }[]
    ).map((p) => ({
      ...p,
      date: fromEpochDay(p.day),
      excerpt: p.text.length > 160 ? `${p.text.slice(0, 157)}…` : p.text,
      interactions: (p.reactions ?? 0) + (p.comments ?? 0) + (p.shares ?? 0),
    }));
    const state = ctx.db.prepare('SELECT last_ok_at, last_failed_at, last_error, no_preview FROM post_collect_state WHERE account_id = ?').get(account.id) as
      | { last_ok_at: number | null; last_failed_at: number | null; last_error: string | null; no_preview: number }
      | undefined;
    renderPage(ctx, req, res, 'channel.njk', {
      org,
      account,
      posts,
      total,
      page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      state,
    });
  });
  return router;
}
