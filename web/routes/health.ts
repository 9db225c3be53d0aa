// /health: collection health — last runs, failing accounts with reasons, stale accounts, channels that read
// fine but fall or do not grow, coverage gaps; of the user's own subtree unless the URL asks for another.
import { botState } from '../../src/bot/state';
import { Router } from 'express';
import { langOf, renderPage, type WebContext } from '../context';
import { healthReport } from '../health-report';
import { STALE_AFTER_DAYS } from '../../src/domain/staleness';
import { TREND_DAYS } from '../queries';
import { orgIndex } from '../growth-data';
import { isWithin, loadTree } from '../../src/growth/tree';
import { principalOrg, scopeParam } from '../params';
import { orgName } from '../../db/orgs';
import { expiryWarnings, loginTokens } from '../../src/instagram-tokens';

/** Coverage lists stop here; the counts above them cover every organisation. */
const COVERAGE_LIST_LIMIT = 200;

export function healthRouter(ctx: WebContext): Router {
  const router = Router();
  router.get('/health', (req, res) => {
    const { org } = scopeParam(ctx.db, req, res);
    const index = orgIndex(ctx.db);
    const tree = loadTree(ctx.db);
    // (the page lists the gaps above the primary level: at ten times the union 50,000 primaries are not listed)
    const report = healthReport(ctx.db, ctx.today(), org ? (id) => isWithin(tree, org.id, id) : undefined, (level) => level !== 'primary');
    const gaps = report.coverage.gaps;
    const lang = langOf(res);
    const own = principalOrg(ctx.db, res);
    // The scope choices: the whole tree and the regions (the national press officer looks at one region).
    const root = [...index.byId.values()].find((o) => o.parent_id === null);
    const scopes = root ? (index.children.get(root.id) ?? []).map((o) => ({ slug: o.slug, name: orgName(o, lang) })).sort((a, b) => a.name.localeCompare(b.name, lang)) : [];
    if (own && !scopes.some((s) => s.slug === own.slug)) scopes.unshift({ slug: own.slug, name: orgName(own, lang) });
    if (org && !scopes.some((s) => s.slug === org.slug)) scopes.unshift({ slug: org.slug, name: orgName(org, lang) });
    renderPage(ctx, req, res, 'health.njk', {
      page: 'health',
      report,
      bot: botState(ctx.db) ?? null,
      scope: org ?? null,
      scopes,
      staleDays: STALE_AFTER_DAYS,
      trendDays: TREND_DAYS,
      // Instagram Login tokens within 10 days of expiry (expiry known from their token files); never the token.
      tokenWarnings: expiryWarnings(loginTokens(ctx.db, {}), ctx.now().getTime())
        .filter((w) => w.expiresAt !== undefined)
        .map((w) => ({ account: w.title ?? w.platformId, date: new Date(w.expiresAt!).toISOString().slice(0, 10), days: Math.max(0, w.daysLeft ?? 0) })),
      gaps: gaps.slice(0, COVERAGE_LIST_LIMIT),
      gapsMore: Math.max(0, gaps.length - COVERAGE_LIST_LIMIT),
      dayDate: (day: number | null) => (day === null ? null : new Date(day * 86_400_000).toISOString().slice(0, 10)),
    });
  });
  return router;
}
