// The daily audience series of an org × platform group (DESIGN §4 audience(O, P, D)), read from the rollup
// tables only (never by scanning snapshots): one day, a range of days, many pairs at once, every org on a day.
import type { Db } from '../../db';
import { fromEpochDay, toEpochDay } from '../domain/dates';
import { GROUP_CODE, type PlatformGroup } from '../domain/growth';
import { CHUNK_DAYS, chunkOf, chunkStart } from '../domain/rollup';
import { BLOCK_ORGS, blockDayInto, blockOf, chunkValueAt, decodeChunk, type Chunk } from './codec';
import { sql } from './sql';
import { loadTree, resolveOrg } from './tree';

export interface PairMeta {
  first_chunk: number;
  last_chunk: number;
  last_sum: number;
  last_count: number;
}

// A pair's extent, and its last chunk: after it, day 31's value carries on.
const PAIR_SQL = `SELECT p.first_chunk, p.last_chunk, s.data FROM rollup_pairs p
  JOIN rollup_series s ON s.grp = p.grp AND s.chunk = p.last_chunk AND s.org_id = p.org_id WHERE p.org_id = ? AND p.grp = ?`;
const CHUNKS_SQL = 'SELECT chunk, data FROM rollup_series INDEXED BY rollup_series_org WHERE org_id = ? AND grp = ? AND chunk BETWEEN ? AND ?';
const CHUNK_SQL = 'SELECT data FROM rollup_series WHERE org_id = ? AND grp = ? AND chunk = ?';
// many (org, group) pairs at once: `?` is a JSON array of org_id × 8 + grp (group codes are 0–4)
const PAIRS_OF_SQL = `SELECT p.org_id, p.grp, p.first_chunk, p.last_chunk, s.data FROM json_each(?) j CROSS JOIN rollup_pairs p ON p.grp = j.value & 7 AND p.org_id = j.value >> 3
  JOIN rollup_series s ON s.grp = p.grp AND s.chunk = p.last_chunk AND s.org_id = p.org_id`;
const CHUNKS_OF_SQL = `SELECT s.org_id, s.grp, s.chunk, s.data FROM json_each(?) j CROSS JOIN rollup_series s INDEXED BY rollup_series_org
       ON s.org_id = j.value >> 3 AND s.grp = j.value & 7 AND s.chunk BETWEEN ? AND ?`;
const CARRIED_SQL = 'SELECT org_id, last_chunk FROM rollup_pairs INDEXED BY rollup_pairs_last WHERE grp = ? AND last_chunk < ?';
const BLOCKS_SQL = 'SELECT block, data FROM rollup_blocks WHERE grp = ? AND chunk = ?';
const BLOCK_SQL = 'SELECT data FROM rollup_blocks WHERE grp = ? AND chunk = ? AND block = ?';
/** Carried values of this many orgs of one block (1,024 orgs) from one chunk come from the block, not a row each. */
const CARRIED_FROM_BLOCK = 16;

/** A pair's stored extent and the value after its last chunk (day 31 of that chunk). */
function metaOf(row: { first_chunk: number; last_chunk: number; data: Buffer }): PairMeta {
  const last = chunkValueAt(row.data, CHUNK_DAYS - 1);
  return { first_chunk: row.first_chunk, last_chunk: row.last_chunk, last_sum: last.sum, last_count: last.cnt };
}

/** The pair's stored extent, or undefined when the org has no accounts in the group. */
export function pairMeta(db: Db, orgId: number, group: PlatformGroup): PairMeta | undefined {
  const row = sql(db, PAIR_SQL).get(orgId, GROUP_CODE[group]) as { first_chunk: number; last_chunk: number; data: Buffer } | undefined;
  return row && metaOf(row);
}

/**
 * The one chunk-decoding loop: writes the days of a stored chunk that fall in [fromDay, toDay] into `out`
 * (indexed from fromDay), null where no account counted; `scratch` is reused between chunks.
 */
function fillFromChunk(out: Array<number | null>, fromDay: number, toDay: number, chunk: number, data: Buffer, scratch: Chunk): void {
  decodeChunk(data, scratch);
  const base = chunkStart(chunk);
  const lo = Math.max(fromDay, base);
  const hi = Math.min(toDay, base + CHUNK_DAYS - 1);
  for (let d = lo; d <= hi; d++) out[d - fromDay] = scratch.cnt[d - base] > 0 ? scratch.sum[d - base] : null;
}

/** After the last stored chunk the last value carries on. */
function fillCarried(out: Array<number | null>, fromDay: number, toDay: number, meta: PairMeta): void {
  const carried = meta.last_count > 0 ? meta.last_sum : null;
  for (let d = Math.max(fromDay, chunkStart(meta.last_chunk + 1)); d <= toDay; d++) out[d - fromDay] = carried;
}

const newScratch = (): Chunk => ({ sum: new Float64Array(CHUNK_DAYS), cnt: new Int32Array(CHUNK_DAYS) });

/** audience(O, P, d) for each day d in [fromDay, toDay] (epoch days); null where undefined. */
export function audienceSeriesDays(db: Db, orgId: number, group: PlatformGroup, fromDay: number, toDay: number): Array<number | null> {
  const out: Array<number | null> = new Array(Math.max(0, toDay - fromDay + 1)).fill(null);
  if (!out.length) return out;
  const meta = pairMeta(db, orgId, group);
  if (!meta) return out;
  const cFrom = Math.max(chunkOf(fromDay), meta.first_chunk);
  const cTo = Math.min(chunkOf(toDay), meta.last_chunk);
  if (cFrom <= cTo) {
    const scratch = newScratch();
    for (const r of sql(db, CHUNKS_SQL).all(orgId, GROUP_CODE[group], cFrom, cTo) as { chunk: number; data: Buffer }[]) {
      fillFromChunk(out, fromDay, toDay, r.chunk, r.data, scratch);
    }
  }
  fillCarried(out, fromDay, toDay, meta);
  return out;
}

/**
 * audienceSeriesDays for many (org, group) pairs over one range, in two statements instead of two per pair
 * (the targets table's 28-day rate windows). Keyed `${orgId}:${group}`.
 */
export function audienceSeriesDaysOf(
  db: Db,
  pairs: ReadonlyArray<{ orgId: number; group: PlatformGroup }>,
  fromDay: number,
  toDay: number,
): Map<string, Array<number | null>> {
  const n = Math.max(0, toDay - fromDay + 1);
  const out = new Map<string, Array<number | null>>();
  const keys = new Map<string, { orgId: number; grp: number; key: string }>();
  for (const p of pairs) {
    const key = `${p.orgId}:${p.group}`;
    if (out.has(key)) continue;
    out.set(key, new Array(n).fill(null));
    keys.set(`${p.orgId}:${GROUP_CODE[p.group]}`, { orgId: p.orgId, grp: GROUP_CODE[p.group], key });
  }
  if (!n || !keys.size) return out;
  const json = JSON.stringify([...keys.values()].map((k) => k.orgId * 8 + k.grp));
  const metas = new Map<string, PairMeta>();
  for (const m of sql(db, PAIRS_OF_SQL).all(json) as { org_id: number; grp: number; first_chunk: number; last_chunk: number; data: Buffer }[]) metas.set(`${m.org_id}:${m.grp}`, metaOf(m));
  const scratch = newScratch();
  for (const r of sql(db, CHUNKS_OF_SQL).all(json, chunkOf(fromDay), chunkOf(toDay)) as { org_id: number; grp: number; chunk: number; data: Buffer }[]) {
    const k = `${r.org_id}:${r.grp}`;
    const meta = metas.get(k);
    if (!meta || r.chunk < meta.first_chunk || r.chunk > meta.last_chunk) continue;
    fillFromChunk(out.get(keys.get(k)!.key)!, fromDay, toDay, r.chunk, r.data, scratch);
  }
  for (const [k, meta] of metas) fillCarried(out.get(keys.get(k)!.key)!, fromDay, toDay, meta);
  return out;
}

/** audience(O, P, D) for one org and day. */
export function audienceOnDay(db: Db, orgId: number, group: PlatformGroup, day: number): number | null {
  const meta = pairMeta(db, orgId, group);
  if (!meta) return null;
  const c = chunkOf(day);
  if (c < meta.first_chunk) return null;
  if (c > meta.last_chunk) return meta.last_count > 0 ? meta.last_sum : null;
  const data = sql(db, CHUNK_SQL).pluck().get(orgId, GROUP_CODE[group], c) as Buffer | undefined;
  if (!data) return null;
  const v = chunkValueAt(data, day - chunkStart(c));
  return v.cnt > 0 ? v.sum : null;
}

/** audience(O, P, D) of many orgs on one day, by org id: undefined where undefined. */
export interface AudienceByOrg {
  get(orgId: number): number | undefined;
}

/**
 * audience(O, P, D) of every org that has accounts in P: the pairs whose last value carries into D's chunk
 * (an index range), then D's day of every rollup_blocks row of that chunk (1,024 orgs each), never a row per
 * org; held in an array by org id (50,000 Map entries cost more than reading them).
 */
export function audienceOfAllOrgs(db: Db, group: PlatformGroup, day: number): AudienceByOrg {
  const grp = GROUP_CODE[group];
  const c = chunkOf(day);
  const carried = sql(db, CARRIED_SQL).raw().all(grp, c) as [number, number][];
  const blocks = sql(db, BLOCKS_SQL).raw().all(grp, c) as [number, Buffer][];
  let size = 0;
  for (const [orgId] of carried) size = Math.max(size, orgId + 1);
  for (const [block] of blocks) size = Math.max(size, (block + 1) * BLOCK_ORGS);
  const values = new Float64Array(size).fill(NaN);
  carriedInto(db, grp, carried, values);
  for (const [, data] of blocks) blockDayInto(data, day - chunkStart(c), values);
  return {
    get(orgId) {
      const v = values[orgId];
      return v === undefined || Number.isNaN(v) ? undefined : v;
    },
  };
}

/**
 * The values carried on after each pair's last chunk (day 31 of it, where an account counted) into `values`
 * by org id. Many pairs end in the same chunk when a new chunk has begun before the day's collect: every pair
 * then ends in the one before, and a block (1,024 orgs) answers for all of its orgs instead of a row each.
 * Pairs that stopped long ago are few in each block: a row each.
 */
function carriedInto(db: Db, grp: number, carried: ReadonlyArray<[number, number]>, values: Float64Array): void {
  const byBlock = new Map<string, { chunk: number; block: number; orgIds: number[] }>();
  for (const [orgId, chunk] of carried) {
    const key = `${chunk}:${blockOf(orgId)}`;
    const g = byBlock.get(key);
    if (g) g.orgIds.push(orgId);
    else byBlock.set(key, { chunk, block: blockOf(orgId), orgIds: [orgId] });
  }
  let scratch: Float64Array | undefined;
  for (const { chunk, block, orgIds } of byBlock.values()) {
    const data = orgIds.length >= CARRIED_FROM_BLOCK ? (sql(db, BLOCK_SQL).pluck().get(grp, chunk, block) as Buffer | undefined) : undefined;
    if (data) {
      scratch ??= new Float64Array(values.length).fill(NaN);
      blockDayInto(data, CHUNK_DAYS - 1, scratch);
      for (const orgId of orgIds) values[orgId] = scratch[orgId];
      scratch.fill(NaN, block * BLOCK_ORGS, (block + 1) * BLOCK_ORGS);
      continue;
    }
    for (const orgId of orgIds) {
      const chunkData = sql(db, CHUNK_SQL).pluck().get(orgId, grp, chunk) as Buffer | undefined;
      const v = chunkData && chunkValueAt(chunkData, CHUNK_DAYS - 1);
      if (v && v.cnt > 0) values[orgId] = v.sum;
    }
  }
}

/** First and last day on which the org's audience in P is stored (null when it has none). */
export function seriesExtent(db: Db, orgSlug: string, group: PlatformGroup): { first: string | null; last: string | null } {
  const org = resolveOrg(loadTree(db), orgSlug)[0];
  const meta = pairMeta(db, org.id, group);
  if (!meta) return { first: null, last: null };
  const days = audienceSeriesDays(db, org.id, group, chunkStart(meta.first_chunk), chunkStart(meta.first_chunk + 1) - 1);
  const firstIdx = days.findIndex((v) => v !== null);
  const first = firstIdx < 0 ? chunkStart(meta.first_chunk + 1) : chunkStart(meta.first_chunk) + firstIdx;
  return { first: fromEpochDay(first), last: fromEpochDay(chunkStart(meta.last_chunk + 1) - 1) };
}

export const AUDIENCE_COLUMNS = ['org', 'platform', 'date', 'audience'] as const;
export interface AudienceRow {
  org: string;
  platform: PlatformGroup;
  date: string;
  audience: number | null;
}

/** Rows of `export audience`: the daily series of §4 for one org (default: the root). */
export function audienceRows(db: Db, opts: { org?: string; platform: PlatformGroup; from: string; to: string }): AudienceRow[] {
  const org = resolveOrg(loadTree(db), opts.org)[0];
  if (!org) return [];
  const from = toEpochDay(opts.from);
  const values = audienceSeriesDays(db, org.id, opts.platform, from, toEpochDay(opts.to));
  return values.map((audience, i) => ({ org: org.slug, platform: opts.platform, date: fromEpochDay(from + i), audience }));
}

/** Chart-ready series ({ x: date, y: audience }) for chart.js. */
export function audienceSeries(db: Db, orgSlug: string, platform: PlatformGroup, from: string, to: string): { x: string; y: number | null }[] {
  return audienceRows(db, { org: orgSlug, platform, from, to }).map((r) => ({ x: r.date, y: r.audience }));
}
