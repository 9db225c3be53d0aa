// Request parameters for pages and the API, as zod schemas built from web/fields.ts: each bad value becomes
// a 400 that names the parameter. A route either parses its whole query at once (`query(req, { … })`, the
// API) or reads one parameter with the helpers below (`dateParam(req, 'date')`, the pages); both use the
// same schemas in `Q`.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Db } from '../db';
import { orgBySlug, type OrgRow } from '../db/orgs';
import type { Principal } from '../src/auth';
import { LEVELS, PLATFORM_GROUPS, type Level, type PlatformGroup } from '../src/config';
import { daysBetween, isIsoDate } from '../src/domain/dates';
import { COMPARISONS, defaultPreset, PERIOD_PRESETS, resolvePeriod, type ComparedPeriod, type Comparison, type PeriodPreset } from '../src/domain/periods';
import { TARGET_STATUSES, type TargetStatus } from '../src/domain/targets';
import { field, firstIssue, refuse } from './fields';

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

const quoted = (v: string, max = 100) => JSON.stringify(v.slice(0, max));

/** One query value as a single string, undefined when absent or empty; repeated or nested values are refused. */
function single(v: unknown): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') return refuse('must be given once, as plain text', 'once');
  if (v.length > 200) return refuse('is too long', 'too_long', { max: 200 });
  return v;
}

function listed<T extends string>(values: readonly T[], v: string): T {
  if (!(values as readonly string[]).includes(v)) return refuse(`must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`, 'one_of', { values: values.join(', ') });
  return v as T;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;
const PAGE = /^[1-9][0-9]{0,5}$/;

/** The query parameters' schemas (each absent or '' is undefined unless it has a default). */
export const Q = {
  text: field(single),
  date: field((v) => {
    const s = single(v);
    if (s !== undefined && !isIsoDate(s)) return refuse(`must be a real date as YYYY-MM-DD, got ${JSON.stringify(s)}`, 'date');
    return s;
  }),
  /** A platform or `social` (the default). */
  platform: field((v): PlatformGroup => listed(PLATFORM_GROUPS, single(v) ?? 'social')),
  optionalPlatform: field((v): PlatformGroup | undefined => {
    const s = single(v);
    return s === undefined ? undefined : listed(PLATFORM_GROUPS, s);
  }),
  level: field((v): Level | undefined => {
    const s = single(v);
    return s === undefined ? undefined : listed(LEVELS, s);
  }),
  /** Target statuses, comma-separated or repeated; [] when absent. */
  statuses: field((raw): TargetStatus[] => {
    if (raw === undefined || raw === '') return [];
    const list = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [null]));
    for (const s of list) {
      if (s === null || !(TARGET_STATUSES as readonly string[]).includes(s)) {
        return refuse(`must be among ${TARGET_STATUSES.join(', ')}, got ${JSON.stringify(s)}`, 'one_of', { values: TARGET_STATUSES.join(', ') });
      }
    }
    return [...new Set(list as TargetStatus[])];
  }),
  /** An organisation slug (checked for its shape; `orgOf` finds it). */
  org: field((v) => {
    const s = single(v);
    if (s !== undefined && !SLUG.test(s)) return refuse(`must be an organisation slug (a-z, 0-9, -), got ${quoted(s)}`, 'slug');
    return s;
  }),
  /** A page period preset (src/domain/periods.ts). */
  period: field((v): PeriodPreset | undefined => {
    const s = single(v);
    return s === undefined ? undefined : listed(PERIOD_PRESETS, s);
  }),
  /** What a page period is compared with. */
  compare: field((v): Comparison => listed(COMPARISONS, single(v) ?? 'previous')),
  /** A 1-based page number. */
  page: field((v) => {
    const s = single(v);
    if (s === undefined) return undefined;
    if (!PAGE.test(s)) return refuse(`must be a page number (1, 2, …), got ${quoted(s, 20)}`, 'page');
    return Number(s);
  }),
  /** Rows per page: one of `sizes` (or `all` when allowed), or any whole number 1…max when no sizes are given. */
  perPage: (opts: { sizes?: readonly number[]; all?: boolean; max?: number } = {}) =>
    field((v): number | 'all' | undefined => {
      const s = single(v);
      if (s === undefined) return undefined;
      if (opts.all && s === 'all') return 'all';
      const n = PAGE.test(s) ? Number(s) : NaN;
      const ok = opts.sizes ? opts.sizes.includes(n) : n >= 1 && n <= (opts.max ?? 1000);
      if (!ok) {
        const allowed = opts.sizes ? [...opts.sizes, ...(opts.all ? ['all'] : [])].join(', ') : `a whole number from 1 to ${opts.max ?? 1000}`;
        return refuse(`must be ${opts.sizes ? `one of ${allowed}` : allowed}, got ${quoted(s, 20)}`, 'per_page', { allowed });
      }
      return n;
    }),
  /** One of a fixed list of words, `fallback` when absent. */
  oneOf: <T extends string>(values: readonly T[], fallback: T) => field((v): T => listed(values, single(v) ?? fallback)),
};

/** A request's query parsed by an object of `Q` schemas; the first bad parameter is a 400 naming it. */
export function query<S extends z.ZodRawShape>(req: Request, shape: S): z.output<z.ZodObject<S>> {
  const r = z.object(shape).safeParse(req.query);
  if (!r.success) {
    const e = firstIssue(r.error);
    throw badRequest(e.field ?? '', e.why.message);
  }
  return r.data;
}

/** One query parameter by one schema (the pages' helpers below). */
export function queryParam<T>(req: Request, name: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>): T {
  const r = schema.safeParse(req.query[name]);
  if (!r.success) throw badRequest(name, firstIssue(r.error).why.message);
  return r.data;
}

/** One query parameter as a single string: repeated or nested parameters are refused. */
export const param = (req: Request, name: string): string | undefined => queryParam(req, name, Q.text);
export const dateParam = (req: Request, name: string): string | undefined => queryParam(req, name, Q.date);
export const platformParam = (req: Request, name = 'platform'): PlatformGroup => queryParam(req, name, Q.platform);
export const optionalPlatformParam = (req: Request, name = 'platform'): PlatformGroup | undefined => queryParam(req, name, Q.optionalPlatform);
export const levelParam = (req: Request, name = 'level'): Level | undefined => queryParam(req, name, Q.level);
export const statusParam = (req: Request, name = 'status'): TargetStatus[] => queryParam(req, name, Q.statuses);
/** `page`: a 1-based page number (a positive whole number); absent means the first page. */
export const pageParam = (req: Request, name = 'page'): number | undefined => queryParam(req, name, Q.page);
/** `per_page`: rows per page, one of `sizes` (or `all` when allowed), or any whole number 1…max when no sizes are given. */
export const perPageParam = (req: Request, opts: { sizes?: readonly number[]; all?: boolean; max?: number } = {}, name = 'per_page'): number | 'all' | undefined =>
  queryParam(req, name, Q.perPage(opts));

/** An organisation by slug: a malformed slug is a 400, an unknown one a 404. */
export function orgParam(db: Db, slug: string | undefined, name = 'org'): OrgRow | undefined {
  if (slug === undefined) return undefined;
  const r = Q.org.safeParse(slug);
  if (!r.success) throw badRequest(name, firstIssue(r.error).why.message);
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

/** `from` ≤ `to` and at most 20 years apart, when both are given. */
export function checkRange(from: string | undefined, to: string | undefined): void {
  if (from && to && from > to) throw badRequest('from', `from ${from} is after to ${to}`);
  if (from && to && daysBetween(from, to) + 1 > MAX_RANGE_DAYS) throw badRequest('from', `the range ${from} … ${to} is longer than 20 years`);
}

/** `from`/`to` for a series: both checked, ordered, and at most 20 years apart. */
export function rangeParams(req: Request): { from?: string; to?: string } {
  const { from, to } = query(req, { from: Q.date, to: Q.date });
  checkRange(from, to);
  return { from, to };
}

export interface PagePeriod extends ComparedPeriod {
  /** The preset (kept as `kind` for the templates). */
  kind: PeriodPreset;
}

/**
 * The period a page shows (`period` = a preset of src/domain/periods.ts, `from`/`to` for a custom one) and what
 * it is compared with (`compare` = previous | year_ago). Without `period`: last week on a Monday, else this
 * month so far.
 */
export function periodParam(req: Request, today: string): PagePeriod {
  const preset = queryParam(req, 'period', Q.period) ?? defaultPreset(today);
  const compare = queryParam(req, 'compare', Q.compare);
  let custom: { from: string; to: string } | undefined;
  if (preset === 'custom') {
    const r = rangeParams(req);
    if (!r.from || !r.to) throw badRequest(r.from ? 'to' : 'from', 'is required for a custom period (YYYY-MM-DD)');
    custom = r as { from: string; to: string };
  }
  try {
    return { ...resolvePeriod(preset, today, compare, custom), kind: preset };
  } catch (err) {
    if (err instanceof RangeError) throw badRequest('period', err.message);
    throw err;
  }
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
