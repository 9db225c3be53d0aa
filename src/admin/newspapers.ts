// Newspaper subscription figures from the admin pages: one figure per account and date, or a CSV
// (`org,account,date,subscribers`) checked whole — every bad line named — previewed, then written all
// together or not at all. Each write is a `manual` snapshot, audited, and the rollups follow.
import type { Db } from '../../db';
import { audit, type AccountRow } from '../../db/orgs';
import { InputError, type AppConfig } from '../config';
import { fromEpochDay, isIsoDate, localDate, toEpochDay } from '../domain/dates';
import { parseCsvText } from '../import';
import { SOURCE_NAMES, type SnapshotSource } from '../domain/sources';
import type { SnapshotsChanged } from '../jobs/hooks';
import { snapshotOn, snapshotWriter } from '../../db/snapshots';

export const NEWSPAPER_CSV_COLUMNS = ['org', 'account', 'date', 'subscribers'] as const;
export const MAX_CSV_BYTES = 1_000_000;
const MAX_REPORTED = 200;

export interface NewspaperAccount extends AccountRow {
  org_slug: string;
}

export function newspaperAccounts(db: Db, orgIds: 'all' | Set<number>): NewspaperAccount[] {
  const rows = db
    .prepare("SELECT a.id, a.org_id, a.platform, a.platform_id, a.page_id, a.resolved_id, a.title, a.token_env, a.closed_day, o.slug AS org_slug FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE a.platform = 'newspaper' ORDER BY o.id, a.id")
    .all() as NewspaperAccount[];
  return orgIds === 'all' ? rows : rows.filter((r) => orgIds.has(r.org_id));
}

export interface Figure {
  line?: number;
  account: NewspaperAccount;
  date: string;
  subscribers: number;
  /** The figure already stored for that account and date, if any. */
  previous: number | null;
}

const previousOf = snapshotOn;

function checkDate(date: string, today: string): string | undefined {
  if (!isIsoDate(date)) return `must be a real date as YYYY-MM-DD, got ${JSON.stringify(date.slice(0, 40))}`;
  if (date > today) return `${date} is in the future`;
  return undefined;
}

export function figureFor(db: Db, account: NewspaperAccount, date: string, subscribers: number, today: string): Figure {
  const dateError = checkDate(date, today);
  if (dateError) throw new InputError(dateError, undefined, undefined, 'date');
  if (!Number.isSafeInteger(subscribers) || subscribers < 0) throw new InputError('must be a whole number ≥ 0', undefined, undefined, 'subscribers');
  return { account, date, subscribers, previous: previousOf(db, account.id, toEpochDay(date)) };
}

export interface CsvCheck {
  figures: Figure[];
  errors: string[];
  lines: number;
}

/** Checks every line; `errors` names each bad one (line: field: what is wrong). Writes nothing. */
export function checkNewspaperCsv(db: Db, text: string, opts: { orgIds: 'all' | Set<number>; today: string }): CsvCheck {
  if (Buffer.byteLength(text) > MAX_CSV_BYTES) throw new InputError(`is larger than ${MAX_CSV_BYTES / 1_000_000} MB`, undefined, undefined, 'csv');
  if (!text.trim()) throw new InputError('is empty: paste or choose a CSV file with the header org,account,date,subscribers', undefined, undefined, 'csv');
  const errors: string[] = [];
  const badRow = (line: number, message: string) => errors.push(`line ${line}: ${message}`);
  let rows;
  try {
    rows = parseCsvText(text, 'csv', NEWSPAPER_CSV_COLUMNS, [], badRow).rows;
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.message.replace(/^csv:(\d+): /, 'line $1: ').replace(/^csv: /, ''), undefined, undefined, 'csv');
    throw err;
  }
  const accounts = new Map(newspaperAccounts(db, 'all').map((a) => [a.platform_id, a]));
  const seen = new Map<string, number>();
  const figures: Figure[] = [];
  for (const { line, cells } of rows) {
    const bad = (field: string, msg: string) => badRow(line, `${field}: ${msg}`);
    const account = accounts.get(cells.account);
    if (!account) {
      bad('account', `no newspaper ${JSON.stringify(cells.account.slice(0, 60))} is configured`);
      continue;
    }
    if (account.org_slug !== cells.org) {
      bad('org', `${cells.account} belongs to ${account.org_slug}, not ${JSON.stringify(cells.org.slice(0, 60))}`);
      continue;
    }
    if (opts.orgIds !== 'all' && !opts.orgIds.has(account.org_id)) {
      bad('org', `${account.org_slug} is outside the part of the tree you may change`);
      continue;
    }
    const dateError = checkDate(cells.date, opts.today);
    if (dateError) {
      bad('date', dateError);
      continue;
    }
    if (!/^\d{1,12}$/.test(cells.subscribers.replace(/[\s\u00a0\u202f]/g, ''))) {
      bad('subscribers', `must be a whole number ≥ 0, got ${JSON.stringify(cells.subscribers.slice(0, 40))}`);
      continue;
    }
    const key = `${account.id}:${cells.date}`;
    if (seen.has(key)) {
      bad('date', `a second figure for ${cells.account} on ${cells.date} (first on line ${seen.get(key)})`);
      continue;
    }
    seen.set(key, line);
    figures.push({ line, account, date: cells.date, subscribers: Number(cells.subscribers.replace(/[\s\u00a0\u202f]/g, '')), previous: previousOf(db, account.id, toEpochDay(cells.date)) });
  }
  if (errors.length > MAX_REPORTED) errors.splice(MAX_REPORTED, errors.length, `… and ${errors.length - MAX_REPORTED} more bad lines`);
  return { figures, errors, lines: rows.length };
}

/** Writes the figures in one transaction (one audit entry each) as `manual` snapshots; the rollups follow once. */
export function writeFigures(db: Db, config: AppConfig, actor: string, figures: Figure[], onSnapshotsChanged: SnapshotsChanged): number {
  const writer = snapshotWriter(db, (changedFrom) => onSnapshotsChanged(db, config, changedFrom));
  const now = Date.now();
  writer.transaction(() => {
    for (const f of figures) {
      const day = toEpochDay(f.date);
      const previous = previousOf(db, f.account.id, day);
      if (previous === f.subscribers) continue;
      writer.put({ accountId: f.account.id, day, audience: f.subscribers, source: 'manual', at: now });
      audit(db, actor, 'snapshot.set', `account:newspaper:${f.account.platform_id}`, previous === null ? undefined : { date: f.date, subscribers: previous }, { date: f.date, subscribers: f.subscribers });
    }
  });
  writer.finish();
  return writer.written;
}

export const todayIn = (config: AppConfig, now: Date): string => localDate(config.timezone, now);

export interface RecentFigure {
  account: NewspaperAccount;
  date: string;
  audience: number;
  source: SnapshotSource;
}

/** The latest figures of these newspaper accounts, newest first (at most `limit`). */
export function recentFigures(db: Db, accounts: NewspaperAccount[], limit = 40): RecentFigure[] {
  if (!accounts.length) return [];
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const rows = db
    .prepare('SELECT account_id, day, audience, source FROM snapshots WHERE account_id IN (SELECT value FROM json_each(?)) ORDER BY day DESC LIMIT ?')
    .all(JSON.stringify(accounts.map((a) => a.id)), limit) as { account_id: number; day: number; audience: number; source: number }[];
  return rows.map((r) => ({ account: byId.get(r.account_id)!, date: fromEpochDay(r.day), audience: r.audience, source: SOURCE_NAMES[r.source] }));
}
