// `/org/:slug/channel/:id`: one channel (account) of an organisation — its chart, readings, failures and flags.
import { Router } from 'express';
import { langOf, renderPage, type WebContext } from '../context';
import { CHART_RANGES, type ChartRange } from '../growth-data';
import { channelOf, channelPageData, CHANNEL_SPANS } from '../channel-data';
import { translator } from '../i18n';
import { badRequest, notFound, orgParam, param } from '../params';
import { ancestorChain } from '../../src/growth/tree';
import { channelPosts } from '../posts-data';

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
    renderPage(ctx, req, res, 'channel.njk', { page: 'channel', org, chain: ancestorChain(ctx.db, org.id), account, chartRange, spanDays: CHANNEL_SPANS, ...data, posts });
  });
  return router;
}
