// Shared HTTP policy for the collectors: typed upstream errors, token redaction, retries with
// backoff + jitter, request pacing (concurrency, fixed rate) and adaptive slow-down from usage headers.

export type FailureKind =
  | 'rate_limit'
  | 'invalid_token'
  | 'permission'
  | 'not_found'
  | 'transient'
  | 'malformed'
  | 'timeout'
  | 'other';

import { redact as logRedact, registerSecret as registerLogSecret } from '../src/log';

// ---------------------------------------------------------------------------------------------
// Redaction. Tokens are registered as soon as a collector is given them; every error message and
// log field built here goes through redact(), so a token cannot leak even inside a URL.

const secrets = new Set<string>();

/** Remember a secret so that redact() removes it wherever it appears. */
export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= 4) secrets.add(secret);
  // The logger keeps its own list: share every token with it so log lines are redacted too.
  registerLogSecret(secret ?? undefined);
}

const PATTERNS: Array<[RegExp, string]> = [
  [/(access_token|input_token|client_secret|appsecret_proof)=[^&\s"'#]+/gi, '$1=[redacted]'],
  [/("access_token"\s*:\s*")[^"]*"/gi, '$1[redacted]"'],
  [/\/bot[^/\s"']+\//g, '/bot[redacted]/'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1[redacted]'],
];

/** Remove registered tokens and anything shaped like a credential (query tokens, Bot API paths). */
export function redact(text: string): string {
  let out = String(text);
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('[redacted]');
  }
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return logRedact(out);
}

// ---------------------------------------------------------------------------------------------
// Typed errors.

export class CollectorError extends Error {
  readonly kind: FailureKind;
  /** Upstream error code (Graph `error.code`, Bot API `error_code`) when there is one. */
  readonly code?: number;
  /** How long the upstream asked us to wait before retrying. */
  readonly retryAfterMs?: number;

  constructor(kind: FailureKind, message: string, opts: { code?: number; retryAfterMs?: number } = {}) {
    super(redact(message));
    this.name = 'CollectorError';
    this.kind = kind;
    this.code = opts.code;
    this.retryAfterMs = opts.retryAfterMs;
  }

  /** Worth another attempt in this run. */
  get retryable(): boolean {
    return this.kind === 'rate_limit' || this.kind === 'transient' || this.kind === 'timeout' || this.kind === 'malformed';
  }
}

export class RateLimitError extends CollectorError {
  constructor(message: string, opts: { code?: number; retryAfterMs?: number } = {}) {
    super('rate_limit', message, opts);
    this.name = 'RateLimitError';
  }
}
export class InvalidTokenError extends CollectorError {
  constructor(message: string, opts: { code?: number } = {}) {
    super('invalid_token', message, opts);
    this.name = 'InvalidTokenError';
  }
}
export class PermissionError extends CollectorError {
  constructor(message: string, opts: { code?: number } = {}) {
    super('permission', message, opts);
    this.name = 'PermissionError';
  }
}
export class NotFoundError extends CollectorError {
  constructor(message: string, opts: { code?: number } = {}) {
    super('not_found', message, opts);
    this.name = 'NotFoundError';
  }
}
export class TransientError extends CollectorError {
  constructor(message: string, opts: { code?: number; retryAfterMs?: number } = {}) {
    super('transient', message, opts);
    this.name = 'TransientError';
  }
}
export class MalformedResponseError extends CollectorError {
  constructor(message: string) {
    super('malformed', message);
    this.name = 'MalformedResponseError';
  }
}
export class TimeoutError extends CollectorError {
  constructor(message: string) {
    super('timeout', message);
    this.name = 'TimeoutError';
  }
}

export function isCollectorError(e: unknown): e is CollectorError {
  return e instanceof CollectorError;
}

/** Any thrown value as a redacted one-line message. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return redact(e.message || e.name);
  return redact(String(e));
}

/** Network-level failures (no HTTP answer) as typed errors. */
export function fromNetworkError(e: unknown, what: string): CollectorError {
  const err = e as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || err?.name === 'AbortError' || err?.name === 'TimeoutError' || code === 'ABORT_ERR') {
    return new TimeoutError(`${what}: no answer within the timeout`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED' || code === 'ERR_BAD_RESPONSE' || code === 'UND_ERR_SOCKET' || /socket hang up|ECONNRESET|ECONNREFUSED/i.test(err?.message ?? '')) {
    return new TransientError(`${what}: connection failed (${code ?? 'reset'})`);
  }
  if (err?.name === 'SyntaxError' || /json/i.test(err?.message ?? '')) {
    return new MalformedResponseError(`${what}: the answer is not valid JSON`);
  }
  return new CollectorError('other', `${what}: ${errorMessage(e)}`);
}

// ---------------------------------------------------------------------------------------------
// Graph API error codes (platform-apis §1.3).

export const GRAPH_RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80001, 80002, 80004]);

export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
}

/** Graph codes that ask for a longer wait than a rate limit: 341 (application limit), 368 (temporarily blocked). */
export const GRAPH_LONG_WAIT_CODES = new Set([341, 368]);

/** The fixes, in plain words, for the setup errors Meta answers (DESIGN §3, reference §1.7). */
export const GRAPH_FIXES = {
  pageToken:
    'this read needs the Page\'s own access token: in Business settings → Users → System users, assign the Page to the system user with a task (ANALYZE "View Page performance", or CREATE_CONTENT), then run again',
  pageTask:
    'no Page access token for this Page: in Business settings → Users → System users → Assign assets, give the system user the Page with the task ANALYZE ("View Page performance") or CREATE_CONTENT, then run again',
  permission:
    'the token lacks a permission this read needs: generate the system-user token again with pages_show_list, pages_read_engagement, read_insights, instagram_basic (and ads_read or ads_management for Pages owned through Business Manager), and make sure the system user has a task on the Page',
  appSecretMissing: 'the app requires appsecret_proof ("Require App Secret" is on): set FACEBOOK_APP_SECRET to the App Secret from the app\'s Settings → Basic',
  appSecretWrong: 'appsecret_proof was refused: FACEBOOK_APP_SECRET is not this app\'s App Secret (Settings → Basic); copy it again',
} as const;

const withFix = (msg: string, fix: string) => `${msg} — fix: ${fix}`;

export function graphError(body: GraphErrorBody | undefined, httpStatus: number | undefined, what: string): CollectorError {
  const code = typeof body?.code === 'number' ? body.code : undefined;
  const sub = body?.error_subcode;
  const text = body?.message ?? `HTTP ${httpStatus ?? '?'}`;
  const msg = `${what}: ${text}`;
  if (code !== undefined) {
    if (GRAPH_RATE_LIMIT_CODES.has(code) || GRAPH_LONG_WAIT_CODES.has(code)) return new RateLimitError(msg, { code });
    // A 190 that names the Page token is a setup error of this Page's read, not a dead token.
    if (code === 190 && /must be called with a Page Access Token/i.test(text)) return new PermissionError(withFix(msg, GRAPH_FIXES.pageToken), { code });
    if (code === 190 || code === 102 || code === 463 || code === 467) return new InvalidTokenError(msg, { code });
    if (code === 10 || (code >= 200 && code <= 299)) return new PermissionError(withFix(msg, GRAPH_FIXES.permission), { code });
    if (code === 100 && /require an appsecret_proof/i.test(text)) return new PermissionError(withFix(msg, GRAPH_FIXES.appSecretMissing), { code });
    if (code === 100 && /invalid appsecret_proof/i.test(text)) return new PermissionError(withFix(msg, GRAPH_FIXES.appSecretWrong), { code });
    // 110 + 2207013: business discovery knows no Instagram account of that username.
    if (code === 803 || (code === 100 && sub === 33) || (code === 110 && sub === 2207013)) return new NotFoundError(msg, { code });
    if (code === 1 || code === 2 || body?.is_transient === true) return new TransientError(msg, { code });
    return new CollectorError('other', msg, { code });
  }
  if (httpStatus !== undefined && httpStatus >= 500) return new TransientError(msg);
  if (httpStatus === 404) return new NotFoundError(msg);
  return new CollectorError('other', msg);
}

// ---------------------------------------------------------------------------------------------
// Retries.

export interface RetryPolicy {
  /** Attempts after the first one. */
  maxRetries: number;
  /** First backoff; doubles each attempt, with full jitter. */
  baseDelayMs: number;
  /** Cap on one wait (also on a server's retry_after: longer waits give up instead). */
  maxDelayMs: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Backoff before attempt n (1-based): full jitter over base × 2^(n−1), never below retry_after. */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * Run fn, retrying retryable CollectorErrors up to the policy's bound. A retry_after longer than
 * maxDelayMs is not waited out: the error is returned so the account is recorded as a gap.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, onRetry?: (e: CollectorError, waitMs: number) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      const err = isCollectorError(e) ? e : fromNetworkError(e, 'request');
      if (!err.retryable || attempt >= policy.maxRetries) throw err;
      if (err.retryAfterMs !== undefined && err.retryAfterMs > policy.maxDelayMs) throw err;
      const wait = backoffDelay(attempt + 1, policy, err.retryAfterMs);
      onRetry?.(err, wait);
      await sleep(wait);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pacing.

/** At most n tasks at once. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('concurrency must be at least 1');
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Starts at most `perSecond` requests a second, evenly spaced; pause() holds everyone (Bot API 429). */
export class RateLimiter {
  private next = 0;
  private readonly intervalMs: number;
  constructor(perSecond: number, private readonly now: () => number = Date.now) {
    if (!(perSecond > 0)) throw new RangeError('rate must be positive');
    this.intervalMs = 1000 / perSecond;
  }
  async acquire(): Promise<void> {
    const t = this.now();
    const slot = Math.max(t, this.next);
    this.next = slot + this.intervalMs;
    if (slot > t) await sleep(slot - t);
  }
  pause(ms: number): void {
    this.next = Math.max(this.next, this.now() + ms);
  }
}

/** Highest percentage found in X-App-Usage / X-Page-Usage / X-Business-Use-Case-Usage, and the BUC regain time. */
export function parseUsageHeaders(headers: Record<string, unknown> | undefined): { percent: number; regainMs: number } | undefined {
  if (!headers) return undefined;
  const get = (name: string): string | undefined => {
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? String(v[0]) : String(v);
    return undefined;
  };
  let percent = -1;
  let regainMs = 0;
  const take = (o: unknown) => {
    if (!o || typeof o !== 'object') return;
    const r = o as Record<string, unknown>;
    for (const key of ['call_count', 'total_time', 'total_cputime', 'acc_id_util_pct']) {
      const v = Number(r[key]);
      if (Number.isFinite(v)) percent = Math.max(percent, v);
    }
    const regain = Number(r.estimated_time_to_regain_access);
    if (Number.isFinite(regain)) regainMs = Math.max(regainMs, regain * 60_000);
  };
  for (const name of ['x-app-usage', 'x-page-usage', 'x-ad-account-usage']) {
    const raw = get(name);
    if (raw) {
      try {
        take(JSON.parse(raw));
      } catch {
        /* an unreadable usage header is ignored, not fatal */
      }
    }
  }
  const buc = get('x-business-use-case-usage');
  if (buc) {
    try {
      const parsed = JSON.parse(buc) as Record<string, unknown>;
      for (const list of Object.values(parsed)) if (Array.isArray(list)) list.forEach(take);
    } catch {
      /* ignored, as above */
    }
  }
  return percent < 0 && regainMs === 0 ? undefined : { percent, regainMs };
}

/**
 * Adaptive slow-down for the Graph API. Under 50 % usage requests go out at full speed; above it
 * each request waits a delay that grows with the usage, and at 100 % (or when a rate-limit error
 * arrives) everyone pauses. Shared by every Graph collector using the same app.
 */
export class UsageThrottle {
  private pausedUntil = 0;
  private spacingMs = 0;
  private lastStart = 0;
  lastPercent = 0;
  constructor(private readonly opts: { maxSpacingMs: number; pauseMs: number } = { maxSpacingMs: 2000, pauseMs: 5000 }) {}

  async wait(): Promise<void> {
    for (;;) {
      const now = Date.now();
      const at = Math.max(this.pausedUntil, this.spacingMs > 0 ? this.lastStart + this.spacingMs : 0);
      if (at <= now) {
        this.lastStart = now;
        return;
      }
      await sleep(at - now);
    }
  }

  observe(headers: Record<string, unknown> | undefined): void {
    const u = parseUsageHeaders(headers);
    if (!u) return;
    this.lastPercent = u.percent;
    if (u.percent >= 100 || u.regainMs > 0) {
      this.pause(u.regainMs > 0 ? u.regainMs : this.opts.pauseMs);
    }
    this.spacingMs = u.percent <= 50 ? 0 : Math.round(this.opts.maxSpacingMs * Math.min(1, (u.percent - 50) / 50));
  }

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + Math.min(ms, this.opts.pauseMs * 12));
  }

  get currentSpacingMs(): number {
    return this.spacingMs;
  }
}

/** Map items through fn with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let i = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) {
      const idx = i++;
      out[idx] = await fn(items[idx], idx);
    }
  });
  await Promise.all(workers);
  return out;
}
