// /targets: the executive committee's targets review — filters, CSV and XLSX export; /report: its A4 print pack.
import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Principal } from '../../src/auth';
import type { OrgRow } from '../../db/orgs';
import { langOf, renderPage, type WebContext } from '../context';
import { dateParam, levelParam, notFound, optionalPlatformParam, orgParam, param, periodParam, statusParam } from '../params';
import { chartData, groupCards, orgIndex, targetView } from '../growth-data';
import { translator } from '../i18n';
import { rankings } from '../../src/growth/rankings';
import { targetRows } from '../../src/growth/targets';
import { targetGap } from '../../src/domain/targets';
import { formatDate } from '../../src/i18n/format';
import { targetReview, type TargetFilters } from '../targets-data';
import { PAGE_DOWNLOAD_FORMATS, sendPageDownload, TARGET_DOWNLOAD } from '../page-export';
import { orgName } from '../../db/orgs';
import { TARGET_STATUSES } from '../../src/domain/targets';

/** A CSS string literal: quotes, backslashes, line breaks and angle brackets escaped. */
function cssString(v: string): string {
  return `"${v.replace(/[\\"\n\r<>]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;
}

export function targetsRouter(ctx: WebContext): Router {
  const router = Router();

  const filters = (req: Request, res: Response): TargetFilters => ({
    date: dateParam(req, 'date') ?? ctx.today(),
    statuses: statusParam(req),
    level: levelParam(req),
    platform: optionalPlatformParam(req),
    parent: parentParam(req, res),
  });

  /** `parent`: an organisation, `all` for the whole tree; without it an editor sees their own subtree. */
  const parentParam = (req: Request, res: Response): OrgRow | undefined => {
    const v = param(req, 'parent');
    if (v === 'all') return undefined;
    if (v !== undefined) return orgParam(ctx.db, v, 'parent');
    const p = res.locals.principal as Principal | undefined;
    return p?.role === 'editor' && p.orgId !== null ? orgIndex(ctx.db).byId.get(p.orgId) : undefined;
  };

  router.get('/targets', (req, res) => {
    const f = filters(req, res);
    const review = targetReview(ctx.db, f);
    const lang = langOf(res);
    const parents = review.parents.map((o) => ({ slug: o.slug, name: orgName(o, lang), level: o.level }));
    const qs = new URL(req.originalUrl, 'http://x').search;
    renderPage(ctx, req, res, 'targets.njk', { page: 'targets', f, review, parents, statuses: TARGET_STATUSES, exportQuery: qs.replace(/^\?/, ''), allParam: param(req, 'parent') === 'all' });
  });

  // /report: the A4 pack for a committee meeting — the same filters as /targets, and a period for the summary.
  router.get('/report', (req, res) => {
    const f = filters(req, res);
    const today = ctx.today();
    const period = periodParam(req, today);
    const lang = langOf(res);
    const t = translator(lang);
    const index = orgIndex(ctx.db);
    const org = f.parent ?? [...index.byId.values()].find((o) => o.parent_id === null);
    if (!org) throw notFound('no organisations yet');
    const review = targetReview(ctx.db, f);
    const own = targetRows(ctx.db, f.date, { org: org.slug, orgIds: [org.id] }).map((r) => Object.assign(targetView(r), { gap: targetGap(r) }));
    const charts = chartData({ db: ctx.db, index, org, period, platform: 'social', today: f.date, chartRange: '1y', lang, t }, own, ctx.db);
    // Leaders and laggards: the organisations one level down, by growth % in the period.
    const kids = index.children.get(org.id) ?? [];
    const ranked = kids.length
      ? rankings(ctx.db, { level: kids[0].level, platform: 'social', from: period.from, to: period.to, org: org.slug, prev: period.prev }).filter((r) => r.rank !== null)
      : [];
    const named = (rows: typeof ranked) => rows.map((r) => ({ ...r, orgRow: index.bySlug.get(r.org)! }));
    const n = Math.min(5, Math.floor(ranked.length / 2));
    const filtersText = [
      f.statuses.length ? `${t('col.status')}: ${f.statuses.map((x) => t(`status.${x}`)).join(', ')}` : null,
      f.level ? `${t('col.level')}: ${t(`level.${f.level}`)}` : null,
      f.platform ? `${t('col.platform')}: ${t(`platform.${f.platform}`)}` : null,
    ].filter(Boolean);
    // Every printed page repeats the title and the period in its top margin (@page boxes take only a string, so
    // this one rule is made here, and allowed by the hash of exactly this text in the page's CSP).
    const periodText = t('report.period', { from: formatDate(period.from, lang), to: formatDate(period.to, lang) });
    const pageCss = `@page { @top-left { content: ${cssString(`${t('report.title')}: ${orgName(org, lang)}`)}; font-size: 8pt; } @top-right { content: ${cssString(`${periodText} · ${t('common.as_of', { date: formatDate(f.date, lang) })}`)}; font-size: 8pt; } }`;
    const csp = res.getHeader('Content-Security-Policy');
    if (typeof csp === 'string') res.setHeader('Content-Security-Policy', csp.replace("style-src 'self'", `style-src 'self' 'sha256-${createHash('sha256').update(pageCss).digest('base64')}'`));
    renderPage(ctx, req, res, 'report.njk', {
      pageCss,
      page: 'report',
      f,
      org,
      period,
      review,
      groups: groupCards(ctx.db, org, period),
      ...charts,
      leaders: named(ranked.slice(0, n)),
      laggards: named(ranked.slice(ranked.length - n).reverse()),
      filtersText,
      statuses: TARGET_STATUSES,
    });
  });

  // Downloads for Excel, in the page's language (web/page-export.ts); the machine format is `export targets`.
  for (const format of PAGE_DOWNLOAD_FORMATS) {
    router.get(`/targets.${format}`, async (req, res) => {
      const f = filters(req, res);
      const lang = langOf(res);
      const { rows } = targetReview(ctx.db, f);
      await sendPageDownload(res, { format, lang, rows, columns: TARGET_DOWNLOAD, name: `targets-${f.date}`, sheet: translator(lang)('nav.targets') });
    });
  }
  return router;
}
