// Sign-in for the web app: who is asking (a session cookie or an API token), the login and logout pages,
// the guard that lets nothing but /healthz, /login and static assets through without one, and CSRF checks
// on every form post (the session's token in a hidden field `_csrf`).
import crypto from 'node:crypto';
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Db } from '../db';
import { checkLogin, createSession, deleteSession, LoginThrottle, principalFromSession, principalFromToken, SESSION_TTL_MS, sha256, type Principal } from '../src/auth';
import { createLogger } from '../src/log';
import { renderPage, type WebContext } from './context';
import { HttpError } from './params';
import { databaseVersion } from '../db/version';

const log = createLogger('web-auth');

export const SESSION_COOKIE = 'ag_session';
const LOGIN_CSRF_COOKIE = 'ag_login_csrf';
/** Form bodies: the newspaper CSV (≤ 1 MB) is the largest thing posted. */
export const FORM_LIMIT = '2mb';

export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export const principalOf = (res: Response): Principal | undefined => res.locals.principal as Principal | undefined;

const isApi = (req: Request) => req.originalUrl === '/api' || req.originalUrl.startsWith('/api/');

/** Where to go after signing in: a path on this site only. */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || value.length > 1000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\') || /\p{Cc}/u.test(value)) return '/';
  if (value.startsWith('/login') || value.startsWith('/logout')) return '/';
  return value;
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
};

/**
 * Principals looked up while the database is unchanged (a revoked token, a deleted session or a disabled user is
 * a write, which empties the memo), and for at most a minute (sessions expire). Saves two statements per request.
 */
function principalMemo(db: Db) {
  const version = databaseVersion(db);
  let at = '';
  const memo = new Map<string, { p: Principal | undefined; t: number }>();
  return (key: string, find: () => Principal | undefined): Principal | undefined => {
    const now = Date.now();
    if (version() !== at) memo.clear();
    const hit = memo.get(key);
    if (hit && now - hit.t < 60_000) return hit.p;
    const p = find();
    const v = version();
    if (v !== at) {
      memo.clear();
      at = v;
    }
    memo.set(key, { p, t: now });
    if (memo.size > 2000) memo.delete(memo.keys().next().value as string);
    return p;
  };
}

/** The Bearer token of a request, when the header is well formed. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(header)?.[1];
}

/** The cache scope of a token's answers: they are for that token only. */
const scopes = new Map<string, string>();
export function tokenScope(token: string): string {
  let scope = scopes.get(token);
  if (scope === undefined) {
    scope = `t:${sha256(token).slice(0, 16)}`;
    if (scopes.size >= 1000) scopes.clear();
    scopes.set(token, scope);
  }
  return scope;
}

/**
 * Reads the principal from `Authorization: Bearer …` (on /api/ only) or the session cookie; says who may see
 * which cached answer. A request with an Authorization header outside /api/ has no principal, whatever its cookie.
 */
export function identify(db: Db): RequestHandler {
  const lookup = principalMemo(db);
  return (req, res, next) => {
    const auth = req.headers.authorization;
    let principal: Principal | undefined;
    let scope = '';
    if (auth !== undefined && !isApi(req)) {
      // API tokens are for /api/v1 only: they carry no CSRF token, so they never drive a page or a form.
      res.locals.tokenOffApi = true;
    } else if (auth !== undefined) {
      const token = bearerToken(auth);
      principal = token ? lookup(`t:${token}`, () => principalFromToken(db, token)) : undefined;
      if (principal) scope = tokenScope(token!);
      res.locals.badToken = !principal;
    } else {
      const cookie = cookieValue(req, SESSION_COOKIE);
      if (cookie && cookie.length <= 200) {
        principal = lookup(`s:${cookie}`, () => principalFromSession(db, cookie));
        // Pages carry the session's CSRF token (the logout form): a cached page is only for its own session.
        if (principal) scope = `s:${sha256(cookie).slice(0, 16)}`;
      }
    }
    res.locals.principal = principal;
    res.locals.cacheScope = scope;
    next();
  };
}

/** Nothing but what is mounted before this runs without a principal: the API answers 401, pages send to /login. */
export function requireSignIn(): RequestHandler {
  return (req, res, next) => {
    if (principalOf(res)) return next();
    res.set('cache-control', 'no-store');
    if (res.locals.tokenOffApi) {
      res.status(401).json({ error: { code: 'token_not_for_pages', message: 'API tokens work on /api/v1 only: sign in to use the pages and forms' } });
      return;
    }
    if (isApi(req)) {
      const code = res.locals.badToken ? 'invalid_token' : 'unauthorized';
      res.status(401).set('www-authenticate', 'Bearer').json({ error: { code, message: res.locals.badToken ? 'the API token is not valid' : 'sign in or send Authorization: Bearer <token>' } });
      return;
    }
    const next_ = req.method === 'GET' ? req.originalUrl : '/';
    res.redirect(303, `/login?next=${encodeURIComponent(next_)}`);
  };
}

/** Form posts from a session must carry its CSRF token; token (Bearer) requests carry no ambient credential. */
export function csrfGuard(): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const p = principalOf(res);
    if (!p || p.kind === 'token') return next();
    const body = req.body as Record<string, unknown> | undefined;
    const sent = typeof body?._csrf === 'string' ? body._csrf : req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !p.csrfToken || !sameText(sent, p.csrfToken)) {
      log.warn('form post refused: missing or wrong CSRF token', { path: req.path, login: p.login });
      next(new HttpError(403, 'csrf', 'the form has expired or did not come from this site: reload the page and try again'));
      return;
    }
    next();
  };
}

export interface AuthOptions {
  throttle?: LoginThrottle;
}

function loginPage(ctx: WebContext, req: Request, res: Response, data: { next: string; login?: string; error?: string }, status = 200) {
  let token = cookieValue(req, LOGIN_CSRF_COOKIE);
  if (!token || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) {
    token = crypto.randomBytes(24).toString('base64url');
    res.cookie(LOGIN_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/login', maxAge: 2 * 3600_000 });
  }
  res.set('cache-control', 'no-store');
  renderPage(ctx, req, res, 'login.njk', { page: 'login', loginCsrf: token, ...data }, status);
}

/** GET/POST /login and POST /logout. Mounted before the sign-in guard (the login page is public). */
export function authRouter(ctx: WebContext, opts: AuthOptions = {}): Router {
  const router = Router();
  const throttle = opts.throttle ?? new LoginThrottle(5, 15 * 60_000);
  const form = express.urlencoded({ extended: false, limit: '10kb', parameterLimit: 20 });

  router.get('/login', (req, res) => {
    if (principalOf(res)) {
      res.redirect(303, safeNext(req.query.next));
      return;
    }
    loginPage(ctx, req, res, { next: safeNext(req.query.next) });
  });

  router.post('/login', form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const login = typeof body.login === 'string' ? body.login.trim().slice(0, 100) : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(body.next);
    const expected = cookieValue(req, LOGIN_CSRF_COOKIE);
    if (typeof body._csrf !== 'string' || !expected || !sameText(body._csrf, expected)) {
      throw new HttpError(403, 'csrf', 'the sign-in form has expired: reload the page and try again');
    }
    const keys = [`ip:${req.ip}`, `login:${login.toLowerCase()}`];
    if (keys.some((k) => throttle.blocked(k))) {
      log.warn('login throttled', { ip: req.ip, login });
      loginPage(ctx, req, res, { next, login, error: 'login.throttled' }, 429);
      return;
    }
    const userId = login && password && password.length <= 1000 ? checkLogin(ctx.db, login, password) : undefined;
    if (userId === undefined) {
      for (const k of keys) throttle.fail(k);
      log.warn('login failed', { ip: req.ip, login });
      loginPage(ctx, req, res, { next, login, error: 'login.failed' }, 401);
      return;
    }
    for (const k of keys) throttle.succeed(k);
    const session = createSession(ctx.db, userId);
    res.cookie(SESSION_COOKIE, session.cookie, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', maxAge: SESSION_TTL_MS });
    res.clearCookie(LOGIN_CSRF_COOKIE, { path: '/login' });
    log.info('signed in', { login });
    res.redirect(303, next);
  });

  router.post('/logout', form, (req: Request, res: Response, nextFn: NextFunction) => {
    const p = principalOf(res);
    if (!p || p.kind !== 'session') {
      res.redirect(303, '/login');
      return;
    }
    csrfGuard()(req, res, (err?: unknown) => {
      if (err) return nextFn(err);
      const cookie = cookieValue(req, SESSION_COOKIE);
      if (cookie) deleteSession(ctx.db, cookie);
      res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: req.secure });
      log.info('signed out', { login: p.login });
      res.redirect(303, '/login');
    });
  });
  return router;
}
