// /admin: organisations, accounts, targets, newspaper figures, users and the audit log. An admin may change
// everything, an editor its organisation's subtree (anything else is a 403), a viewer nothing. Every form
// carries the session's CSRF token (checked before any route here runs); every field is checked before
// anything is written, a bad one re-shows the form with a 400; every change is in the audit log.
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../db';
import { allOrgs, orgBySlug, subtreeIds, type OrgRow } from '../../db/orgs';
import { addUser, ROLES, type Principal } from '../../src/auth';
import { InputError, LEVELS, PLATFORMS, PLATFORM_GROUPS } from '../../src/config';
import { fromEpochDay } from '../../src/domain/dates';
import { MAX_BACKFILL_DAYS } from '../../collectors/facebook';
import * as F from '../../src/admin/fields';
import { canAdminister, editableOrgIds, ForbiddenError, requireOrg } from '../../src/admin/scope';
import { createOrg, moveOrg, renameOrg, setMembers } from '../../src/admin/orgs';
import { accountById, addAccount, closeAccount, jobsOfAccount, reopenAccount, type AdminJobs } from '../../src/admin/accounts';
import { TargetLevelError } from '../../src/targets-store';
import { CASCADE_BASES, listTargets, planCascade, planKey, reviseTarget, saveCascade, setTarget, targetById, targetVersions, type TargetValue } from '../../src/admin/targets';
import { checkNewspaperCsv, figureFor, newspaperAccounts, writeFigures } from '../../src/admin/newspapers';
import { auditFacets, queryAudit } from '../../src/admin/audit-log';
import { disableUser, enableUser, listTokens, listUsers, MAX_PASSWORD, revokeToken, setPassword, tokenById, userById, UserRuleError } from '../../src/admin/users';
import { renderPage, type WebContext } from '../context';
import { cookieValue, principalOf, SESSION_COOKIE } from '../auth';
import { badRequest, notFound, orgParam } from '../params';

const DONE = ['created', 'renamed', 'moved', 'members', 'account_added', 'closed', 'reopened', 'collect_started', 'backfill_started', 'target_set', 'revised', 'unchanged', 'cascaded', 'saved', 'imported', 'user_added', 'user_disabled', 'user_enabled', 'password_set', 'token_revoked'] as const;
const AUDIT_PAGE = 50;
/** Form fields the pages have a label for (`field.*`); an error about anything else shows without one. */
const FIELDS = ['parent', 'slug', 'level', 'name_ru', 'name_kk', 'name_en', 'members', 'platform', 'platform_id', 'id', 'title', 'date', 'days', 'account', 'org', 'baseline_date', 'due_date', 'mode', 'value', 'decision', 'basis', 'key', 'confirm', 'csv', 'subscribers', 'login', 'password', 'role', 'target'];
const SOURCES = ['api', 'backfill', 'manual', 'import'];
const FAILURE_KINDS = ['rate_limit', 'invalid_token', 'permission', 'not_found', 'transient', 'malformed', 'timeout', 'other'];

interface OrgOption {
  id: number;
  slug: string;
  level: OrgRow['level'];
  depth: number;
  name_ru: string;
  name_kk: string | null;
  name_en: string | null;
  members: number | null;
  accounts: number;
}

/** The orgs this principal may change, in tree order with their depth. */
function editableTree(db: Db, p: Principal): OrgOption[] {
  const orgs = allOrgs(db);
  const counts = new Map((db.prepare('SELECT org_id, count(*) AS n FROM accounts GROUP BY org_id').all() as { org_id: number; n: number }[]).map((r) => [r.org_id, r.n]));
  const children = new Map<number | null, OrgRow[]>();
  for (const o of orgs) children.set(o.parent_id, [...(children.get(o.parent_id) ?? []), o]);
  const out: OrgOption[] = [];
  const walk = (o: OrgRow, depth: number) => {
    out.push({ id: o.id, slug: o.slug, level: o.level, depth, name_ru: o.name_ru, name_kk: o.name_kk, name_en: o.name_en, members: o.members, accounts: counts.get(o.id) ?? 0 });
    for (const c of children.get(o.id) ?? []) walk(c, depth + 1);
  };
  const roots = p.role === 'admin' ? children.get(null) ?? [] : orgs.filter((o) => o.id === p.orgId);
  for (const r of roots) walk(r, 0);
  return out;
}

const formOf = (req: Request): F.Form => (req.body && typeof req.body === 'object' ? (req.body as F.Form) : {});

export function adminRouter(ctx: WebContext, jobs: AdminJobs): Router {
  const router = Router();
  const { db } = ctx;

  router.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    if (!canAdminister(principalOf(res))) return next(new ForbiddenError('administration is for admins and editors'));
    next();
  });

  const who = (res: Response): Principal => principalOf(res)!;
  const actor = (res: Response) => who(res).login;
  const today = () => ctx.today();

  /** An org named in the path or a form: malformed 400, unknown 404, outside the editor's subtree 403. */
  const editableOrg = (res: Response, slug: unknown, field: string): OrgRow => {
    if (typeof slug !== 'string' || slug === '') throw badRequest(field, 'is required');
    const org = orgParam(db, slug, field)!;
    requireOrg(db, who(res), org.id);
    return org;
  };
  const editableAccount = (res: Response, idText: unknown, field = 'id') => {
    const account = accountById(db, F.id(idText, field));
    if (!account) throw notFound('no such account');
    requireOrg(db, who(res), account.org_id);
    return account;
  };
  const editableTarget = (res: Response, idText: unknown) => {
    const target = targetById(db, F.id(idText));
    if (!target) throw notFound('no such target');
    requireOrg(db, who(res), target.org_id);
    return target;
  };

  const doneParam = (req: Request) => {
    const v = req.query.done;
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !(DONE as readonly string[]).includes(v)) throw badRequest('done', 'is not a known notice');
    return v;
  };

  const show = (req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200) =>
    renderPage(ctx, req, res, view, { page: 'admin', done: doneParam(req), isAdmin: who(res).role === 'admin', ...data }, status);

  /** Runs a form action; a bad field re-shows the page with the message and a 400. */
  const action = (run: (req: Request, res: Response) => void, reshow: (req: Request, res: Response, extra: Record<string, unknown>, status: number) => void) => (req: Request, res: Response) => {
    try {
      run(req, res);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const field = FIELDS.includes(err.field ?? '') ? err.field! : '';
      const message = field && err.message.startsWith(`${field}: `) ? err.message.slice(field.length + 2) : err.message;
      const key = err instanceof UserRuleError || err instanceof TargetLevelError ? `admin.refused.${err.code}` : undefined;
      reshow(req, res, { formError: { field, message, key }, values: formOf(req) }, 400);
    }
  };

  // ---------------------------------------------------------------------------------------------
  // Index

  router.get('/', (req, res) => {
    const p = who(res);
    const ids = editableOrgIds(db, p);
    const scopeOrg = p.orgId === null ? undefined : (db.prepare('SELECT id, slug, name_ru, name_kk, name_en FROM organisations WHERE id = ?').get(p.orgId) as OrgRow | undefined);
    show(req, res, 'admin-index.njk', {
      section: 'index',
      scopeOrg,
      counts: {
        orgs: ids === 'all' ? allOrgs(db).length : ids.size,
        targets: listTargets(db, ids).length,
        newspapers: newspaperAccounts(db, ids).length,
      },
    });
  });

  // ---------------------------------------------------------------------------------------------
  // Organisations

  const showOrgs = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const tree = editableTree(db, who(res));
    show(req, res, 'admin-orgs.njk', { section: 'orgs', tree, parents: tree.filter((o) => o.level !== 'primary'), levels: LEVELS, values: {}, ...extra }, status);
  };
  router.get('/orgs', (req, res) => showOrgs(req, res));
  router.post(
    '/orgs',
    action((req, res) => {
      const f = formOf(req);
      const parent = editableOrg(res, F.slug(f, 'parent'), 'parent');
      const slug = F.slug(f, 'slug')!;
      createOrg(db, actor(res), {
        slug,
        parent: parent.slug,
        level: F.level(f),
        name: { ru: F.text(f, 'name_ru', { required: true })!, kk: F.text(f, 'name_kk'), en: F.text(f, 'name_en') },
        members: F.int(f, 'members', { max: 10_000_000 }),
      });
      res.redirect(303, `/admin/orgs/${slug}?done=created`);
    }, showOrgs),
  );

  const showOrg = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const org = editableOrg(res, req.params.slug, 'slug');
    const p = who(res);
    const below = new Set(subtreeIds(db, org.id));
    const moveTargets = editableTree(db, p).filter((o) => !below.has(o.id) && o.id !== org.parent_id && LEVELS.indexOf(o.level) < LEVELS.indexOf(org.level));
    const parent = org.parent_id === null ? undefined : allOrgs(db).find((o) => o.id === org.parent_id);
    const accounts = db
      .prepare(
        `SELECT a.id, a.platform, a.platform_id, a.title, a.closed_day,
           (SELECT max(day) FROM snapshots WHERE account_id = a.id) AS last_day,
           (SELECT audience FROM snapshots WHERE account_id = a.id ORDER BY day DESC LIMIT 1) AS last_audience
         FROM accounts a WHERE a.org_id = ? ORDER BY a.platform, a.id`,
      )
      .all(org.id) as { id: number; platform: string; platform_id: string; title: string | null; closed_day: number | null; last_day: number | null; last_audience: number | null }[];
    show(
      req,
      res,
      'admin-org.njk',
      {
        section: 'orgs',
        org,
        parent,
        isScopeRoot: p.role !== 'admin' && p.orgId === org.id,
        children: allOrgs(db).filter((o) => o.parent_id === org.id),
        moveTargets,
        accounts: accounts.map((a) => ({ ...a, closed: a.closed_day === null ? null : fromEpochDay(a.closed_day), last_date: a.last_day === null ? null : fromEpochDay(a.last_day) })),
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
    action((req, res) => {
      const org = editableOrg(res, req.params.slug, 'slug');
      const f = formOf(req);
      renameOrg(db, actor(res), org, { ru: F.text(f, 'name_ru', { required: true })!, kk: F.text(f, 'name_kk'), en: F.text(f, 'name_en') });
      res.redirect(303, `/admin/orgs/${org.slug}?done=renamed`);
    }, showOrg),
  );
  router.post(
    '/orgs/:slug/members',
    action((req, res) => {
      const org = editableOrg(res, req.params.slug, 'slug');
      setMembers(db, actor(res), org, F.int(formOf(req), 'members', { max: 10_000_000 }) ?? null);
      res.redirect(303, `/admin/orgs/${org.slug}?done=members`);
    }, showOrg),
  );
  router.post(
    '/orgs/:slug/move',
    action((req, res) => {
      const org = editableOrg(res, req.params.slug, 'slug');
      const parent = editableOrg(res, F.slug(formOf(req), 'parent'), 'parent');
      // An editor's own organisation stays where the admin put it.
      if (who(res).role !== 'admin' && who(res).orgId === org.id) throw new ForbiddenError('your own organisation can only be moved by an admin');
      moveOrg(db, actor(res), org, parent);
      res.redirect(303, `/admin/orgs/${org.slug}?done=moved`);
    }, showOrg),
  );
  router.post(
    '/orgs/:slug/accounts',
    action((req, res) => {
      const org = editableOrg(res, req.params.slug, 'slug');
      const f = formOf(req);
      const platform = F.platform(f);
      const idText = F.raw(f, 'platform_id', 100).trim();
      if (!idText) throw new InputError('is required', undefined, undefined, 'platform_id');
      const account = addAccount(db, actor(res), org, { platform, id: idText, title: F.text(f, 'title') });
      res.redirect(303, `/admin/accounts/${account.id}?done=account_added`);
    }, showOrg),
  );

  // ---------------------------------------------------------------------------------------------
  // Accounts

  const showAccount = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const account = editableAccount(res, req.params.id);
    const org = allOrgs(db).find((o) => o.id === account.org_id)!;
    const readings = (db.prepare('SELECT day, audience, source, collected_at FROM snapshots WHERE account_id = ? ORDER BY day DESC LIMIT 10').all(account.id) as { day: number; audience: number; source: number; collected_at: number }[]).map((r) => ({
      ...r,
      date: fromEpochDay(r.day),
      source: SOURCES[r.source],
    }));
    const failures = db
      .prepare('SELECT f.kind, f.message, f.at, f.run_id FROM collection_failures f WHERE f.account_id = ? ORDER BY f.at DESC LIMIT 5')
      .all(account.id) as { kind: string; message: string; at: number; run_id: number }[];
    const runs = db
      .prepare('SELECT id, status, accounts_ok, accounts_failed, finished_at FROM collection_runs WHERE id IN (SELECT run_id FROM admin_jobs WHERE account_id = ? AND run_id IS NOT NULL)')
      .all(account.id) as { id: number; status: string; accounts_ok: number; accounts_failed: number; finished_at: number | null }[];
    const runById = new Map(runs.map((r) => [r.id, r]));
    show(
      req,
      res,
      'admin-account.njk',
      {
        section: 'orgs',
        account: { ...account, closed: account.closed_day === null ? null : fromEpochDay(account.closed_day) },
        org,
        readings,
        failures: failures.map((x) => ({ ...x, kind: FAILURE_KINDS.includes(x.kind) ? x.kind : 'other' })),
        jobs: jobsOfAccount(db, account.id).map((j) => ({ ...j, run: j.run_id === null ? undefined : runById.get(j.run_id) })),
        maxBackfill: MAX_BACKFILL_DAYS,
        values: { date: today(), days: 90 },
        ...extra,
      },
      status,
    );
  };
  router.get('/accounts/:id', (req, res) => showAccount(req, res));
  router.post(
    '/accounts/:id/close',
    action((req, res) => {
      const account = editableAccount(res, req.params.id);
      closeAccount(db, ctx.config, actor(res), account, F.date(formOf(req), 'date')!);
      res.redirect(303, `/admin/accounts/${account.id}?done=closed`);
    }, showAccount),
  );
  router.post(
    '/accounts/:id/reopen',
    action((req, res) => {
      const account = editableAccount(res, req.params.id);
      reopenAccount(db, ctx.config, actor(res), account);
      res.redirect(303, `/admin/accounts/${account.id}?done=reopened`);
    }, showAccount),
  );
  router.post(
    '/accounts/:id/collect',
    action((req, res) => {
      const account = editableAccount(res, req.params.id);
      jobs.start(actor(res), account, 'collect');
      res.redirect(303, `/admin/accounts/${account.id}?done=collect_started`);
    }, showAccount),
  );
  router.post(
    '/accounts/:id/backfill',
    action((req, res) => {
      const account = editableAccount(res, req.params.id);
      const days = F.int(formOf(req), 'days', { min: 1, max: MAX_BACKFILL_DAYS, required: true })!;
      jobs.start(actor(res), account, 'backfill', days);
      res.redirect(303, `/admin/accounts/${account.id}?done=backfill_started`);
    }, showAccount),
  );

  // ---------------------------------------------------------------------------------------------
  // Targets

  const targetValue = (f: F.Form): TargetValue => {
    const mode = F.oneOf(f, 'mode', ['absolute', 'percent'] as const);
    // "hold": a value at or below the baseline, confirmed as keeping the level (src/domain/targets targetLevelProblem)
    const hold = f.hold === '1' ? { hold: true } : {};
    return mode === 'absolute' ? { target: F.int(f, 'value', { required: true, max: 1_000_000_000 })!, ...hold } : { target_percent: F.decimal(f, 'value', { min: -100, max: 100_000 }), ...hold };
  };

  const showTargets = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const p = who(res);
    const q = req.query.org;
    const filterOrg = q === undefined || q === '' ? undefined : editableOrg(res, q, 'org');
    const ids = editableOrgIds(db, p);
    const targets = listTargets(db, filterOrg ? new Set([filterOrg.id]) : ids);
    show(req, res, 'admin-targets.njk', { section: 'targets', targets, filterOrg, orgs: editableTree(db, p), platforms: PLATFORM_GROUPS, values: { org: filterOrg?.slug, baseline_date: today() }, ...extra }, status);
  };
  router.get('/targets', (req, res) => showTargets(req, res));
  router.post(
    '/targets',
    action((req, res) => {
      const f = formOf(req);
      const org = editableOrg(res, F.slug(f, 'org'), 'org');
      const id = setTarget(db, actor(res), {
        org,
        platform: F.platformGroup(f),
        baseline_date: F.date(f, 'baseline_date')!,
        due_date: F.date(f, 'due_date')!,
        value: targetValue(f),
        decision: F.text(f, 'decision', { required: true, max: F.MAX_DECISION })!,
      });
      res.redirect(303, `/admin/targets/${id}?done=target_set`);
    }, showTargets),
  );

  const showTarget = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const target = editableTarget(res, req.params.id);
    const children = db.prepare('SELECT count(*) FROM organisations WHERE parent_id = ?').pluck().get(target.org_id) as number;
    show(req, res, 'admin-target.njk', { section: 'targets', target, versions: targetVersions(db, target.id), children, bases: CASCADE_BASES, values: {}, ...extra }, status);
  };
  router.get('/targets/:id', (req, res) => showTarget(req, res));
  router.post(
    '/targets/:id/revise',
    action((req, res) => {
      const target = editableTarget(res, req.params.id);
      const f = formOf(req);
      const changed = reviseTarget(db, actor(res), target, targetValue(f), F.text(f, 'decision', { required: true, max: F.MAX_DECISION })!);
      res.redirect(303, `/admin/targets/${target.id}?done=${changed ? 'revised' : 'unchanged'}`);
    }, showTarget),
  );
  router.post(
    '/targets/:id/cascade',
    action((req, res) => {
      const target = editableTarget(res, req.params.id);
      const f = formOf(req);
      const basis = F.oneOf(f, 'basis', CASCADE_BASES);
      const confirm = F.flag(f, 'confirm');
      const plan = planCascade(db, target, basis, today());
      const key = planKey(plan);
      if (confirm) {
        if (F.raw(f, 'key', 20_000) !== key) {
          showTarget(req, res, { plan, planKey: key, planChanged: true });
          return;
        }
        saveCascade(db, actor(res), plan);
        res.redirect(303, `/admin/targets/${target.id}?done=cascaded`);
        return;
      }
      showTarget(req, res, { plan, planKey: key });
    }, showTarget),
  );

  // ---------------------------------------------------------------------------------------------
  // Newspaper subscriptions

  const showNewspapers = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const p = who(res);
    const q = req.query.org;
    const filterOrg = q === undefined || q === '' ? undefined : editableOrg(res, q, 'org');
    const accounts = newspaperAccounts(db, filterOrg ? new Set(subtreeIds(db, filterOrg.id)) : editableOrgIds(db, p));
    const orgs = allOrgs(db);
    const recent = accounts.length
      ? (db
          .prepare(`SELECT account_id, day, audience, source FROM snapshots WHERE account_id IN (SELECT value FROM json_each(?)) ORDER BY day DESC LIMIT 40`)
          .all(JSON.stringify(accounts.map((a) => a.id))) as { account_id: number; day: number; audience: number; source: number }[])
      : [];
    const byId = new Map(accounts.map((a) => [a.id, a]));
    show(
      req,
      res,
      'admin-newspapers.njk',
      {
        section: 'newspapers',
        filterOrg,
        accounts: accounts.map((a) => ({ ...a, org: orgs.find((o) => o.id === a.org_id) })),
        recent: recent.map((r) => ({ ...r, source: SOURCES[r.source], date: fromEpochDay(r.day), account: byId.get(r.account_id), org: orgs.find((o) => o.id === byId.get(r.account_id)?.org_id) })),
        values: { date: today() },
        ...extra,
      },
      status,
    );
  };
  router.get('/newspapers', (req, res) => showNewspapers(req, res));
  router.post(
    '/newspapers',
    action((req, res) => {
      const f = formOf(req);
      const account = editableAccount(res, F.raw(f, 'account', 20), 'account');
      if (account.platform !== 'newspaper') throw new InputError('must be a newspaper', undefined, undefined, 'account');
      const org = allOrgs(db).find((o) => o.id === account.org_id)!;
      const figure = figureFor(db, { ...account, org_slug: org.slug }, F.date(f, 'date')!, F.int(f, 'subscribers', { required: true, max: 100_000_000 })!, today());
      writeFigures(db, ctx.config, actor(res), [figure]);
      res.redirect(303, `/admin/newspapers?done=saved`);
    }, showNewspapers),
  );
  router.post(
    '/newspapers/csv',
    action((req, res) => {
      const f = formOf(req);
      const csv = F.raw(f, 'csv', 1_500_000);
      const confirm = F.flag(f, 'confirm');
      const check = checkNewspaperCsv(db, csv, { orgIds: editableOrgIds(db, who(res)), today: today() });
      const orgs = allOrgs(db);
      const preview = check.figures.map((x) => ({ ...x, org: orgs.find((o) => o.id === x.account.org_id) }));
      if (check.errors.length) {
        showNewspapers(req, res, { csv, csvErrors: check.errors, csvLines: check.lines }, 400);
        return;
      }
      if (!confirm) {
        showNewspapers(req, res, { csv, preview, csvLines: check.lines });
        return;
      }
      writeFigures(db, ctx.config, actor(res), check.figures);
      res.redirect(303, `/admin/newspapers?done=imported`);
    }, showNewspapers),
  );

  // ---------------------------------------------------------------------------------------------
  // Users (admin only)

  const adminOnly = (res: Response) => {
    if (who(res).role !== 'admin') throw new ForbiddenError('only an admin manages users');
  };
  const showUsers = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    adminOnly(res);
    show(
      req,
      res,
      'admin-users.njk',
      { section: 'users', users: listUsers(db), tokens: listTokens(db), selfId: who(res).userId, maxPassword: MAX_PASSWORD, roles: ROLES, orgs: editableTree(db, who(res)), values: {}, ...extra },
      status,
    );
  };
  router.get('/users', (req, res) => showUsers(req, res));
  router.post(
    '/users',
    action((req, res) => {
      adminOnly(res);
      const f = formOf(req);
      const role = F.oneOf(f, 'role', ROLES);
      const org = F.slug(f, 'org', false);
      if (org && !orgBySlug(db, org)) throw new InputError(`no organisation has the slug ${org}`, undefined, undefined, 'org');
      const login = F.raw(f, 'login', 64);
      const password = F.raw(f, 'password', 200);
      try {
        addUser(db, { login, password, role, org: role === 'editor' ? org : undefined, actor: actor(res) });
      } catch (err) {
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
    const user = userById(db, F.id(req.params.id));
    if (!user) throw notFound('no such user');
    return user;
  };
  const by = (res: Response) => ({ actor: actor(res), userId: who(res).userId });
  router.post(
    '/users/:id/disable',
    action((req, res) => {
      disableUser(db, by(res), pathUser(req, res));
      res.redirect(303, '/admin/users?done=user_disabled');
    }, showUsers),
  );
  router.post(
    '/users/:id/enable',
    action((req, res) => {
      enableUser(db, by(res), pathUser(req, res));
      res.redirect(303, '/admin/users?done=user_enabled');
    }, showUsers),
  );
  router.post(
    '/users/:id/password',
    action((req, res) => {
      const user = pathUser(req, res);
      const password = F.raw(formOf(req), 'password', MAX_PASSWORD);
      // The admin's own session stays when it changes its own password; every other session of the user ends.
      setPassword(db, by(res), user, password, user.id === who(res).userId ? cookieValue(req, SESSION_COOKIE) : undefined);
      res.redirect(303, '/admin/users?done=password_set');
    }, showUsers),
  );
  router.post(
    '/tokens/:id/revoke',
    action((req, res) => {
      adminOnly(res);
      const token = tokenById(db, F.id(req.params.id));
      if (!token) throw notFound('no such API token');
      revokeToken(db, by(res), token);
      res.redirect(303, '/admin/users?done=token_revoked#tokens');
    }, showUsers),
  );

  // ---------------------------------------------------------------------------------------------
  // Audit log

  router.get('/audit', (req, res) => {
    const q = req.query as F.Form;
    const actorQ = F.raw(q, 'actor', 100);
    if (actorQ && !/^[A-Za-z0-9._@:-]{1,100}$/.test(actorQ)) throw badRequest('actor', 'is not a login');
    const actionQ = F.raw(q, 'action', 50);
    if (actionQ && !/^[a-z]+(\.[a-z_]+)?$/.test(actionQ)) throw badRequest('action', 'must be an action such as org.update');
    const subject = F.raw(q, 'subject', 100);
    if (subject && (subject !== subject.trim() || /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\uFFFD<>\\%]/u.test(subject))) throw badRequest('subject', 'must be plain text');
    let from: string | undefined;
    let to: string | undefined;
    try {
      from = F.date(q, 'from', false);
      to = F.date(q, 'to', false);
    } catch (err) {
      throw badRequest((err as InputError).field ?? 'from', 'must be a real date as YYYY-MM-DD');
    }
    if (from && to && from > to) throw badRequest('from', 'is after to');
    const pageText = F.raw(q, 'page', 6);
    if (pageText && !/^[1-9]\d{0,5}$/.test(pageText)) throw badRequest('page', 'must be a page number');
    const pageNo = pageText ? Number(pageText) : 1;
    const { rows, total } = queryAudit(db, {
      actor: actorQ || undefined,
      action: actionQ || undefined,
      subject: subject || undefined,
      from,
      to,
      orgIds: editableOrgIds(db, who(res)),
      timezone: ctx.config.timezone,
      limit: AUDIT_PAGE,
      offset: (pageNo - 1) * AUDIT_PAGE,
    });
    show(req, res, 'admin-audit.njk', {
      section: 'audit',
      rows: rows.map((r) => ({ ...r, before: pretty(r.before), after: pretty(r.after) })),
      total,
      pageNo,
      pages: Math.max(1, Math.ceil(total / AUDIT_PAGE)),
      facets: auditFacets(db),
      f: { actor: actorQ, action: actionQ, subject, from, to },
    });
  });

  return router;
}

function pretty(json: string | null): string | null {
  if (json === null) return null;
  try {
    return JSON.stringify(JSON.parse(json), null, 1);
  } catch {
    return json;
  }
}

