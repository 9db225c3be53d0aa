// Instagram Login tokens (accounts with `api: instagram_login`): where each comes from (its `token_env`
// variable, or its `token_file`), when it expires, which ones need a warning (10 days before), and the
// token files the service refreshes itself (GET /refresh_access_token, 30 days before expiry). A token file
// holds JSON `{ "access_token": "IGAA…", "expires_at": "2027-01-29T06:00:00.000Z" }` (or the bare token);
// it is written with mode 0600, atomically. Tokens are never logged, stored in the database or shown.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db';
import { redact, registerSecret } from '../collectors/http';
import { refreshInstagramToken } from '../collectors/instagram-login';
import type { GraphTransport } from '../collectors/graph';
import type { Logger } from './log';

const DAY_MS = 86_400_000;
/** Token files are refreshed when fewer days than this are left (Meta: a token must be ≥ 24 h old to refresh). */
export const REFRESH_WITHIN_DAYS = 30;
/** doctor, the health page and the bot's admin alert warn when fewer days than this are left. */
export const WARN_WITHIN_DAYS = 10;

export interface TokenFileContent {
  token: string;
  /** Unix ms, when known. */
  expiresAt?: number;
}

/** Reads a token file; the error names the file and what is wrong, never the token. */
export function readTokenFile(file: string): TokenFileContent {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new Error(`token file ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!text) throw new Error(`token file ${file}: is empty`);
  if (!text.startsWith('{')) {
    registerSecret(text);
    return { token: text };
  }
  let data: { access_token?: unknown; expires_at?: unknown };
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    throw new Error(`token file ${file}: is neither a bare token nor JSON {"access_token": …, "expires_at": …}`);
  }
  if (typeof data.access_token !== 'string' || !data.access_token) throw new Error(`token file ${file}: has no access_token`);
  registerSecret(data.access_token);
  const expiresAt = typeof data.expires_at === 'string' ? Date.parse(data.expires_at) : typeof data.expires_at === 'number' ? data.expires_at : NaN;
  return { token: data.access_token, expiresAt: Number.isFinite(expiresAt) ? expiresAt : undefined };
}

/** Writes a token file with mode 0600 (a temporary file renamed over it: never half-written). */
export function writeTokenFile(file: string, content: TokenFileContent): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const json = JSON.stringify({ access_token: content.token, expires_at: content.expiresAt === undefined ? null : new Date(content.expiresAt).toISOString() });
  fs.writeFileSync(tmp, `${json}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

export interface LoginToken {
  accountId: number;
  platformId: string;
  title: string | null;
  /** Where the token comes from: `token_file` path or `token_env` variable name. */
  source: { kind: 'file' | 'env'; name: string };
  token?: string;
  expiresAt?: number;
  /** Why there is no usable token. */
  problem?: string;
}

interface LoginRow {
  id: number;
  platform_id: string;
  title: string | null;
  token_env: string | null;
  token_file?: string | null;
}

/** Every open Instagram Login account with its token (from its file, else its variable) and expiry when known. */
export function loginTokens(db: Db, env: NodeJS.ProcessEnv, today?: number): LoginToken[] {
  const rows = db
    .prepare(`SELECT id, platform_id, title, token_env, token_file FROM accounts WHERE platform = 'instagram' AND api = 'instagram_login' AND (closed_day IS NULL OR closed_day > ?) ORDER BY id`)
    .all(today ?? -1e9) as LoginRow[];
  return rows.map((r) => loginTokenOf(r, env));
}

export function loginTokenOf(r: LoginRow, env: NodeJS.ProcessEnv): LoginToken {
  const base = { accountId: r.id, platformId: r.platform_id, title: r.title };
  if (r.token_file) {
    const source = { kind: 'file' as const, name: r.token_file };
    try {
      return { ...base, source, ...readTokenFile(r.token_file) };
    } catch (e) {
      return { ...base, source, problem: redact((e as Error).message) };
    }
  }
  const name = r.token_env ?? 'INSTAGRAM_TOKEN';
  const token = env[name]?.trim() || undefined;
  registerSecret(token);
  return { ...base, source: { kind: 'env', name }, token, problem: token ? undefined : `no token: the environment variable ${name} is not set` };
}

export interface ExpiryWarning {
  accountId: number;
  platformId: string;
  title: string | null;
  /** Whole days left (0 or less: expired); undefined when the token is missing. */
  daysLeft?: number;
  expiresAt?: number;
  /** In plain words, with the fix. */
  message: string;
}

/** The Instagram Login tokens that expire within WARN_WITHIN_DAYS (or have expired, or are missing). */
export function expiryWarnings(tokens: LoginToken[], now = Date.now()): ExpiryWarning[] {
  const out: ExpiryWarning[] = [];
  for (const t of tokens) {
    const who = `Instagram ${t.platformId}${t.title ? ` (${t.title})` : ''}`;
    if (t.problem) {
      out.push({ accountId: t.accountId, platformId: t.platformId, title: t.title, message: `${who}: ${t.problem}` });
      continue;
    }
    if (t.expiresAt === undefined) continue;
    const daysLeft = Math.floor((t.expiresAt - now) / DAY_MS);
    if (daysLeft >= WARN_WITHIN_DAYS) continue;
    const fix =
      t.source.kind === 'file'
        ? `the service refreshes ${t.source.name} by itself; it has not managed to: run \`audience-growth collect --platform instagram\` and read its errors, or put a new long-lived token in the file`
        : `get a new long-lived Instagram token and set ${t.source.name} (or use token_file so the service refreshes it)`;
    const when = daysLeft < 0 ? `expired on ${new Date(t.expiresAt).toISOString().slice(0, 10)}` : `expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'} (${new Date(t.expiresAt).toISOString().slice(0, 10)})`;
    out.push({ accountId: t.accountId, platformId: t.platformId, title: t.title, daysLeft, expiresAt: t.expiresAt, message: `${who}: the Instagram Login token ${when} — fix: ${fix}` });
  }
  return out;
}

/**
 * Refreshes the token files that expire within REFRESH_WITHIN_DAYS (or whose expiry is unknown), writing the
 * new token back (0600). A failure is logged (redacted) and leaves the file as it was.
 */
export async function refreshTokenFiles(tokens: LoginToken[], transport: GraphTransport, log: Logger, now = Date.now()): Promise<number> {
  let refreshed = 0;
  for (const t of tokens) {
    if (t.source.kind !== 'file' || !t.token) continue;
    if (t.expiresAt !== undefined && (t.expiresAt - now > REFRESH_WITHIN_DAYS * DAY_MS || t.expiresAt <= now)) continue;
    try {
      const fresh = await refreshInstagramToken(transport, t.token, `Instagram ${t.platformId} token refresh`);
      writeTokenFile(t.source.name, { token: fresh.token, expiresAt: fresh.expiresAt });
      t.token = fresh.token;
      t.expiresAt = fresh.expiresAt;
      refreshed++;
      log.info('instagram token refreshed', { account: t.accountId, file: t.source.name, expires: new Date(fresh.expiresAt).toISOString().slice(0, 10) });
    } catch (e) {
      log.warn('instagram token refresh failed', { account: t.accountId, file: t.source.name, error: redact((e as Error).message) });
    }
  }
  return refreshed;
}
