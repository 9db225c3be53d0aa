// /targets: the executive committee's targets review — filters, print pack, CSV and XLSX export.
import { Router, type Request } from 'express';
import { langOf, renderPage, type WebContext } from '../context';
import { dateParam, levelParam, optionalPlatformParam, orgParam, param, statusParam } from '../params';
import { targetReview, TARGET_PAGE_COLUMNS, type TargetFilters } from '../targets-data';
import { render, type Format } from '../../src/export-format';
import { orgName } from '../../db/orgs';
import { TARGET_STATUSES } from '../../src/domain/targets';

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

  for (const format of ['csv', 'xlsx'] as const satisfies readonly Format[]) {
    router.get(`/targets.${format}`, async (req, res) => {
      const f = filters(req);
      const { rows } = targetReview(ctx.db, f);
      const out = rows.map((r) => Object.fromEntries(TARGET_PAGE_COLUMNS.map((c) => [c, (r as unknown as Record<string, string | number | null>)[c] ?? null])));
      const bytes = await render(out, TARGET_PAGE_COLUMNS, format, 'targets');
      res
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .attachment(`targets-${f.date}.${format}`)
        .send(bytes);
    });
  }
  return router;
}
