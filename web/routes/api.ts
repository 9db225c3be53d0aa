// JSON API /api/v1: the rows of the matching export (same field names, unrounded), and collection health.
// Audience, growth and targets go through the export registry itself, so API and `export` cannot differ.
// Parameters are checked before any query runs; a bad one is a 400 `{ error: { code, message } }`,
// an unknown organisation a 404.
import { Router } from 'express';
import { allOrgs } from '../../db/orgs';
import { periodContaining } from '../../src/domain/periods';
import { runExport } from '../../src/exports';
import { rankingTable } from '../../src/growth/rankings';
import type { WebContext } from '../context';
import { healthJson, healthReport } from '../health-report';
import { badRequest, checkRange, MAX_RANGE_DAYS, notFound, orgParam, paging, Q, query } from '../params';
import { RANKING_METRICS } from '../../src/domain/rankings';

export function apiRouter(ctx: WebContext): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });

  /** from/to with defaults: `to` today, `from` the given default before it; at most 20 years. */
  const range = (r: { from?: string; to?: string }, defaultFrom: (to: string) => string) => {
    checkRange(r.from, r.to);
    const to = r.to ?? ctx.today();
    const from = r.from ?? defaultFrom(to);
    if (from > to) throw badRequest('from', `from ${from} is after to ${to}`);
    // rangeParams checked explicit pairs; a default `to` with an ancient `from` is checked here.
    if (Date.parse(to) - Date.parse(from) >= MAX_RANGE_DAYS * 86_400_000) throw badRequest('from', `the range ${from} … ${to} is longer than 20 years`);
    return { from, to };
  };

  router.get('/orgs', (_req, res) => {
    const orgs = allOrgs(ctx.db);
    const slugOf = new Map(orgs.map((o) => [o.id, o.slug]));
    res.json(
      orgs.map((o) => ({
        slug: o.slug,
        parent: o.parent_id === null ? null : slugOf.get(o.parent_id) ?? null,
        level: o.level,
        name: { ru: o.name_ru, kk: o.name_kk, en: o.name_en },
        members: o.members,
      })),
    );
  });

  router.get('/orgs/:slug/audience', (req, res) => {
    const org = orgParam(ctx.db, req.params.slug, 'slug')!;
    const { platform, from, to } = query(req, { platform: Q.platform, from: Q.date, to: Q.date });
    checkRange(from, to);
    res.json(runExport(ctx.exporters, 'audience', ctx.db, { org: org.slug, platform, from, to: to ?? ctx.today() }, ctx.config).rows);
  });

  router.get('/growth', (req, res) => {
    const q = query(req, { org: Q.org, platform: Q.platform, from: Q.date, to: Q.date });
    const org = orgParam(ctx.db, q.org);
    const { platform } = q;
    const { from, to } = range(q, (to) => periodContaining('month', to).from);
    res.json(runExport(ctx.exporters, 'growth', ctx.db, { org: org?.slug, platform, from, to }, ctx.config).rows);
  });

  // DESIGN §11: the rows of `export posts`, the current month to today by default.
  router.get('/posts', (req, res) => {
    const q = query(req, { org: Q.org, platform: Q.platform, from: Q.date, to: Q.date });
    const org = orgParam(ctx.db, q.org);
    const { from, to } = range(q, (to) => periodContaining('month', to).from);
    res.json(runExport(ctx.exporters, 'posts', ctx.db, { org: org?.slug, platform: q.platform, from, to }, ctx.config).rows);
  });

  router.get('/targets', (req, res) => {
    const q = query(req, { date: Q.date, org: Q.org, platform: Q.optionalPlatform, status: Q.statuses });
    const date = q.date ?? ctx.today();
    const org = orgParam(ctx.db, q.org);
    const { platform, status: statuses } = q;
    const rows = runExport(ctx.exporters, 'targets', ctx.db, { date, org: org?.slug, platform }, ctx.config).rows;
    res.json(statuses.length ? rows.filter((r) => (statuses as string[]).includes(String(r.status))) : rows);
  });

  router.get('/rankings', (req, res) => {
    const q = query(req, {
      level: Q.level,
      platform: Q.platform,
      metric: Q.oneOf(RANKING_METRICS, 'growth_percent'),
      org: Q.org,
      from: Q.date,
      to: Q.date,
      page: Q.page,
      per_page: Q.perPage({ max: 1000 }),
    });
    const level = q.level ?? 'region';
    const { platform, metric, page, per_page: perPage } = q;
    const org = orgParam(ctx.db, q.org);
    const { from, to } = range(q, (to) => periodContaining('month', to).from);
    // Every row (as `export` gives them) unless `page` or `per_page` is asked for: then that page of the
    // rows, in the same order, with the whole count in X-Total-Count and the neighbours in Link.
    const table = rankingTable(ctx.db, { level, platform, from, to, metric, org: org?.slug });
    if (page === undefined && perPage === undefined) return void res.json(table.rows());
    const pg = paging(table.count, page, perPage ?? 100);
    const link = (p: number, rel: string) => {
      const u = new URL(req.originalUrl, 'http://x');
      u.searchParams.set('page', String(p));
      u.searchParams.set('per_page', String(pg.perPage));
      return `<${u.pathname}${u.search}>; rel="${rel}"`;
    };
    const links = [link(1, 'first'), ...(pg.page > 1 ? [link(pg.page - 1, 'prev')] : []), ...(pg.page < pg.pages ? [link(pg.page + 1, 'next')] : []), link(pg.pages, 'last')];
    res.set('x-total-count', String(pg.total)).set('link', links.join(', ')).json(table.rows(pg.start, pg.end));
  });

  // Information work (DESIGN §11): the rows of `export publications` / `export rubrics`, same parameters.
  for (const kind of ['publications', 'rubrics'] as const) {
    router.get(`/${kind}`, (req, res) => {
      const q = query(req, { org: Q.org, platform: Q.text, from: Q.date, to: Q.date });
      const org = orgParam(ctx.db, q.org);
      const { from, to } = range(q, (to) => periodContaining('month', to).from);
      res.json(runExport(ctx.exporters, kind, ctx.db, { org: org?.slug, platform: q.platform, from, to }, ctx.config).rows);
    });
  }

  router.get('/health', (_req, res) => {
    res.json(healthJson(healthReport(ctx.db, ctx.today())));
  });

  router.use((req, _res, next) => next(notFound(`no API route ${req.method} ${req.path}`)));
  return router;
}
