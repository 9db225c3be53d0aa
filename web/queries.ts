// Queries the dashboard needs about individual accounts and collection runs (health, accounts table).
// Growth figures never come from here: they come from the growth engine's rollups.
import type BetterSqlite3 from 'better-sqlite3';
import type { Db } from '../db';
import type { Level, Platform } from '../src/config';
import { PLATFORMS } from '../src/config';
import { toEpochDay } from '../src/domain/dates';
import { isClosedOn, isStaleOn, STALE_AFTER_DAYS, staleSql } from '../src/domain/staleness';
import { loadTree } from '../src/growth/tree';

type Statement = BetterSqlite3.Statement<unknown[]>;
const statements = new WeakMap<Db, Map<string, Statement>>();
/** A statement prepared once per connection (preparing costs more than running most of these). */
function sql(db: Db, text: string): Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let s = m.get(text);
  if (!s) m.set(text, (s = db.prepare(text)));
  return s;
}

/** Failure kinds the pages have words for (collectors/http.ts FailureKind); anything else shows as `other`. */
const FAILURE_KINDS = new Set(['rate_limit', 'invalid_token', 'permission', 'not_found', 'transient', 'malformed', 'timeout', 'other']);


export interface RunRow {
  id: number;
  started_at: number;
  finished_at: number | null;
  status: 'running' | 'finished' | 'failed' | 'interrupted';
  trigger: string;
  platform: string | null;
  org_slug: string | null;
  accounts_total: number;
  accounts_ok: number;
  accounts_failed: number;
  requests: number;
  duration_ms: number | null;
  error: string | null;
}

export function lastRuns(db: Db, limit = 15): RunRow[] {
  return sql(
    db,
    `SELECT id, started_at, finished_at, status, trigger, platform, org_slug, accounts_total, accounts_ok, accounts_failed, requests, duration_ms, error
       FROM collection_runs ORDER BY started_at DESC, id DESC LIMIT ?`,
  ).all(limit) as RunRow[];
}

/** When the last collect run finished (ms), or null when none has. */
export function lastCollectAt(db: Db): number | null {
  const row = sql(db, `SELECT MAX(finished_at) AS at FROM collection_runs WHERE status = 'finished'`).get() as { at: number | null };
  return row.at;
}

export interface AccountState {
  id: number;
  org_id: number;
  org_slug: string;
  org_name_ru: string;
  org_name_kk: string | null;
  org_name_en: string | null;
  org_level: Level;
  platform: Platform;
  platform_id: string;
  title: string | null;
  closed_day: number | null;
  last_day: number | null;
  last_audience: number | null;
  last_collected_at: number | null;
  error_kind: string | null;
  error_message: string | null;
  error_at: number | null;
}

/** Latest reading and latest failure per account: index seeks per account, never a scan of the snapshots. */
const STATE_SQL = `
  SELECT a.id, a.org_id, o.slug AS org_slug, o.name_ru AS org_name_ru, o.name_kk AS org_name_kk, o.name_en AS org_name_en,
         o.level AS org_level, a.platform, a.platform_id, a.title, a.closed_day,
         ls.day AS last_day, ls.audience AS last_audience, ls.collected_at AS last_collected_at,
         f.kind AS error_kind, f.message AS error_message, f.at AS error_at
  FROM accounts a
  JOIN organisations o ON o.id = a.org_id
  LEFT JOIN snapshots ls ON ls.account_id = a.id AND ls.day = (SELECT MAX(day) FROM snapshots s WHERE s.account_id = a.id)
  LEFT JOIN collection_failures f ON f.account_id = a.id AND f.at = (SELECT MAX(at) FROM collection_failures g WHERE g.account_id = a.id)`;

export function accountStates(db: Db, orgIds?: number[]): AccountState[] {
  const where = orgIds ? ' WHERE a.org_id IN (SELECT value FROM json_each(?))' : '';
  const stmt = sql(db, `${STATE_SQL}${where} ORDER BY o.id, a.platform, a.id`);
  const rows = (orgIds ? stmt.all(JSON.stringify(orgIds)) : stmt.all()) as AccountState[];
  // Two failures at the same instant would duplicate an account; keep the first.
  const seen = new Set<number>();
  return rows
    .filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)))
    .map((r) => (r.error_kind !== null && !FAILURE_KINDS.has(r.error_kind) ? { ...r, error_kind: 'other' } : r));
}

/**
 * The accounts collection health lists (failing, stale), in the order of accountStates, with the same fields,
 * and how many accounts there are and are open: the same answer as filtering accountStates, for less. One pass
 * over the accounts reads each one's last snapshot by the snapshots' primary key (account_id, day): a seek per
 * account, as `GROUP BY account_id` with MAX(day) would read all 5 M index entries instead. Each account's last
 * failure time comes grouped from collection_failures' (account_id, at) index. Organisation names, titles and
 * failure texts are then read for just the listed accounts.
 */
export function healthAccounts(
  db: Db,
  today: string,
  inScope: (orgId: number) => boolean = () => true,
): { total: number; open: number; failing: AccountState[]; stale: AccountState[] } {
  // the latest reading as the rollups keep it (pages bring them up to date first): two seeks per account into
  // the snapshots cost 0.4 s at ten times the union; when it was collected matters only where a failure is
  // recorded, and is read there
  const rows = sql(
    db,
    `SELECT a.id, a.org_id, a.platform, a.closed_day, r.last_day, r.last_audience
       FROM accounts a LEFT JOIN rollup_accounts r ON r.account_id = a.id`,
  )
    .raw()
    .all() as [number, number, Platform, number | null, number | null, number | null][];
  const lastFailure = new Map(sql(db, 'SELECT account_id, MAX(at) FROM collection_failures GROUP BY account_id').raw().all() as [number, number][]);
  const collectedAt = sql(db, 'SELECT collected_at FROM snapshots WHERE account_id = ? AND day = ?').pluck();
  type Light = { id: number; org_id: number; platform: Platform; closed_day: number | null; last_day: number | null; last_audience: number | null; last_collected_at: number | null; error_at: number | null; failing: boolean; stale: boolean };
  let open = 0;
  let total = 0;
  const listed: Light[] = [];
  for (const [id, org_id, platform, closed_day, last_day, last_audience] of rows) {
    if (!inScope(org_id)) continue;
    total++;
    const error_at = lastFailure.get(id) ?? null;
    const last_collected_at = error_at === null || last_day === null ? null : ((collectedAt.get(id, last_day) as number | undefined) ?? null);
    const a = { id, org_id, platform, closed_day, last_day, last_audience, last_collected_at, error_at, failing: false, stale: false };
    if (isClosed(a, today)) continue;
    open++;
    a.failing = isFailing(a, today);
    a.stale = isStale(a, today);
    if (a.failing || a.stale) listed.push(a);
  }
  // accountStates' order: organisation, platform, account
  listed.sort((x, y) => x.org_id - y.org_id || (x.platform < y.platform ? -1 : x.platform > y.platform ? 1 : 0) || x.id - y.id);
  const details = new Map(
    (
      sql(
        db,
        `SELECT a.id, o.slug AS org_slug, o.name_ru AS org_name_ru, o.name_kk AS org_name_kk, o.name_en AS org_name_en, o.level AS org_level, a.platform_id, a.title
           FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE a.id IN (SELECT value FROM json_each(?))`,
      ).all(JSON.stringify(listed.map((a) => a.id))) as Pick<AccountState, 'id' | 'org_slug' | 'org_name_ru' | 'org_name_kk' | 'org_name_en' | 'org_level' | 'platform_id' | 'title'>[]
    ).map((d) => [d.id, d]),
  );
  // Two failures at the same instant: the first one (index order), as accountStates keeps.
  const failure = sql(db, 'SELECT kind, message FROM collection_failures WHERE account_id = ? AND at = ? ORDER BY rowid LIMIT 1');
  const failing: AccountState[] = [];
  const stale: AccountState[] = [];
  for (const a of listed) {
    const d = details.get(a.id)!;
    const f = a.error_at === null ? undefined : (failure.get(a.id, a.error_at) as { kind: string; message: string } | undefined);
    const kind = f ? (FAILURE_KINDS.has(f.kind) ? f.kind : 'other') : null;
    const state: AccountState = {
      id: a.id,
      org_id: a.org_id,
      org_slug: d.org_slug,
      org_name_ru: d.org_name_ru,
      org_name_kk: d.org_name_kk,
      org_name_en: d.org_name_en,
      org_level: d.org_level,
      platform: a.platform,
      platform_id: d.platform_id,
      title: d.title,
      closed_day: a.closed_day,
      last_day: a.last_day,
      last_audience: a.last_audience,
      // (when it was collected: read for the listed ones only)
      last_collected_at: a.error_at === null && a.last_day !== null ? ((collectedAt.get(a.id, a.last_day) as number | undefined) ?? null) : a.last_collected_at,
      error_kind: kind,
      error_message: f ? f.message : null,
      error_at: a.error_at,
    };
    if (a.failing) failing.push(state);
    if (a.stale) stale.push(state);
  }
  return { total, open, failing, stale };
}

/** Days over which the health page judges whether a channel grows (DESIGN: "not growing" = no growth in 30 days). */
export const TREND_DAYS = 30;

export interface AccountTrend extends AccountState {
  /** The reading TREND_DAYS (or a little more) before the latest one. */
  start_day: number;
  start_audience: number;
  /** last_audience − start_audience */
  change: number;
  /** Not growing: the first day of the unchanged audience (the day after it last differed), or null when it never did. */
  flat_since: number | null;
}

/**
 * Channels that read fine but do not grow: "falling" (fewer followers than TREND_DAYS before the latest
 * reading) and "not growing" (exactly as many). Only open social channels whose latest reading is fresh (a stale
 * one is already listed as stale) and that have a reading TREND_DAYS back are judged: a gap is no verdict.
 * Newspapers are left out (half-yearly figures). One seek per account on the snapshots' primary key.
 */
export function accountTrends(db: Db, today: string, inScope: (orgId: number) => boolean = () => true): { falling: AccountTrend[]; notGrowing: AccountTrend[] } {
  const day = toEpochDay(today);
  const rows = sql(
    db,
    // the latest reading as the rollups keep it (pages bring them up to date first); the reading TREND_DAYS
    // back in one seek, its day and audience packed in one number (day × 2^32 + audience)
    `SELECT a.id, a.org_id, a.platform, r.last_day, r.last_audience,
            (SELECT s.day * 4294967296 + s.audience FROM snapshots s WHERE s.account_id = a.id AND s.day <= r.last_day - @span ORDER BY s.day DESC LIMIT 1) AS start
       FROM accounts a
       JOIN rollup_accounts r ON r.account_id = a.id
      WHERE a.platform <> 'newspaper' AND (a.closed_day IS NULL OR a.closed_day > @day) AND r.last_day >= @day - @stale`,
  )
    .raw()
    .all({ day, span: TREND_DAYS, stale: STALE_AFTER_DAYS.telegram }) as [number, number, Platform, number, number, number | null][];
  // walked back from the latest reading on the primary key: stops at the first differing one (a flat account
  // costs its flat days, not its whole history)
  const lastDiffering = sql(db, 'SELECT day FROM snapshots WHERE account_id = ? AND audience <> ? ORDER BY day DESC LIMIT 1').pluck();
  const judged = new Map<number, { start_day: number; start_audience: number; change: number; flat_since: number | null }>();
  for (const [id, orgId, , , lastAudience, packed] of rows) {
    if (packed === null || !inScope(orgId)) continue;
    const startDay = Math.floor(packed / 4294967296);
    const start = packed - startDay * 4294967296;
    const change = lastAudience - start;
    if (change > 0) continue;
    const before = change === 0 ? (lastDiffering.get(id, lastAudience) as number | null) : null;
    judged.set(id, { start_day: startDay, start_audience: start, change, flat_since: change === 0 ? (before === null ? null : before + 1) : null });
  }
  const states = accountStatesById(db, [...judged.keys()]);
  const falling: AccountTrend[] = [];
  const notGrowing: AccountTrend[] = [];
  for (const a of states) {
    const t = { ...a, ...judged.get(a.id)! };
    (t.change < 0 ? falling : notGrowing).push(t);
  }
  falling.sort((x, y) => x.change / Math.max(1, x.start_audience) - y.change / Math.max(1, y.start_audience));
  notGrowing.sort((x, y) => (x.flat_since ?? -1e9) - (y.flat_since ?? -1e9));
  return { falling, notGrowing };
}

/** accountStates of just these accounts (a channel page, a short list). */
export function accountStatesById(db: Db, ids: number[]): AccountState[] {
  if (!ids.length) return [];
  const rows = sql(db, `${STATE_SQL} WHERE a.id IN (SELECT value FROM json_each(?)) ORDER BY o.id, a.platform, a.id`).all(JSON.stringify(ids)) as AccountState[];
  const seen = new Set<number>();
  return rows
    .filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)))
    .map((r) => (r.error_kind !== null && !FAILURE_KINDS.has(r.error_kind) ? { ...r, error_kind: 'other' } : r));
}

export function isClosed(a: Pick<AccountState, 'closed_day'>, today: string): boolean {
  return isClosedOn(a.closed_day, toEpochDay(today));
}

/** The staleness rule of src/domain/staleness.ts on a local date. */
export function isStale(a: Pick<AccountState, 'platform' | 'last_day' | 'closed_day'>, today: string): boolean {
  return isStaleOn(a, toEpochDay(today));
}

/** Failing: the latest failure is newer than the latest reading was collected. */
export function isFailing(a: Pick<AccountState, 'error_at' | 'last_collected_at' | 'closed_day'>, today: string): boolean {
  if (isClosed(a, today)) return false;
  return a.error_at !== null && (a.last_collected_at === null || a.error_at > a.last_collected_at);
}

/** An account's own audience on a day (latest reading ≤ day), for its row in the accounts table. */
export function accountAudienceOn(db: Db, accountId: number, day: string): number | null {
  const row = sql(db, 'SELECT audience FROM snapshots WHERE account_id = ? AND day <= ? ORDER BY day DESC LIMIT 1').get(accountId, toEpochDay(day)) as
    | { audience: number }
    | undefined;
  return row ? row.audience : null;
}

export interface CoverageGap {
  org_id: number;
  slug: string;
  level: Level;
  name_ru: string;
  name_kk: string | null;
  name_en: string | null;
  missing: Platform[];
}

/** Organisations with no open account on a collected platform (newspapers are national, so not counted). */
export function coverageGaps(
  db: Db,
  today: string,
  inScope: (orgId: number) => boolean = () => true,
  /** the levels whose orgs are listed (default every level); the counts cover every level */
  listed: (level: Level) => boolean = () => true,
): { gaps: CoverageGap[]; counts: Record<Level, Record<Platform, number>>; orgsByLevel: Record<Level, number> } {
  const day = toEpochDay(today);
  // the cached tree, by id (no 50,000 rows with their names read again at ten times the union)
  const orgs = [...loadTree(db).byId.values()].sort((a, b) => a.id - b.id);
  const collected = PLATFORMS.filter((p) => p !== 'newspaper');
  // which collected platforms each org has an open account on, as bits (numbers, not 15,000 string keys)
  const bit = new Map(collected.map((p, i) => [p as string, 1 << i]));
  const have = new Map<number, number>();
  for (const [orgId, platform] of sql(db, 'SELECT DISTINCT org_id, platform FROM accounts WHERE closed_day IS NULL OR closed_day > ?').raw().all(day) as [number, Platform][]) {
    have.set(orgId, (have.get(orgId) ?? 0) | (bit.get(platform) ?? 0));
  }
  const counts = {} as Record<Level, Record<Platform, number>>;
  const orgsByLevel = {} as Record<Level, number>;
  const gaps: CoverageGap[] = [];
  for (const { id, slug, level: orgLevel, name_ru, name_kk, name_en } of orgs) {
    const level = orgLevel as Level;
    if (!inScope(id)) continue;
    const c = (counts[level] ??= { facebook: 0, instagram: 0, telegram: 0, newspaper: 0 });
    orgsByLevel[level] = (orgsByLevel[level] ?? 0) + 1;
    const bits = have.get(id) ?? 0;
    const missing: Platform[] = [];
    for (let i = 0; i < collected.length; i++) {
      if (bits & (1 << i)) continue;
      missing.push(collected[i]);
      c[collected[i]]++;
    }
    if (missing.length && listed(level)) gaps.push({ org_id: id, slug, level, name_ru, name_kk, name_en, missing });
  }
  return { gaps, counts, orgsByLevel };
}

/** isStale's rule in SQL, over `accounts a LEFT JOIN rollup_accounts r` and the epoch day as @day. */
const STALE_SQL = staleSql('r.last_day', '@day');

/**
 * Stale and failing accounts of many orgs at once (an org page's headline for a whole subtree): staleness from
 * the growth engine's per-account last reading, counted per org in SQL (one small row per org that has stale
 * accounts, not one per account), failures from the (small) failures table.
 */
export function subtreeProblems(db: Db, orgIds: Iterable<number> | ((orgId: number) => boolean), today: string): { stale: number; failing: number } {
  const day = toEpochDay(today);
  let inScope: (orgId: number) => boolean;
  if (typeof orgIds === 'function') inScope = orgIds;
  else {
    const set = orgIds instanceof Set ? (orgIds as Set<number>) : new Set(orgIds);
    inScope = (id) => set.has(id);
  }
  const staleByOrg = sql(db, `SELECT a.org_id, count(*) FROM accounts a LEFT JOIN rollup_accounts r ON r.account_id = a.id WHERE ${STALE_SQL} GROUP BY a.org_id`)
    .raw()
    .all({ day }) as [number, number][];
  let stale = 0;
  for (const [orgId, n] of staleByOrg) if (inScope(orgId)) stale += n;
  const failures = sql(db, 'SELECT f.account_id, MAX(f.at) AS at, a.org_id, a.closed_day FROM collection_failures f JOIN accounts a ON a.id = f.account_id GROUP BY f.account_id').all() as {
    account_id: number;
    at: number;
    org_id: number;
    closed_day: number | null;
  }[];
  const lastCollected = sql(db, 'SELECT collected_at FROM snapshots WHERE account_id = ? ORDER BY day DESC LIMIT 1').pluck();
  let failing = 0;
  for (const f of failures) {
    if (!inScope(f.org_id) || (f.closed_day !== null && f.closed_day <= day)) continue;
    const at = lastCollected.get(f.account_id) as number | undefined;
    if (at === undefined || f.at > at) failing++;
  }
  return { stale, failing };
}
