// The web dashboard and JSON API as an Express app (no listen: `serve`, tests, the demo and the bench mount it).
//
// Order of the middleware, top to bottom:
//   1. security headers (strict CSP: scripts and styles only from this origin, nothing inline)
//   2. static assets (public CSS/JS, chart.js and its date adapter from node_modules; hashed URLs, cached a
//      year) — public; then compression (brotli/gzip) of everything else
//   3. language (?lang= / cookie / config default)
//   4. /healthz — public
//   5. sign-in (web/auth.ts): the principal from a Bearer token or the session cookie (res.locals.cacheScope
//      set per session / token), /login and /logout, then the guard — nothing below runs without a principal
//      (pages redirect to /login?next=…, the API answers 401) — form bodies, and the CSRF check on every post;
//      then deps.guards. A guard that makes answers differ per user must set res.locals.cacheScope.
//   6. rollups brought up to date, then the response cache (valid until the database changes)
//   7. feature routers: /api/v1, pages, /admin (admin everywhere, editor within its subtree)
//   8. 404 and the one error handler (400/404 as a page or `{ error: { code, message } }`, never a raw 500)
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import http from 'node:http';
import helmet from 'helmet';
import compression from 'compression';
import { createLogger } from '../src/log';
import { ensureRollups } from '../src/jobs/compute';
import { createWebContext, renderPage, requestLanguage, type WebDeps } from './context';
import { HttpError } from './params';
import { createResponseCache } from './cache';
import { databaseVersion } from '../db/version';
import { staticRouter } from './routes/static';
import { healthzRouter } from './routes/healthz';
import { apiRouter } from './routes/api';
import { dashboardRouter } from './routes/dashboard';
import { channelRouter } from './routes/channel';
import { targetsRouter } from './routes/targets';
import { rankingsRouter } from './routes/rankings';
import { healthRouter } from './routes/health';
import { adminRouter } from './routes/admin';
import { authRouter, csrfGuard, FORM_LIMIT, identify, requireSignIn } from './auth';
import { InputError } from '../src/config';
import { classify, sqliteFault } from '../db/write';
import { ForbiddenError } from '../src/admin/scope';
import { AdminJobs, type Collect } from '../src/admin/accounts';
import type { LoginThrottle } from '../src/auth';
import { ensureInformationWork } from '../src/publications/measures-data';
import { publicationsRouter } from './routes/publications';

const log = createLogger('web');

export interface AppDeps extends WebDeps {
  /** Middleware run before every page and API route (not static assets or /healthz): authentication. */
  guards?: RequestHandler[];
  /** Cache GET answers until the database changes (default on; the bench measures both). */
  cache?: boolean;
  /**
   * Express `trust proxy`: set it when the app runs behind a reverse proxy, so X-Forwarded-Proto marks https
   * requests (Secure cookies) and X-Forwarded-For gives the client address the login throttle counts.
   * `serve` reads it from TRUST_PROXY. Default: trust no proxy.
   */
  trustProxy?: boolean | number | string;
  /** Failed-login limits (default 5 per address or login in 15 minutes). */
  loginThrottle?: LoginThrottle;
  /** The collect job the admin "collect now" / backfill buttons run (tests replace it). */
  collect?: Collect;
}

export function createApp(deps: AppDeps): Express {
  const ctx = createWebContext(deps);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy ?? false);
  const jobs = new AdminJobs(deps.db, deps.config, deps.onSnapshotsChanged, deps.collect);
  app.locals.adminJobs = jobs;
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  app.use('/static', staticRouter());
  // Pages and JSON go out brotli- or gzip-compressed when the browser accepts it (static files are compressed
  // once, in staticRouter). Many regional users are on mobile data; a page's HTML shrinks about tenfold.
  app.use(compression({ threshold: 1024 }));
  app.use((req, res, next) => {
    const { lang, fromQuery } = requestLanguage(req, deps.config.language);
    res.locals.lang = lang;
    if (fromQuery) res.cookie('lang', lang, { maxAge: 365 * 86_400_000, sameSite: 'lax', httpOnly: true, path: '/' });
    next();
  });
  app.use(healthzRouter(ctx));
  app.use(identify(deps.db));
  app.use(authRouter(ctx, { throttle: deps.loginThrottle }));
  app.use(requireSignIn());
  app.use(express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 100 }));
  app.use(csrfGuard());
  for (const guard of deps.guards ?? []) app.use(guard);
  // Snapshots written since the last compute (an import, a manual figure) are rolled up before anything is read,
  // as `export` does, so pages, API and exports agree. A cheap check when nothing changed.
  const dbVersion = databaseVersion(deps.db);
  let checkedAt = '';
  app.use((_req, _res, next) => {
    const v = dbVersion();
    if (v !== checkedAt) {
      ensureRollups(deps.db);
      ensureInformationWork(deps.db, deps.config.rubrics);
      checkedAt = dbVersion();
    }
    next();
  });
  if (deps.cache !== false && deps.config.env.responseCacheBytes > 0) {
    const cache = createResponseCache(deps.db, ctx.today, { maxBytes: deps.config.env.responseCacheBytes });
    app.use(cache.middleware);
    app.locals.fastPath = cache.fast;
    app.locals.responseCache = cache;
  }
  app.use('/api/v1', apiRouter(ctx));
  app.use(dashboardRouter(ctx));
  app.use(publicationsRouter(ctx));
  app.use(channelRouter(ctx));
  app.use(targetsRouter(ctx));
  app.use(rankingsRouter(ctx));
  app.use(healthRouter(ctx));
  app.use('/admin', adminRouter(ctx, jobs));

  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `no page at ${req.path}`)));
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    if (err instanceof InputError) err = new HttpError(400, 'invalid_parameter', err.message);
    if (err instanceof ForbiddenError) err = new HttpError(403, 'forbidden', err.message);
    // A write SQLite refused (busy past the timeout, a full disk): 503 with the plain reason, never a raw 500.
    const fault = sqliteFault(err);
    if (fault) {
      log.warn('request refused by the database', { path: req.path, fault });
      err = new HttpError(503, `database_${fault}`, (classify(err) as Error).message);
    }
    const known = err instanceof HttpError;
    // body-parser style errors carry a status; anything else is our fault.
    const status = known ? err.status : typeof err?.status === 'number' && err.status < 500 ? err.status : 500;
    const code = known ? err.code : status === 500 ? 'internal' : 'bad_request';
    const message = status === 500 ? 'internal error' : String(err.message ?? 'bad request');
    if (status === 500) log.error('request failed', { path: req.path, error: err instanceof Error ? err.message : String(err), stack: process.env.DEBUG ? err?.stack : undefined });
    if (res.headersSent) return;
    if (req.originalUrl.startsWith('/api/')) {
      res.status(status).json({ error: { code, message } });
      return;
    }
    try {
      renderPage(ctx, req, res, 'error.njk', { status, code, message, dbFault: fault }, status);
    } catch {
      res.status(status).type('text').send(message);
    }
  };
  app.use(onError);
  return app;
}

/** The HTTP server for an app: cached API answers are replayed before Express (see ResponseCache.fast). */
export function createWebServer(app: Express): http.Server {
  const fast = app.locals.fastPath as ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | undefined;
  return http.createServer(fast ? (req, res) => void (fast(req, res) || app(req, res)) : app);
}
