// The export kinds of DESIGN §9 (`export <kind>` and the JSON API share them): functions that turn validated
// options into rows with fixed columns, looked up in the registry services.ts builds (no kind registers itself).
import type { Db } from '../db';
import { orgBySlug } from '../db/orgs';
import { InputError, PLATFORMS, PLATFORM_GROUPS, type AppConfig, type PlatformGroup } from './config';
import { isIsoDate, toEpochDay, fromEpochDay, localDate } from './domain/dates';
import { sourceName } from './domain/sources';
import { subtreeIds } from './growth/tree';
import type { Row } from './export-format';

export interface ExportOptions {
  org?: string;
  /** A platform, `social`, or for snapshots also `all`. */
  platform?: string;
  from?: string;
  to?: string;
  date?: string;
}

export interface ExportResult {
  columns: readonly string[];
  rows: Row[];
}

/** What an exporter gives: its rows in an array, or one at a time (`export growth` of 50,000 orgs). */
export interface ExportRows {
  columns: readonly string[];
  rows: Iterable<Row>;
}

export type Exporter = (db: Db, opts: ExportOptions, config: AppConfig) => ExportResult;
/** An exporter that may give its rows one at a time. */
export type RowsExporter = (db: Db, opts: ExportOptions, config: AppConfig) => ExportRows;

/** The export kinds by name, in the order `--help` and errors list them (built by services.ts). */
export type Exporters = ReadonlyMap<string, RowsExporter>;

export function exportKinds(exporters: Exporters): string[] {
  return [...exporters.keys()];
}

/** The rows of an export kind, in an array (the JSON API). */
export function runExport(exporters: Exporters, kind: string, db: Db, opts: ExportOptions, config: AppConfig): ExportResult {
  const { columns, rows } = streamExport(exporters, kind, db, opts, config);
  return { columns, rows: Array.isArray(rows) ? (rows as Row[]) : [...rows] };
}

/** The rows of an export kind as the exporter gives them, one at a time when it can (the CLI writes them as they come). */
export function streamExport(exporters: Exporters, kind: string, db: Db, opts: ExportOptions, config: AppConfig): ExportRows {
  const fn = exporters.get(kind);
  if (!fn) throw new InputError(`must be one of ${exportKinds(exporters).join(', ')}, got ${JSON.stringify(kind)}`, undefined, undefined, 'kind');
  return fn(db, opts, config);
}

/** Option checks shared by every export kind and the API: each bad value is named. */
export function checkDate(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isIsoDate(value)) throw new InputError(`must be a real date as YYYY-MM-DD, got ${JSON.stringify(value)}`, undefined, undefined, field);
  return value;
}

export function checkPlatform(value: string | undefined, allowAll = false): PlatformGroup | 'all' {
  const v = value ?? 'social';
  if ((PLATFORM_GROUPS as readonly string[]).includes(v) || (allowAll && v === 'all')) return v as PlatformGroup | 'all';
  throw new InputError(`must be one of ${[...PLATFORM_GROUPS, ...(allowAll ? ['all'] : [])].join(', ')}, got ${JSON.stringify(v)}`, undefined, undefined, 'platform');
}

export function checkOrg(db: Db, slug: string | undefined): { id: number; slug: string } | undefined {
  if (slug === undefined) return undefined;
  const org = orgBySlug(db, slug);
  if (!org) throw new InputError(`no organisation has the slug ${JSON.stringify(slug)}`, undefined, undefined, 'org');
  return org;
}

export function checkRange(from: string | undefined, to: string | undefined): void {
  if (from && to && from > to) throw new InputError(`from ${from} is after to ${to}`, undefined, undefined, 'from');
}

export const SNAPSHOT_COLUMNS = ['org', 'platform', 'account', 'date', 'audience', 'source'] as const;

/** `export snapshots`: the raw readings of the subtree, with where each came from. */
export const exportSnapshots: Exporter = (db, opts) => {
  const org = checkOrg(db, opts.org);
  const platform = checkPlatform(opts.platform ?? 'all', true);
  const from = checkDate(opts.from, 'from');
  const to = checkDate(opts.to, 'to');
  checkRange(from, to);
  const platforms = platform === 'all' ? PLATFORMS : platform === 'social' ? PLATFORMS.filter((p) => p !== 'newspaper') : [platform];
  const orgIds = org ? subtreeIds(db, org.id) : null;
  const rows = db
    .prepare(
      `SELECT o.slug AS org, a.platform, a.platform_id AS account, s.day, s.audience, s.source
       FROM snapshots s JOIN accounts a ON a.id = s.account_id JOIN organisations o ON o.id = a.org_id
       WHERE a.platform IN (SELECT value FROM json_each(?))
         AND (? IS NULL OR a.org_id IN (SELECT value FROM json_each(?)))
         AND s.day BETWEEN ? AND ?
       ORDER BY o.slug, a.platform, a.platform_id, s.day`,
    )
    .all(
      JSON.stringify(platforms),
      orgIds && 1,
      JSON.stringify(orgIds ?? []),
      from ? toEpochDay(from) : -1e9,
      to ? toEpochDay(to) : 1e9,
    ) as { org: string; platform: string; account: string; day: number; audience: number; source: number }[];
  return {
    columns: SNAPSHOT_COLUMNS,
    rows: rows.map((r) => ({ org: r.org, platform: r.platform, account: r.account, date: fromEpochDay(r.day), audience: r.audience, source: sourceName(r.source) })),
  };
};

/** Today's local date in the configured time zone. */
export function today(config: AppConfig, now = new Date()): string {
  return localDate(config.timezone, now);
}
