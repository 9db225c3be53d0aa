// /rankings: organisations of one level ranked for a period (growth %, net growth, per 1,000 members, reach share).
import { Router, type Request } from 'express';
import { langOf, renderPage, type WebContext } from '../context';
import { badRequest, levelParam, param, periodParam, platformParam } from '../params';
import { rankings, RANKING_COLUMNS } from '../../src/growth-queries';
import { RANKING_METRICS, type RankingMetric } from '../../src/domain/rankings';
import { orgIndex } from '../growth-data';
import { render } from '../../src/export-format';
import type { Language } from '../../src/config';

export function metricParam(req: Request): RankingMetric {
  const v = param(req, 'metric') ?? 'growth_percent';
  if (!(RANKING_METRICS as readonly string[]).includes(v)) throw badRequest('metric', `must be one of ${RANKING_METRICS.join(', ')}, got ${JSON.stringify(v)}`);
  return v as RankingMetric;
}

export function rankingsRouter(ctx: WebContext): Router {
  const router = Router();

  const query = (req: Request) => {
    const period = periodParam(req, ctx.today());
    const level = levelParam(req) ?? 'region';
    const platform = platformParam(req);
    const metric = metricParam(req);
    const rows = rankings(ctx.db, { level, platform, from: period.from, to: period.to, metric });
    return { period, level, platform, metric, rows };
  };

  router.get('/rankings', (req, res) => {
    const q = query(req);
    const index = orgIndex(ctx.db);
    const lang: Language = langOf(res);
    const rows = q.rows.map((r) => {
      const org = index.bySlug.get(r.org)!;
      const parent = org.parent_id === null ? null : index.byId.get(org.parent_id) ?? null;
      return { ...r, orgRow: org, parent };
    });
    const qs = new URL(req.originalUrl, 'http://x').search.replace(/^\?/, '');
    renderPage(ctx, req, res, 'rankings.njk', { page: 'rankings', ...q, rows, metrics: RANKING_METRICS, exportQuery: qs, langName: lang });
  });

  for (const format of ['csv', 'xlsx'] as const) {
    router.get(`/rankings.${format}`, async (req, res) => {
      const q = query(req);
      const bytes = await render(q.rows as never, RANKING_COLUMNS, format, 'rankings');
      res
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .attachment(`rankings-${q.level}-${q.period.from}-${q.period.to}.${format}`)
        .send(bytes);
    });
  }
  return router;
}
