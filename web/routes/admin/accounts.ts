// /admin/accounts/:id: one channel's readings, failures and jobs; close, reopen, collect now, backfill.
import { Router, type Request, type Response } from 'express';
import { closeAccount, jobsWithRuns, MAX_BACKFILL_DAYS, recentFailures, recentReadings, reopenAccount } from '../../../src/admin/accounts';
import { orgById } from '../../../src/admin/tree';
import { fromEpochDay } from '../../../src/domain/dates';
import * as F from '../../fields';
import type { AdminKit } from './kit';

export function accountsRouter(kit: AdminKit): Router {
  const router = Router();
  const { db } = kit.ctx;

  const showAccount = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const account = kit.editableAccount(res, req.params.id);
    kit.show(
      req,
      res,
      'admin-account.njk',
      {
        section: 'orgs',
        account: { ...account, closed: account.closed_day === null ? null : fromEpochDay(account.closed_day) },
        org: orgById(db, account.org_id),
        readings: recentReadings(db, account.id),
        failures: recentFailures(db, account.id),
        jobs: jobsWithRuns(db, account.id),
        maxBackfill: MAX_BACKFILL_DAYS,
        values: { date: kit.ctx.today(), days: 90 },
        ...extra,
      },
      status,
    );
  };
  router.get('/accounts/:id', (req, res) => showAccount(req, res));
  router.post(
    '/accounts/:id/close',
    kit.action((req, res) => {
      const account = kit.editableAccount(res, req.params.id);
      closeAccount(db, kit.ctx.config, kit.actor(res), account, kit.form(req, { date: F.date() }).date, kit.jobs.onSnapshotsChanged);
      res.redirect(303, `/admin/accounts/${account.id}?done=closed`);
    }, showAccount),
  );
  router.post(
    '/accounts/:id/reopen',
    kit.action((req, res) => {
      const account = kit.editableAccount(res, req.params.id);
      reopenAccount(db, kit.ctx.config, kit.actor(res), account, kit.jobs.onSnapshotsChanged);
      res.redirect(303, `/admin/accounts/${account.id}?done=reopened`);
    }, showAccount),
  );
  router.post(
    '/accounts/:id/collect',
    kit.action((req, res) => {
      const account = kit.editableAccount(res, req.params.id);
      kit.jobs.start(kit.actor(res), account, 'collect');
      res.redirect(303, `/admin/accounts/${account.id}?done=collect_started`);
    }, showAccount),
  );
  router.post(
    '/accounts/:id/backfill',
    kit.action((req, res) => {
      const account = kit.editableAccount(res, req.params.id);
      const { days } = kit.form(req, { days: F.int({ min: 1, max: MAX_BACKFILL_DAYS, required: true }) });
      kit.jobs.start(kit.actor(res), account, 'backfill', days);
      res.redirect(303, `/admin/accounts/${account.id}?done=backfill_started`);
    }, showAccount),
  );
  return router;
}
