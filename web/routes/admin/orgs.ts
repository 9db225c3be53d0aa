// /admin/orgs: the editable tree, a new organisation, and one organisation's page (rename, members, move,
// add a channel).
import { Router, type Request, type Response } from 'express';
import { LEVELS } from '../../../src/config';
import { createOrg, moveOrg, renameOrg, setMembers } from '../../../src/admin/orgs';
import { accountsOfOrg, addAccount, channelLookup } from '../../../src/admin/accounts';
import { ForbiddenError } from '../../../src/admin/scope';
import { childrenOf, editableTree, orgById, subtreeIds } from '../../../src/admin/tree';
import { PLATFORMS } from '../../../src/config';
import * as F from '../../fields';
import type { AdminKit } from './kit';

import { MAX_COUNT } from '../../../src/domain/ranges';
/** How long adding a channel waits for its first reading before showing the channel's page. */
const FIRST_READING_WAIT_MS = 15_000;
const names = { name_ru: F.text({ required: true }), name_kk: F.text(), name_en: F.text() };

export function orgsRouter(kit: AdminKit): Router {
  const router = Router();
  const { db } = kit.ctx;
  const lookup = channelLookup(db, kit.ctx.config);
  const nameOf = (f: { name_ru: string; name_kk?: string; name_en?: string }) => ({ ru: f.name_ru, kk: f.name_kk, en: f.name_en });

  const showOrgs = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const tree = editableTree(db, kit.who(res));
    kit.show(req, res, 'admin-orgs.njk', { section: 'orgs', tree, parents: tree.filter((o) => o.level !== 'primary'), levels: LEVELS, values: {}, ...extra }, status);
  };
  router.get('/orgs', (req, res) => showOrgs(req, res));
  router.post(
    '/orgs',
    kit.action((req, res) => {
      const f = kit.form(req, { parent: F.slug(), slug: F.slug(), level: F.level(), ...names, members: F.int({ max: MAX_COUNT }) });
      const parent = kit.editableOrg(res, f.parent, 'parent');
      createOrg(db, kit.actor(res), { slug: f.slug, parent: parent.slug, level: f.level, name: nameOf(f), members: f.members });
      res.redirect(303, `/admin/orgs/${f.slug}?done=created`);
    }, showOrgs),
  );

  const showOrg = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const org = kit.editableOrg(res, req.params.slug as string, 'slug');
    const p = kit.who(res);
    const below = new Set(subtreeIds(db, org.id));
    const moveTargets = editableTree(db, p).filter((o) => !below.has(o.id) && o.id !== org.parent_id && LEVELS.indexOf(o.level) < LEVELS.indexOf(org.level));
    kit.show(
      req,
      res,
      'admin-org.njk',
      {
        section: 'orgs',
        org,
        parent: org.parent_id === null ? undefined : orgById(db, org.parent_id),
        isScopeRoot: p.role !== 'admin' && p.orgId === org.id,
        children: childrenOf(db, org.id),
        moveTargets,
        accounts: accountsOfOrg(db, org.id),
        platforms: PLATFORMS,
        values: {},
        ...extra,
      },
      status,
    );
  };
  router.get('/orgs/:slug', (req, res) => showOrg(req, res));
  router.post(
    '/orgs/:slug/rename',
    kit.action((req, res) => {
      const org = kit.editableOrg(res, req.params.slug as string, 'slug');
      renameOrg(db, kit.actor(res), org, nameOf(kit.form(req, names)));
      res.redirect(303, `/admin/orgs/${org.slug}?done=renamed`);
    }, showOrg),
  );
  router.post(
    '/orgs/:slug/members',
    kit.action((req, res) => {
      const org = kit.editableOrg(res, req.params.slug as string, 'slug');
      setMembers(db, kit.actor(res), org, kit.form(req, { members: F.int({ max: MAX_COUNT }) }).members ?? null);
      res.redirect(303, `/admin/orgs/${org.slug}?done=members`);
    }, showOrg),
  );
  router.post(
    '/orgs/:slug/move',
    kit.action((req, res) => {
      const org = kit.editableOrg(res, req.params.slug as string, 'slug');
      const parent = kit.editableOrg(res, kit.form(req, { parent: F.slug() }).parent, 'parent');
      // An editor's own organisation stays where the admin put it.
      if (kit.who(res).role !== 'admin' && kit.who(res).orgId === org.id) throw new ForbiddenError('your own organisation can only be moved by an admin');
      moveOrg(db, kit.actor(res), org, parent);
      res.redirect(303, `/admin/orgs/${org.slug}?done=moved`);
    }, showOrg),
  );
  router.post(
    '/orgs/:slug/accounts',
    kit.action(async (req, res) => {
      const org = kit.editableOrg(res, req.params.slug as string, 'slug');
      const f = kit.form(req, { platform: F.platform(), platform_id: F.raw(300), title: F.text() });
      const account = await addAccount(db, kit.actor(res), org, { platform: f.platform, id: f.platform_id, title: f.title }, lookup);
      // The first reading is taken at once, so the new channel shows its audience rather than "not updating".
      if (account.platform !== 'newspaper') await kit.jobs.settle(kit.jobs.start(kit.actor(res), account, 'collect'), FIRST_READING_WAIT_MS);
      res.redirect(303, `/admin/accounts/${account.id}?done=account_added`);
    }, showOrg),
  );
  return router;
}
