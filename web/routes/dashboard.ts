// `/` (the root organisation) and `/org/:slug`: audience per platform for a period beside the previous one,
// the chart against targets, children, accounts and suspicious-growth flags.
import { Router, type Request, type Response } from 'express';
import type { OrgRow } from '../../db/orgs';
import { langOf, renderPage, type WebContext } from '../context';
import { CHART_RANGES, CHART_VIEWS, orgIndex, orgPageData, type ChartRange, type ChartView } from '../growth-data';
import { translator } from '../i18n';
import { badRequest, notFound, orgParam, pageParam, param, periodParam, platformParam } from '../params';
import { lastCollectAt } from '../queries';
import { informationPanel } from '../publications-data';
import { ancestorChain } from '../../src/growth/tree';
import type { Principal } from '../../src/auth';
import { homeOrg } from '../../src/admin/scope';

/** `?accounts=all` / `?flags=all`: the whole list instead of the short one. */
function listParam(req: Request, name: string): boolean {
  const v = param(req, name);
  if (v !== undefined && v !== 'all') throw badRequest(name, `must be all, got ${JSON.stringify(v.slice(0, 50))}`);
  return v === 'all';
}

export function dashboardRouter(ctx: WebContext): Router {
  const router = Router();

  const show = (req: Request, res: Response, org: OrgRow | undefined, isRoot: boolean) => {
    const lang = langOf(res);
    if (!org) {
      renderPage(ctx, req, res, 'empty.njk', { page: 'overview' });
      return;
    }
    const today = ctx.today();
    const period = periodParam(req, today);
    const platform = platformParam(req);
    const chartText = param(req, 'chart') ?? '1y';
    if (!(chartText in CHART_RANGES)) throw badRequest('chart', `must be one of ${Object.keys(CHART_RANGES).join(', ')}`);
    const viewText = param(req, 'view') ?? 'audience';
    if (!(CHART_VIEWS as readonly string[]).includes(viewText)) throw badRequest('view', `must be one of ${CHART_VIEWS.join(', ')}`);
    const index = orgIndex(ctx.db);
    const allAccounts = listParam(req, 'accounts');
    const allFlags = listParam(req, 'flags');
    const childrenPage = pageParam(req, 'children_page');
    const data = orgPageData({ db: ctx.db, index, org, period, platform, today, chartRange: chartText as ChartRange, chartView: viewText as ChartView, lang, t: translator(lang), allAccounts, allFlags, childrenPage });
    renderPage(ctx, req, res, 'dashboard.njk', {
      page: isRoot ? 'overview' : 'org',
      isRoot,
      org,
      chain: ancestorChain(ctx.db, org.id),
      period,
      platform,
      chartRange: chartText,
      chartView: viewText,
      lastCollectAt: lastCollectAt(ctx.db),
      infoPanel: informationPanel(ctx.db, ctx.config, org, period, lang),
      ...data,
    });
  };

  router.get('/', (req, res) => {
    // A user of one organisation (an editor or viewer of Pavlodar) starts on that organisation's page.
    const home = homeOrg(ctx.db, res.locals.principal as Principal | undefined);
    if (home && home.parent_id !== null) return res.redirect(302, `/org/${home.slug}${req.originalUrl.slice(req.path.length)}`);
    const root = ctx.db.prepare('SELECT slug FROM organisations WHERE parent_id IS NULL ORDER BY id LIMIT 1').get() as { slug: string } | undefined;
    show(req, res, root ? orgParam(ctx.db, root.slug) : undefined, true);
  });

  router.get('/org/:slug', (req, res) => {
    const org = orgParam(ctx.db, req.params.slug, 'slug');
    if (!org) throw notFound('no such organisation');
    show(req, res, org, org.parent_id === null);
  });

  return router;
}
