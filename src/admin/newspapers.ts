// Newspaper subscription figures from the admin pages: one figure per account and date, or a CSV
// (`org,account,date,subscribers`, `;` or `,`) checked whole — every bad line named — previewed, then written all
// together or not at all. Each write is a `manual` snapshot, audited, and the rollups follow.
import type { Db } from '../../db';
import { accountSubject, audit, type AccountRow } from '../../db/orgs';
import { Refusal, type Vars } from './errors';
import { InputError, type AppConfig } from '../config';
import { fromEpochDay, localDate, toEpochDay } from '../domain/dates';
import { countProblem, countTextProblem, readingDateProblem } from '../domain/ranges';
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

/** The newspaper accounts of these organisations (a newspaper is registered per organisation, by its code). */
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

/** A figure's date and count, by the ranges of src/domain/ranges.ts, as a refusal a page shows in its language. */
function dateProblem(date: string, today: string): Refusal | undefined {
  const p = readingDateProblem(date, today);
  return p && new Refusal('date', p.message, p.key, p.vars);
}
function subscribersProblem(subscribers: number | string): Refusal | undefined {
  const p = typeof subscribers === 'number' ? countProblem(subscribers) : countTextProblem(subscribers);
  return p && new Refusal('subscribers', p.message, p.key, p.vars);
}

export function figureFor(db: Db, account: NewspaperAccount, date: string, subscribers: number, today: string): Figure {
  const problem = dateProblem(date, today) ?? subscribersProblem(subscribers);
  if (problem) throw problem;
  return { account, date, subscribers, previous: previousOf(db, account.id, toEpochDay(date)) };
}

/** One bad line of an upload: its number, the column at fault and why (English, and a key for the page). */
export interface CsvProblem {
  line: number;
  field: string;
  message: string;
  key: string;
  vars?: Vars;
}

export interface CsvCheck {
  figures: Figure[];
  /** The first MAX_REPORTED bad lines. */
  errors: CsvProblem[];
  /** How many lines are bad in all. */
  errorCount: number;
  lines: number;
}

/** The separator of an upload: `;` when its header line holds one (Excel in ru/kk), else `,`. */
export function csvDelimiter(text: string): ',' | ';' {
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
  return header.includes(';') ? ';' : ',';
}

/**
 * Checks every line of an upload `org,account,date,subscribers` (`;` or `,`, with or without a UTF-8 BOM,
 * CRLF or LF); `errors` names each bad one. Writes nothing.
 */
export function checkNewspaperCsv(db: Db, text: string, opts: { orgIds: 'all' | Set<number>; today: string }): CsvCheck {
  if (Buffer.byteLength(text) > MAX_CSV_BYTES) throw new Refusal('csv', `is larger than ${MAX_CSV_BYTES / 1_000_000} MB`, 'csv_too_large', { mb: MAX_CSV_BYTES / 1_000_000 });
  if (!text.replace(/^\uFEFF/, '').trim()) throw new Refusal('csv', 'is empty: paste or choose a CSV file with the header org,account,date,subscribers', 'csv_empty');
  const errors: CsvProblem[] = [];
  const bad = (line: number, field: string, message: string, key: string, vars?: Vars) => errors.push({ line, field, message, key, vars });
  let rows;
  try {
    rows = parseCsvText(text, 'csv', NEWSPAPER_CSV_COLUMNS, [], (line, message) => {
      const m = /has (\d+) fields, the header has (\d+)/.exec(message);
      bad(line, 'csv', message, m ? 'csv_cells' : 'invalid', m ? { got: Number(m[1]), want: Number(m[2]) } : undefined);
    }, csvDelimiter(text)).rows;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const message = err.message.replace(/^csv:(\d+): /, 'line $1: ').replace(/^csv: /, '');
    if (/header|column/.test(message)) throw new Refusal('csv', message, 'csv_header', { columns: NEWSPAPER_CSV_COLUMNS.join(',') });
    throw new Refusal('csv', message, /quote/i.test(message) ? 'csv_quote' : 'invalid');
  }
  // A newspaper is registered per organisation: a line names both.
  const accounts = new Map(newspaperAccounts(db, 'all').map((a) => [`${a.org_slug}\u0000${a.platform_id}`, a]));
  const seen = new Map<string, number>();
  const figures: Figure[] = [];
  for (const { line, cells } of rows) {
    const account = accounts.get(`${cells.org}\u0000${cells.account}`);
    const code = cells.account.slice(0, 60);
    const org = cells.org.slice(0, 60);
    if (!account) {
      bad(line, 'account', `no newspaper ${JSON.stringify(code)} is registered for ${JSON.stringify(org)}`, 'no_newspaper', { code, org });
      continue;
    }
    if (opts.orgIds !== 'all' && !opts.orgIds.has(account.org_id)) {
      bad(line, 'org', `${account.org_slug} is outside the part of the tree you may change`, 'outside_tree', { org: account.org_slug });
      continue;
    }
    const problem = dateProblem(cells.date, opts.today);
    if (problem) {
      bad(line, 'date', problem.message.replace(/^date: /, ''), problem.key, problem.vars);
      continue;
    }
    const digits = cells.subscribers.replace(/[\s\u00a0\u202f]/g, '');
    const wrong = subscribersProblem(digits);
    if (wrong) {
      bad(line, 'subscribers', wrong.message, wrong.key, wrong.vars);
      continue;
    }
    const key = `${account.id}:${cells.date}`;
    if (seen.has(key)) {
      bad(line, 'date', `a second figure for ${cells.account} on ${cells.date} (first on line ${seen.get(key)})`, 'second_figure', { code, date: cells.date, first: seen.get(key)! });
      continue;
    }
    seen.set(key, line);
    figures.push({ line, account, date: cells.date, subscribers: Number(digits), previous: previousOf(db, account.id, toEpochDay(cells.date)) });
  }
  return { figures, errors: errors.slice(0, MAX_REPORTED), errorCount: errors.length, lines: rows.length };
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
      audit(db, actor, 'snapshot.set', accountSubject('newspaper', f.account.platform_id, f.account.org_slug), previous === null ? undefined : { date: f.date, subscribers: previous }, { date: f.date, subscribers: f.subscribers });
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

/** Each account's latest figure. */
export function latestFigures(db: Db, accounts: NewspaperAccount[]): Map<number, { date: string; audience: number }> {
  if (!accounts.length) return new Map();
  const rows = db
    .prepare(
      `SELECT s.account_id, s.day, s.audience FROM snapshots s
       WHERE s.account_id IN (SELECT value FROM json_each(?)) AND s.day = (SELECT max(day) FROM snapshots WHERE account_id = s.account_id)`,
    )
    .all(JSON.stringify(accounts.map((a) => a.id))) as { account_id: number; day: number; audience: number }[];
  return new Map(rows.map((r) => [r.account_id, { date: fromEpochDay(r.day), audience: r.audience }]));
}

/** The newspapers registered anywhere in the tree (code and a title), for the register form. */
export function newspaperCodes(db: Db): { code: string; title: string | null }[] {
  return db.prepare("SELECT platform_id AS code, max(title) AS title FROM accounts WHERE platform = 'newspaper' GROUP BY platform_id ORDER BY platform_id").all() as { code: string; title: string | null }[];
}
