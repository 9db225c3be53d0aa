// Rows of organisations and accounts. The tree itself (subtrees, ancestors) is src/growth/tree.ts.
import type { Db } from './index';
import type { Level, Platform } from '../src/config';

export interface OrgRow {
  id: number;
  slug: string;
  parent_id: number | null;
  level: Level;
  name_ru: string;
  name_kk: string | null;
  name_en: string | null;
  members: number | null;
  telegram_chat: string | null;
}

export interface AccountRow {
  id: number;
  org_id: number;
  platform: Platform;
  platform_id: string;
  page_id: string | null;
  resolved_id: string | null;
  title: string | null;
  token_env: string | null;
  closed_day: number | null;
  /** Instagram only: 'instagram_login' for an account read through graph.instagram.com. */
  api?: 'instagram_login' | null;
  /** With api instagram_login: the token file the service reads and refreshes. */
  token_file?: string | null;
}

const ORG_COLUMNS = 'id, slug, parent_id, level, name_ru, name_kk, name_en, members, telegram_chat';
const ACCOUNT_COLUMNS = 'id, org_id, platform, platform_id, page_id, resolved_id, title, token_env, closed_day, api, token_file';

export function allOrgs(db: Db): OrgRow[] {
  return db.prepare(`SELECT ${ORG_COLUMNS} FROM organisations ORDER BY id`).all() as OrgRow[];
}

export function orgBySlug(db: Db, slug: string): OrgRow | undefined {
  return db.prepare(`SELECT ${ORG_COLUMNS} FROM organisations WHERE slug = ?`).get(slug) as OrgRow | undefined;
}

export function rootOrgs(db: Db): OrgRow[] {
  return db.prepare(`SELECT ${ORG_COLUMNS} FROM organisations WHERE parent_id IS NULL ORDER BY id`).all() as OrgRow[];
}

export function allAccounts(db: Db): AccountRow[] {
  return db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY id`).all() as AccountRow[];
}

/** A channel by platform and id; a newspaper by its code within one organisation (`orgId`). */
export function accountByPlatformId(db: Db, platform: Platform, platformId: string, orgId?: number): AccountRow | undefined {
  return db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE platform = ? AND platform_id = ? AND (platform <> 'newspaper' OR org_id = ?)`).get(platform, platformId, orgId ?? null) as
    | AccountRow
    | undefined;
}

export function accountsOfOrgs(db: Db, orgIds: number[]): AccountRow[] {
  if (orgIds.length === 0) return [];
  return db
    .prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE org_id IN (SELECT value FROM json_each(?)) ORDER BY id`)
    .all(JSON.stringify(orgIds)) as AccountRow[];
}

export function orgName(org: Pick<OrgRow, 'name_ru' | 'name_kk' | 'name_en'>, lang: 'ru' | 'kk' | 'en'): string {
  if (lang === 'kk') return org.name_kk || org.name_ru;
  if (lang === 'en') return org.name_en || org.name_ru;
  return org.name_ru;
}

/**
 * How the audit log names an account: `account:<platform>:<id>`. A newspaper code is registered once per
 * organisation, so a newspaper is `account:newspaper:<org slug>/<code>`.
 */
export function accountSubject(platform: Platform, platformId: string, orgSlug: string): string {
  return platform === 'newspaper' ? `account:newspaper:${orgSlug}/${platformId}` : `account:${platform}:${platformId}`;
}

export function audit(db: Db, actor: string, action: string, subject: string, before: unknown, after: unknown): void {
  db.prepare('INSERT INTO audit_log (at, actor, action, subject, before, after) VALUES (?, ?, ?, ?, ?, ?)').run(
    Date.now(),
    actor,
    action,
    subject,
    before === undefined ? null : JSON.stringify(before),
    after === undefined ? null : JSON.stringify(after),
  );
}
