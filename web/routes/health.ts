// /health: collection health — last runs, failing accounts with reasons, stale accounts, coverage gaps.
import { Router } from 'express';
import { renderPage, type WebContext } from '../context';
import { healthReport } from '../health-report';
import { STALE_AFTER_DAYS } from '../../src/domain/staleness';

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
      gaps: gaps.slice(0, COVERAGE_LIST_LIMIT),
      gapsMore: Math.max(0, gaps.length - COVERAGE_LIST_LIMIT),
      dayDate: (day: number | null) => (day === null ? null : new Date(day * 86_400_000).toISOString().slice(0, 10)),
    });
  });
  return router;
}
