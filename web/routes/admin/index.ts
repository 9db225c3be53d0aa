// /admin: organisations, accounts, targets, newspaper figures, users and the audit log, one router each.
// An admin may change everything, an editor its organisation's subtree (anything else is a 403), a viewer
// nothing. Every form carries the session's CSRF token (checked before any route here runs); every field is
// checked (web/fields.ts) before anything is written, a bad one re-shows the form with a 400; every change
// is in the audit log. The SQL lives in src/admin/*.
import { Router } from 'express';
import { canAdminister, editableOrgIds, ForbiddenError } from '../../../src/admin/scope';
import type { AdminJobs } from '../../../src/admin/accounts';
import { listTargets } from '../../../src/admin/targets';
import { newspaperAccounts } from '../../../src/admin/newspapers';
import { orgById, orgCount } from '../../../src/admin/tree';
import type { WebContext } from '../../context';
import { principalOf } from '../../auth';
import { adminKit } from './kit';
import { orgsRouter } from './orgs';
import { accountsRouter } from './accounts';
import { targetsRouter } from './targets';
import { newspapersRouter } from './newspapers';
import { usersRouter } from './users';
import { auditRouter } from './audit';

export function adminRouter(ctx: WebContext, jobs: AdminJobs): Router {
  const router = Router();
  const { db } = ctx;
  const kit = adminKit(ctx, jobs);

  router.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    if (!canAdminister(principalOf(res))) return next(new ForbiddenError('administration is for admins and editors'));
    next();
  });

  router.get('/', (req, res) => {
    const p = kit.who(res);
    const ids = editableOrgIds(db, p);
    kit.show(req, res, 'admin-index.njk', {
      section: 'index',
      scopeOrg: p.orgId === null ? undefined : orgById(db, p.orgId),
      counts: {
        orgs: ids === 'all' ? orgCount(db) : ids.size,
        targets: listTargets(db, ids).length,
        newspapers: newspaperAccounts(db, ids).length,
      },
    });
  });

  router.use(orgsRouter(kit));
  router.use(accountsRouter(kit));
  router.use(targetsRouter(kit));
  router.use(newspapersRouter(kit));
  router.use(usersRouter(kit));
  router.use(auditRouter(kit));
  return router;
}
