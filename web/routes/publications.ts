// Information work pages (DESIGN §11, UX "Publications", "Best posts"): `/org/:slug/publications` and `/best`.
import { Router, type Request } from 'express';
import { ancestorChain } from '../../src/growth/tree';
import type { PlatformGroup } from '../../src/domain/growth';
import { langOf, renderPage, type WebContext } from '../context';
import { translator } from '../i18n';
import { badRequest, levelParam, notFound, orgParam, param, periodParam } from '../params';
import { bestPostsData, POST_GROUPS, publicationsPageData, rubricName } from '../publications-data';

function postGroupParam(req: Request): PlatformGroup {
  const v = param(req, 'platform') ?? 'social';
  if (!(POST_GROUPS as readonly string[]).includes(v)) throw badRequest('platform', `must be one of ${POST_GROUPS.join(', ')}, got ${JSON.stringify(v)}`);
  return v as PlatformGroup;
}

export function publicationsRouter(ctx: WebContext): Router {
  const router = Router();

  router.get('/org/:slug/publications', (req, res) => {
    const org = orgParam(ctx.db, req.params.slug, 'slug');
    if (!org) throw notFound('no such organisation');
    const period = periodParam(req, ctx.today());
    const platform = postGroupParam(req);
    const lang = langOf(res);
    const t = translator(lang);
    const data = publicationsPageData(ctx.db, ctx.config, org, period, platform, lang);
    renderPage(ctx, req, res, 'publications.njk', {
      page: 'publications',
      org,
      chain: ancestorChain(ctx.db, org.id),
      period,
      platform,
      groups: POST_GROUPS,
      ...data,
      chartJson: JSON.stringify({
        lang,
        ...data.chart,
        labels: Object.fromEntries(['facebook', 'instagram', 'telegram', 'social'].map((p) => [p, t(`platform.${p}`)]).concat([['er', t('pub.er')], ['vr', t('pub.vr')], ['posts', t('pub.posts')]])),
      }).replace(/</g, '\\u003c'),
    });
  });

  router.get('/best', (req, res) => {
    const period = periodParam(req, ctx.today());
    const platform = postGroupParam(req);
    const level = levelParam(req);
    const rubric = param(req, 'rubric');
    const lang = langOf(res);
    if (rubric !== undefined && !ctx.config.rubrics.some((r) => r.slug === rubric)) {
      throw badRequest('rubric', `must be one of ${ctx.config.rubrics.map((r) => r.slug).join(', ')}, got ${JSON.stringify(rubric)}`);
    }
    const org = orgParam(ctx.db, param(req, 'org'));
    const posts = bestPostsData(ctx.db, ctx.config, { from: period.from, to: period.to, group: platform, rubric, level, org }, lang);
    renderPage(ctx, req, res, 'best.njk', {
      page: 'best',
      period,
      platform,
      level: level ?? '',
      rubric: rubric ?? '',
      org: org ?? null,
      groups: POST_GROUPS,
      rubrics: ctx.config.rubrics.map((r) => ({ slug: r.slug, name: rubricName(r, lang) })),
      posts,
    });
  });

  return router;
}
