// The growth engine's export kinds (DESIGN §9 `export audience|growth|targets`, and the JSON API): validated
// options in, rows with fixed columns out. services.ts puts them in the exporters registry.
import type { Db } from '../../db';
import type { AppConfig } from '../config';
import type { Row } from '../export-format';
import type { PlatformGroup } from '../domain/growth';
import { checkDate, checkOrg, checkPlatform, checkRange, today, type ExportOptions, type ExportResult, type ExportRows } from '../exports';
import { ensureRollups } from '../jobs/compute';
import { GROWTH_COLUMNS, growthRowsEach } from './growth';
import { AUDIENCE_COLUMNS, audienceRows, seriesExtent } from './series';
import { TARGET_COLUMNS, targetRows } from './targets';
import { loadTree } from './tree';

// The row interfaces are plain records of strings, numbers and nulls.
const asRows = <T extends object>(rows: T[]): Row[] => rows as unknown as Row[];

function groupOf(opts: ExportOptions): PlatformGroup {
  return checkPlatform(opts.platform) as PlatformGroup;
}

function rootSlug(db: Db, slug: string | undefined): string | undefined {
  if (slug !== undefined) return checkOrg(db, slug)!.slug;
  return loadTree(db).roots[0]?.slug;
}

/** `export audience`: the daily series of the org (default the root) from --from (default its first day) to --to (default today). */
export function exportAudience(db: Db, opts: ExportOptions, config: AppConfig): ExportResult {
  ensureRollups(db);
  const platform = groupOf(opts);
  const org = rootSlug(db, opts.org);
  const to = checkDate(opts.to, 'to') ?? today(config);
  let from = checkDate(opts.from, 'from');
  checkRange(from, to);
  if (!org) return { columns: AUDIENCE_COLUMNS, rows: [] };
  from ??= seriesExtent(db, org, platform).first ?? undefined;
  if (!from || from > to) return { columns: AUDIENCE_COLUMNS, rows: [] };
  return { columns: AUDIENCE_COLUMNS, rows: asRows(audienceRows(db, { org, platform, from, to })) };
}

/**
 * `export growth`: one row per org of the subtree; --to defaults to today, --from to the first day of --to's month.
 * The rows come one at a time: the whole tree at ten times the union is 50,000 of them.
 */
export function exportGrowth(db: Db, opts: ExportOptions, config: AppConfig): ExportRows {
  ensureRollups(db);
  const platform = groupOf(opts);
  const org = opts.org === undefined ? undefined : checkOrg(db, opts.org)!.slug;
  const to = checkDate(opts.to, 'to') ?? today(config);
  const from = checkDate(opts.from, 'from') ?? `${to.slice(0, 7)}-01`;
  checkRange(from, to);
  return { columns: GROWTH_COLUMNS, rows: growthRowsEach(db, { org, platform, from, to }) as Iterable<unknown> as Iterable<Row> };
}

/** `export targets`: every target as of --date (default today). --org narrows to a subtree, --platform to one platform. */
export function exportTargets(db: Db, opts: ExportOptions, config: AppConfig): ExportResult {
  ensureRollups(db);
  const date = checkDate(opts.date, 'date') ?? checkDate(opts.to, 'to') ?? today(config);
  const org = opts.org === undefined ? undefined : checkOrg(db, opts.org)!.slug;
  const platform = opts.platform === undefined ? undefined : groupOf(opts);
  return { columns: TARGET_COLUMNS, rows: asRows(targetRows(db, date, { org, platform })) };
}
