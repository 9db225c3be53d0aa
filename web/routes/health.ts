// /health: collection health — last runs, failing accounts with reasons, stale accounts, coverage gaps.
import { Router } from 'express';
import { renderPage, type WebContext } from '../context';
import { healthReport } from '../health-report';
import { STALE_AFTER_DAYS } from '../../src/domain/staleness';
import { expiryWarnings, loginTokens } from '../../src/instagram-tokens';

/** Coverage lists stop here; the counts above them cover every organisation. */
const COVERAGE_LIST_LIMIT = 200;

export function healthRouter(ctx: WebContext): Router {
  const router = Router();
  router.get('/health', (req, res) => {
    const report = healthReport(ctx.db, ctx.today());
    const gaps = report.coverage.gaps.filter((g) => g.level !== 'primary');
    renderPage(ctx, req, res, 'health.njk', {
      page: 'health',
      report,
      staleDays: STALE_AFTER_DAYS,
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
