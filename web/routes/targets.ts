// /targets: the executive committee's targets review — filters, print pack, CSV and XLSX export.
import { Router, type Request } from 'express';
import { langOf, renderPage, type WebContext } from '../context';
import { dateParam, levelParam, optionalPlatformParam, orgParam, param, statusParam } from '../params';
import { targetReview, type TargetFilters } from '../targets-data';
import { PAGE_DOWNLOAD_FORMATS, sendPageDownload, TARGET_DOWNLOAD } from '../page-export';
import { orgName } from '../../db/orgs';
import { TARGET_STATUSES } from '../../src/domain/targets';
import { translator } from '../i18n';

export function targetsRouter(ctx: WebContext): Router {
  const router = Router();

  const filters = (req: Request): TargetFilters => ({
    date: dateParam(req, 'date') ?? ctx.today(),
    statuses: statusParam(req),
    level: levelParam(req),
    platform: optionalPlatformParam(req),
    parent: orgParam(ctx.db, param(req, 'parent'), 'parent'),
  });

  router.get('/targets', (req, res) => {
    const f = filters(req);
    const review = targetReview(ctx.db, f);
    const lang = langOf(res);
    const parents = review.parents.map((o) => ({ slug: o.slug, name: orgName(o, lang), level: o.level }));
    const qs = new URL(req.originalUrl, 'http://x').search;
    renderPage(ctx, req, res, 'targets.njk', { page: 'targets', f, review, parents, statuses: TARGET_STATUSES, exportQuery: qs.replace(/^\?/, '') });
  });

  // Downloads for Excel, in the page's language (web/page-export.ts); the machine format is `export targets`.
  for (const format of PAGE_DOWNLOAD_FORMATS) {
    router.get(`/targets.${format}`, async (req, res) => {
      const f = filters(req);
      const lang = langOf(res);
      const { rows } = targetReview(ctx.db, f);
      await sendPageDownload(res, { format, lang, rows, columns: TARGET_DOWNLOAD, name: `targets-${f.date}`, sheet: translator(lang)('nav.targets') });
    });
  }
  return router;
}
