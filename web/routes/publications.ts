// Information work pages (DESIGN §11, UX "Publications", "Best posts"): `/org/:slug/publications` and `/best`.
import { Router, type Request, type Response } from 'express';
import { ancestorChain } from '../../src/growth/tree';
import type { PlatformGroup } from '../../src/domain/growth';
import { langOf, renderPage, type WebContext } from '../context';
import { translator } from '../i18n';
import { badRequest, levelParam, notFound, orgParam, param, periodParam } from '../params';
import { bestPostsData, POST_GROUPS, publicationsPageData, rubricName } from '../publications-data';
import { PAGE_DOWNLOAD_FORMATS, POST_DOWNLOAD, PUBLICATION_CHILDREN_DOWNLOAD, sendPageDownload } from '../page-export';

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
      exportQuery: new URL(req.originalUrl, 'http://x').searchParams.toString(),
      org,
      chain: ancestorChain(ctx.db, org.id),
      period,
      platform,
      groups: POST_GROUPS,
      rubricNames: Object.fromEntries(ctx.config.rubrics.map((r) => [r.slug, rubricName(r, lang)])),
      ...data,
      chartJson: JSON.stringify({
        lang,
        ...data.chart,
        labels: Object.fromEntries(['facebook', 'instagram', 'telegram', 'social'].map((p) => [p, t(`platform.${p}`)]).concat([['er', t('pub.er')], ['vr', t('pub.vr')], ['posts', t('pub.posts')]])),
      }).replace(/</g, '\\u003c'),
    });
  });

  // Downloads for Excel of the children table, in the page's language (web/page-export.ts).
  for (const format of PAGE_DOWNLOAD_FORMATS) {
    router.get(`/org/:slug/publications.${format}`, async (req, res) => {
      const org = orgParam(ctx.db, req.params.slug, 'slug');
      if (!org) throw notFound('no such organisation');
      const period = periodParam(req, ctx.today());
      const platform = postGroupParam(req);
      const lang = langOf(res);
      const data = publicationsPageData(ctx.db, ctx.config, org, period, platform, lang);
      const rows = data.children.map((c) => ({ ...c, platform, from: period.from, to: period.to }));
      await sendPageDownload(res, { format, lang, rows, columns: PUBLICATION_CHILDREN_DOWNLOAD, name: `publications-${org.slug}-${platform}-${period.from}-${period.to}`, sheet: translator(lang)('pub.title') });
    });
  }

  const bestQuery = (req: Request, res: Response) => {
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
    return { period, platform, level, rubric, lang, org, posts };
  };
  for (const format of PAGE_DOWNLOAD_FORMATS) {
    router.get(`/best.${format}`, async (req, res) => {
      const { period, platform, lang, posts } = bestQuery(req, res);
      const rows = posts.map((p) => ({ ...p, org: { slug: p.org_slug, name_ru: p.name_ru, name_kk: p.name_kk, name_en: p.name_en } }));
      await sendPageDownload(res, { format, lang, rows, columns: POST_DOWNLOAD, name: `best-posts-${platform}-${period.from}-${period.to}`, sheet: translator(lang)('pub.best_title') });
    });
  }

  router.get('/best', (req, res) => {
    const { period, platform, level, rubric, lang, org, posts } = bestQuery(req, res);
    const url = new URL(req.originalUrl, 'http://x');
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
      exportQuery: url.searchParams.toString(),
    });
  });

  return router;
}
