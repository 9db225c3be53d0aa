// rubric_posts(O, P, r, from, to) of DESIGN §11, precomputed so pages never scan raw posts: the one owner of
// rubric_series. Orgs above the primary level keep daily counts per platform group and rubric; a primary
// organisation's few posts are counted directly from its own accounts. Triggers record the chunks (rubric_dirty)
// and the days (rubric_dirty_day, migration 0011) whose posts or rubrics changed; the days of a chunk that has
// some are recounted from their posts and written into the chunk's stored counts (a daily collect touches a day
// or two, not the chunk's 32), and a chunk without recorded days is recounted whole.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { GROUP_CODE, groupsOfPlatform, platformsOf, type Platform, type PlatformGroup } from '../domain/growth';
import { CHUNK_DAYS, chunkOf, chunkStart } from '../domain/rollup';

export interface RubricFiguresSummary {
  mode: 'full' | 'incremental';
  chunks: number;
  rows: number;
  ms: number;
}

// Codec: a 32-bit little-endian mask of the days with posts, then one unsigned LEB128 varint per such day.
export function encodeCounts(counts: Uint32Array): Buffer | null {
  let mask = 0;
  const bytes: number[] = [0, 0, 0, 0];
  for (let d = 0; d < CHUNK_DAYS; d++) {
    let v = counts[d];
    if (v === 0) continue;
    mask |= 1 << d;
    while (v >= 0x80) {
      bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    bytes.push(v);
  }
  if (mask === 0) return null;
  const buf = Buffer.from(bytes);
  buf.writeUInt32LE(mask >>> 0, 0);
  return buf;
}

/** The 32 daily counts of a chunk. */
export function decodeCounts(buf: Buffer, into: Uint32Array = new Uint32Array(CHUNK_DAYS)): Uint32Array {
  into.fill(0);
  const mask = buf.readUInt32LE(0);
  let pos = 4;
  for (let d = 0; d < CHUNK_DAYS; d++) {
    if (!(mask & (1 << d))) continue;
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = buf[pos++];
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    into[d] = v;
  }
  return into;
}

const sumScratch = new Uint32Array(CHUNK_DAYS);

/** Σ of the counts of days [fromIdx, toIdx] of a chunk (0-based day indexes within it). */
export function sumCounts(buf: Buffer, fromIdx: number, toIdx: number): number {
  const counts = decodeCounts(buf, sumScratch);
  let sum = 0;
  for (let d = Math.max(0, fromIdx); d <= toIdx && d < CHUNK_DAYS; d++) sum += counts[d];
  return sum;
}

interface AccountInfo {
  chain: number[]; // the orgs above the primary level this account counts in
  groups: number[];
  closedDay: number | null;
}

function accountInfos(db: Db): Map<number, AccountInfo> {
  const orgs = new Map((db.prepare('SELECT id, parent_id, level FROM organisations').raw().all() as [number, number | null, string][]).map(([id, parent, level]) => [id, { parent, level }]));
  const chains = new Map<number, number[]>();
  const chainOf = (orgId: number): number[] => {
    let c = chains.get(orgId);
    if (c) return c;
    const o = orgs.get(orgId);
    if (!o) return [];
    c = [...(o.parent === null ? [] : chainOf(o.parent)), ...(o.level === 'primary' ? [] : [orgId])];
    chains.set(orgId, c);
    return c;
  };
  const out = new Map<number, AccountInfo>();
  for (const [id, orgId, platform, closed] of db.prepare("SELECT id, org_id, platform, closed_day FROM accounts WHERE platform <> 'newspaper'").raw().all() as [number, number, Platform, number | null][]) {
    out.set(id, { chain: chainOf(orgId), groups: groupsOfPlatform(platform).map((g) => GROUP_CODE[g]), closedDay: closed });
  }
  return out;
}

/** Distinct rubric names one count can tell apart (configured rubrics plus editors' rubrics no longer configured). */
const RUBRIC_KEYS = 4096;

/** A chunk with at least this many changed days is recounted whole rather than day by day. */
const RECOUNT_WHOLE_FROM_DAYS = 8;

/** Brings rubric_series up to date for the chunks that changed (or all of them with `full`). */
export function updateRubricFigures(db: Db, opts: { full?: boolean } = {}): RubricFiguresSummary {
  const t0 = performance.now();
  let chunks = 0;
  let rows = 0;
  const treeChanged = () => (db.prepare("SELECT value FROM rollup_state WHERE key = 'rubrics_tree_changed'").pluck().get() as number | undefined) === 1;
  let full = opts.full === true;
  const run = () =>
    writeTx(db, () => {
    full ||= treeChanged();
    let dirty: number[];
    const dirtyDays = new Map<number, number[]>();
    if (full) {
      db.prepare('DELETE FROM rubric_series').run();
      dirty = db.prepare('SELECT DISTINCT day >> 5 FROM posts ORDER BY 1').pluck().all() as number[];
    } else {
      dirty = db.prepare('SELECT chunk FROM rubric_dirty ORDER BY chunk').pluck().all() as number[];
      for (const day of db.prepare('SELECT day FROM rubric_dirty_day ORDER BY day').pluck().all() as number[]) {
        const c = chunkOf(day);
        const list = dirtyDays.get(c);
        if (list) list.push(day);
        else dirtyDays.set(c, [day]);
      }
      if (dirty.length === 0 && dirtyDays.size === 0) return;
      // A chunk with many recorded days is recounted whole: merging day by day into its stored counts reads,
      // decodes and rewrites every stored row of the chunk for little saved (after a rubric change every day is
      // recorded, and recounting so took 20 times the full rebuild). Most chunks so: the full rebuild.
      const inDirty = new Set(dirty);
      for (const [chunk, days] of dirtyDays) {
        if (days.length < RECOUNT_WHOLE_FROM_DAYS) continue;
        dirtyDays.delete(chunk);
        if (!inDirty.has(chunk)) dirty.push(chunk);
      }
      const [first, last] = db.prepare('SELECT (SELECT min(day) FROM posts), (SELECT max(day) FROM posts)').raw().get() as [number | null, number | null];
      const span = first === null || last === null ? 1 : chunkOf(last) - chunkOf(first) + 1;
      if (dirty.length >= 4 && dirty.length * 2 >= span) {
        full = true;
        db.prepare('DELETE FROM rubric_series').run();
        dirty = db.prepare('SELECT DISTINCT day >> 5 FROM posts ORDER BY 1').pluck().all() as number[];
        dirtyDays.clear();
      }
    }
    const infos = accountInfos(db);
    const select = db.prepare(
      `SELECT p.day, p.account_id, r.rubric FROM posts p INDEXED BY posts_day JOIN post_rubrics r ON r.post_id = p.id AND r.origin <> 2
       WHERE p.day BETWEEN ? AND ? AND p.deleted_at IS NULL`,
    );
    const del = db.prepare('DELETE FROM rubric_series WHERE grp = ? AND chunk = ?');
    const ins = db.prepare('INSERT INTO rubric_series (grp, chunk, org_id, rubric, data) VALUES (?, ?, ?, ?, ?)');
    const stored = db.prepare('SELECT org_id, rubric, data FROM rubric_series INDEXED BY rubric_series_chunk WHERE grp = ? AND chunk = ?');
    const put = db.prepare('INSERT OR REPLACE INTO rubric_series (grp, chunk, org_id, rubric, data) VALUES (?, ?, ?, ?, ?)');
    const drop = db.prepare('DELETE FROM rubric_series WHERE org_id = ? AND grp = ? AND chunk = ? AND rubric = ?');
    // Counts are keyed by number, not by string: (org × 8 + grp) × RUBRIC_KEYS + the rubric's index in `names`
    // (a full recount at the union's scale makes some 70 M key lookups).
    const names: string[] = [];
    const index = new Map<string, number>();
    const rubricIndex = (rubric: string): number => {
      let i = index.get(rubric);
      if (i === undefined) {
        if (names.length >= RUBRIC_KEYS) throw new Error(`more than ${RUBRIC_KEYS} rubrics`);
        index.set(rubric, (i = names.push(rubric) - 1));
      }
      return i;
    };
    const keyOf = (g: number, org: number, rubric: string) => (org * 8 + g) * RUBRIC_KEYS + rubricIndex(rubric);
    const partsOf = (key: number) => ({ g: Math.floor(key / RUBRIC_KEYS) % 8, org: Math.floor(key / RUBRIC_KEYS / 8), rubric: names[key % RUBRIC_KEYS] });
    /** Counts per key of the posts dated in [from, to] (all within `start`'s chunk). */
    const countDays = (start: number, from: number, to: number, counts: Map<number, Uint32Array>) => {
      for (const [day, accountId, rubric] of select.raw().all(from, to) as [number, number, string][]) {
        const a = infos.get(accountId);
        if (!a || (a.closedDay !== null && day >= a.closedDay)) continue;
        const r = rubricIndex(rubric);
        for (const org of a.chain) {
          for (const g of a.groups) {
            const key = (org * 8 + g) * RUBRIC_KEYS + r;
            let c = counts.get(key);
            if (!c) counts.set(key, (c = new Uint32Array(CHUNK_DAYS)));
            c[day - start]++;
          }
        }
      }
    };
    // chunks with recorded days: only those days are recounted, and written into the stored counts
    const partial = full ? [] : [...dirtyDays.keys()].sort((a, b) => a - b);
    for (const chunk of partial) {
      const start = chunkStart(chunk);
      const days = dirtyDays.get(chunk)!;
      const counts = new Map<number, Uint32Array>();
      for (let i = 0; i < days.length; ) {
        let j = i;
        while (j + 1 < days.length && days[j + 1] === days[j] + 1) j++;
        countDays(start, days[i], days[j], counts);
        i = j + 1;
      }
      const idx = days.map((d) => d - start);
      let daysMask = 0;
      for (const d of idx) daysMask |= 1 << d;
      const values = new Uint32Array(CHUNK_DAYS);
      for (const g of new Set(Object.values(GROUP_CODE))) {
        const seen = new Set<number>();
        for (const [org, rubric, data] of stored.raw().all(g, chunk) as [number, string, Buffer][]) {
          const key = keyOf(g, org, rubric);
          const fresh = counts.get(key);
          // no count on the recounted days before or now (most of the chunk's rows): unchanged, not decoded
          if (!fresh && (data.readUInt32LE(0) & daysMask) === 0) continue;
          seen.add(key);
          decodeCounts(data, values);
          let changed = false;
          for (const d of idx) {
            const v = fresh ? fresh[d] : 0;
            if (values[d] !== v) {
              values[d] = v;
              changed = true;
            }
          }
          if (!changed) continue;
          const next = encodeCounts(values);
          if (next) put.run(g, chunk, org, rubric, next);
          else drop.run(org, g, chunk, rubric);
          rows++;
        }
        for (const [key, c] of counts) {
          const k = partsOf(key);
          if (seen.has(key) || k.g !== g) continue;
          const data = encodeCounts(c);
          if (!data) continue;
          put.run(g, chunk, k.org, k.rubric, data);
          rows++;
        }
      }
      chunks++;
    }
    const recordedDays = new Set(partial);
    for (const chunk of dirty) {
      if (recordedDays.has(chunk)) continue;
      const start = chunkStart(chunk);
      const counts = new Map<number, Uint32Array>();
      countDays(start, start, start + CHUNK_DAYS - 1, counts);
      if (!full) for (const g of Object.values(GROUP_CODE)) del.run(g, chunk);
      for (const [key, c] of counts) {
        const k = partsOf(key);
        const data = encodeCounts(c);
        if (!data) continue;
        ins.run(k.g, chunk, k.org, k.rubric, data);
        rows++;
      }
      chunks++;
    }
    db.prepare('DELETE FROM rubric_dirty').run();
    db.prepare('DELETE FROM rubric_dirty_day').run();
    db.prepare("UPDATE rollup_state SET value = 0 WHERE key = 'rubrics_tree_changed'").run();
  });
  run();
  return { mode: full ? 'full' : 'incremental', chunks, rows, ms: performance.now() - t0 };
}

/** True when posts or rubrics changed since the rubric counts were last computed. */
export function rubricFiguresStale(db: Db): boolean {
  return db.prepare('SELECT 1 FROM rubric_dirty LIMIT 1').get() !== undefined || db.prepare('SELECT 1 FROM rubric_dirty_day LIMIT 1').get() !== undefined || (db.prepare("SELECT value FROM rollup_state WHERE key = 'rubrics_tree_changed'").pluck().get() as number | undefined) === 1;
}

/**
 * rubric_posts per rubric for each of the given orgs over [from, to] on a platform group: org id → rubric → count
 * (rubrics without posts are absent).
 */
export function rubricPostsOf(db: Db, orgs: ReadonlyArray<{ id: number; level: string }>, group: PlatformGroup, from: number, to: number): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  const stored = orgs.filter((o) => o.level !== 'primary').map((o) => o.id);
  const primaries = orgs.filter((o) => o.level === 'primary').map((o) => o.id);
  for (const o of orgs) out.set(o.id, new Map());
  const add = (orgId: number, rubric: string, n: number): void => {
    const m = out.get(orgId)!;
    m.set(rubric, (m.get(rubric) ?? 0) + n);
  };
  if (stored.length) {
    const rows = db
      .prepare(
        `SELECT s.org_id, s.chunk, s.rubric, s.data FROM rubric_series s
         WHERE s.org_id IN (SELECT value FROM json_each(?)) AND s.grp = ? AND s.chunk BETWEEN ? AND ?`,
      )
      .raw()
      .iterate(JSON.stringify(stored), GROUP_CODE[group], chunkOf(from), chunkOf(to)) as IterableIterator<[number, number, string, Buffer]>;
    for (const [orgId, chunk, rubric, data] of rows) {
      const start = chunkStart(chunk);
      const n = sumCounts(data, Math.max(0, from - start), Math.min(CHUNK_DAYS - 1, to - start));
      if (n) add(orgId, rubric, n);
    }
  }
  if (primaries.length) {
    const rows = db
      .prepare(
        `SELECT a.org_id, r.rubric, count(*) FROM accounts a
         JOIN posts p INDEXED BY posts_account_day ON p.account_id = a.id AND p.day BETWEEN ? AND ?
         JOIN post_rubrics r ON r.post_id = p.id AND r.origin <> 2
         WHERE a.org_id IN (SELECT value FROM json_each(?)) AND a.platform IN (SELECT value FROM json_each(?))
           AND p.deleted_at IS NULL AND (a.closed_day IS NULL OR p.day < a.closed_day)
         GROUP BY a.org_id, r.rubric`,
      )
      .raw()
      .all(from, to, JSON.stringify(primaries), JSON.stringify(platformsOf(group))) as [number, string, number][];
    for (const [orgId, rubric, n] of rows) add(orgId, rubric, n);
  }
  return out;
}
