// /healthz: public liveness for monitors — is the database reachable, did the last periodic `PRAGMA quick_check`
// (at start and daily, run by the scheduler) pass, and when did a collect last finish. 503 when the database
// cannot be read or the last check found damage.
import { Router } from 'express';
import type { WebContext } from '../context';
import { lastCollectAt } from '../queries';

export function healthzRouter(ctx: WebContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('cache-control', 'no-store');
    const check = ctx.integrity.last;
    const quickCheck = check ? { ok: check.ok, at: new Date(check.at).toISOString(), detail: check.detail } : null;
    try {
      ctx.db.prepare('SELECT 1').get();
      const at = lastCollectAt(ctx.db);
      const damaged = check !== undefined && !check.ok;
      res.status(damaged ? 503 : 200).json({
        status: damaged ? 'error' : 'ok',
        database: damaged ? 'damaged' : 'ok',
        quick_check: quickCheck,
        last_collect_at: at === null ? null : new Date(at).toISOString(),
        now: ctx.now().toISOString(),
      });
    } catch {
      res.status(503).json({ status: 'error', database: 'unreachable', quick_check: quickCheck, last_collect_at: null, now: ctx.now().toISOString() });
    }
  });
  return router;
}
