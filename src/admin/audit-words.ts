// The audit log in words: what an entry's subject is (an organisation by its name, a channel, a target) and
// which fields changed from what to what, with organisation ids (a move's parent_id) read as names. The
// pages translate the action and field names (`audit.action.*`, `audit.field.*`) and format the values.
import type { Db } from '../../db';
import type { OrgRow } from '../../db/orgs';
import type { AuditRow } from './audit-log';

export type OrgNames = Pick<OrgRow, 'slug' | 'name_ru' | 'name_kk' | 'name_en'>;

/** A value as the page shows it: an organisation (by name), a date, a number, a yes/no, or text. */
export type AuditValue =
  | { kind: 'org'; org: OrgNames }
  | { kind: 'date'; date: string }
  | { kind: 'number'; n: number }
  | { kind: 'flag'; on: boolean }
  | { kind: 'none' }
  | { kind: 'orgs'; items: { org: OrgNames | undefined; slug: string; n: unknown }[] }
  | { kind: 'text'; text: string };

export interface AuditChange {
  field: string;
  before?: AuditValue;
  after?: AuditValue;
}

/** What an entry is about: the kind (org, channel, newspaper, target, user, token) and its parts. */
export interface AuditSubject {
  kind: 'org' | 'account' | 'target' | 'user' | 'token' | 'other';
  org?: OrgNames;
  platform?: string;
  id?: string;
  due?: string;
  text: string;
}

export interface AuditEntry extends AuditRow {
  about: AuditSubject;
  changes: AuditChange[];
}

/** Fields never shown as a change (ids that mean nothing to a reader; the subject already names them). */
const HIDDEN = new Set(['org_id', 'id', 'version']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parse(json: string | null): Record<string, unknown> | undefined {
  if (json === null) return undefined;
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { value: json };
  }
}

export function describeAudit(db: Db, rows: AuditRow[]): AuditEntry[] {
  const bySlug = db.prepare('SELECT slug, name_ru, name_kk, name_en FROM organisations WHERE slug = ?');
  const byId = db.prepare('SELECT slug, name_ru, name_kk, name_en FROM organisations WHERE id = ?');
  const slugCache = new Map<string, OrgNames | undefined>();
  const idCache = new Map<number, OrgNames | undefined>();
  const orgOfSlug = (slug: string) => {
    if (!slugCache.has(slug)) slugCache.set(slug, bySlug.get(slug) as OrgNames | undefined);
    return slugCache.get(slug);
  };
  const orgOfId = (id: number) => {
    if (!idCache.has(id)) idCache.set(id, byId.get(id) as OrgNames | undefined);
    return idCache.get(id);
  };

  const value = (field: string, v: unknown): AuditValue => {
    if (v === null || v === undefined) return { kind: 'none' };
    if ((field === 'parent_id' || field === 'org_id') && typeof v === 'number') {
      const org = orgOfId(v);
      return org ? { kind: 'org', org } : { kind: 'text', text: `#${v}` };
    }
    if ((field === 'org' || field === 'parent') && typeof v === 'string') {
      const org = orgOfSlug(v);
      return org ? { kind: 'org', org } : { kind: 'text', text: v };
    }
    if (typeof v === 'boolean') return { kind: 'flag', on: v };
    // A cascade's share per child organisation.
    if (field === 'children' && typeof v === 'object' && !Array.isArray(v)) {
      return { kind: 'orgs', items: Object.entries(v as Record<string, unknown>).map(([slug, n]) => ({ org: orgOfSlug(slug), slug, n })) };
    }
    if (typeof v === 'number') return { kind: 'number', n: v };
    if (typeof v === 'string' && DATE.test(v)) return { kind: 'date', date: v };
    return { kind: 'text', text: typeof v === 'string' ? v : JSON.stringify(v) };
  };

  const subject = (s: string): AuditSubject => {
    const [kind, ...rest] = s.split(':');
    const tail = rest.join(':');
    if (kind === 'org') return { kind: 'org', org: orgOfSlug(tail), text: tail };
    if (kind === 'account') {
      const [platform, ...idParts] = tail.split(':');
      const id = idParts.join(':');
      // A newspaper is `account:newspaper:<org>/<code>`; older entries have the code alone.
      const slash = platform === 'newspaper' ? id.indexOf('/') : -1;
      if (slash > 0) return { kind: 'account', platform, org: orgOfSlug(id.slice(0, slash)), id: id.slice(slash + 1), text: s };
      return { kind: 'account', platform, id, text: s };
    }
    if (kind === 'target') {
      const [slug, platform, due] = tail.split('/');
      return { kind: 'target', org: orgOfSlug(slug), platform, due, text: s };
    }
    if (kind === 'user' || kind === 'token') return { kind, id: tail, text: s };
    return { kind: 'other', text: s };
  };

  return rows.map((r) => {
    const before = parse(r.before);
    const after = parse(r.after);
    const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter((f) => !HIDDEN.has(f));
    const changes: AuditChange[] = [];
    for (const field of fields) {
      const b = before?.[field];
      const a = after?.[field];
      // An update lists what changed; a creation (no before) lists what was set.
      if (before && after && JSON.stringify(b) === JSON.stringify(a)) continue;
      // What a creation left empty says nothing.
      if (!before && (a === null || a === undefined)) continue;
      changes.push({ field, before: before && field in before ? value(field, b) : undefined, after: after && field in after ? value(field, a) : undefined });
    }
    return { ...r, about: subject(r.subject), changes };
  });
}
