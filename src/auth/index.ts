// Users, sessions and API tokens: scrypt password hashes, random session ids and tokens stored only
// as SHA-256 hashes, per-session CSRF tokens, and a login throttle.
import { LRUCache } from 'lru-cache';
import { writeTx } from '../../db/write';
import crypto from 'node:crypto';
import type { Db } from '../../db';
import { audit, orgBySlug } from '../../db/orgs';
import { InputError } from '../config';

export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  kind: 'session' | 'token';
  login: string; // user login, or `token:<name>`
  role: Role;
  /** The org whose subtree an editor may change (null: everywhere, for admin; viewers change nothing). */
  orgId: number | null;
  userId?: number;
  csrfToken?: string;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = crypto.scryptSync(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return crypto.timingSafeEqual(actual, expected);
}

export const sha256 = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');
const randomToken = (bytes = 32): string => crypto.randomBytes(bytes).toString('base64url');

const LOGIN = /^[A-Za-z0-9._@-]{2,64}$/;

function checkRoleAndOrg(db: Db, role: string, orgSlug?: string): { role: Role; orgId: number | null } {
  if (!(ROLES as readonly string[]).includes(role)) throw new InputError(`must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`, undefined, undefined, '--role');
  if (role === 'editor' && !orgSlug) throw new InputError('an editor needs the organisation whose subtree it edits', undefined, undefined, '--org');
  if (role === 'admin' && orgSlug) throw new InputError('an admin is not limited to an organisation: leave out --org', undefined, undefined, '--org');
  if (!orgSlug) return { role: role as Role, orgId: null };
  const org = orgBySlug(db, orgSlug);
  if (!org) throw new InputError(`no organisation has the slug ${JSON.stringify(orgSlug)}`, undefined, undefined, '--org');
  return { role: role as Role, orgId: org.id };
}

export function addUser(db: Db, input: { login: string; password: string; role: string; org?: string; actor?: string }): number {
  if (!LOGIN.test(input.login)) throw new InputError('must be 2-64 letters, digits or . _ @ -', undefined, undefined, '--login');
  if (input.password.length < 10) throw new InputError('must be at least 10 characters', undefined, undefined, 'password');
  const { role, orgId } = checkRoleAndOrg(db, input.role, input.org);
  if (db.prepare('SELECT 1 FROM users WHERE login = ?').get(input.login)) throw new InputError(`a user ${input.login} already exists`, undefined, undefined, '--login');
  return writeTx(db, () => {
    const id = Number(
      db.prepare('INSERT INTO users (login, password_hash, role, org_id, created_at) VALUES (?, ?, ?, ?, ?)').run(input.login, hashPassword(input.password), role, orgId, Date.now())
        .lastInsertRowid,
    );
    audit(db, input.actor ?? 'cli', 'user.create', `user:${input.login}`, undefined, { login: input.login, role, org: input.org ?? null });
    return id;
  });
}

/** Creates an API token; the token is returned once and only its hash is stored. */
export function createApiToken(db: Db, input: { role: string; org?: string; name?: string; actor?: string }): string {
  const { role, orgId } = checkRoleAndOrg(db, input.role, input.org);
  const token = `ag_${randomToken()}`;
  writeTx(db, () => {
    db.prepare('INSERT INTO api_tokens (name, token_hash, role, org_id, created_at) VALUES (?, ?, ?, ?, ?)').run(input.name ?? null, sha256(token), role, orgId, Date.now());
    audit(db, input.actor ?? 'cli', 'token.create', `token:${input.name ?? '(unnamed)'}`, undefined, { role, org: input.org ?? null });
  });
  return token;
}

export function principalFromToken(db: Db, token: string): Principal | undefined {
  const row = db.prepare('SELECT id, name, role, org_id FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(sha256(token)) as
    | { id: number; name: string | null; role: Role; org_id: number | null }
    | undefined;
  if (!row) return undefined;
  // At most once a minute: every write invalidates the web response cache, and an API client may poll.
  const now = Date.now();
  db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)').run(now, row.id, now - 60_000);
  return { kind: 'token', login: `token:${row.name ?? row.id}`, role: row.role, orgId: row.org_id };
}

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

/** Checks a login; returns the user id or undefined (same time spent whether the login exists or not). */
export function checkLogin(db: Db, login: string, password: string): number | undefined {
  const row = db.prepare('SELECT id, password_hash FROM users WHERE login = ? AND disabled_at IS NULL').get(login) as { id: number; password_hash: string } | undefined;
  const ok = verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  return row && ok ? row.id : undefined;
}
const DUMMY_HASH = hashPassword(crypto.randomBytes(12).toString('hex'));

export function createSession(db: Db, userId: number, now = Date.now()): { cookie: string; csrfToken: string } {
  const cookie = randomToken();
  const csrfToken = randomToken(24);
  db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now);
  db.prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(sha256(cookie), userId, csrfToken, now, now + SESSION_TTL_MS);
  return { cookie, csrfToken };
}

export function principalFromSession(db: Db, cookie: string, now = Date.now()): Principal | undefined {
  const row = db
    .prepare(
      `SELECT u.id, u.login, u.role, u.org_id, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL`,
    )
    .get(sha256(cookie), now) as { id: number; login: string; role: Role; org_id: number | null; csrf_token: string } | undefined;
  if (!row) return undefined;
  return { kind: 'session', login: row.login, role: row.role, orgId: row.org_id, userId: row.id, csrfToken: row.csrf_token };
}

export function deleteSession(db: Db, cookie: string): void {
  db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(sha256(cookie));
}

/**
 * Failed-login throttle: at most `limit` failures per key in a sliding window. Bounded: a key is forgotten a
 * window after its last failure (lru-cache's ttl), at most `maxKeys` keys are kept (least recently failed
 * dropped first), and each keeps only its last `limit` failure times.
 */
export class LoginThrottle {
  private readonly failures: LRUCache<string, number[]>;
  constructor(
    private readonly limit = 5,
    private readonly windowMs = 15 * 60 * 1000,
    maxKeys = 100_000,
  ) {
    this.failures = new LRUCache<string, number[]>({ max: maxKeys, ttl: windowMs });
  }

  blocked(key: string, now = Date.now()): boolean {
    const list = this.failures.get(key);
    if (!list) return false;
    const recent = list.filter((t) => t > now - this.windowMs);
    if (recent.length === 0) this.failures.delete(key);
    else if (recent.length !== list.length) this.failures.set(key, recent, { noUpdateTTL: true });
    return recent.length >= this.limit;
  }

  fail(key: string, now = Date.now()): void {
    const list = this.failures.get(key) ?? [];
    list.push(now);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    this.failures.set(key, list);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  /** Keys remembered now. */
  get size(): number {
    return this.failures.size;
  }
}
