// What every route gets: the database, config, clock, template environment, and per-request view helpers.
import path from 'node:path';
import nunjucks from 'nunjucks';
import type { Request, Response } from 'express';
import { orgName, type OrgRow } from '../db/orgs';
import type { Language } from '../src/config';
import { LANGUAGES } from '../src/config';
import { localDate } from '../src/domain/dates';
import { formatDate, formatDateTime, formatDelta, formatNumber, formatPercent, formatWeek } from '../src/i18n/format';
import { isLanguage, translator, type Translate } from './i18n';
import type { Principal } from '../src/auth';
import type { Services } from '../src/services';
import { canAdminister } from '../src/admin/scope';
import { assetUrl } from './routes/static';

/** The wiring (src/services.ts) and, for tests and the bench, the clock. */
export interface WebDeps extends Services {
  now?: () => Date;
}

export interface WebContext extends Services {
  now: () => Date;
  /** Today's local date (YYYY-MM-DD) in the configured time zone. */
  today: () => string;
  views: nunjucks.Environment;
}

export function createWebContext(deps: WebDeps): WebContext {
  const now = deps.now ?? (() => new Date());
  const views = new nunjucks.Environment(new nunjucks.FileSystemLoader(path.join(__dirname, 'views'), { noCache: process.env.NODE_ENV === 'development' }), {
    autoescape: true,
    throwOnUndefined: false,
  });
  views.addFilter('min', (xs: number[]) => Math.min(...xs));
  views.addFilter('max', (xs: number[]) => Math.max(...xs));
  return { db: deps.db, config: deps.config, exporters: deps.exporters, onSnapshotsChanged: deps.onSnapshotsChanged, importTargets: deps.importTargets, integrity: deps.integrity, now, today: () => localDate(deps.config.timezone, now()), views };
}

/** The request's language: `?lang=` (then remembered in a cookie), the `lang` cookie, else the configured default. */
export function requestLanguage(req: Request, fallback: Language): { lang: Language; fromQuery: boolean } {
  const q = req.query.lang;
  if (isLanguage(q)) return { lang: q, fromQuery: true };
  const cookie = parseCookie(req.headers.cookie, 'lang');
  if (isLanguage(cookie)) return { lang: cookie, fromQuery: false };
  return { lang: fallback, fromQuery: false };
}

function parseCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function langOf(res: Response): Language {
  return (res.locals.lang as Language | undefined) ?? 'ru';
}

/** Formatting helpers bound to one language: the only way templates print numbers and dates. */
export function viewHelpers(ctx: WebContext, lang: Language, req: Request) {
  const t: Translate = translator(lang);
  const tz = ctx.config.timezone;
  /** The current URL with some query parameters replaced (null removes one). */
  const withQuery = (changes: Record<string, string | number | null | undefined>): string => {
    const u = new URL(req.originalUrl, 'http://x');
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === undefined || v === '') u.searchParams.delete(k);
      else u.searchParams.set(k, String(v));
    }
    const qs = u.searchParams.toString();
    return u.pathname + (qs ? `?${qs}` : '');
  };
  return {
    lang,
    languages: LANGUAGES,
    t,
    num: (v: number | null | undefined, digits = 0) => formatNumber(v, lang, digits),
    delta: (v: number | null | undefined, digits = 0) => formatDelta(v, lang, digits),
    pct: (v: number | null | undefined, signed = false) => formatPercent(v, lang, signed),
    date: (d: string | null | undefined) => formatDate(d, lang),
    datetime: (ms: number | null | undefined) => formatDateTime(ms, lang, tz),
    week: (year: number, w: number) => formatWeek(year, w, lang),
    orgName: (o: Pick<OrgRow, 'name_ru' | 'name_kk' | 'name_en'>) => orgName(o, lang),
    withQuery,
    /** A static file's content-hashed URL (cached for a year by the browser). */
    asset: assetUrl,
    path: req.path,
  };
}

export type ViewHelpers = ReturnType<typeof viewHelpers>;

/** Renders a page template with the helpers and the page's own data. */
export function renderPage(ctx: WebContext, req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200): void {
  const helpers = viewHelpers(ctx, langOf(res), req);
  // Who is signed in: the layout shows the login, the admin link to those who may administer, and the logout form.
  const principal = res.locals.principal as Principal | undefined;
  const user = principal && { login: principal.login, role: principal.role, session: principal.kind === 'session', canAdmin: canAdminister(principal) };
  const html = ctx.views.render(view, { ...helpers, user, csrfToken: principal?.csrfToken, ...data, today: ctx.today(), generatedAt: ctx.now().getTime() });
  res.status(status).type('html').send(html);
}
