// Request parameters for pages and the API: each bad value becomes a 400 that names the parameter.
import type { Request, Response } from 'express';
import type { Db } from '../db';
import { orgBySlug, type OrgRow } from '../db/orgs';
import type { Principal } from '../src/auth';
import { InputError, LEVELS, PLATFORM_GROUPS, type Level, type PlatformGroup } from '../src/config';
import { checkDate, checkPlatform, checkRange } from '../src/exports';
import { addDays, daysBetween } from '../src/domain/dates';
import { inferPeriod } from '../src/growth-queries';
import { periodContaining, previousPeriod, type PeriodKind } from '../src/domain/periods';
import { TARGET_STATUSES, type TargetStatus } from '../src/domain/targets';

/** An HTTP error with a stable machine code; the error middleware renders it as a page or as `{ error }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (field: string, message: string) => new HttpError(400, 'invalid_parameter', `${field}: ${message}`);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);

/** Longest date range a request may ask for: 20 years. */
export const MAX_RANGE_DAYS = 20 * 366;
export const PERIOD_KINDS = ['week', 'month', 'quarter', 'year', 'custom'] as const;

/** Converts the shared export checks' InputError (and the domain's RangeError) into a 400. */
export function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InputError) throw new HttpError(400, 'invalid_parameter', err.message);
    if (err instanceof RangeError) throw new HttpError(400, 'invalid_parameter', err.message);
    throw err;
  }
}

/** One query parameter as a single string: repeated or nested parameters are refused. */
export function param(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(name, 'must be given once, as plain text');
  if (v.length > 200) throw badRequest(name, 'is too long');
  return v;
}

export function dateParam(req: Request, name: string): string | undefined {
  return checked(() => checkDate(param(req, name), name));
}

export function platformParam(req: Request, name = 'platform'): PlatformGroup {
  const v = param(req, name);
  return checked(() => checkPlatform(v)) as PlatformGroup;
}

export function optionalPlatformParam(req: Request, name = 'platform'): PlatformGroup | undefined {
  const v = param(req, name);
  if (v === undefined) return undefined;
  if (!(PLATFORM_GROUPS as readonly string[]).includes(v)) throw badRequest(name, `must be one of ${PLATFORM_GROUPS.join(', ')}, got ${JSON.stringify(v)}`);
  return v as PlatformGroup;
}

export function levelParam(req: Request, name = 'level'): Level | undefined {
  const v = param(req, name);
  if (v === undefined) return undefined;
  if (!(LEVELS as readonly string[]).includes(v)) throw badRequest(name, `must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(v)}`);
  return v as Level;
}

export function statusParam(req: Request, name = 'status'): TargetStatus[] {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return [];
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [null]));
  for (const s of list) {
    if (s === null || !(TARGET_STATUSES as readonly string[]).includes(s)) {
      throw badRequest(name, `must be among ${TARGET_STATUSES.join(', ')}, got ${JSON.stringify(s)}`);
    }
  }
  return [...new Set(list as TargetStatus[])];
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;

/** An organisation by slug: a malformed slug is a 400, an unknown one a 404. */
export function orgParam(db: Db, slug: string | undefined, name = 'org'): OrgRow | undefined {
  if (slug === undefined) return undefined;
  if (!SLUG.test(slug)) throw badRequest(name, `must be an organisation slug (a-z, 0-9, -), got ${JSON.stringify(slug.slice(0, 100))}`);
  const org = orgBySlug(db, slug);
  if (!org) throw notFound(`no organisation has the slug ${JSON.stringify(slug)}`);
  return org;
}

/**
 * The signed-in user's own organisation (an editor's, or a viewer's or token's bound to one), unless it is the
 * root: the subtree a page shows when its URL names none. Undefined for the whole tree.
 */
export function principalOrg(db: Db, res: Response): OrgRow | undefined {
  const p = res.locals.principal as Principal | undefined;
  if (!p || p.orgId === null) return undefined;
  const org = db.prepare('SELECT * FROM organisations WHERE id = ?').get(p.orgId) as OrgRow | undefined;
  return org && org.parent_id !== null ? org : undefined;
}

/**
 * An organisation filter that defaults to the user's own subtree: absent from the URL → principalOrg; given
 * empty (`?org=`, the "whole tree" choice) → undefined; else the named organisation.
 */
export function scopeParam(db: Db, req: Request, res: Response, name = 'org'): { org: OrgRow | undefined; defaulted: boolean } {
  if (req.query[name] === undefined) {
    const own = principalOrg(db, res);
    return { org: own, defaulted: own !== undefined };
  }
  return { org: orgParam(db, param(req, name), name), defaulted: false };
}

/** `from`/`to` for a series: both checked, ordered, and at most 20 years apart. */
export function rangeParams(req: Request): { from?: string; to?: string } {
  const from = dateParam(req, 'from');
  const to = dateParam(req, 'to');
  checked(() => checkRange(from, to));
  if (from && to && daysBetween(from, to) + 1 > MAX_RANGE_DAYS) throw badRequest('from', `the range ${from} … ${to} is longer than 20 years`);
  return { from, to };
}

export interface PagePeriod {
  kind: PeriodKind;
  from: string;
  to: string;
  /** The period before, of the same length. */
  prev: { from: string; to: string };
  days: number;
}

/**
 * The period a page shows: the week / month / quarter / year containing today, up to today, or a custom
 * `from`…`to`; beside it the previous period of the same length, as the growth engine defines it (a whole
 * calendar period's predecessor, or the equally long range that ends the day before).
 */
export function periodParam(req: Request, today: string, fallback: PeriodKind = 'month'): PagePeriod {
  const kindText = param(req, 'period') ?? fallback;
  if (!(PERIOD_KINDS as readonly string[]).includes(kindText)) throw badRequest('period', `must be one of ${PERIOD_KINDS.join(', ')}, got ${JSON.stringify(kindText)}`);
  const kind = kindText as PeriodKind;
  let from: string;
  let to: string;
  if (kind === 'custom') {
    const r = rangeParams(req);
    if (!r.from || !r.to) throw badRequest(r.from ? 'to' : 'from', 'is required for a custom period (YYYY-MM-DD)');
    ({ from, to } = r as { from: string; to: string });
  } else {
    const full = periodContaining(kind, today);
    from = full.from;
    to = full.to < today ? full.to : today;
    // A period still running (this month up to today) is set beside the same days of the previous
    // calendar period (1–23 October for 1–23 November), not the days just before it.
    const prevFull = previousPeriod(full);
    const prevTo = addDays(prevFull.from, daysBetween(from, to));
    return { kind, from, to, prev: { from: prevFull.from, to: prevTo < prevFull.to ? prevTo : prevFull.to }, days: daysBetween(from, to) + 1 };
  }
  const p = previousPeriod(inferPeriod(from, to));
  return { kind, from, to, prev: { from: p.from, to: p.to }, days: daysBetween(from, to) + 1 };
}

/** `page`: a 1-based page number (a positive whole number); absent means the first page. */
export function pageParam(req: Request, name = 'page'): number | undefined {
  const v = param(req, name);
  if (v === undefined) return undefined;
  if (!/^[1-9][0-9]{0,5}$/.test(v)) throw badRequest(name, `must be a page number (1, 2, …), got ${JSON.stringify(v.slice(0, 20))}`);
  return Number(v);
}

/** `per_page`: rows per page, one of `sizes` (or `all` when allowed), or any whole number 1…max when no sizes are given. */
export function perPageParam(req: Request, opts: { sizes?: readonly number[]; all?: boolean; max?: number } = {}, name = 'per_page'): number | 'all' | undefined {
  const v = param(req, name);
  if (v === undefined) return undefined;
  if (opts.all && v === 'all') return 'all';
  const n = /^[1-9][0-9]{0,5}$/.test(v) ? Number(v) : NaN;
  const ok = opts.sizes ? opts.sizes.includes(n) : n >= 1 && n <= (opts.max ?? 1000);
  if (!ok) {
    const allowed = opts.sizes ? [...opts.sizes, ...(opts.all ? ['all'] : [])].join(', ') : `a whole number from 1 to ${opts.max ?? 1000}`;
    throw badRequest(name, `must be ${opts.sizes ? `one of ${allowed}` : allowed}, got ${JSON.stringify(v.slice(0, 20))}`);
  }
  return n;
}

/** One page of `total` rows: its bounds, checked against the last page (a page past the end is a 400). */
export interface Paging {
  page: number;
  pages: number;
  perPage: number | 'all';
  total: number;
  /** 0-based slice bounds. */
  start: number;
  end: number;
}

export function paging(total: number, page: number | undefined, perPage: number | 'all', name = 'page'): Paging {
  const size = perPage === 'all' ? Math.max(total, 1) : perPage;
  const pages = Math.max(1, Math.ceil(total / size));
  const p = page ?? 1;
  if (p > pages) throw badRequest(name, `there ${pages === 1 ? 'is 1 page' : `are ${pages} pages`} of ${total} rows, got page ${p}`);
  const start = (p - 1) * size;
  return { page: p, pages, perPage, total, start, end: Math.min(total, start + size) };
}
