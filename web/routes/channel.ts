// `/org/:slug/channel/:id`: one channel (account) of an organisation — its chart, readings, failures and flags.
import { Router } from 'express';
import { langOf, renderPage, type WebContext } from '../context';
import { CHART_RANGES, type ChartRange } from '../growth-data';
import { channelOf, channelPageData, CHANNEL_SPANS } from '../channel-data';
import { translator } from '../i18n';
import { badRequest, notFound, orgParam, param } from '../params';
import { ancestorChain } from '../../src/growth/tree';
import { channelPosts, channelPostsForDownload } from '../posts-data';
import { PAGE_DOWNLOAD_FORMATS, POST_DOWNLOAD, sendPageDownload } from '../page-export';
import { z } from 'zod';
import { principalOf } from '../auth';
import * as F from '../fields';
import { formOf } from './admin/kit';
import { canEditOrg, requireOrg } from '../../src/admin/scope';
import { setPostRubric } from '../../src/publications/classify';
import { rubricName } from '../publications-data';

export function channelRouter(ctx: WebContext): Router {
  const router = Router();
  router.get('/org/:slug/channel/:id', (req, res) => {
    const org = orgParam(ctx.db, req.params.slug, 'slug');
    if (!org) throw notFound('no such organisation');
    if (!/^[1-9]\d{0,15}$/.test(req.params.id)) throw badRequest('id', `must be a channel number, got ${JSON.stringify(req.params.id.slice(0, 50))}`);
    const account = channelOf(ctx.db, org, Number(req.params.id));
    if (!account) throw notFound('this organisation has no such channel');
    const chartRange = param(req, 'chart') ?? '1y';
    if (!(chartRange in CHART_RANGES)) throw badRequest('chart', `must be one of ${Object.keys(CHART_RANGES).join(', ')}`);
    const lang = langOf(res);
    const data = channelPageData({ db: ctx.db, org, account, today: ctx.today(), chartRange: chartRange as ChartRange, lang, t: translator(lang) });
    const postsPage = Number(param(req, 'posts_page') ?? 1);
    if (!Number.isSafeInteger(postsPage) || postsPage < 1) throw badRequest('posts_page', 'must be a page number (1, 2, …)');
    const posts = channelPosts(ctx.db, account.id, postsPage);
    const p = principalOf(res);
    renderPage(ctx, req, res, 'channel.njk', {
      page: 'channel',
      org,
      chain: ancestorChain(ctx.db, org.id),
      account,
      chartRange,
      spanDays: CHANNEL_SPANS,
      ...data,
      posts,
      // editors of this org (and admins) may add or remove a post's rubric; viewers see the rubrics only
      canEditRubrics: p !== undefined && canEditOrg(ctx.db, p, org.id),
      rubricChoices: ctx.config.rubrics.map((r) => ({ slug: r.slug, name: rubricName(r, lang) })),
      rubricNames: Object.fromEntries(ctx.config.rubrics.map((r) => [r.slug, rubricName(r, lang)])),
      rubricDone: param(req, 'done') === 'rubric',
    });
  });

  // The channel's posts for Excel, in the page's language (web/page-export.ts).
  for (const format of PAGE_DOWNLOAD_FORMATS) {
    router.get(`/org/:slug/channel/:id/posts.${format}`, async (req, res) => {
      const org = orgParam(ctx.db, req.params.slug, 'slug');
      if (!org) throw notFound('no such organisation');
      const { id } = F.parseFields(z.object({ id: F.id() }), req.params);
      const account = channelOf(ctx.db, org, id);
      if (!account) throw notFound('this organisation has no such channel');
      const lang = langOf(res);
      const names = new Map(ctx.config.rubrics.map((r) => [r.slug, rubricName(r, lang)]));
      const rows = channelPostsForDownload(ctx.db, account.id).map((p) => ({
        ...p,
        org,
        platform: account.platform,
        account_title: account.title ?? account.platform_id,
        rubricNames: p.rubrics.map((r) => names.get(r) ?? r),
      }));
      await sendPageDownload(res, { format, lang, rows, columns: POST_DOWNLOAD, name: `posts-${org.slug}-${account.platform}-${account.id}`, sheet: translator(lang)('channel.posts') });
    });
  }

  // An editor's decision on one rubric of one post (DESIGN §11): kept over re-classification, audit-logged.
  router.post('/org/:slug/channel/:id/posts/:post/rubrics', (req, res) => {
    const org = orgParam(ctx.db, req.params.slug, 'slug');
    if (!org) throw notFound('no such organisation');
    const ids = F.parseFields(z.object({ id: F.id(), post: F.id() }), req.params);
    const account = channelOf(ctx.db, org, ids.id);
    if (!account) throw notFound('this organisation has no such channel');
    requireOrg(ctx.db, principalOf(res)!, org.id);
    const slugs = ctx.config.rubrics.map((r) => r.slug);
    const f = F.parseFields(z.object({ rubric: F.oneOf(slugs), action: F.oneOf(['add', 'remove', 'auto'] as const), posts_page: F.int({ min: 1, max: 1_000_000 }) }), formOf(req));
    const owner = ctx.db.prepare('SELECT account_id FROM posts WHERE id = ?').pluck().get(ids.post) as number | undefined;
    if (owner !== account.id) throw notFound('this channel has no such post');
    setPostRubric(ctx.db, principalOf(res)!.login, ids.post, f.rubric, f.action, slugs);
    res.redirect(303, `/org/${org.slug}/channel/${account.id}?done=rubric${f.posts_page && f.posts_page > 1 ? `&posts_page=${f.posts_page}` : ''}#post-${ids.post}`);
  });
  return router;
}
