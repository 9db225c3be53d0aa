// /admin/newspapers: newspaper subscription figures typed in one at a time, or a CSV checked whole,
// previewed, then written together.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { OrgRow } from '../../../db/orgs';
import { InputError } from '../../../src/config';
import { editableOrgIds } from '../../../src/admin/scope';
import { checkNewspaperCsv, figureFor, newspaperAccounts, recentFigures, writeFigures } from '../../../src/admin/newspapers';
import { orgById, subtreeIds } from '../../../src/admin/tree';
import * as F from '../../fields';
import type { AdminKit } from './kit';

export function newspapersRouter(kit: AdminKit): Router {
  const router = Router();
  const { db } = kit.ctx;
  /** Looks each organisation up once per request. */
  const orgLookup = () => {
    const seen = new Map<number, OrgRow | undefined>();
    return (id: number) => {
      if (!seen.has(id)) seen.set(id, orgById(db, id));
      return seen.get(id);
    };
  };

  const showNewspapers = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const q = F.parseFields(z.object({ org: F.raw(100) }), req.query).org;
    const filterOrg = q === '' ? undefined : kit.editableOrg(res, q, 'org');
    const accounts = newspaperAccounts(db, filterOrg ? new Set(subtreeIds(db, filterOrg.id)) : editableOrgIds(db, kit.who(res)));
    const orgOf = orgLookup();
    kit.show(
      req,
      res,
      'admin-newspapers.njk',
      {
        section: 'newspapers',
        filterOrg,
        accounts: accounts.map((a) => ({ ...a, org: orgOf(a.org_id) })),
        recent: recentFigures(db, accounts).map((r) => ({ ...r, org: orgOf(r.account.org_id) })),
        values: { date: kit.ctx.today() },
        ...extra,
      },
      status,
    );
  };
  router.get('/newspapers', (req, res) => showNewspapers(req, res));
  router.post(
    '/newspapers',
    kit.action((req, res) => {
      const f = kit.form(req, { account: F.raw(20), date: F.date(), subscribers: F.int({ required: true, max: 100_000_000 }) });
      const account = kit.editableAccount(res, f.account, 'account');
      if (account.platform !== 'newspaper') throw new InputError('must be a newspaper', undefined, undefined, 'account');
      const org = orgById(db, account.org_id)!;
      const figure = figureFor(db, { ...account, org_slug: org.slug }, f.date, f.subscribers, kit.ctx.today());
      writeFigures(db, kit.ctx.config, kit.actor(res), [figure], kit.jobs.onSnapshotsChanged);
      res.redirect(303, `/admin/newspapers?done=saved`);
    }, showNewspapers),
  );
  router.post(
    '/newspapers/csv',
    kit.action((req, res) => {
      const { csv, confirm } = kit.form(req, { csv: F.raw(1_500_000), confirm: F.flag() });
      const check = checkNewspaperCsv(db, csv, { orgIds: editableOrgIds(db, kit.who(res)), today: kit.ctx.today() });
      if (check.errors.length) return showNewspapers(req, res, { csv, csvErrors: check.errors, csvLines: check.lines }, 400);
      if (!confirm) {
        const orgOf = orgLookup();
        return showNewspapers(req, res, { csv, preview: check.figures.map((x) => ({ ...x, org: orgOf(x.account.org_id) })), csvLines: check.lines });
      }
      writeFigures(db, kit.ctx.config, kit.actor(res), check.figures, kit.jobs.onSnapshotsChanged);
      res.redirect(303, `/admin/newspapers?done=imported`);
    }, showNewspapers),
  );
  return router;
}
