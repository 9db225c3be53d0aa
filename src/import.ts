// `import`: organisations and accounts (YAML or CSV) upserted by slug / platform+id, never deleting
// history; `import-audience`: readings from CSV, all-or-nothing. Each is two steps: a plan step that
// reads and validates everything and writes nothing (planTreeImport, planAudienceImport), then a write
// step that applies the plan in one transaction (applyTreePlan, writeAudiencePlan). Bad input fails in the
// plan step, so it changes nothing. Readings go through the one snapshot writer (db/snapshots.ts).
import { writeTx } from '../db/write';
import fs from 'node:fs';
import path from 'node:path';
import { Parser as CsvParser } from 'csv-parse';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import type { Db } from '../db';
import { accountSubject, audit, type AccountRow, type OrgRow } from '../db/orgs';
import { snapshotWriter } from '../db/snapshots';
import {
  InputError,
  LEVELS,
  PLATFORMS,
  accountSchema,
  fieldPath,
  readYaml,
  fileSchema,
  type AccountInput,
  type Level,
  type OrgInput,
  type Platform,
  type StandardInput,
  type AppConfig,
  type TargetInput,
} from './config';
import type { SnapshotsChanged } from './jobs/hooks';
import type { SnapshotSource } from './domain/sources';
import { toEpochDay, fromEpochDay, localDate } from './domain/dates';
import { FIRST_READING_DATE, MAX_COUNT, countProblem, countTextProblem, lastReadingDate, readingDateProblem } from './domain/ranges';
import { DEFAULT_RUBRICS } from './domain/default-rubrics';
import { setStandards, type StandardsSummary } from './publications/standards-store';

/** An organisation of an import file without its nesting, with the line it stands on. */
export type FlatOrg = Omit<OrgInput, 'accounts' | 'children'> & { line: number };

export interface FlatAccount extends AccountInput {
  org: string;
  line: number;
}

export interface TreeInput {
  label: string;
  orgs: FlatOrg[];
  accounts: FlatAccount[];
  targets: (TargetInput & { line: number })[];
  /** `standards:` of the file, with the rubric slugs they may name (the file's rubrics, else the defaults) */
  standards?: { list: (StandardInput & { line: number })[]; rubrics: string[] };
}

export interface ImportSummary {
  orgsCreated: number;
  orgsUpdated: number;
  accountsCreated: number;
  accountsUpdated: number;
  targets?: { created: number; versioned: number; unchanged: number };
  standards?: StandardsSummary;
}

/** Reads an import file: YAML (DESIGN §9 layout) or CSV of organisations or of accounts. */
export function readTreeFile(file: string): TreeInput {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return readTreeCsv(file);
  if (ext !== '.yaml' && ext !== '.yml') throw new InputError('must be a .yaml, .yml or .csv file', path.basename(file));
  const { data, label, lineOf } = readYaml(file, fileSchema);
  const orgs: FlatOrg[] = [];
  const accounts: FlatAccount[] = [];
  const walk = (list: OrgInput[], at: (string | number)[], parent?: string) => {
    list.forEach((o, i) => {
      const p = [...at, i];
      if (parent && o.parent && o.parent !== parent) {
        throw new InputError(`is ${o.parent} but the organisation is nested under ${parent}`, label, lineOf([...p, 'parent']), fieldPath([...p, 'parent']));
      }
      orgs.push({ slug: o.slug, parent: parent ?? o.parent, level: o.level, name: o.name, members: o.members, telegram_chat: o.telegram_chat, line: lineOf(p) });
      (o.accounts ?? []).forEach((a, j) => accounts.push({ ...a, org: o.slug, line: lineOf([...p, 'accounts', j]) }));
      walk(o.children ?? [], [...p, 'children'], o.slug);
    });
  };
  walk(data.organisations ?? [], ['organisations']);
  const targets = (data.targets ?? []).map((t, i) => ({ ...t, line: lineOf(['targets', i]) }));
  const standards = data.standards && {
    list: data.standards.map((s, i) => ({ ...s, line: lineOf(['standards', i]) })),
    rubrics: (data.rubrics ?? DEFAULT_RUBRICS).map((r) => r.slug),
  };
  return { label, orgs, accounts, targets, standards };
}

export interface CsvRow {
  line: number;
  cells: Record<string, string>;
}

/** Parses a CSV file with a header line; each row keeps its line number in the file. */
export function readCsv(file: string, required: readonly string[], optional: readonly string[] = []): { label: string; rows: CsvRow[] } {
  const label = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read: ${(err as Error).message}`, label);
  }
  return parseCsvText(text, label, required, optional);
}

/** Parses CSV text with a header line (a file's, or one pasted or uploaded in a form); rows keep their line numbers. */
export function parseCsvText(
  text: string,
  label: string,
  required: readonly string[],
  optional: readonly string[] = [],
  /** When given, a row with the wrong number of fields is reported here and skipped instead of stopping the parse. */
  onBadRow?: (line: number, message: string) => void,
  /** The field separator: `,`, or `;` as Excel saves CSV where the decimal mark is a comma (ru, kk). */
  delimiter: ',' | ';' = ',',
): { label: string; rows: CsvRow[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, { info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true, delimiter }) as unknown as typeof records;
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new InputError(`invalid CSV: ${e.message}`, label, e.lines);
  }
  if (records.length === 0) throw new InputError('is empty: expected a header line', label, 1);
  const header = csvHeader(records[0].record, records[0].info.lines, label, required, optional);
  const rows: CsvRow[] = [];
  for (const { record, info } of records.slice(1)) {
    if (record.length !== header.length) {
      const message = `has ${record.length} fields, the header has ${header.length}`;
      if (!onBadRow) throw new InputError(message, label, info.lines);
      onBadRow(info.lines, message);
      continue;
    }
    rows.push({ line: info.lines, cells: Object.fromEntries(header.map((h, i) => [h, record[i]])) });
  }
  return { label, rows };
}

/** The header line's column names (lower case), or an InputError naming the missing or unknown ones. */
function csvHeader(record: string[], line: number, label: string, required: readonly string[], optional: readonly string[]): string[] {
  const header = record.map((h) => h.toLowerCase());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new InputError(`header lacks column(s) ${missing.join(', ')} (expected ${[...required, ...optional].join(',')})`, label, line);
  const unknown = header.filter((h) => !required.includes(h) && !optional.includes(h));
  if (unknown.length) throw new InputError(`unknown column(s) ${unknown.join(', ')}`, label, line);
  return header;
}

const CSV_CHUNK = 1 << 20;

/**
 * Reads a CSV file a megabyte at a time (memory does not grow with the file) and calls `each` with every row
 * after the header, in order; a row with the wrong number of fields is an InputError naming its line. Synchronous,
 * so a caller may write the rows inside one SQLite transaction.
 */
export function eachCsvRow(file: string, required: readonly string[], each: (row: CsvRow) => void): { label: string; rows: number } {
  const label = path.basename(file);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new InputError(`cannot read: ${(err as Error).message}`, label);
  }
  const parser = new CsvParser({ info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true });
  let header: string[] | undefined;
  let rows = 0;
  const drain = () => {
    for (let r = parser.read() as { record: string[]; info: { lines: number } } | null; r !== null; r = parser.read()) {
      if (!header) {
        header = csvHeader(r.record, r.info.lines, label, required, []);
        continue;
      }
      if (r.record.length !== header.length) throw new InputError(`has ${r.record.length} fields, the header has ${header.length}`, label, r.info.lines);
      rows++;
      const cells: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) cells[header[i]] = r.record[i];
      each({ line: r.info.lines, cells });
    }
  };
  let parseError: { message: string; lines?: number } | undefined;
  parser.on('error', (err: { message: string; lines?: number }) => (parseError = err));
  const buf = Buffer.alloc(CSV_CHUNK);
  try {
    for (let n = fs.readSync(fd, buf, 0, CSV_CHUNK, null); n > 0; n = fs.readSync(fd, buf, 0, CSV_CHUNK, null)) {
      parser.write(Buffer.from(buf.subarray(0, n)));
      if (parseError) break;
      drain();
    }
    if (!parseError) {
      parser.end();
      drain();
    }
  } finally {
    fs.closeSync(fd);
  }
  if (parseError) throw new InputError(`invalid CSV: ${parseError.message}`, label, parseError.lines);
  if (!header) throw new InputError('is empty: expected a header line', label, 1);
  return { label, rows };
}

/** Lines of a file after the first, counted by newlines (an estimate of its rows for progress). */
function linesAfterHeader(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(CSV_CHUNK);
  let count = 0;
  let last = 10;
  try {
    for (let n = fs.readSync(fd, buf, 0, CSV_CHUNK, null); n > 0; n = fs.readSync(fd, buf, 0, CSV_CHUNK, null)) {
      for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) count++;
      last = buf[n - 1];
    }
  } finally {
    fs.closeSync(fd);
  }
  return Math.max(0, count + (last === 10 ? 0 : 1) - 1);
}

function readTreeCsv(file: string): TreeInput {
  const label = path.basename(file);
  const head = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0].toLowerCase() : '';
  if (/\bslug\b/.test(head)) {
    const { rows } = readCsv(file, ['slug', 'level', 'name_ru'], ['parent', 'name_kk', 'name_en', 'members', 'telegram_chat']);
    const orgs = rows.map(({ line, cells }) => {
      const raw = {
        slug: cells.slug,
        parent: cells.parent || undefined,
        level: cells.level,
        name: { ru: cells.name_ru, kk: cells.name_kk || undefined, en: cells.name_en || undefined },
        members: cells.members ? (/^\d+$/.test(cells.members) ? Number(cells.members) : cells.members) : undefined,
        telegram_chat: cells.telegram_chat || undefined,
      };
      const org = csvOrgSchema.safeParse(raw);
      if (!org.success) throw csvIssue(label, line, org.error);
      return { ...org.data, line };
    });
    return { label, orgs, accounts: [], targets: [] };
  }
  const { rows } = readCsv(file, ['org', 'platform', 'id'], ['title', 'token_env', 'closed', 'page', 'api', 'token_file']);
  const accounts = rows.map(({ line, cells }) => {
    const a = accountSchema.safeParse({
      platform: cells.platform,
      id: cells.id || undefined,
      page: cells.page || undefined,
      title: cells.title || undefined,
      token_env: cells.token_env || undefined,
      closed: cells.closed || undefined,
      api: cells.api || undefined,
      token_file: cells.token_file || undefined,
    });
    if (!a.success) throw csvIssue(label, line, a.error);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(cells.org)) throw new InputError('must be an organisation slug', label, line, 'org');
    return { ...a.data, org: cells.org, line };
  });
  return { label, orgs: [], accounts, targets: [] };
}

const csvOrgSchema = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and -'),
  parent: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be an organisation slug').optional(),
  level: z.enum(LEVELS, { errorMap: () => ({ message: `must be one of ${LEVELS.join(', ')}` }) }),
  name: z.object({ ru: z.string().min(1, 'must not be empty'), kk: z.string().optional(), en: z.string().optional() }),
  members: z
    .number({ invalid_type_error: `must be a whole number from 0 to ${MAX_COUNT}` })
    .superRefine((v, ctx) => {
      const problem = countProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.message });
    })
    .optional(),
  telegram_chat: z.string().optional(),
});

function csvIssue(label: string, line: number, error: z.ZodError): InputError {
  const issue = error.issues[0];
  const field = issue.path[0] === 'name' ? `name_${issue.path[1]}` : fieldPath(issue.path);
  return new InputError(issue.message, label, line, field || undefined);
}

/** How `targets:` are imported (baseline frozen from present data): the growth engine's importTargets (src/growth/targets.ts), passed in by services.ts. */
export type TargetImporter = (db: Db, targets: TreeInput['targets'], ctx: { label: string; actor: string }) => ImportSummary['targets'];

export interface TreeImportDeps {
  /** Needed when the input has `targets:`. */
  importTargets?: TargetImporter;
}

/** A validated tree import: what the write step applies. */
export interface TreePlan {
  input: TreeInput;
  orgs: FlatOrg[];
}

/** Validates the whole input against itself and the database (writes nothing), then upserts it in one transaction. */
export function importTree(db: Db, input: TreeInput, actor = 'import', deps: TreeImportDeps = {}): ImportSummary {
  return applyTreePlan(db, planTreeImport(db, input, deps), actor, deps);
}

/** The plan step of `import`: every check against the file itself and the database; writes nothing. */
export function planTreeImport(db: Db, input: TreeInput, deps: TreeImportDeps = {}): TreePlan {
  const { label } = input;
  const existing = new Map((db.prepare('SELECT id, slug, parent_id, level FROM organisations').all() as Pick<OrgRow, 'id' | 'slug' | 'parent_id' | 'level'>[]).map((o) => [o.slug, o]));
  const slugById = new Map([...existing.values()].map((o) => [o.id, o.slug]));
  const fileOrgs = new Map<string, FlatOrg>();
  for (const o of input.orgs) {
    if (fileOrgs.has(o.slug)) throw new InputError(`organisation ${o.slug} appears twice (also line ${fileOrgs.get(o.slug)!.line})`, label, o.line, 'slug');
    fileOrgs.set(o.slug, o);
  }
  // The tree as it will be: parent and level of every org.
  const parentOf = new Map<string, string | undefined>();
  const levelOf = new Map<string, Level>();
  for (const o of existing.values()) {
    parentOf.set(o.slug, o.parent_id == null ? undefined : slugById.get(o.parent_id));
    levelOf.set(o.slug, o.level);
  }
  for (const o of fileOrgs.values()) {
    // A top-level org in the file without `parent` keeps its current parent.
    parentOf.set(o.slug, o.parent ?? (existing.has(o.slug) ? parentOf.get(o.slug) : undefined));
    levelOf.set(o.slug, o.level);
  }
  for (const o of fileOrgs.values()) {
    const parent = parentOf.get(o.slug);
    if (parent === undefined) {
      const otherRoot = [...parentOf.entries()].find(([s, p]) => p === undefined && s !== o.slug);
      if (otherRoot) throw new InputError(`has no parent, but ${otherRoot[0]} is already the root: give \`parent:\``, label, o.line, 'parent');
      continue;
    }
    if (!levelOf.has(parent)) throw new InputError(`unknown organisation ${parent}`, label, o.line, 'parent');
    if (LEVELS.indexOf(levelOf.get(parent)!) >= LEVELS.indexOf(o.level)) {
      throw new InputError(`a ${o.level} cannot be under ${parent}, a ${levelOf.get(parent)}`, label, o.line, 'level');
    }
    for (let p: string | undefined = parent, hops = 0; p !== undefined; p = parentOf.get(p), hops++) {
      if (p === o.slug || hops > 10_000) throw new InputError(`moving ${o.slug} under ${parent} would make a cycle`, label, o.line, 'parent');
    }
  }
  // Children of orgs whose level changes must still sit below them.
  for (const [slug, parent] of parentOf) {
    if (parent && LEVELS.indexOf(levelOf.get(parent)!) >= LEVELS.indexOf(levelOf.get(slug)!)) {
      const o = fileOrgs.get(parent) ?? fileOrgs.get(slug);
      throw new InputError(`${slug} (${levelOf.get(slug)}) would sit under ${parent} (${levelOf.get(parent)})`, label, o?.line, 'level');
    }
  }
  const seenAccounts = new Map<string, number>();
  for (const a of input.accounts) {
    // A newspaper code is registered once per organisation; a channel once in the whole tree.
    const key = `${a.platform}:${a.platform === 'newspaper' ? `${a.org}/` : ''}${a.id ?? 'page:' + a.page}`;
    if (seenAccounts.has(key)) throw new InputError(`account ${key} appears twice (also line ${seenAccounts.get(key)})`, label, a.line, 'id');
    seenAccounts.set(key, a.line);
    if (!levelOf.has(a.org)) throw new InputError(`unknown organisation ${a.org}`, label, a.line, 'org');
  }
  if (input.targets.length && !deps.importTargets) throw new Error('targets cannot be imported here: no target importer was given');
  return { input, orgs: [...fileOrgs.values()] };
}

/** The write step of `import`: upserts the planned orgs, accounts and targets in one transaction. */
export function applyTreePlan(db: Db, plan: TreePlan, actor: string, deps: TreeImportDeps = {}): ImportSummary {
  const { input } = plan;
  const { label } = input;
  const now = Date.now();
  const summary: ImportSummary = { orgsCreated: 0, orgsUpdated: 0, accountsCreated: 0, accountsUpdated: 0 };
  const getOrg = db.prepare('SELECT id, slug, parent_id, level, name_ru, name_kk, name_en, members, telegram_chat FROM organisations WHERE slug = ?');
  const insertOrg = db.prepare(
    'INSERT INTO organisations (slug, parent_id, level, name_ru, name_kk, name_en, members, telegram_chat, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const updateOrg = db.prepare(
    'UPDATE organisations SET parent_id = ?, level = ?, name_ru = ?, name_kk = ?, name_en = ?, members = ?, telegram_chat = ?, updated_at = ? WHERE id = ?',
  );
  // A newspaper code is looked up within its organisation (registered once per organisation).
  const getAccount = db.prepare(
    "SELECT id, org_id, platform, platform_id, page_id, resolved_id, title, token_env, closed_day, api, token_file FROM accounts WHERE platform = ? AND platform_id = ? AND (platform <> 'newspaper' OR org_id = ?)",
  );
  const insertAccount = db.prepare(
    'INSERT INTO accounts (org_id, platform, platform_id, page_id, title, token_env, closed_day, api, token_file, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const updateAccount = db.prepare('UPDATE accounts SET org_id = ?, page_id = ?, title = ?, token_env = ?, closed_day = ?, api = ?, token_file = ?, updated_at = ? WHERE id = ?');

  writeTx(db, () => {
    // Parents first: the file lists them before their children; `parent:` references resolve by slug.
    const pending = [...plan.orgs];
    const idOf = (slug: string) => (getOrg.get(slug) as OrgRow | undefined)?.id;
    while (pending.length) {
      const idx = pending.findIndex((o) => !o.parent || idOf(o.parent) !== undefined);
      const o = pending.splice(idx === -1 ? 0 : idx, 1)[0];
      const before = getOrg.get(o.slug) as OrgRow | undefined;
      const parentId = o.parent ? idOf(o.parent)! : before?.parent_id ?? null;
      const next = {
        parent_id: parentId,
        level: o.level,
        name_ru: o.name.ru,
        name_kk: o.name.kk ?? before?.name_kk ?? null,
        name_en: o.name.en ?? before?.name_en ?? null,
        members: o.members === undefined ? before?.members ?? null : o.members,
        telegram_chat: o.telegram_chat ?? before?.telegram_chat ?? null,
      };
      if (!before) {
        insertOrg.run(o.slug, next.parent_id, next.level, next.name_ru, next.name_kk, next.name_en, next.members, next.telegram_chat, now, now);
        audit(db, actor, 'org.create', `org:${o.slug}`, undefined, next);
        summary.orgsCreated++;
      } else if (Object.entries(next).some(([k, v]) => before[k as keyof OrgRow] !== v)) {
        updateOrg.run(next.parent_id, next.level, next.name_ru, next.name_kk, next.name_en, next.members, next.telegram_chat, now, before.id);
        const { id: _id, slug: _slug, ...old } = before;
        audit(db, actor, 'org.update', `org:${o.slug}`, old, next);
        summary.orgsUpdated++;
      }
    }
    for (const a of input.accounts) {
      const platformId = a.id ?? `page:${a.page}`;
      const orgId = idOf(a.org)!;
      const before = getAccount.get(a.platform, platformId, orgId) as AccountRow | undefined;
      const closedDay = a.closed === undefined ? before?.closed_day ?? null : a.closed === null ? null : toEpochDay(a.closed);
      const next = {
        org_id: orgId,
        page_id: a.page ?? before?.page_id ?? null,
        title: a.title ?? before?.title ?? null,
        token_env: a.token_env ?? before?.token_env ?? null,
        closed_day: closedDay,
        api: a.api ?? before?.api ?? null,
        token_file: a.token_file ?? before?.token_file ?? null,
      };
      const subject = accountSubject(a.platform, platformId, a.org);
      const shown = (v: typeof next) => ({ ...v, org_id: undefined, org: a.org, closed: v.closed_day == null ? null : fromEpochDay(v.closed_day), closed_day: undefined });
      if (!before) {
        insertAccount.run(orgId, a.platform, platformId, next.page_id, next.title, next.token_env, next.closed_day, next.api, next.token_file, now, now);
        audit(db, actor, 'account.create', subject, undefined, shown(next));
        summary.accountsCreated++;
      } else if (Object.entries(next).some(([k, v]) => before[k as keyof AccountRow] !== v)) {
        updateAccount.run(next.org_id, next.page_id, next.title, next.token_env, next.closed_day, next.api, next.token_file, now, before.id);
        audit(db, actor, 'account.update', subject, shown({ org_id: before.org_id, page_id: before.page_id, title: before.title, token_env: before.token_env, closed_day: before.closed_day, api: before.api ?? null, token_file: before.token_file ?? null }), shown(next));
        summary.accountsUpdated++;
      }
    }
    if (input.targets.length) {
      if (!deps.importTargets) throw new Error('targets cannot be imported here: no target importer was given');
      summary.targets = deps.importTargets(db, input.targets, { label, actor });
    }
    if (input.standards?.list.length) summary.standards = setStandards(db, input.standards.list, { actor, label, rubrics: input.standards.rubrics });
  });
  return summary;
}


export interface ReadingsImport {
  lines: number;
  written: number;
  /** Per account, the earliest day written: where rollups must be recomputed from. */
  changedFrom: Map<number, number>;
}

const MAX_REPORTED = 50;
const PROGRESS_EVERY = 5_000;

export interface AudienceImportOptions {
  config: AppConfig;
  /** What follows the write (the rollups): called once, when anything was written. */
  onSnapshotsChanged: SnapshotsChanged;
  now?: Date;
  source?: SnapshotSource;
  /** Lines checked, then readings written: called every few thousand and at the end of each phase. */
  onProgress?: (done: number, total: number, phase: 'check' | 'write') => void;
}

/** A checked readings file: what the write step stores (read again from the file, never held in memory). */
export interface AudiencePlan {
  file: string;
  lines: number;
  /** Readings to write: every row, as each was checked. */
  readings: number;
  source: SnapshotSource;
  /** The local date the dates were checked against. */
  today: string;
}

/**
 * Imports readings `org,platform,account,date,audience`. Every bad line is reported with its
 * number; when any line is bad nothing is written. The file is streamed twice (check, then write), so
 * memory stays flat with its size.
 */
export function importAudience(db: Db, file: string, opts: AudienceImportOptions): ReadingsImport {
  return writeAudiencePlan(db, planAudienceImport(db, file, opts), opts);
}

type CheckedLine = { ok: true; accountId: number; day: number; audience: number } | { ok: false; field: string; message: string };

/** Checks one line of a readings file against the configured accounts and the ranges of src/domain/ranges.ts. */
function audienceLineChecker(db: Db, today: string): (cells: Record<string, string>) => CheckedLine {
  const accounts = new Map<string, { id: number; orgSlug: string }>();
  for (const r of db.prepare('SELECT a.id, a.platform, a.platform_id, o.slug FROM accounts a JOIN organisations o ON o.id = a.org_id').all() as {
    id: number;
    platform: string;
    platform_id: string;
    slug: string;
  }[]) {
    // Newspapers are registered per organisation: their key holds the org.
    accounts.set(r.platform === 'newspaper' ? `newspaper\u0000${r.slug}\u0000${r.platform_id}` : `${r.platform}\u0000${r.platform_id}`, { id: r.id, orgSlug: r.slug });
  }
  const bad = (field: string, message: string): CheckedLine => ({ ok: false, field, message });
  return (cells) => {
    const platform = cells.platform as Platform;
    if (!PLATFORMS.includes(platform)) return bad('platform', `must be one of ${PLATFORMS.join(', ')}, got ${JSON.stringify(cells.platform)}`);
    const account = accounts.get(platform === 'newspaper' ? `newspaper\u0000${cells.org}\u0000${cells.account}` : `${platform}\u0000${cells.account}`);
    if (!account) {
      const where = platform === 'newspaper' ? ` for ${JSON.stringify(cells.org)}` : '';
      return bad('account', `no ${platform} account ${JSON.stringify(cells.account)} is configured${where} (import it first)`);
    }
    if (account.orgSlug !== cells.org) return bad('org', `account ${cells.account} belongs to ${account.orgSlug}, not ${JSON.stringify(cells.org)}`);
    const dateProblem = readingDateProblem(cells.date, today);
    if (dateProblem) return bad('date', dateProblem.message);
    const audienceProblem = countTextProblem(cells.audience);
    if (audienceProblem) return bad('audience', audienceProblem.message);
    return { ok: true, accountId: account.id, day: toEpochDay(cells.date), audience: Number(cells.audience) };
  };
}

/** The plan step of `import-audience`: streams and checks every line; writes nothing; throws InputError naming each bad line. */
export function planAudienceImport(db: Db, file: string, opts: Pick<AudienceImportOptions, 'config' | 'now' | 'source' | 'onProgress'>): AudiencePlan {
  const today = localDate(opts.config.timezone, opts.now ?? new Date());
  const check = audienceLineChecker(db, today);
  const estimate = opts.onProgress ? linesAfterHeader(file) : 0;
  const errors: string[] = [];
  let errorCount = 0;
  // Which days each account already has in the file: one bit per day from 2000-01-01 to tomorrow (about 1.2 KB an
  // account), so a million readings take no more memory than a thousand.
  const first = toEpochDay(FIRST_READING_DATE);
  const span = toEpochDay(lastReadingDate(today)) - first + 1;
  const daysOf = new Map<number, Uint8Array>();
  // A second reading's message names the line of the first: found by one more pass, only when there are any.
  const seconds: { at: number; key: string; text: (first: number) => string }[] = [];
  let readings = 0;
  let checked = 0;
  const { label, rows } = eachCsvRow(file, AUDIENCE_COLUMNS, ({ line, cells }) => {
    const r = check(cells);
    if (opts.onProgress && ++checked % PROGRESS_EVERY === 0) opts.onProgress(checked, Math.max(estimate, checked), 'check');
    if (!r.ok) {
      if (++errorCount <= MAX_REPORTED) errors.push(`${path.basename(file)}:${line}: ${r.field}: ${r.message}`);
      return;
    }
    let bits = daysOf.get(r.accountId);
    if (!bits) daysOf.set(r.accountId, (bits = new Uint8Array((span + 7) >> 3)));
    const i = r.day - first;
    if (bits[i >> 3] & (1 << (i & 7))) {
      if (++errorCount <= MAX_REPORTED) {
        seconds.push({ at: errors.length, key: `${r.accountId}:${r.day}`, text: (n) => `${path.basename(file)}:${line}: date: a second reading of ${cells.platform} ${cells.account} on ${cells.date} (first on line ${n})` });
        errors.push('');
      }
      return;
    }
    bits[i >> 3] |= 1 << (i & 7);
    readings++;
  });
  opts.onProgress?.(rows, rows, 'check');
  if (seconds.length) {
    const firstLine = new Map(seconds.map((d) => [d.key, 0]));
    eachCsvRow(file, AUDIENCE_COLUMNS, ({ line, cells }) => {
      const r = check(cells);
      const key = r.ok ? `${r.accountId}:${r.day}` : '';
      if (firstLine.get(key) === 0) firstLine.set(key, line);
    });
    for (const d of seconds) errors[d.at] = d.text(firstLine.get(d.key)!);
  }
  if (errorCount) {
    if (errorCount > MAX_REPORTED) errors.push(`… and ${errorCount - MAX_REPORTED} more bad lines`);
    throw new InputError(`${errorCount} bad line(s); nothing was imported:\n${errors.join('\n')}`, label);
  }
  return { file, lines: rows, readings, source: opts.source ?? 'import', today };
}

const AUDIENCE_COLUMNS = ['org', 'platform', 'account', 'date', 'audience'] as const;

/**
 * The write step of `import-audience`: streams the checked file again and writes every reading in one transaction
 * through the snapshot writer; the hook fires once. Each line is checked again: a file changed since its check
 * rolls the whole write back.
 */
export function writeAudiencePlan(db: Db, plan: AudiencePlan, opts: Pick<AudienceImportOptions, 'config' | 'onSnapshotsChanged' | 'onProgress'>): ReadingsImport {
  const writer = snapshotWriter(db, (changedFrom) => opts.onSnapshotsChanged(db, opts.config, changedFrom));
  const now = Date.now();
  const check = audienceLineChecker(db, plan.today);
  const label = path.basename(plan.file);
  let written = 0;
  writer.transaction(() => {
    const { rows } = eachCsvRow(plan.file, AUDIENCE_COLUMNS, ({ line, cells }) => {
      const r = check(cells);
      if (!r.ok) throw new InputError(`changed since it was checked (${r.message}); nothing was imported`, label, line, r.field);
      writer.put({ accountId: r.accountId, day: r.day, audience: r.audience, source: plan.source, at: now });
      if (opts.onProgress && ++written % PROGRESS_EVERY === 0) opts.onProgress(written, plan.readings, 'write');
    });
    if (rows !== plan.lines) throw new InputError(`changed since it was checked (${rows} lines, not ${plan.lines}); nothing was imported`, label);
  });
  opts.onProgress?.(plan.readings, plan.readings, 'write');
  writer.finish();
  return { lines: plan.lines, written: plan.readings, changedFrom: writer.changedFrom };
}
