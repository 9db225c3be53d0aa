// /admin/audit: who changed what and when, newest first, filtered by actor, action, subject and dates; an
// editor sees the entries about its own part of the tree.
import { Router } from 'express';
import { auditFacets, queryAudit } from '../../../src/admin/audit-log';
import { editableOrgIds } from '../../../src/admin/scope';
import { describeAudit } from '../../../src/admin/audit-words';
import * as F from '../../fields';
import { badRequest, query } from '../../params';
import type { AdminKit } from './kit';

const AUDIT_PAGE = 50;
/** Actions and fields the pages name in words (`audit.action.*`, `audit.field.*`); others show as recorded. */
const AUDIT_ACTIONS = ['org.create', 'org.update', 'account.create', 'account.update', 'account.close', 'account.reopen', 'account.collect', 'account.backfill', 'snapshot.set', 'target.set', 'target.cascade', 'user.create', 'user.disable', 'user.enable', 'user.password', 'token.create', 'token.revoke'] as const;
const AUDIT_FIELDS = ['parent_id', 'level', 'name_ru', 'name_kk', 'name_en', 'members', 'telegram_chat', 'org', 'page_id', 'title', 'token_env', 'closed', 'date', 'subscribers', 'days', 'baseline', 'baseline_date', 'target', 'target_percent', 'due_date', 'decision', 'basis', 'children', 'role', 'login', 'disabled', 'sessions_ended', 'password', 'revoked', 'platform', 'set_by'] as const;

/** The audit log's filters: each one refused (a 400 naming it) unless it is what the form offers. */
const auditQuery = {
  actor: F.rawThen(100, (s) => (s && !/^[A-Za-z0-9._@:-]{1,100}$/.test(s) ? F.refuse('is not a login', 'login') : s)),
  action: F.rawThen(50, (s) => (s && !/^[a-z]+(\.[a-z_]+)?$/.test(s) ? F.refuse('must be an action such as org.update', 'audit_action') : s)),
  subject: F.rawThen(100, (s) => (s && (s !== s.trim() || /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\uFFFD<>\\%]/u.test(s)) ? F.refuse('must be plain text', 'plain_text') : s)),
  from: F.date({ required: false }),
  to: F.date({ required: false }),
  page: F.rawThen(6, (s) => (s && !/^[1-9]\d{0,5}$/.test(s) ? F.refuse('must be a page number', 'page') : s ? Number(s) : 1)),
};

export function auditRouter(kit: AdminKit): Router {
  const router = Router();
  const { db } = kit.ctx;

  router.get('/audit', (req, res) => {
    const { actor, action, subject, from, to, page: pageNo } = query(req, auditQuery);
    if (from && to && from > to) throw badRequest('from', 'is after to');
    const { rows, total } = queryAudit(db, {
      actor: actor || undefined,
      action: action || undefined,
      subject: subject || undefined,
      from,
      to,
      orgIds: editableOrgIds(db, kit.who(res)),
      timezone: kit.ctx.config.timezone,
      limit: AUDIT_PAGE,
      offset: (pageNo - 1) * AUDIT_PAGE,
    });
    kit.show(req, res, 'admin-audit.njk', {
      section: 'audit',
      rows: describeAudit(db, rows).map((row) => ({ ...row, actionKey: (AUDIT_ACTIONS as readonly string[]).includes(row.action) ? `audit.action.${row.action}` : undefined })),
      actionKeys: AUDIT_ACTIONS,
      fieldKeys: AUDIT_FIELDS,
      total,
      pageNo,
      pages: Math.max(1, Math.ceil(total / AUDIT_PAGE)),
      facets: auditFacets(db),
      f: { actor, action, subject, from, to },
    });
  });
  return router;
}
