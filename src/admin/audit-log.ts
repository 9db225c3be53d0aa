// The audit log as the admin page reads it: newest first, filtered by actor, action, subject text and local
// dates; an editor sees the entries about its own subtree's organisations, accounts and targets.
import type { Db } from '../../db';
import { toEpochDay } from '../domain/dates';

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  before: string | null;
  after: string | null;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  subject?: string;
  from?: string;
  to?: string;
  /** 'all', or the org ids whose entries may be seen. */
  orgIds: 'all' | Set<number>;
  timezone: string;
  limit: number;
  offset: number;
}

/** The instant local midnight of `date` falls on in `timeZone`. */
export function localMidnight(timeZone: string, date: string): number {
  const utc = toEpochDay(date) * 86_400_000;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(utc))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return utc - (wall - utc);
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function queryAudit(db: Db, q: AuditQuery): { rows: AuditRow[]; total: number } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.actor) {
    where.push('actor = ?');
    args.push(q.actor);
  }
  if (q.action) {
    where.push("(action = ? OR action LIKE ? ESCAPE '\\')");
    args.push(q.action, `${likeEscape(q.action)}.%`);
  }
  if (q.subject) {
    where.push("subject LIKE ? ESCAPE '\\'");
    args.push(`%${likeEscape(q.subject)}%`);
  }
  if (q.from) {
    where.push('at >= ?');
    args.push(localMidnight(q.timezone, q.from));
  }
  if (q.to) {
    where.push('at < ?');
    args.push(localMidnight(q.timezone, q.to) + 86_400_000);
  }
  if (q.orgIds !== 'all') {
    where.push(`(subject IN (SELECT 'org:' || slug FROM organisations WHERE id IN (SELECT value FROM json_each(?1x)))
      OR subject IN (SELECT 'account:' || a.platform || ':' || CASE WHEN a.platform = 'newspaper' THEN o.slug || '/' ELSE '' END || a.platform_id
                     FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE a.org_id IN (SELECT value FROM json_each(?1x)))
      OR substr(subject, 1, instr(subject, '/')) IN (SELECT 'target:' || slug || '/' FROM organisations WHERE id IN (SELECT value FROM json_each(?1x))))`);
  }
  // The subtree list is bound once, by name, wherever it is used.
  const ids = q.orgIds === 'all' ? undefined : JSON.stringify([...q.orgIds]);
  const sqlWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const bind = (sql: string) => sql.replace(/\?1x/g, '@ids');
  const params = ids === undefined ? args : [...args, { ids }];
  const positional = bind(sqlWhere);
  const total = db.prepare(`SELECT count(*) FROM audit_log ${positional}`).pluck().get(...params) as number;
  const rows = db.prepare(`SELECT id, at, actor, action, subject, before, after FROM audit_log ${positional} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`).all(...params, q.limit, q.offset) as AuditRow[];
  return { rows, total };
}

/** Distinct actors and actions, for the filter lists. */
export function auditFacets(db: Db): { actors: string[]; actions: string[] } {
  return {
    actors: db.prepare('SELECT DISTINCT actor FROM audit_log ORDER BY actor LIMIT 500').pluck().all() as string[],
    actions: db.prepare('SELECT DISTINCT action FROM audit_log ORDER BY action').pluck().all() as string[],
  };
}
