// Daily post figures per org × platform group (DESIGN §11), kept up to date incrementally: the one owner of
// post_series / post_account_series / post_accounts. Pages, exports, the API and the bot read figures through
// the readers below, never by scanning raw posts.
//
// How an update stays exact (as the audience rollups in src/jobs/compute.ts): triggers record, per account,
// the day range whose figures may have changed (post_dirty). Each account's own figures are stored as last
// computed; for a dirty account we subtract its old figures of the range's chunks from every org × group it
// counted in (its old chain) and add the newly computed ones to every org × group it counts in now.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { groupsOfPlatform, GROUP_CODE, type Platform, type PlatformGroup } from '../domain/growth';
import { chunkOf, chunkStart, CHUNK_DAYS } from '../domain/rollup';
import { CHUNK_VALUES, decodeFigures, encodeFigures, FIELDS, FIGURE_FIELDS, type FigureField } from './codec';
import { orgChains, postStatesStale, updatePostStates } from './states';

const FAR_PAST = -1_000_000_000;
const FAR_FUTURE = 1_000_000_000;

export interface PostFiguresSummary {
  mode: 'full' | 'incremental';
  accounts: number;
  chunks: number;
  ms: number;
  /** of which the accounts' states (src/posts/states.ts) */
  statesMs: number;
}

/** True when posts, snapshots or accounts changed since the figures were last computed. */
export function postFiguresStale(db: Db): boolean {
  return (
    db.prepare('SELECT 1 FROM post_dirty LIMIT 1').get() !== undefined ||
    db.prepare("SELECT 1 FROM rollup_state WHERE key = 'posts_tree_changed' AND value = 1").get() !== undefined ||
    postStatesStale(db)
  );
}

/** Brings the figures up to date when something changed; cheap when nothing did. */
export function ensurePostFigures(db: Db): PostFiguresSummary | null {
  return postFiguresStale(db) ? updatePostFigures(db) : null;
}

type ChunkMap = Map<number, Float64Array>;

/**
 * From how many orgs touched in one (group, chunk) its stored rows are read in one range scan, and from how many
 * dirty accounts their posts and stored figures are read in one scan of the recent days (tests set 1).
 */
export const POST_FIGURES_TUNING = { scanFrom: 64, bulkFrom: 64 };

/**
 * Updates the figures for what changed (or rebuilds them all with `full`), in one transaction. Safe to call
 * inside a caller's transaction (it then becomes a savepoint of it).
 */
export function updatePostFigures(db: Db, opts: { full?: boolean } = {}): PostFiguresSummary {
  const t0 = performance.now();
  const summary = writeTx(db, () => updateInTransaction(db, opts.full ?? false));
  summary.ms = performance.now() - t0;
  return summary;
}

function updateInTransaction(db: Db, full: boolean): PostFiguresSummary {
  const { chainOf } = orgChains(db);
  const dirty = new Map<number, [number, number]>();
  if (full) {
    db.exec('DELETE FROM post_series; DELETE FROM post_account_series; DELETE FROM post_accounts;');
    for (const { account_id } of db.prepare('SELECT DISTINCT account_id FROM posts').all() as { account_id: number }[]) dirty.set(account_id, [FAR_PAST, FAR_FUTURE]);
  } else {
    for (const r of db.prepare('SELECT account_id, from_day, to_day FROM post_dirty').all() as { account_id: number; from_day: number; to_day: number }[]) {
      dirty.set(r.account_id, [r.from_day, r.to_day]);
    }
    const treeChanged = (db.prepare("SELECT value FROM rollup_state WHERE key = 'posts_tree_changed'").get() as { value: number } | undefined)?.value === 1;
    if (treeChanged) {
      for (const r of db.prepare('SELECT account_id, org_id, chain FROM post_accounts').all() as { account_id: number; org_id: number; chain: string }[]) {
        if (chainOf(r.org_id).join(',') !== r.chain) dirty.set(r.account_id, [FAR_PAST, FAR_FUTURE]);
      }
    }
  }
  db.exec("DELETE FROM post_dirty; UPDATE rollup_state SET value = 0 WHERE key = 'posts_tree_changed';");

  const q = {
    account: db.prepare('SELECT org_id, platform, closed_day FROM accounts WHERE id = ?'),
    before: db.prepare('SELECT org_id, chain, platform, last_post_day FROM post_accounts WHERE account_id = ?'),
    oldChunks: db.prepare('SELECT chunk, data FROM post_account_series INDEXED BY post_account_series_account WHERE account_id = ? AND chunk BETWEEN ? AND ?').raw(),
    delChunks: db.prepare('DELETE FROM post_account_series INDEXED BY post_account_series_account WHERE account_id = ? AND chunk BETWEEN ? AND ?'),
    putChunk: db.prepare('INSERT OR REPLACE INTO post_account_series (chunk, account_id, data) VALUES (?, ?, ?)'),
    // a row known to exist is updated in place (a replace seeks it, deletes it and inserts anew)
    setChunk: db.prepare('UPDATE post_account_series SET data = ? WHERE chunk = ? AND account_id = ?'),
    delChunk: db.prepare('DELETE FROM post_account_series WHERE chunk = ? AND account_id = ?'),
    posts: db
      .prepare(
        `SELECT day, coalesce(reactions, 0) + coalesce(comments, 0) + coalesce(shares, 0), views FROM posts INDEXED BY posts_account_day
         WHERE account_id = ? AND day BETWEEN ? AND ? AND day < ? AND deleted_at IS NULL ORDER BY day`,
      )
      .raw(),
    // the snapshots of [first, last] and the one in force on `first`: one statement, the same pages
    snaps: db
      .prepare(
        `SELECT day, audience FROM snapshots WHERE account_id = ? AND day <= ?
           AND day >= coalesce((SELECT max(day) FROM snapshots WHERE account_id = ? AND day <= ?), ?) ORDER BY day`,
      )
      .raw(),
    lastDay: db.prepare('SELECT max(day) FROM posts INDEXED BY posts_account_day WHERE account_id = ? AND day < ? AND deleted_at IS NULL').pluck(),
    putAccount: db.prepare('INSERT OR REPLACE INTO post_accounts (account_id, org_id, chain, platform, last_post_day) VALUES (?, ?, ?, ?, ?)'),
    delAccount: db.prepare('DELETE FROM post_accounts WHERE account_id = ?'),
    seriesGet: db.prepare('SELECT data FROM post_series WHERE grp = ? AND chunk = ? AND org_id = ?').pluck(),
    seriesScan: db.prepare('SELECT org_id, data FROM post_series WHERE grp = ? AND chunk = ?'),
    seriesPut: db.prepare('INSERT OR REPLACE INTO post_series (grp, chunk, org_id, data) VALUES (?, ?, ?, ?)'),
    seriesSet: db.prepare('UPDATE post_series SET data = ? WHERE grp = ? AND chunk = ? AND org_id = ?'),
    seriesDel: db.prepare('DELETE FROM post_series WHERE grp = ? AND chunk = ? AND org_id = ?'),
  };

  // (org × 8 + grp) → chunk → change of its figures
  const deltas = new Map<number, ChunkMap>();
  /** `spans`: per chunk, the values [lo, hi) outside which its values are zero (a daily run changes a few days) */
  const addTo = (chain: readonly number[], platform: Platform, chunks: ChunkMap, sign: 1 | -1, spans?: Map<number, [number, number]>) => {
    for (const g of groupsOfPlatform(platform)) {
      for (const orgId of chain) {
        const key = orgId * 8 + GROUP_CODE[g];
        let m = deltas.get(key);
        if (!m) deltas.set(key, (m = new Map()));
        for (const [chunk, values] of chunks) {
          let d = m.get(chunk);
          if (!d) m.set(chunk, (d = new Float64Array(CHUNK_VALUES)));
          const [lo, hi] = spans?.get(chunk) ?? [0, CHUNK_VALUES];
          for (let i = lo; i < hi; i++) d[i] += sign * values[i];
        }
      }
    }
  };

  // Per account, the days [from, to] are recomputed from its posts; the other days of the chunks they touch keep
  // their stored figures (a daily collect refreshes a week of counters: reading the whole 32-day chunks' posts
  // cost 4 to 8 times as many rows). What changed is added to its chain as a difference. An account that moved,
  // changed platform or is new is recomputed whole: subtracted where it counted, added where it counts now.
  const putChunks: [number, number, Buffer | null, boolean][] = []; // chunk, account, data (null: none), stored
  const src = sources(db, dirty, q);
  for (const [accountId, [from0, to0]] of dirty) {
    const acc = src.account(accountId);
    const old = src.before(accountId);
    const chain = acc ? chainOf(acc.org_id) : [];
    let [from, to] = [from0, to0];
    const whole = !old || !acc || old.chain !== chain.join(',') || old.platform !== acc.platform;
    if (whole) [from, to] = [FAR_PAST, FAR_FUTURE];
    const c0 = chunkOf(from);
    const c1 = chunkOf(to);

    const oldChunks: ChunkMap = new Map();
    if (old) for (const [chunk, data] of src.oldChunks(accountId, c0, c1)) oldChunks.set(chunk, decodeFigures(data));
    if (!acc || (acc.platform as string) === 'newspaper') {
      if (old && oldChunks.size) addTo(old.chain.split(',').map(Number), old.platform, oldChunks, -1);
      q.delChunks.run(accountId, c0, c1);
      q.delAccount.run(accountId);
      continue;
    }
    // the chunks as they are now: stored days outside [from, to], recomputed days inside
    const newChunks: ChunkMap = new Map();
    for (const [chunk, values] of oldChunks) {
      const v = Float64Array.from(values);
      const start = chunkStart(chunk);
      v.fill(0, Math.max(0, from - start) * FIELDS, (Math.min(CHUNK_DAYS - 1, to - start) + 1) * FIELDS);
      newChunks.set(chunk, v);
    }
    let lastInRange: number | null = null;
    const rows = src.posts(accountId, from, to, acc.closed_day ?? FAR_FUTURE);
    if (rows.length) {
      lastInRange = rows[rows.length - 1][0];
      // audience_at: the latest snapshot on or before each post's day, walking the snapshots alongside the posts
      let audience: number | undefined;
      const snaps = q.snaps.all(accountId, rows[rows.length - 1][0], accountId, rows[0][0], rows[0][0]) as [number, number][];
      let si = 0;
      for (const [day, interactions, views] of rows) {
        while (si < snaps.length && snaps[si][0] <= day) audience = snaps[si++][1];
        const chunk = chunkOf(day);
        let v = newChunks.get(chunk);
        if (!v) newChunks.set(chunk, (v = new Float64Array(CHUNK_VALUES)));
        const b = (day - chunkStart(chunk)) * FIELDS;
        v[b] += 1;
        v[b + 1] += interactions;
        if (views !== null) v[b + 2] += views;
        if (audience !== undefined && audience > 0) {
          v[b + 3] += interactions;
          v[b + 4] += audience;
          if (views !== null) {
            v[b + 5] += views;
            v[b + 6] += audience;
          }
        }
      }
    }
    if (whole) {
      if (old && oldChunks.size) addTo(old.chain.split(',').map(Number), old.platform, oldChunks, -1);
      if (newChunks.size) addTo(chain, acc.platform, newChunks, 1);
      if (!old) q.delChunks.run(accountId, c0, c1); // (none are stored without a post_accounts row)
      for (const chunk of oldChunks.keys()) if (!newChunks.has(chunk)) putChunks.push([chunk, accountId, null, true]);
      for (const [chunk, values] of newChunks) putChunks.push([chunk, accountId, encodeFigures(values), oldChunks.has(chunk)]);
    } else {
      const changes: ChunkMap = new Map();
      const spans = new Map<number, [number, number]>();
      for (const [chunk, values] of newChunks) {
        const before = oldChunks.get(chunk);
        const delta = new Float64Array(CHUNK_VALUES);
        let lo = CHUNK_VALUES;
        let hi = 0;
        for (let i = 0; i < CHUNK_VALUES; i++) {
          delta[i] = values[i] - (before ? before[i] : 0);
          if (delta[i] !== 0) {
            if (i < lo) lo = i;
            hi = i + 1;
          }
        }
        if (before !== undefined && hi === 0) continue;
        changes.set(chunk, delta);
        spans.set(chunk, [Math.min(lo, hi), hi]);
        putChunks.push([chunk, accountId, encodeFigures(values), before !== undefined]);
      }
      if (changes.size) addTo(chain, acc.platform, changes, 1, spans);
    }
    // The latest counted post: days outside [from, to] kept theirs, so only when the stored one fell inside the
    // range and the range now has none is it looked up again (in the posts, as the full rebuild does).
    let lastDay: number | null;
    if (whole) lastDay = lastInRange;
    else if (old!.last_post_day === null || old!.last_post_day < from || old!.last_post_day > to) lastDay = lastInRange === null ? old!.last_post_day : Math.max(lastInRange, old!.last_post_day ?? lastInRange);
    else lastDay = lastInRange ?? (q.lastDay.get(accountId, acc.closed_day ?? FAR_FUTURE) as number | null);
    // (unchanged for most accounts of a daily run but those that posted: not rewritten)
    if (whole || old!.org_id !== acc.org_id || old!.last_post_day !== lastDay) q.putAccount.run(accountId, acc.org_id, chain.join(','), acc.platform, lastDay);
  }
  // the accounts' own figures, in the table's key order
  putChunks.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [chunk, accountId, data, stored] of putChunks) {
    if (data && stored) q.setChunk.run(data, chunk, accountId);
    else if (data) q.putChunk.run(chunk, accountId, data);
    else q.delChunk.run(chunk, accountId);
  }

  // apply the changes, in the table's key order
  const writes: { grp: number; chunk: number; orgId: number; delta: Float64Array }[] = [];
  for (const [key, chunks] of deltas) {
    for (const [chunk, delta] of chunks) writes.push({ grp: key % 8, chunk, orgId: Math.floor(key / 8), delta });
  }
  writes.sort((a, b) => a.grp - b.grp || a.chunk - b.chunk || a.orgId - b.orgId);
  // A (grp, chunk) touched for many orgs (a day's collect touches every org) is read in one range scan of the
  // table's key, not one lookup per org.
  const perChunk = new Map<number, number>();
  for (const w of writes) perChunk.set(w.grp * 2 ** 32 + w.chunk, (perChunk.get(w.grp * 2 ** 32 + w.chunk) ?? 0) + 1);
  let scanned: { key: number; rows: Map<number, Buffer> } | undefined;
  const storedOf = (w: (typeof writes)[number]): Buffer | undefined => {
    const key = w.grp * 2 ** 32 + w.chunk;
    if ((perChunk.get(key) ?? 0) < POST_FIGURES_TUNING.scanFrom) return q.seriesGet.get(w.grp, w.chunk, w.orgId) as Buffer | undefined;
    if (scanned?.key !== key) scanned = { key, rows: new Map((q.seriesScan.raw().all(w.grp, w.chunk) as [number, Buffer][]).map(([o, d]) => [o, d])) };
    return scanned.rows.get(w.orgId);
  };
  let written = 0;
  for (const w of writes) {
    if (w.delta.every((x) => x === 0)) continue;
    const stored = storedOf(w);
    const cur = stored ? decodeFigures(stored) : new Float64Array(CHUNK_VALUES);
    for (let i = 0; i < CHUNK_VALUES; i++) cur[i] += w.delta[i];
    const data = encodeFigures(cur);
    if (data && stored) q.seriesSet.run(data, w.grp, w.chunk, w.orgId);
    else if (data) q.seriesPut.run(w.grp, w.chunk, w.orgId, data);
    else if (stored) q.seriesDel.run(w.grp, w.chunk, w.orgId);
    written++;
  }
  // the accounts' states (tracked, silent, active orgs) read the counted post days just written
  const ts = performance.now();
  updatePostStates(db, new Map([...dirty].map(([a, [from]]) => [a, from])), { full });
  return { mode: full ? 'full' : 'incremental', accounts: dirty.size, chunks: written, ms: 0, statesMs: performance.now() - ts };
}

type AccountRow = { org_id: number; platform: Platform; closed_day: number | null };
type Before = { org_id: number; chain: string; platform: Platform; last_post_day: number | null };
type PostRow = [number, number, number | null]; // day, interactions, views
type Stmt = { get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
interface Statements {
  account: Stmt;
  before: Stmt;
  oldChunks: Stmt;
  posts: Stmt;
}

/**
 * What an account's figures are computed from: the account, where it counted, its stored chunks, its counted
 * posts of a day range. A daily collect makes every account dirty from the last week or so: then the accounts
 * and where they counted are read in one scan each, and the recent days' posts and chunks in one range scan
 * each (in the posts' day order, which is about the order they were written in) instead of a seek per account
 * and day. Accounts dirty from further back than most read their own.
 */
function sources(db: Db, dirty: ReadonlyMap<number, readonly [number, number]>, q: Statements) {
  const perAccount = {
    account: (id: number) => q.account.get(id) as AccountRow | undefined,
    before: (id: number) => q.before.get(id) as Before | undefined,
    oldChunks: (id: number, c0: number, c1: number) => q.oldChunks.all(id, c0, c1) as [number, Buffer][],
    posts: (id: number, from: number, to: number, closed: number) => q.posts.all(id, from, to, closed) as PostRow[],
  };
  if (dirty.size < POST_FIGURES_TUNING.bulkFrom) return perAccount;
  const accounts = new Map((db.prepare('SELECT id, org_id, platform, closed_day FROM accounts').all() as (AccountRow & { id: number })[]).map((a) => [a.id, a]));
  const before = new Map((db.prepare('SELECT account_id, org_id, chain, platform, last_post_day FROM post_accounts').all() as (Before & { account_id: number })[]).map((b) => [b.account_id, b]));
  const result = { ...perAccount, account: (id: number) => accounts.get(id), before: (id: number) => before.get(id) };
  // the scans start at the median account's first dirty day, at most two chunks earlier for the others
  const froms = [...dirty.values()].map(([f]) => f).filter((f) => f > FAR_PAST).sort((a, b) => a - b);
  if (froms.length < POST_FIGURES_TUNING.bulkFrom) return result;
  const start = froms.find((f) => f >= froms[froms.length >> 1] - 2 * CHUNK_DAYS)!;
  const chunks = new Map<number, [number, Buffer][]>();
  for (const [chunk, a, data] of db.prepare('SELECT chunk, account_id, data FROM post_account_series WHERE chunk >= ?').raw().iterate(chunkOf(start)) as IterableIterator<[number, number, Buffer]>) {
    const list = chunks.get(a);
    if (list) list.push([chunk, data]);
    else chunks.set(a, [[chunk, data]]);
  }
  const posts = new Map<number, PostRow[]>();
  const recent = db.prepare(
    `SELECT account_id, day, coalesce(reactions, 0) + coalesce(comments, 0) + coalesce(shares, 0), views FROM posts INDEXED BY posts_day
     WHERE day >= ? AND deleted_at IS NULL`,
  );
  for (const [a, day, interactions, views] of recent.raw().iterate(start) as IterableIterator<[number, number, number, number | null]>) {
    const row: PostRow = [day, interactions, views];
    const list = posts.get(a);
    if (list) list.push(row);
    else posts.set(a, [row]);
  }
  return {
    ...result,
    oldChunks: (id: number, c0: number, c1: number) => (c0 >= chunkOf(start) ? (chunks.get(id) ?? []).filter(([c]) => c >= c0 && c <= c1) : perAccount.oldChunks(id, c0, c1)),
    posts: (id: number, from: number, to: number, closed: number) => (from >= start ? (posts.get(id) ?? []).filter(([d]) => d >= from && d <= to && d < closed) : perAccount.posts(id, from, to, closed)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Readers

/** Figures of one day, or summed over a period. */
export type PostFigures = Record<FigureField, number>;

export const ZERO_FIGURES: Readonly<PostFigures> = Object.freeze(Object.fromEntries(FIGURE_FIELDS.map((f) => [f, 0])) as PostFigures);

function sumInto(acc: PostFigures, values: Float64Array, fromIdx: number, toIdx: number): void {
  for (let d = fromIdx; d <= toIdx; d++) {
    const b = d * FIELDS;
    if (values[b] === 0) continue;
    for (let f = 0; f < FIELDS; f++) acc[FIGURE_FIELDS[f]] += values[b + f];
  }
}

function sumChunks(rows: { chunk: number; data: Buffer }[], from: number, to: number): PostFigures {
  const acc = { ...ZERO_FIGURES };
  const values = new Float64Array(CHUNK_VALUES);
  for (const r of rows) {
    decodeFigures(r.data, values);
    const start = chunkStart(r.chunk);
    sumInto(acc, values, Math.max(0, from - start), Math.min(CHUNK_DAYS - 1, to - start));
  }
  return acc;
}

/** Sums of an org's subtree on one platform group over [from, to] (local epoch days). */
export function orgPostFigures(db: Db, orgId: number, group: PlatformGroup, from: number, to: number): PostFigures {
  const rows = db
    .prepare('SELECT chunk, data FROM post_series INDEXED BY post_series_org WHERE org_id = ? AND grp = ? AND chunk BETWEEN ? AND ?')
    .all(orgId, GROUP_CODE[group], chunkOf(from), chunkOf(to)) as { chunk: number; data: Buffer }[];
  return sumChunks(rows, from, to);
}

/** The same sums for every org at once (one range scan): org id → sums; orgs without posts are absent. */
export function allOrgsPostFigures(db: Db, group: PlatformGroup, from: number, to: number): Map<number, PostFigures> {
  const out = new Map<number, PostFigures>();
  const values = new Float64Array(CHUNK_VALUES);
  const rows = db.prepare('SELECT chunk, org_id, data FROM post_series WHERE grp = ? AND chunk BETWEEN ? AND ?').all(GROUP_CODE[group], chunkOf(from), chunkOf(to)) as {
    chunk: number;
    org_id: number;
    data: Buffer;
  }[];
  for (const r of rows) {
    let acc = out.get(r.org_id);
    if (!acc) out.set(r.org_id, (acc = { ...ZERO_FIGURES }));
    decodeFigures(r.data, values);
    const start = chunkStart(r.chunk);
    sumInto(acc, values, Math.max(0, from - start), Math.min(CHUNK_DAYS - 1, to - start));
  }
  return out;
}

/** An org's daily figures over [from, to]: element i is day from + i. */
export function orgPostDaily(db: Db, orgId: number, group: PlatformGroup, from: number, to: number): PostFigures[] {
  const rows = db
    .prepare('SELECT chunk, data FROM post_series INDEXED BY post_series_org WHERE org_id = ? AND grp = ? AND chunk BETWEEN ? AND ?')
    .all(orgId, GROUP_CODE[group], chunkOf(from), chunkOf(to)) as { chunk: number; data: Buffer }[];
  return dailyFrom(rows, from, to);
}

function dailyFrom(rows: { chunk: number; data: Buffer }[], from: number, to: number): PostFigures[] {
  const out: PostFigures[] = Array.from({ length: to - from + 1 }, () => ({ ...ZERO_FIGURES }));
  const values = new Float64Array(CHUNK_VALUES);
  for (const r of rows) {
    decodeFigures(r.data, values);
    const start = chunkStart(r.chunk);
    for (let d = Math.max(from, start); d <= Math.min(to, start + CHUNK_DAYS - 1); d++) {
      const b = (d - start) * FIELDS;
      if (values[b] === 0) continue;
      const day = out[d - from];
      for (let f = 0; f < FIELDS; f++) day[FIGURE_FIELDS[f]] += values[b + f];
    }
  }
  return out;
}

/** One account's own figures summed over [from, to]. */
export function accountPostFigures(db: Db, accountId: number, from: number, to: number): PostFigures {
  const rows = db
    .prepare('SELECT chunk, data FROM post_account_series INDEXED BY post_account_series_account WHERE account_id = ? AND chunk BETWEEN ? AND ?')
    .all(accountId, chunkOf(from), chunkOf(to)) as { chunk: number; data: Buffer }[];
  return sumChunks(rows, from, to);
}

/** The date of the account's latest counted post dated ≤ day (null when none): days_since_last_post = day − it. */
export function lastPostDay(db: Db, accountId: number, day: number): number | null {
  const rows = db
    .prepare('SELECT chunk, data FROM post_account_series INDEXED BY post_account_series_account WHERE account_id = ? AND chunk <= ? ORDER BY chunk DESC')
    .iterate(accountId, chunkOf(day)) as IterableIterator<{ chunk: number; data: Buffer }>;
  for (const r of rows) {
    let mask = r.data.readUInt32LE(0);
    const start = chunkStart(r.chunk);
    if (day - start < CHUNK_DAYS - 1) mask &= (2 ** (day - start + 1) - 1) | 0;
    if (mask !== 0) return start + 31 - Math.clz32(mask);
  }
  return null;
}

/** Latest counted post day per account with posts (today's view, without reading the series). */
export function lastPostDays(db: Db): Map<number, number | null> {
  return new Map((db.prepare('SELECT account_id, last_post_day FROM post_accounts').raw().all() as [number, number | null][]).map(([a, d]) => [a, d]));
}

/** The accounts whose posts were read successfully on one of the days [day − back, day]: one query for all. */
export function accountsReadOn(db: Db, day: number, back = 2): Set<number> {
  const out = new Set<number>();
  const rows = db.prepare('SELECT account_id, chunk, bits FROM post_read_days WHERE chunk BETWEEN ? AND ?').raw().all(chunkOf(day - back), chunkOf(day)) as [number, number, number][];
  for (const [accountId, chunk, bits] of rows) {
    if (out.has(accountId)) continue;
    for (let d = day - back; d <= day; d++) {
      if (chunkOf(d) === chunk && bits & (1 << (d - chunkStart(chunk)))) {
        out.add(accountId);
        break;
      }
    }
  }
  return out;
}

/** True when the account's posts were read successfully on one of the days [day − back, day]. */
export function postsReadOn(db: Db, accountId: number, day: number, back = 2): boolean {
  const rows = db.prepare('SELECT chunk, bits FROM post_read_days WHERE account_id = ? AND chunk BETWEEN ? AND ?').raw().all(accountId, chunkOf(day - back), chunkOf(day)) as [number, number][];
  for (const [chunk, bits] of rows) {
    for (let d = day - back; d <= day; d++) if (chunkOf(d) === chunk && bits & (1 << (d - chunkStart(chunk)))) return true;
  }
  return false;
}
