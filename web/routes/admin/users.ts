// /admin/users (admins only): users and API tokens — add a user, disable / enable, set a password, revoke a token.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { orgBySlug } from '../../../db/orgs';
import { addUser, ROLES } from '../../../src/auth';
import { InputError } from '../../../src/config';
import { ForbiddenError } from '../../../src/admin/scope';
import { Refusal } from '../../../src/admin/errors';
import { disableUser, enableUser, listTokens, listUsers, MAX_PASSWORD, revokeToken, setPassword, tokenById, userById } from '../../../src/admin/users';
import { editableTree } from '../../../src/admin/tree';
import { cookieValue, SESSION_COOKIE } from '../../auth';
import * as F from '../../fields';
import { notFound } from '../../params';
import type { AdminKit } from './kit';

export function usersRouter(kit: AdminKit): Router {
  const router = Router();
  const { db } = kit.ctx;

  const adminOnly = (res: Response) => {
    if (kit.who(res).role !== 'admin') throw new ForbiddenError('only an admin manages users');
  };
  const pathId = (req: Request) => F.parseFields(z.object({ id: F.id() }), req.params).id;
  const showUsers = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    adminOnly(res);
    kit.show(
      req,
      res,
      'admin-users.njk',
      { section: 'users', users: listUsers(db), tokens: listTokens(db), selfId: kit.who(res).userId, maxPassword: MAX_PASSWORD, roles: ROLES, orgs: editableTree(db, kit.who(res)), values: { role: 'viewer' }, ...extra },
      status,
    );
  };
  router.get('/users', (req, res) => showUsers(req, res));
  router.post(
    '/users',
    kit.action((req, res) => {
      adminOnly(res);
      const f = kit.form(req, { role: F.oneOf(ROLES), org: F.slug({ required: false }), login: F.raw(64), password: F.raw(200) });
      if (f.org && !orgBySlug(db, f.org)) throw new Refusal('org', `no organisation has the slug ${f.org}`, 'no_org', { slug: f.org });
      try {
        addUser(db, { login: f.login, password: f.password, role: f.role, org: f.role === 'editor' ? f.org : undefined, actor: kit.actor(res) });
      } catch (err) {
        // addUser speaks the CLI's language (`--login: …`); the form names its own fields.
        if (err instanceof InputError) {
          const field = (err.field ?? '').replace(/^--/, '');
          throw new InputError(err.message.replace(/^(--)?\w+: /, ''), undefined, undefined, field);
        }
        throw err;
      }
      res.redirect(303, '/admin/users?done=user_added');
    }, showUsers),
  );

  /** The user in the path (admin only, checked first): malformed 400, unknown 404. */
  const pathUser = (req: Request, res: Response) => {
    adminOnly(res);
    const user = userById(db, pathId(req));
    if (!user) throw notFound('no such user');
    return user;
  };
  const by = (res: Response) => ({ actor: kit.actor(res), userId: kit.who(res).userId });
  router.post(
    '/users/:id/disable',
    kit.action((req, res) => {
      disableUser(db, by(res), pathUser(req, res));
      res.redirect(303, '/admin/users?done=user_disabled');
    }, showUsers),
  );
  router.post(
    '/users/:id/enable',
    kit.action((req, res) => {
      enableUser(db, by(res), pathUser(req, res));
      res.redirect(303, '/admin/users?done=user_enabled');
    }, showUsers),
  );
  router.post(
    '/users/:id/password',
    kit.action((req, res) => {
      const user = pathUser(req, res);
      const { password } = kit.form(req, { password: F.raw(MAX_PASSWORD) });
      // The admin's own session stays when it changes its own password; every other session of the user ends.
      setPassword(db, by(res), user, password, user.id === kit.who(res).userId ? cookieValue(req, SESSION_COOKIE) : undefined);
      res.redirect(303, '/admin/users?done=password_set');
    }, showUsers),
  );
  router.post(
    '/tokens/:id/revoke',
    kit.action((req, res) => {
      adminOnly(res);
      const token = tokenById(db, pathId(req));
      if (!token) throw notFound('no such API token');
      revokeToken(db, by(res), token);
      res.redirect(303, '/admin/users?done=token_revoked#tokens');
    }, showUsers),
  );
  return router;
}
