// /healthz: public liveness for monitors — is the database reachable, and when did a collect last finish.
import { Router } from 'express';
import type { WebContext } from '../context';
import { lastCollectAt } from '../queries';

export function healthzRouter(ctx: WebContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('cache-control', 'no-store');
    try {
      ctx.db.prepare('SELECT 1').get();
      const at = lastCollectAt(ctx.db);
      res.json({ status: 'ok', database: 'ok', last_collect_at: at === null ? null : new Date(at).toISOString(), now: ctx.now().toISOString() });
    } catch {
      res.status(503).json({ status: 'error', database: 'unreachable', last_collect_at: null, now: ctx.now().toISOString() });
    }
  });
  return router;
}
