// /admin/newspapers: newspaper subscription figures typed in one at a time, or a CSV checked whole,
// previewed, then written together.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { OrgRow } from '../../../db/orgs';
import { Refusal } from '../../../src/admin/errors';
import { editableOrgIds } from '../../../src/admin/scope';
import { checkNewspaperCsv, figureFor, latestFigures, newspaperAccounts, newspaperCodes, recentFigures, writeFigures } from '../../../src/admin/newspapers';
import { addAccount, channelLookup } from '../../../src/admin/accounts';
import { editableTree, orgById, subtreeIds } from '../../../src/admin/tree';
import { homeOrg } from '../../../src/admin/scope';
import * as F from '../../fields';
import { MAX_COUNT } from '../../../src/domain/ranges';
import type { AdminKit } from './kit';

export function newspapersRouter(kit: AdminKit): Router {
  const router = Router();
  const { db } = kit.ctx;
  const lookup = channelLookup(db, kit.ctx.config);
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
    // Each organisation's own latest figure, grouped by newspaper with the sum of the group.
    const latest = latestFigures(db, accounts);
    const groups = new Map<string, { code: string; total: number; accounts: unknown[] }>();
    for (const a of accounts) {
      const g = groups.get(a.platform_id) ?? { code: a.platform_id, total: 0, accounts: [] };
      const last = latest.get(a.id);
      g.total += last?.audience ?? 0;
      g.accounts.push({ ...a, org: orgOf(a.org_id), last_date: last?.date, last_audience: last?.audience });
      groups.set(a.platform_id, g);
    }
    kit.show(
      req,
      res,
      'admin-newspapers.njk',
      {
        section: 'newspapers',
        filterOrg,
        accounts: accounts.map((a) => ({ ...a, org: orgOf(a.org_id) })),
        titles: [...groups.values()],
        codes: newspaperCodes(db),
        orgs: editableTree(db, kit.who(res)),
        recent: recentFigures(db, accounts).map((r) => ({ ...r, org: orgOf(r.account.org_id) })),
        values: { date: kit.ctx.today(), org: filterOrg?.slug ?? (kit.who(res).role === 'admin' ? undefined : homeOrg(db, kit.who(res))?.slug) },
        ...extra,
      },
      status,
    );
  };
  router.get('/newspapers', (req, res) => showNewspapers(req, res));
  router.post(
    '/newspapers',
    kit.action((req, res) => {
      const f = kit.form(req, { account: F.raw(20), date: F.date(), subscribers: F.int({ required: true, max: MAX_COUNT }) });
      const account = kit.editableAccount(res, f.account, 'account');
      if (account.platform !== 'newspaper') throw new Refusal('account', 'must be a newspaper', 'not_newspaper');
      const org = orgById(db, account.org_id)!;
      const figure = figureFor(db, { ...account, org_slug: org.slug }, f.date, f.subscribers, kit.ctx.today());
      writeFigures(db, kit.ctx.config, kit.actor(res), [figure], kit.jobs.onSnapshotsChanged);
      res.redirect(303, `/admin/newspapers?done=saved`);
    }, showNewspapers),
  );
  router.post(
    '/newspapers/register',
    kit.action(async (req, res) => {
      const f = kit.form(req, { org: F.slug(), code: F.raw(100), title: F.text() });
      const org = kit.editableOrg(res, f.org, 'org');
      const code = f.code.trim();
      // The same newspaper in another organisation keeps its title unless a new one is given.
      const title = f.title ?? newspaperCodes(db).find((c) => c.code === code)?.title ?? undefined;
      try {
        await addAccount(db, kit.actor(res), org, { platform: 'newspaper', id: code, title }, lookup);
      } catch (err) {
        // This form calls the field "newspaper code".
        if (err instanceof Refusal && err.field === 'platform_id') throw new Refusal('code', err.message.replace(/^platform_id: /, ''), err.key, err.vars);
        throw err;
      }
      res.redirect(303, `/admin/newspapers?done=account_added`);
    }, showNewspapers),
  );
  router.post(
    '/newspapers/csv',
    kit.action((req, res) => {
      const { csv, confirm } = kit.form(req, { csv: F.raw(1_500_000), confirm: F.flag() });
      const check = checkNewspaperCsv(db, csv, { orgIds: editableOrgIds(db, kit.who(res)), today: kit.ctx.today() });
      if (check.errors.length) return showNewspapers(req, res, { csv, csvErrors: check.errors, csvErrorCount: check.errorCount, csvLines: check.lines }, 400);
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
