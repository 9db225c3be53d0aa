// Managing users and API tokens after they exist: list, disable / enable a user (a disabled user's sessions
// end at once and it cannot sign in), set a new password, list and revoke API tokens (a revoked token is
// refused on its next request). Used by the admin users page and the `user` / `token` CLI commands; every
// change is in the audit log, never a password or a token.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { audit } from '../../db/orgs';
import { hashPassword, sha256, type Role } from '../auth';
import { InputError } from '../config';

export const MIN_PASSWORD = 10;
export const MAX_PASSWORD = 200;

export interface UserRow {
  id: number;
  login: string;
  role: Role;
  org_slug: string | null;
  name_ru: string | null;
  name_kk: string | null;
  name_en: string | null;
  created_at: number;
  disabled_at: number | null;
}

export interface TokenRow {
  id: number;
  name: string | null;
  role: Role;
  org_slug: string | null;
  name_ru: string | null;
  name_kk: string | null;
  name_en: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export function listUsers(db: Db): UserRow[] {
  return db
    .prepare(
      `SELECT u.id, u.login, u.role, o.slug AS org_slug, o.name_ru, o.name_kk, o.name_en, u.created_at, u.disabled_at
       FROM users u LEFT JOIN organisations o ON o.id = u.org_id ORDER BY u.login`,
    )
    .all() as UserRow[];
}

export function listTokens(db: Db): TokenRow[] {
  return db
    .prepare(
      `SELECT t.id, t.name, t.role, o.slug AS org_slug, o.name_ru, o.name_kk, o.name_en, t.created_at, t.last_used_at, t.revoked_at
       FROM api_tokens t LEFT JOIN organisations o ON o.id = t.org_id ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC, t.id DESC`,
    )
    .all() as TokenRow[];
}

const bad = (field: string, message: string) => new InputError(message, undefined, undefined, field);

/** A refusal the pages explain in the reader's language (`admin.refused.<code>`). */
export class UserRuleError extends InputError {
  constructor(
    readonly code: 'self' | 'last_admin',
    message: string,
    field: string,
  ) {
    super(message, undefined, undefined, field);
  }
}

export function userById(db: Db, id: number): UserRow | undefined {
  return listUsersWhere(db, 'u.id = ?', id);
}

export function userByLogin(db: Db, login: string): UserRow | undefined {
  return listUsersWhere(db, 'u.login = ?', login);
}

function listUsersWhere(db: Db, where: string, arg: unknown): UserRow | undefined {
  return db
    .prepare(
      `SELECT u.id, u.login, u.role, o.slug AS org_slug, o.name_ru, o.name_kk, o.name_en, u.created_at, u.disabled_at
       FROM users u LEFT JOIN organisations o ON o.id = u.org_id WHERE ${where}`,
    )
    .get(arg) as UserRow | undefined;
}

export interface ActorInfo {
  /** Who is acting, as the audit log names it. */
  actor: string;
  /** The acting user's id, when a signed-in user acts (it may not disable itself). */
  userId?: number;
}

/**
 * Disables a user: it cannot sign in and its sessions are deleted at once. An admin cannot disable itself,
 * and the last enabled admin cannot be disabled (nobody could administer the service any more).
 * Returns false when the user was already disabled (nothing written).
 */
export function disableUser(db: Db, by: ActorInfo, user: UserRow, field = 'login'): boolean {
  return writeTx(db, () => {
    const current = userById(db, user.id);
    if (!current) throw bad(field, `no user ${user.login}`);
    if (current.disabled_at !== null) return false;
    if (by.userId !== undefined && by.userId === current.id) throw new UserRuleError('self', 'you cannot disable yourself', field);
    if (current.role === 'admin') {
      const admins = db.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL").pluck().get() as number;
      if (admins <= 1) throw new UserRuleError('last_admin', `${current.login} is the last enabled admin: add or enable another admin first`, field);
    }
    const now = Date.now();
    db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(now, current.id);
    const ended = db.prepare('DELETE FROM sessions WHERE user_id = ?').run(current.id).changes;
    audit(db, by.actor, 'user.disable', `user:${current.login}`, { disabled: false }, { disabled: true, sessions_ended: ended });
    return true;
  });
}

/** Lets a disabled user sign in again. Returns false when it was not disabled (nothing written). */
export function enableUser(db: Db, by: ActorInfo, user: UserRow): boolean {
  return writeTx(db, () => {
    const changed = db.prepare('UPDATE users SET disabled_at = NULL WHERE id = ? AND disabled_at IS NOT NULL').run(user.id).changes;
    if (!changed) return false;
    audit(db, by.actor, 'user.enable', `user:${user.login}`, { disabled: true }, { disabled: false });
    return true;
  });
}

/**
 * Sets a new password. The user's other sessions end (whoever knew the old password is signed out); the
 * session given in `keepSession` (the cookie of the admin changing its own password) stays.
 */
export function setPassword(db: Db, by: ActorInfo, user: UserRow, password: string, keepSession?: string): void {
  if (password.length < MIN_PASSWORD) throw bad('password', `must be at least ${MIN_PASSWORD} characters`);
  if (password.length > MAX_PASSWORD) throw bad('password', `is too long (at most ${MAX_PASSWORD} characters)`);
  const hash = hashPassword(password);
  writeTx(db, () => {
    db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, user.id);
    const ended = db.prepare('DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?').run(user.id, keepSession ? sha256(keepSession) : '').changes;
    audit(db, by.actor, 'user.password', `user:${user.login}`, undefined, { password: 'changed', sessions_ended: ended });
  });
}

export function tokenById(db: Db, id: number): TokenRow | undefined {
  return listTokensWhere(db, 't.id = ?', id)[0];
}

function listTokensWhere(db: Db, where: string, arg: unknown): TokenRow[] {
  return db
    .prepare(
      `SELECT t.id, t.name, t.role, o.slug AS org_slug, o.name_ru, o.name_kk, o.name_en, t.created_at, t.last_used_at, t.revoked_at
       FROM api_tokens t LEFT JOIN organisations o ON o.id = t.org_id WHERE ${where} ORDER BY t.id`,
    )
    .all(arg) as TokenRow[];
}

/**
 * The token a CLI `--name` means: the one not yet revoked with that name. Several live tokens with one
 * name are ambiguous (revoke by id); only revoked ones: the newest of them (revoking it again changes nothing).
 */
export function tokenByName(db: Db, name: string): TokenRow {
  const all = listTokensWhere(db, 't.name = ?', name);
  if (!all.length) throw bad('--name', `no API token is named ${JSON.stringify(name)} (see token list)`);
  const live = all.filter((t) => t.revoked_at === null);
  if (live.length > 1) throw bad('--name', `${live.length} API tokens are named ${JSON.stringify(name)}: revoke one by --id (ids ${live.map((t) => t.id).join(', ')}; see token list)`);
  return live[0] ?? all[all.length - 1];
}

/** Revokes an API token: its next request gets 401. Returns false when it was already revoked. */
export function revokeToken(db: Db, by: ActorInfo, token: TokenRow): boolean {
  return writeTx(db, () => {
    const changed = db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(Date.now(), token.id).changes;
    if (!changed) return false;
    audit(db, by.actor, 'token.revoke', `token:${token.name ?? '(unnamed)'}`, { id: token.id, revoked: false }, { id: token.id, revoked: true });
    return true;
  });
}

/** `YYYY-MM-DD HH:MM` in the service's time zone, for the CLI's tables ('-' for none). */
export function localDateTime(ms: number | null, timeZone: string): string {
  if (ms === null) return '-';
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Rows as aligned text columns under a header line. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd() + '\n';
  return line(header) + rows.map(line).join('');
}
