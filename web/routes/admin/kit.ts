// What every admin router shares: who is asking, the org / account / target a request names (checked
// against the principal's part of the tree), form parsing with the shared zod field schemas, and the
// page renderer that re-shows a form with its error and a 400.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { OrgRow } from '../../../db/orgs';
import type { Principal } from '../../../src/auth';
import { InputError } from '../../../src/config';
import { requireOrg } from '../../../src/admin/scope';
import { Refusal } from '../../../src/admin/errors';
import { accountById, type AdminJobs } from '../../../src/admin/accounts';
import { targetById } from '../../../src/admin/targets';
import { UserRuleError } from '../../../src/admin/users';
import { TargetLevelError } from '../../../src/growth/targets';
import { renderPage, type WebContext } from '../../context';
import { principalOf } from '../../auth';
import * as F from '../../fields';
import { badRequest, notFound, orgParam } from '../../params';

/** The notices a redirect after a change may ask for (`?done=…`). */
export const DONE = ['created', 'renamed', 'moved', 'members', 'account_added', 'closed', 'reopened', 'collect_started', 'backfill_started', 'target_set', 'revised', 'unchanged', 'cascaded', 'saved', 'imported', 'user_added', 'user_disabled', 'user_enabled', 'password_set', 'token_revoked', 'standard_set'] as const;
/** Form fields the pages have a label for (`field.*`); an error about anything else shows without one. */
const FIELDS = ['parent', 'slug', 'level', 'name_ru', 'name_kk', 'name_en', 'members', 'platform', 'platform_id', 'id', 'title', 'date', 'days', 'account', 'org', 'baseline_date', 'due_date', 'mode', 'value', 'decision', 'basis', 'key', 'confirm', 'csv', 'subscribers', 'login', 'password', 'role', 'target', 'code', 'measure', 'threshold', 'rubrics', 'valid_from', 'rubric', 'action', 'post'];

const doneSchema = z.object({ done: F.oneOf(DONE, '' as (typeof DONE)[number]) });

export type Form = Record<string, unknown>;
/** Re-shows a page, with extra data (a form error, the values typed) and a status. */
export type Reshow = (req: Request, res: Response, extra?: Record<string, unknown>, status?: number) => void;

export interface AdminKit {
  ctx: WebContext;
  jobs: AdminJobs;
  who(res: Response): Principal;
  actor(res: Response): string;
  /** The request's form body, parsed by a schema of shared fields; the first bad field is a 400. */
  form<S extends z.ZodRawShape>(req: Request, shape: S): z.output<z.ZodObject<S>>;
  /** An org named in the path or a form: malformed 400, unknown 404, outside the editor's subtree 403. */
  editableOrg(res: Response, slug: string | undefined, field: string): OrgRow;
  editableAccount(res: Response, idText: unknown, field?: string): NonNullable<ReturnType<typeof accountById>>;
  editableTarget(res: Response, idText: unknown): NonNullable<ReturnType<typeof targetById>>;
  show(req: Request, res: Response, view: string, data: Record<string, unknown>, status?: number): void;
  /** Runs a form action; a bad field re-shows the page with the message and a 400. */
  action(run: (req: Request, res: Response) => void | Promise<void>, reshow: Reshow): (req: Request, res: Response) => Promise<void>;
}

export const formOf = (req: Request): Form => (req.body && typeof req.body === 'object' ? (req.body as Form) : {});

export function adminKit(ctx: WebContext, jobs: AdminJobs): AdminKit {
  const { db } = ctx;
  const who = (res: Response): Principal => principalOf(res)!;
  const rowId = (idText: unknown, field: string) => F.parseFields(z.object({ [field]: F.id() }), { [field]: idText })[field] as number;
  const kit: AdminKit = {
    ctx,
    jobs,
    who,
    actor: (res) => who(res).login,
    form: (req, shape) => F.parseFields(z.object(shape), formOf(req)),
    editableOrg(res, slug, field) {
      if (slug === undefined || slug === '') throw badRequest(field, 'is required');
      const org = orgParam(db, slug, field)!;
      requireOrg(db, who(res), org.id);
      return org;
    },
    editableAccount(res, idText, field = 'id') {
      const account = accountById(db, rowId(idText, field));
      if (!account) throw notFound('no such account');
      requireOrg(db, who(res), account.org_id);
      return account;
    },
    editableTarget(res, idText) {
      const target = targetById(db, rowId(idText, 'id'));
      if (!target) throw notFound('no such target');
      requireOrg(db, who(res), target.org_id);
      return target;
    },
    show(req, res, view, data, status = 200) {
      const r = doneSchema.safeParse(req.query);
      if (!r.success) throw badRequest('done', 'is not a known notice');
      renderPage(ctx, req, res, view, { page: 'admin', done: r.data.done || undefined, isAdmin: who(res).role === 'admin', ...data }, status);
    },
    action: (run, reshow) => async (req, res) => {
      try {
        await run(req, res);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        const field = FIELDS.includes(err.field ?? '') ? err.field! : '';
        const message = field && err.message.startsWith(`${field}: `) ? err.message.slice(field.length + 2) : err.message;
        // A refusal with a key is shown in the page's language; anything else as its English message.
        const key = err instanceof UserRuleError || err instanceof TargetLevelError ? `admin.refused.${err.code}` : err instanceof Refusal ? `invalid.${err.key}` : undefined;
        const vars = err instanceof Refusal ? err.vars : undefined;
        reshow(req, res, { formError: { field, message, key, vars }, values: formOf(req) }, 400);
      }
    },
  };
  return kit;
}
