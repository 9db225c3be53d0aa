// Account states of information work per org × platform group (DESIGN §11), precomputed: the one owner of
// post_account_states / post_org_states. Pages, exports and the bot read tracked, silent and ever-read accounts
// and the active share of any level under an org on any day as O(1) rows per org, instead of computing every
// account's state under the org per request (src/publications/measures-data.ts accountStates is the direct
// computation the tests hold these to).
//
// How an update stays exact: each account's state is a step function of the day (bits: tracked, posting,
// read on D..D−2, ever read), stored. An account whose inputs changed from day F on (its posts through
// post_dirty, its read days, first reading, closing, org or platform through post_state_dirty) gets its step
// function recomputed from F on; what it contributed to every org of its chain from F on is subtracted and
// what it contributes now is added, as day-keyed changes. An org's own tracked / posting counts decide
// whether it has a tracked account and is active; a change of those flags is added to the per-level counts
// of its chain in the same way. The org values are stored as a step function too (a row per day they change).
import type { Db } from '../../db';
import { writeTx } from '../../db/write';
import { groupsOfPlatform, GROUP_CODE, platformsOf, type Platform, type PlatformGroup } from '../domain/growth';
import { SILENCE_DAYS, READ_DAYS_BACK, type ActiveShare } from '../domain/publications';
import { chunkOf, chunkStart, CHUNK_DAYS } from '../domain/rollup';

const FAR_PAST = -1_000_000_000;
const FAR_FUTURE = 1_000_000_000;

export const STATE_BITS = { tracked: 1, posting: 2, read: 4, everRead: 8 } as const;
const LEVELS = ['council', 'region', 'branch', 'primary'] as const;
/** Positions of the values in a post_org_states row. */
export const ORG_VALUES = { tracked: 0, silent: 1, everRead: 2, ownTracked: 3, ownPosting: 4, withAccounts: 5, active: 9 } as const;
const NV = 13;

type Steps = number[]; // flat pairs: from day, bits; the first pair's day is FAR_PAST

function encodeSteps(steps: Steps): Buffer {
  return Buffer.from(Int32Array.from(steps).buffer);
}
function decodeSteps(b: Buffer): Steps {
  const out: Steps = new Array(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readInt32LE(i * 4);
  return out;
}
function encodeValues(v: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(NV * 4);
  for (let i = 0; i < NV; i++) b.writeInt32LE(v[i], i * 4);
  return b;
}
function decodeValues(b: Buffer): Int32Array {
  const out = new Int32Array(NV);
  for (let i = 0; i < NV; i++) out[i] = b.readInt32LE(i * 4);
  return out;
}

/** A little-endian int32 at byte `at` of hex text. */
function hexInt32(hex: string, at: number): number {
  const p = at * 2;
  return (parseInt(hex.slice(p, p + 2), 16) | (parseInt(hex.slice(p + 2, p + 4), 16) << 8) | (parseInt(hex.slice(p + 4, p + 6), 16) << 16) | (parseInt(hex.slice(p + 6, p + 8), 16) << 24)) | 0;
}

/** bitsOn of stored steps given as hex (a page asks it of every account of the tree: no Buffer each). */
function hexBitsOn(hex: string, day: number): number {
  let lo = 0;
  let hi = hex.length / 16 - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (hexInt32(hex, mid * 8) <= day) lo = mid;
    else hi = mid - 1;
  }
  return hex.length >= 16 && hexInt32(hex, lo * 8) <= day ? hexInt32(hex, lo * 8 + 4) : 0;
}

/** The bits of a step function on a day. */
export function bitsOn(steps: Steps, day: number): number {
  let lo = 0;
  let hi = steps.length / 2 - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps[mid * 2] <= day) lo = mid;
    else hi = mid - 1;
  }
  return steps[lo * 2] <= day ? steps[lo * 2 + 1] : 0;
}

/** The first day two step functions (both in their stored form: no two neighbours alike) differ on; null: equal. */
function firstDifference(a: Steps, b: Steps): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 2) if (a[i] !== b[i] || a[i + 1] !== b[i + 1]) return Math.min(a[i], b[i]);
  return a.length === b.length ? null : (a.length > b.length ? a : b)[n];
}

const isSilent = (b: number) => (b & 7) === (STATE_BITS.tracked | STATE_BITS.read);

/** What an account with these bits adds to one org of its chain (`own`: the account's own org). */
function contribution(bits: number, own: boolean, out: Float64Array, sign: number): void {
  if (bits & STATE_BITS.tracked) out[ORG_VALUES.tracked] += sign;
  if (isSilent(bits)) out[ORG_VALUES.silent] += sign;
  if (bits & STATE_BITS.everRead) out[ORG_VALUES.everRead] += sign;
  if (own) {
    if (bits & STATE_BITS.tracked) out[ORG_VALUES.ownTracked] += sign;
    if (bits & STATE_BITS.posting) out[ORG_VALUES.ownPosting] += sign;
  }
}

/** True when states are out of date (something changed since they were last computed). */
export function postStatesStale(db: Db): boolean {
  return (
    db.prepare('SELECT 1 FROM post_state_dirty LIMIT 1').get() !== undefined ||
    db.prepare("SELECT 1 FROM rollup_state WHERE key IN ('post_states_tree_changed', 'post_states_rebuild') AND value = 1").get() !== undefined
  );
}

/** Each org's chain (root first, the org last), memoised, and each org's level: one read of the tree. */
export function orgChains(db: Db): { chainOf: (orgId: number) => number[]; level: Map<number, string> } {
  const rows = db.prepare('SELECT id, parent_id, level FROM organisations').all() as { id: number; parent_id: number | null; level: string }[];
  const parent = new Map(rows.map((o) => [o.id, o.parent_id]));
  const memo = new Map<number, number[]>();
  const chainOf = (orgId: number): number[] => {
    let c = memo.get(orgId);
    if (c) return c;
    const p = parent.get(orgId);
    c = p === null || p === undefined ? [orgId] : [...chainOf(p), orgId];
    memo.set(orgId, c);
    return c;
  };
  return { chainOf, level: new Map(rows.map((o) => [o.id, o.level])) };
}

/**
 * Brings the states up to date. `postsDirty`: accounts whose counted posts changed from a day on (the post
 * figures' update passes its dirty ranges, after writing the accounts' figures these read). Runs inside the
 * caller's transaction when there is one.
 */
export function updatePostStates(db: Db, postsDirty: ReadonlyMap<number, number> = new Map(), opts: { full?: boolean } = {}): { accounts: number; rows: number } {
  return writeTx(db, () => updateInTransaction(db, postsDirty, opts.full ?? false));
}

function updateInTransaction(db: Db, postsDirty: ReadonlyMap<number, number>, fullAsked: boolean): { accounts: number; rows: number } {
  const { chainOf, level } = orgChains(db);
  const state = (key: string) => (db.prepare('SELECT value FROM rollup_state WHERE key = ?').pluck().get(key) as number | undefined) === 1;
  // another parent or level of an org (rare: the admin pages): rebuilt from scratch
  const full = fullAsked || state('post_states_rebuild') || state('post_states_tree_changed');
  const dirty = new Map<number, number>();
  if (full) {
    db.exec('DELETE FROM post_account_states; DELETE FROM post_org_states;');
    for (const id of db.prepare("SELECT id FROM accounts WHERE platform <> 'newspaper'").pluck().all() as number[]) dirty.set(id, FAR_PAST);
  } else {
    for (const [a, d] of postsDirty) dirty.set(a, Math.min(d, dirty.get(a) ?? FAR_FUTURE));
    for (const r of db.prepare('SELECT account_id, from_day FROM post_state_dirty').raw().all() as [number, number][]) dirty.set(r[0], Math.min(r[1], dirty.get(r[0]) ?? FAR_FUTURE));
  }
  db.exec("DELETE FROM post_state_dirty; UPDATE rollup_state SET value = 0 WHERE key IN ('post_states_tree_changed', 'post_states_rebuild');");

  const q = {
    firstDay: db.prepare('SELECT min(day) FROM snapshots WHERE account_id = ?').pluck(),
    put: db.prepare('INSERT OR REPLACE INTO post_account_states (account_id, chain, platform, steps) VALUES (?, ?, ?, ?)'),
    del: db.prepare('DELETE FROM post_account_states WHERE account_id = ?'),
  };
  const src = sources(db, dirty);

  // (org × 8 + grp) → day → change of the org's values from that day on
  const events = new Map<number, Map<number, Float64Array>>();
  const eventAt = (key: number, day: number): Float64Array => {
    let m = events.get(key);
    if (!m) events.set(key, (m = new Map()));
    let e = m.get(day);
    if (!e) m.set(day, (e = new Float64Array(NV)));
    return e;
  };
  /** adds sign × (what `steps` contributes from `from` on) to every org of the chain */
  const addSteps = (chain: readonly number[], platform: Platform, steps: Steps, from: number, sign: 1 | -1) => {
    const groups = groupsOfPlatform(platform).map((g) => GROUP_CODE[g]);
    let prev = 0;
    for (let i = 0; i < steps.length; i += 2) {
      const end = i + 2 < steps.length ? steps[i + 2] : FAR_FUTURE + 1;
      if (end <= from) continue;
      const day = Math.max(steps[i], from);
      const bits = steps[i + 1];
      for (const g of groups) {
        for (let k = 0; k < chain.length; k++) {
          const e = eventAt(chain[k] * 8 + g, day);
          const own = k === chain.length - 1;
          contribution(bits, own, e, sign);
          if (day > from || steps[i] > from) contribution(prev, own, e, -sign);
        }
      }
      prev = bits;
    }
  };

  for (const [accountId, from0] of dirty) {
    const acc = src.account(accountId);
    const old = src.before(accountId);
    const chain = acc ? chainOf(acc.org_id) : [];
    let from = from0;
    const moved = !old || !acc || old.chain !== chain.join(',') || old.platform !== acc.platform;
    if (moved) from = FAR_PAST;
    const oldSteps = old ? decodeSteps(old.steps) : [FAR_PAST, 0];
    // "ever read" holds for every day: its first read (or the loss of every read day) changes the whole step
    // function. Its other bits before `from` are as stored (their sources did not change there), so those days
    // are the stored steps with that bit changed, not recomputed from the sources.
    const ever = src.everRead(accountId) ? STATE_BITS.everRead : 0;
    if (!acc || (acc.platform as string) === 'newspaper') {
      if (old) addSteps(old.chain.split(',').map(Number), old.platform, oldSteps, FAR_PAST, -1);
      q.del.run(accountId);
      continue;
    }
    // Tracked the day before `from` (as stored, which holds before it): the first reading is before `from`, and
    // which day it was changes nothing from `from` on, so it is not looked up (a seek into the snapshots per account).
    const trackedBefore = old !== undefined && from > FAR_PAST && (bitsOn(oldSteps, from - 1) & STATE_BITS.tracked) !== 0;
    const first = trackedBefore ? from - 1 : (q.firstDay.get(accountId) as number | null);
    const fresh = stepsFrom(first, src.postMasks(accountId, from <= FAR_PAST ? FAR_PAST : chunkOf(from - SILENCE_DAYS)), src.readBits(accountId, from <= FAR_PAST ? FAR_PAST : chunkOf(from - READ_DAYS_BACK)), acc.closed_day, from, ever);
    const steps: Steps = [];
    const push = (day: number, bits: number) => {
      if (steps.length && steps[steps.length - 1] === bits) return;
      if (steps.length && steps[steps.length - 2] === day) {
        steps[steps.length - 1] = bits;
        if (steps.length >= 4 && steps[steps.length - 3] === bits) steps.length -= 2;
        return;
      }
      steps.push(day, bits);
    };
    for (let i = 0; i < oldSteps.length; i += 2) if (oldSteps[i] < from) push(oldSteps[i], (oldSteps[i + 1] & ~STATE_BITS.everRead) | ever);
    for (let i = 0; i < fresh.length; i += 2) push(fresh[i], fresh[i + 1]);
    if (moved) {
      if (old) addSteps(old.chain.split(',').map(Number), old.platform, oldSteps, FAR_PAST, -1);
      addSteps(chain, acc.platform, steps, FAR_PAST, 1);
    } else {
      // Only the days from the first one the state differs on change the orgs' values: a daily run moves an
      // account's last step or two, and most accounts' states do not change at all (then nothing is written).
      const since = firstDifference(oldSteps, steps);
      if (since === null) continue;
      addSteps(chain, acc.platform, oldSteps, since, -1);
      addSteps(chain, acc.platform, steps, since, 1);
    }
    q.put.run(accountId, chain.join(','), acc.platform, encodeSteps(steps));
  }

  // stored org values: the row in force on a day, and those from a day on
  const sq = {
    before: db.prepare('SELECT v FROM post_org_states WHERE grp = ? AND org_id = ? AND from_day < ? ORDER BY from_day DESC LIMIT 1').pluck(),
    from: db.prepare('SELECT from_day, v FROM post_org_states WHERE grp = ? AND org_id = ? AND from_day >= ? ORDER BY from_day').raw(),
    delOne: db.prepare('DELETE FROM post_org_states WHERE grp = ? AND org_id = ? AND from_day = ?'),
    put: db.prepare('INSERT OR REPLACE INTO post_org_states (grp, org_id, from_day, v) VALUES (?, ?, ?, ?)'),
    // a row known to exist is updated in place (a replace seeks it, deletes it and inserts anew)
    set: db.prepare('UPDATE post_org_states SET v = ? WHERE grp = ? AND org_id = ? AND from_day = ?'),
  };
  // A daily run changes every org's values from about the same recent day on: then the rows from that day on,
  // and the row in force before it of each org and group, are read in two scans (in key order) rather than with
  // two seeks per org and group, some twice. Orgs changed from further back read their own. Each key is merged
  // for its writes once, before any of its rows is written, so what was read stays what is stored.
  const starts = [...events.values()].map((m) => Math.min(...m.keys())).sort((a, b) => a - b);
  const scanFrom = events.size >= POST_STATES_TUNING.bulkFrom ? starts[Math.floor(starts.length / 20)] : undefined;
  const scanned = new Map<number, [number, Buffer][]>();
  if (scanFrom !== undefined) {
    const add = (grp: number, orgId: number, day: number, v: Buffer) => {
      const list = scanned.get(orgId * 8 + grp);
      if (list) list.push([day, v]);
      else scanned.set(orgId * 8 + grp, [[day, v]]);
    };
    // SQLite gives the bare columns of the row with the max()
    for (const [grp, orgId, day, v] of db.prepare('SELECT grp, org_id, max(from_day), v FROM post_org_states WHERE from_day < ? GROUP BY grp, org_id').raw().iterate(scanFrom) as IterableIterator<[number, number, number, Buffer]>) add(grp, orgId, day, v);
    for (const [grp, orgId, day, v] of db.prepare('SELECT grp, org_id, from_day, v FROM post_org_states WHERE from_day >= ?').raw().iterate(scanFrom) as IterableIterator<[number, number, number, Buffer]>) add(grp, orgId, day, v);
  }
  /** The org's stored row in force before `start`, and its rows from `start` on. */
  const orgRows = (grp: number, orgId: number, start: number): { base: Buffer | undefined; rows: [number, Buffer][] } => {
    if (scanFrom === undefined || start < scanFrom) return { base: sq.before.get(grp, orgId, start) as Buffer | undefined, rows: sq.from.all(grp, orgId, start) as [number, Buffer][] };
    const list = scanned.get(orgId * 8 + grp) ?? [];
    let i = list.length;
    while (i > 0 && list[i - 1][0] >= start) i--;
    return { base: i > 0 ? list[i - 1][1] : undefined, rows: list.slice(i) };
  };
  /** The org's values before and after the changes, at each day either changes from `start` on. */
  const merged = (key: number, changes: Map<number, Float64Array>) => {
    const grp = key % 8;
    const orgId = Math.floor(key / 8);
    const days = [...changes.keys()].sort((a, b) => a - b);
    const start = days[0];
    const { base, rows: storedRows } = orgRows(grp, orgId, start);
    const stored = storedRows.map(([d, v]) => [d, decodeValues(v)] as const);
    /** `row`: a stored row starts on the day */
    const out: { day: number; old: Int32Array; now: Int32Array; row: boolean }[] = [];
    let oldV = base ? decodeValues(base) : new Int32Array(NV);
    const acc = new Float64Array(NV);
    let i = 0;
    let j = 0;
    while (i < days.length || j < stored.length) {
      const day = Math.min(i < days.length ? days[i] : Infinity, j < stored.length ? stored[j][0] : Infinity);
      const row = j < stored.length && stored[j][0] === day;
      if (row) oldV = stored[j++][1];
      if (i < days.length && days[i] === day) {
        const e = changes.get(days[i++])!;
        for (let k = 0; k < NV; k++) acc[k] += e[k];
      }
      const now = new Int32Array(NV);
      for (let k = 0; k < NV; k++) now[k] = oldV[k] + acc[k];
      out.push({ day, old: oldV, now, row });
    }
    return { grp, orgId, start, base, out };
  };

  // the orgs whose own tracked / posting counts changed: their "has a tracked account" and "active" flags per
  // day, changed for their level in every org of their chain
  const flags = (v: ArrayLike<number>): [number, number] => {
    const has = v[ORG_VALUES.ownTracked] > 0 ? 1 : 0;
    return [has, has && v[ORG_VALUES.ownPosting] > 0 ? 1 : 0];
  };
  const ownChanged: number[] = [];
  for (const [key, changes] of events) {
    for (const e of changes.values()) {
      if (e[ORG_VALUES.ownTracked] !== 0 || e[ORG_VALUES.ownPosting] !== 0) {
        ownChanged.push(key);
        break;
      }
    }
  }
  for (const key of ownChanged) {
    const { grp, orgId, out } = merged(key, events.get(key)!);
    const li = LEVELS.indexOf(level.get(orgId) as (typeof LEVELS)[number]);
    if (li < 0) continue;
    let prev: [number, number] = [0, 0];
    let first = true;
    for (const p of out) {
      const [oh, oa] = flags(p.old);
      const [nh, na] = flags(p.now);
      const d: [number, number] = [nh - oh, na - oa];
      const dh = first ? d[0] : d[0] - prev[0];
      const da = first ? d[1] : d[1] - prev[1];
      first = false;
      prev = d;
      if (dh === 0 && da === 0) continue;
      for (const o of chainOf(orgId)) {
        const e = eventAt(o * 8 + grp, p.day);
        e[ORG_VALUES.withAccounts + li] += dh;
        e[ORG_VALUES.active + li] += da;
      }
    }
  }

  // write the org values that changed, from the first day they change on
  let rows = 0;
  for (const [key, changes] of events) {
    for (const [day, e] of changes) if (e.every((x) => x === 0)) changes.delete(day);
    if (changes.size === 0) continue;
    // only the rows that differ are written (a daily run moves the last row or two of each org)
    const { grp, orgId, base, out } = merged(key, changes);
    let last = base ? decodeValues(base) : new Int32Array(NV);
    for (const p of out) {
      const wanted = !p.now.every((x, k) => x === last[k]);
      if (wanted) last = p.now;
      if (wanted && p.row && p.now.every((x, k) => x === p.old[k])) continue;
      if (wanted && p.row) sq.set.run(encodeValues(p.now), grp, orgId, p.day);
      else if (wanted) sq.put.run(grp, orgId, p.day, encodeValues(p.now));
      else if (p.row) sq.delOne.run(grp, orgId, p.day);
      else continue;
      rows++;
    }
  }
  return { accounts: dirty.size, rows };
}

/**
 * An account's state from `from` on, from its sources: the first reading and closing, the counted post days
 * (its stored figures: their 32-day masks), the days its posts were read. Pairs (day, bits), the first at `from`.
 */
function stepsFrom(first: number | null, masks: readonly (readonly [number, number])[], reads: readonly (readonly [number, number])[], closed: number | null, from: number, ever: number): Steps {
  const postDays: number[] = [];
  for (const [chunk, mask] of masks) {
    for (let i = 0; i < CHUNK_DAYS; i++) if (mask & (1 << i)) postDays.push(chunkStart(chunk) + i);
  }
  const readDays: number[] = [];
  for (const [chunk, bits] of reads) {
    for (let i = 0; i < CHUNK_DAYS; i++) if (bits & (1 << i)) readDays.push(chunkStart(chunk) + i);
  }
  const marks = [first, closed, postDays[0], readDays[0]].filter((d): d is number => d !== null && d !== undefined);
  const lastMarks = [first, closed, postDays.length ? postDays[postDays.length - 1] + SILENCE_DAYS : null, readDays.length ? readDays[readDays.length - 1] + READ_DAYS_BACK + 1 : null].filter(
    (d): d is number => d !== null && d !== undefined,
  );
  if (marks.length === 0) return [from, ever];
  // before the earliest mark nothing changes; after the latest, nothing either
  const start = Math.max(from, Math.min(...marks) - 1);
  const end = Math.max(start, ...lastMarks) + 1;
  const out: Steps = [];
  let pi = 0;
  let ri = 0;
  let lastPost = -Infinity;
  let lastRead = -Infinity;
  for (let d = start; d <= end; d++) {
    while (pi < postDays.length && postDays[pi] <= d) lastPost = postDays[pi++];
    while (ri < readDays.length && readDays[ri] <= d) lastRead = readDays[ri++];
    let bits = ever;
    if (first !== null && first <= d && (closed === null || closed > d)) bits |= STATE_BITS.tracked;
    if (lastPost >= d - (SILENCE_DAYS - 1)) bits |= STATE_BITS.posting;
    if (lastRead >= d - READ_DAYS_BACK) bits |= STATE_BITS.read;
    if (out.length === 0) out.push(from, bits);
    else if (out[out.length - 1] !== bits) out.push(d, bits);
  }
  return out;
}

/** From how many dirty accounts their sources are read in a few scans rather than account by account. */
export const POST_STATES_TUNING = { bulkFrom: 64 };

type Chunks = (readonly [number, number])[]; // (chunk, 32-day mask) in chunk order

/**
 * What an account's state is computed from: the account, its stored state, whether and when its posts were read,
 * the masks of its counted post days. A daily run changes every account: then each table is read in one scan.
 */
function sources(db: Db, dirty: ReadonlyMap<number, number>) {
  const one = {
    account: db.prepare('SELECT org_id, platform, closed_day FROM accounts WHERE id = ?'),
    before: db.prepare('SELECT chain, platform, steps FROM post_account_states WHERE account_id = ?'),
    everRead: db.prepare('SELECT 1 FROM post_read_days WHERE account_id = ? LIMIT 1').pluck(),
    postMasks: db.prepare('SELECT chunk, data FROM post_account_series INDEXED BY post_account_series_account WHERE account_id = ? AND chunk >= ? ORDER BY chunk').raw(),
    readBits: db.prepare('SELECT chunk, bits FROM post_read_days WHERE account_id = ? AND chunk >= ? ORDER BY chunk').raw(),
  };
  type AccountRow = { org_id: number; platform: Platform; closed_day: number | null };
  type Before = { chain: string; platform: Platform; steps: Buffer };
  const perAccount = {
    account: (id: number) => one.account.get(id) as AccountRow | undefined,
    before: (id: number) => one.before.get(id) as Before | undefined,
    everRead: (id: number) => one.everRead.get(id) !== undefined,
    postMasks: (id: number, fromChunk: number): Chunks => (one.postMasks.all(id, fromChunk) as [number, Buffer][]).map(([c, d]) => [c, d.readUInt32LE(0)] as const),
    readBits: (id: number, fromChunk: number): Chunks => one.readBits.all(id, fromChunk) as [number, number][],
  };
  if (dirty.size < POST_STATES_TUNING.bulkFrom) return perAccount;
  const accounts = new Map((db.prepare('SELECT id, org_id, platform, closed_day FROM accounts').all() as (AccountRow & { id: number })[]).map((a) => [a.id, a]));
  const before = new Map((db.prepare('SELECT account_id, chain, platform, steps FROM post_account_states').all() as (Before & { account_id: number })[]).map((b) => [b.account_id, b]));
  const reads = new Map<number, Chunks>();
  for (const [a, chunk, bits] of db.prepare('SELECT account_id, chunk, bits FROM post_read_days').raw().iterate() as IterableIterator<[number, number, number]>) {
    const list = reads.get(a);
    if (list) list.push([chunk, bits]);
    else reads.set(a, [[chunk, bits]]);
  }
  // the masks from the earliest chunk a dirty account needs (one from the far past reads its own)
  let minFrom = FAR_FUTURE;
  for (const f of dirty.values()) if (f > FAR_PAST && f < minFrom) minFrom = f;
  const maskFrom = minFrom === FAR_FUTURE ? FAR_FUTURE : chunkOf(minFrom - SILENCE_DAYS);
  const masks = new Map<number, Chunks>();
  if (maskFrom !== FAR_FUTURE) {
    for (const [chunk, a, data] of db.prepare('SELECT chunk, account_id, substr(data, 1, 4) FROM post_account_series WHERE chunk >= ?').raw().iterate(maskFrom) as IterableIterator<[number, number, Buffer]>) {
      const list = masks.get(a);
      const m = [chunk, data.readUInt32LE(0)] as const;
      if (list) list.push(m);
      else masks.set(a, [m]);
    }
  }
  return {
    account: (id: number) => accounts.get(id),
    before: (id: number) => before.get(id),
    everRead: (id: number) => reads.has(id),
    postMasks: (id: number, fromChunk: number): Chunks => (fromChunk >= maskFrom ? (masks.get(id) ?? []).filter(([c]) => c >= fromChunk) : perAccount.postMasks(id, fromChunk)),
    readBits: (id: number, fromChunk: number): Chunks => (reads.get(id) ?? []).filter(([c]) => c >= fromChunk),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Readers

/** An org's subtree on a platform group on one day, as the states give it. */
export interface OrgStates {
  /** accounts(O, P) tracked on the day */
  tracked: number;
  /** of them, silent on the day (DESIGN §11) */
  silent: number;
  /** accounts(O, P) whose posts were read successfully at least once: none, and O's posts are unknown */
  everRead: number;
  /** active share of each level's orgs under O (the orgs of the subtree of that level) */
  active: (level: string) => ActiveShare;
}

const EMPTY = new Int32Array(NV);

function asStates(v: Int32Array): OrgStates {
  return {
    tracked: v[ORG_VALUES.tracked],
    silent: v[ORG_VALUES.silent],
    everRead: v[ORG_VALUES.everRead],
    active: (lvl: string) => {
      const li = LEVELS.indexOf(lvl as (typeof LEVELS)[number]);
      const withAccounts = li < 0 ? 0 : v[ORG_VALUES.withAccounts + li];
      const active = li < 0 ? 0 : v[ORG_VALUES.active + li];
      return { orgs_with_accounts: withAccounts, active_orgs: active, active_share: withAccounts > 0 ? (100 * active) / withAccounts : null };
    },
  };
}

/** The states of these orgs' subtrees on a day: one keyed read per org. Call ensurePostFigures first (it updates them). */
export function orgStatesOn(db: Db, group: PlatformGroup, day: number, orgIds: Iterable<number>): Map<number, OrgStates> {
  const get = db.prepare('SELECT v FROM post_org_states WHERE grp = ? AND org_id = ? AND from_day <= ? ORDER BY from_day DESC LIMIT 1').pluck();
  const out = new Map<number, OrgStates>();
  const g = GROUP_CODE[group];
  for (const id of orgIds) {
    const v = get.get(g, id, day) as Buffer | undefined;
    out.set(id, asStates(v ? decodeValues(v) : EMPTY));
  }
  return out;
}

/** The accounts of these orgs (own accounts; every account when not given) on the group's platforms that are silent on the day. */
export function silentAccountsOn(db: Db, group: PlatformGroup, day: number, orgIds?: readonly number[]): number[] {
  // (as two JSON arrays, the steps as hex: a Buffer per row for 50,000 accounts, at ten times the union, cost
  // more than the whole page)
  const [ids, steps] = (
    db
      .prepare(
        `SELECT json_group_array(s.account_id), json_group_array(hex(s.steps)) FROM post_account_states s JOIN accounts a ON a.id = s.account_id
         WHERE s.platform IN (SELECT value FROM json_each(?)) ${orgIds ? 'AND a.org_id IN (SELECT value FROM json_each(?))' : ''}`,
      )
      .raw()
      .get(JSON.stringify(platformsOf(group)), ...(orgIds ? [JSON.stringify(orgIds)] : [])) as [string, string]
  ).map((j) => JSON.parse(j) as unknown[]) as [number[], string[]];
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) if (isSilent(hexBitsOn(steps[i], day))) out.push(ids[i]);
  return out;
}
