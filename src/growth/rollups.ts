// The growth rollups (DESIGN §4): brought up to date with snapshots and accounts, incrementally (only the
// accounts the triggers marked dirty, from their earliest changed day onward) or by a full rebuild.
//
// How an incremental update stays exact: for a dirty account we subtract its old contribution from every
// org × group pair it counted in (its old org chain) and add the new one to every pair it counts in now, from
// the changed chunk on. The old contribution is computed again from the readings as the last compute saw
// them: today's, where rollup_snapshot_log has no older value (migration 0025). An account whose only change
// is readings after its last one (a day's collect) adds a step at each. Everything carries forward: beyond a
// run's last chunk its last value holds.
import type { Db } from '../../db';
import { groupsOfPlatform, GROUP_CODE, type Platform } from '../domain/growth';
import { accountRunOf, chunkOf, chunkStart, CHUNK_DAYS as DAYS_PER_CHUNK, type DailyRun } from '../domain/rollup';
import { detectSuspiciousOf, SUSPICIOUS_RULE } from '../domain/suspicious';
import { blockIds, blockOf, decodeBlock, decodeChunk, decodeReadings, encodeBlock, encodeChunk, encodeReadings, type Block, type Chunk, type Readings } from './codec';
import { ancestorsOf, loadTree, type OrgTree } from './tree';

/** A local constant: an imported binding read in a loop is a getter call under the CommonJS transform. */
const CHUNK_DAYS: number = DAYS_PER_CHUNK;

/** "From the beginning": the from_day the triggers write when an account must be recomputed whole. */
export const FAR_PAST = -1_000_000_000;
/** Snapshots read before the recompute point so the suspicious-growth window has its history. */
const HISTORY_ROWS = SUSPICIOUS_RULE.WINDOW + 2;

export interface ComputeSummary {
  mode: 'full' | 'incremental';
  accounts: number;
  pairs: number;
  chunks: number;
  ms: number;
}

/** Accounts recomputed, then org × group series written; called every few hundred and at the end of each phase. */
export type ComputeProgress = (done: number, total: number, phase: 'accounts' | 'series') => void;
const PROGRESS_EVERY = 200;

function getState(db: Db, key: string): number {
  return (db.prepare('SELECT value FROM rollup_state WHERE key = ?').get(key) as { value: number } | undefined)?.value ?? 0;
}

/** True when snapshots or accounts changed since the last compute (or no compute has run yet). */
export function rollupsStale(db: Db): boolean {
  return (
    db.prepare('SELECT 1 FROM rollup_dirty LIMIT 1').get() !== undefined ||
    db.prepare("SELECT 1 FROM rollup_state WHERE key IN ('full_rebuild_needed', 'tree_changed') AND value = 1").get() !== undefined
  );
}

const lastChunkOf = (r: DailyRun): number => r.firstChunk + r.sum.length / CHUNK_DAYS - 1;

/** acc + sign × run, both with carry-forward semantics; returns the (possibly reallocated) accumulator. */
function addRun(acc: DailyRun | undefined, run: DailyRun, sign: 1 | -1): DailyRun {
  const first = acc ? Math.min(acc.firstChunk, run.firstChunk) : run.firstChunk;
  const last = acc ? Math.max(lastChunkOf(acc), lastChunkOf(run)) : lastChunkOf(run);
  let out = acc;
  if (!out || out.firstChunk !== first || lastChunkOf(out) !== last) {
    const n = (last - first + 1) * CHUNK_DAYS;
    const sum = new Float64Array(n);
    const cnt = new Int32Array(n);
    if (acc) {
      const off = (acc.firstChunk - first) * CHUNK_DAYS;
      sum.set(acc.sum, off);
      cnt.set(acc.cnt, off);
      const end = off + acc.sum.length;
      sum.fill(acc.sum[acc.sum.length - 1], end);
      cnt.fill(acc.cnt[acc.cnt.length - 1], end);
    }
    out = { firstChunk: first, sum, cnt };
  }
  const off = (run.firstChunk - out.firstChunk) * CHUNK_DAYS;
  const len = run.sum.length;
  for (let i = 0; i < len; i++) {
    out.sum[off + i] += sign * run.sum[i];
    out.cnt[off + i] += sign * run.cnt[i];
  }
  const lastSum = sign * run.sum[len - 1];
  const lastCnt = sign * run.cnt[len - 1];
  if (lastSum !== 0 || lastCnt !== 0) {
    for (let i = off + len; i < out.sum.length; i++) {
      out.sum[i] += lastSum;
      out.cnt[i] += lastCnt;
    }
  }
  return out;
}

/** The readings of two JSON-array pairs (before a day, newest first; from it, oldest first), in day order. */
function readingsOf(before: [string, string], after: [string, string]): Readings {
  const bd = JSON.parse(before[0]) as number[];
  const ba = JSON.parse(before[1]) as number[];
  const days = bd.reverse().concat(JSON.parse(after[0]) as number[]);
  const auds = ba.reverse().concat(JSON.parse(after[1]) as number[]);
  for (let i = 1; i < days.length; i++) if (days[i] <= days[i - 1]) throw new Error('snapshots read out of day order');
  return { days, auds };
}

/** An org's chain: the org ids from the root down to it, and as rollup_accounts.chain stores them. */
type Chain = { ids: number[]; text: string };

const chainMemos = new WeakMap<OrgTree, Map<number, Chain>>();

/** The org's chain (the tree's ancestor lookup); memoised while the tree is unchanged (loadTree caches it). */
function chainFinder(db: Db): (orgId: number) => Chain {
  const tree = loadTree(db);
  let memo = chainMemos.get(tree);
  if (!memo) chainMemos.set(tree, (memo = new Map()));
  const known = memo;
  return (orgId) => {
    let c = known.get(orgId);
    if (!c) {
      const ids = tree.byId.has(orgId) ? ancestorsOf(tree, orgId).map((o) => o.id) : [orgId];
      known.set(orgId, (c = { ids, text: ids.join(',') }));
    }
    return c;
  };
}

/**
 * SQLite's page cache while rollups are computed (KiB, as a negative cache_size): the default 2 MB makes every
 * out-of-order insert of a full rebuild at ten times the union (1.8 M account chunks, B-trees of hundreds of
 * MB) a page read and a spill; pages are taken as needed and given back when the default is restored.
 */
const COMPUTE_CACHE_KIB = 512 * 1024;

export function computeInTransaction(db: Db, forceFull: boolean, onProgress?: ComputeProgress): ComputeSummary {
  const cacheBefore = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = -${COMPUTE_CACHE_KIB}`);
  try {
    return computeWith(db, forceFull, onProgress);
  } finally {
    db.pragma(`cache_size = ${cacheBefore}`);
  }
}

function computeWith(db: Db, forceFull: boolean, onProgress?: ComputeProgress): ComputeSummary {
  const full = forceFull || getState(db, 'full_rebuild_needed') === 1;
  const chainOf = chainFinder(db);
  const dirty = new Map<number, number>();
  // the account's only change since the last compute, when it is one new reading (rollup_dirty.new_day)
  const onlyReading = new Map<number, Reading>();
  if (full) {
    db.exec('DELETE FROM rollup_series; DELETE FROM rollup_blocks; DELETE FROM rollup_pairs; DELETE FROM rollup_accounts; DELETE FROM rollup_flags;');
    for (const { id } of db.prepare('SELECT id FROM accounts ORDER BY id').all() as { id: number }[]) dirty.set(id, FAR_PAST);
  } else {
    // (as JSON arrays: a day's collect marks every account, 50,000 at ten times the union)
    const [ids, froms, newDays, newAudiences] = (
      db.prepare('SELECT json_group_array(account_id), json_group_array(from_day), json_group_array(new_day), json_group_array(new_audience) FROM rollup_dirty').raw().get() as string[]
    ).map((j) => JSON.parse(j) as (number | null)[]);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const from = froms[i] as number;
      dirty.set(id, from);
      if (newDays[i] === from && newAudiences[i] !== null) onlyReading.set(id, { day: from, audience: newAudiences[i] as number });
    }
    if (getState(db, 'tree_changed') === 1) {
      for (const r of db.prepare('SELECT account_id, org_id, chain FROM rollup_accounts').all() as { account_id: number; org_id: number; chain: string }[]) {
        if (chainOf(r.org_id).text !== r.chain) {
          dirty.set(r.account_id, FAR_PAST);
          onlyReading.delete(r.account_id);
        }
      }
    }
  }
  // the readings as the last compute saw them, where they changed since (rollup_snapshot_log, migration 0025)
  const logged = full ? new Map<number, [number, number | null][]>() : loggedReadings(db);
  db.exec("DELETE FROM rollup_dirty; DELETE FROM rollup_snapshot_log; INSERT OR REPLACE INTO rollup_state (key, value) VALUES ('full_rebuild_needed', 0), ('tree_changed', 0);");

  const q = {
    // An account's readings as two JSON arrays, days and audiences: about three times faster than a row each
    // (a full rebuild reads every reading; at ten times the union 50 M). The ordered subquery is not flattened
    // into the aggregate (SQLite's flattening rule 16), so they come in its order; readingsOf checks it.
    snapsBefore: db.prepare(
      `SELECT json_group_array(day), json_group_array(audience) FROM (SELECT day, audience FROM snapshots WHERE account_id = ? AND day < ? ORDER BY day DESC LIMIT ${HISTORY_ROWS})`,
    ).raw(),
    snapsFrom: db.prepare('SELECT json_group_array(day), json_group_array(audience) FROM (SELECT day, audience FROM snapshots WHERE account_id = ? AND day >= ? ORDER BY day)').raw(),
    firstSnap: db.prepare('SELECT day, audience FROM snapshots WHERE account_id = ? ORDER BY day LIMIT 1'),
    putAccount: db.prepare(
      `INSERT OR REPLACE INTO rollup_accounts (account_id, org_id, chain, platform, first_day, first_audience, last_day, last_audience, closed_day, recent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // same org, platform and first reading: leave the indexed columns alone
    updateAccountTail: db.prepare('UPDATE rollup_accounts SET last_day = ?, last_audience = ?, closed_day = ?, recent = ? WHERE account_id = ?'),
    delAccount: db.prepare('DELETE FROM rollup_accounts WHERE account_id = ?'),
    delFlags: db.prepare('DELETE FROM rollup_flags WHERE account_id = ? AND day >= ?'),
    putFlag: db.prepare(
      `INSERT OR REPLACE INTO rollup_flags (account_id, day, audience, previous_audience, daily_change, expected_change, score, kind)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    pair: db.prepare('SELECT first_chunk, last_chunk FROM rollup_pairs WHERE org_id = ? AND grp = ?'),
    pairChunks: db.prepare('SELECT chunk, data FROM rollup_series INDEXED BY rollup_series_org WHERE org_id = ? AND grp = ? AND chunk BETWEEN ? AND ?'),
    putPairChunk: db.prepare('INSERT INTO rollup_series (org_id, grp, chunk, data) VALUES (?, ?, ?, ?) ON CONFLICT (grp, chunk, org_id) DO UPDATE SET data = excluded.data'),
    putPair: db.prepare('INSERT OR REPLACE INTO rollup_pairs (org_id, grp, first_chunk, last_chunk) VALUES (?, ?, ?, ?)'),
    updatePair: db.prepare('UPDATE rollup_pairs SET first_chunk = ?, last_chunk = ? WHERE org_id = ? AND grp = ?'),
  };

  // org × group → change of its daily series: whole runs (recomputed accounts), and steps (appended readings:
  // flat day, change pairs; a day's collect adds one per account and pair, turned into runs once at the end)
  const deltas = new Map<number, DailyRun>();
  const steps = new Map<number, number[]>();
  // (a full rebuild adds each account to its own org only, then every org's sum to its parent's, children
  // first: a run per account and org instead of one per account and ancestor)
  const addTo = (chain: readonly number[], platform: Platform, run: DailyRun, sign: 1 | -1) => {
    for (const g of groupsOfPlatform(platform)) {
      for (const orgId of full ? chain.slice(-1) : chain) {
        const key = orgId * 8 + GROUP_CODE[g];
        deltas.set(key, addRun(deltas.get(key), run, sign));
      }
    }
  };
  // the day of the first appended reading (a day's collect: nearly all of them) and each pair's change on it
  let stepDay = NaN;
  const dayChange = new Map<number, number>();
  const addStep = (chain: readonly number[], platform: Platform, day: number, change: number) => {
    if (Number.isNaN(stepDay)) stepDay = day;
    for (const g of groupsOfPlatform(platform)) {
      const code = GROUP_CODE[g];
      for (const orgId of chain) {
        const key = orgId * 8 + code;
        if (day === stepDay) dayChange.set(key, (dayChange.get(key) ?? 0) + change);
        else {
          const list = steps.get(key);
          if (list) list.push(day, change);
          else steps.set(key, [day, change]);
        }
      }
    }
  };

  // one read each instead of a lookup per dirty account
  type AccountNow = { id: number; org_id: number; platform: Platform; closed_day: number | null };
  type AccountBefore = {
    account_id: number;
    org_id: number;
    chain: string;
    platform: Platform;
    first_day: number | null;
    first_audience: number | null;
    last_day: number | null;
    last_audience: number | null;
    closed_day: number | null;
    /** the kept readings (rollup_accounts.recent), as hex */
    recent: string | null;
  };
  const accountsNow = new Map<number, AccountNow>();
  {
    const [ids, orgs, platforms, closed] = (db.prepare('SELECT json_group_array(id), json_group_array(org_id), json_group_array(platform), json_group_array(closed_day) FROM accounts').raw().get() as string[]).map(
      (j) => JSON.parse(j) as unknown[],
    );
    for (let i = 0; i < ids.length; i++) accountsNow.set(ids[i] as number, { id: ids[i] as number, org_id: orgs[i] as number, platform: platforms[i] as Platform, closed_day: closed[i] as number | null });
  }
  const accountsBefore = new Map<number, AccountBefore>();
  if (!full) {
    // (as JSON arrays, the kept readings as hex in a second one: a quarter of the time of a row each, at ten
    // times the union 50,000)
    const [ids, orgs, chains, platforms, firstDays, firstAudiences, lastDays, lastAudiences, closed] = (
      db
        .prepare(
          `SELECT json_group_array(account_id), json_group_array(org_id), json_group_array(chain), json_group_array(platform), json_group_array(first_day),
                  json_group_array(first_audience), json_group_array(last_day), json_group_array(last_audience), json_group_array(closed_day)
           FROM rollup_accounts`,
        )
        .raw()
        .get() as string[]
    ).map((j) => JSON.parse(j) as unknown[]);
    const recents = JSON.parse(db.prepare('SELECT json_group_array(hex(recent)) FROM rollup_accounts').pluck().get() as string) as string[];
    for (let i = 0; i < ids.length; i++) {
      accountsBefore.set(ids[i] as number, {
        account_id: ids[i] as number,
        org_id: orgs[i] as number,
        chain: chains[i] as string,
        platform: platforms[i] as Platform,
        first_day: firstDays[i] as number | null,
        first_audience: firstAudiences[i] as number | null,
        last_day: lastDays[i] as number | null,
        last_audience: lastAudiences[i] as number | null,
        closed_day: closed[i] as number | null,
        // (hex(NULL) is '')
        recent: recents[i] === '' ? null : recents[i],
      });
    }
  }

  // Accounts whose only change is readings after their last one (a day's collect): continued, not recomputed.
  const appended = full ? new Map<number, Reading[]>() : appendedReadings(db, dirty, onlyReading, (id, from) => {
    const acc = accountsNow.get(id);
    const old = accountsBefore.get(id);
    return (
      acc !== undefined && old !== undefined && from > FAR_PAST && acc.closed_day === null && old.closed_day === null && old.last_day !== null &&
      old.recent !== null && from > old.last_day && old.platform === acc.platform && old.chain === chainOf(acc.org_id).text
    );
  });
  let accountsDone = 0;
  for (const [accountId, changedFrom] of dirty) {
    if (onProgress && accountsDone++ % PROGRESS_EVERY === 0) onProgress(accountsDone - 1, dirty.size, 'accounts');
    const acc = accountsNow.get(accountId);
    const old = accountsBefore.get(accountId);
    const chainNow = acc ? chainOf(acc.org_id) : { ids: [], text: '' };
    const chain = chainNow.ids;
    const news = appended.get(accountId);
    if (news && acc && old) {
      // Its contribution is unchanged before `changedFrom` and its last reading carried on from there: the
      // change is a step at each new reading (from the carried value, then from the reading before), and the
      // suspicious-growth rule continues from the kept readings.
      let prev = old.last_audience as number;
      for (const r of news) {
        addStep(chain, acc.platform, r.day, r.audience - prev);
        prev = r.audience;
      }
      const { days, auds } = decodeReadings(Buffer.from(old.recent as string, 'hex'));
      for (const r of news) {
        days.push(r.day);
        auds.push(r.audience);
      }
      for (const f of detectSuspiciousOf(days, auds, changedFrom)) {
        q.putFlag.run(accountId, f.day, f.audience, f.previous_audience, f.daily_change, f.expected_change, f.score, f.kind);
      }
      const last = news[news.length - 1];
      q.updateAccountTail.run(last.day, last.audience, null, encodeReadings(days, auds, Math.max(0, days.length - HISTORY_ROWS)), accountId);
      continue;
    }
    let from = changedFrom;
    if (!old || !acc || old.chain !== chainNow.text || old.platform !== acc.platform) from = FAR_PAST;
    const fromChunk = chunkOf(from);
    const base = from <= FAR_PAST ? FAR_PAST : chunkStart(fromChunk);
    // HISTORY_ROWS readings before the recomputed chunks (unchanged: the earliest change is on or after
    // `from`), then all from them on
    const now = readingsOf(q.snapsBefore.get(accountId, base) as [string, string], q.snapsFrom.get(accountId, base) as [string, string]);
    if (old && old.last_day !== null) {
      const was = readingsAsComputed(now, logged.get(accountId), old.last_day);
      const oldRun = accountRunOf(was.days, was.auds, old.closed_day, fromChunk);
      if (oldRun) addTo(old.chain.split(',').map(Number), old.platform, oldRun, -1);
    }

    q.delFlags.run(accountId, from);
    if (!acc) {
      q.delAccount.run(accountId);
      continue;
    }
    const run = accountRunOf(now.days, now.auds, acc.closed_day, fromChunk);
    if (run) addTo(chain, acc.platform, run, 1);
    for (const f of detectSuspiciousOf(now.days, now.auds, from)) {
      q.putFlag.run(accountId, f.day, f.audience, f.previous_audience, f.daily_change, f.expected_change, f.score, f.kind);
    }
    // the first reading is unchanged when everything changed lies after it
    const firstKept = old && from > FAR_PAST && old.first_day !== null && old.first_day < base;
    const n = now.days.length;
    let first: { day: number; audience: number } | undefined;
    if (firstKept) first = { day: old.first_day as number, audience: old.first_audience as number };
    else if (from <= FAR_PAST) first = n ? { day: now.days[0], audience: now.auds[0] } : undefined; // (`now` holds every reading)
    else first = q.firstSnap.get(accountId) as { day: number; audience: number } | undefined;
    const lastDay = n ? now.days[n - 1] : null;
    const lastAudience = n ? now.auds[n - 1] : null;
    // (the last readings overall: `now` holds HISTORY_ROWS before the recomputed chunks and all after)
    const kept = encodeReadings(now.days, now.auds, Math.max(0, n - HISTORY_ROWS));
    if (firstKept) q.updateAccountTail.run(lastDay, lastAudience, acc.closed_day, kept, accountId);
    else q.putAccount.run(accountId, acc.org_id, chainNow.text, acc.platform, first?.day ?? null, first?.audience ?? null, lastDay, lastAudience, acc.closed_day, kept);
  }
  if (full) {
    const tree = loadTree(db);
    for (let i = tree.all.length - 1; i >= 0; i--) {
      const org = tree.all[i];
      if (org.parent_id === null || !tree.byId.has(org.parent_id)) continue;
      for (let grp = 0; grp < 8; grp++) {
        const run = deltas.get(org.id * 8 + grp);
        if (run) deltas.set(org.parent_id * 8 + grp, addRun(deltas.get(org.parent_id * 8 + grp), run, 1));
      }
    }
  }
  for (const [key, list] of steps) deltas.set(key, addRun(deltas.get(key), stepsRun(list), 1));
  for (const [key, change] of dayChange) {
    const run = deltas.get(key);
    if (run) {
      deltas.set(key, addRun(run, stepsRun([stepDay, change]), 1));
      dayChange.delete(key);
    } else if (change === 0) dayChange.delete(key); // (the pair's series is unchanged)
  }
  onProgress?.(dirty.size, dirty.size, 'accounts');

  // Every changed pair, in the key order of rollup_pairs and rollup_series (group, then org): its delta is a
  // whole run, or (most pairs after a day's collect) one change from stepDay on.
  const stepChunk = chunkOf(stepDay);
  const keys = Float64Array.from([...deltas.keys(), ...dayChange.keys()], (key) => (key % 8) * 2 ** 32 + Math.floor(key / 8)).sort();
  const extentOf = (key: number): [number, number] => {
    const d = deltas.get(key);
    return d ? [d.firstChunk, lastChunkOf(d)] : [stepChunk, stepChunk];
  };
  const writes: { grp: number; chunk: number; orgId: number; data: Buffer }[] = [];
  const stored = pairReader(db, keys, extentOf, q);
  const cur = { sum: new Float64Array(CHUNK_DAYS), cnt: new Int32Array(CHUNK_DAYS) };
  const last = { sum: new Float64Array(CHUNK_DAYS), cnt: new Int32Array(CHUNK_DAYS) };
  for (let n = 0; n < keys.length; n++) {
    if (onProgress && n % PROGRESS_EVERY === 0) onProgress(n, keys.length, 'series');
    const grp = Math.floor(keys[n] / 2 ** 32);
    const orgId = keys[n] % 2 ** 32;
    const key = orgId * 8 + grp;
    const meta = stored.meta(key);
    const delta = deltas.get(key);
    const change = delta ? 0 : (dayChange.get(key) as number);
    const [dFirst, dLast] = extentOf(key);
    const writeFrom = meta ? Math.min(dFirst, meta.last_chunk + 1) : dFirst;
    const writeTo = meta ? Math.max(dLast, meta.last_chunk) : dLast;
    for (let c = writeFrom; c <= writeTo; c++) {
      // (no chunk is stored after a pair's last one: beyond it the last value carries on)
      if (meta && c <= meta.last_chunk && stored.load(key, c, cur)) {
        // (the stored chunk)
      } else if (meta && c > meta.last_chunk) {
        // day 31 of its stored last chunk carries on
        if (!stored.load(key, meta.last_chunk, last)) throw new Error('a rollup pair lacks its last chunk: run compute --full');
        cur.sum.fill(last.sum[CHUNK_DAYS - 1]);
        cur.cnt.fill(last.cnt[CHUNK_DAYS - 1]);
      } else {
        cur.sum.fill(0);
        cur.cnt.fill(0);
      }
      if (delta) {
        // delta with carry-forward: zero before its first chunk, its last value after its last
        const di = (c - dFirst) * CHUNK_DAYS;
        for (let i = 0; i < CHUNK_DAYS; i++) {
          const j = di + i;
          if (j < 0) continue;
          const k = j < delta.sum.length ? j : delta.sum.length - 1;
          cur.sum[i] += delta.sum[k];
          cur.cnt[i] += delta.cnt[k];
        }
      } else if (c >= stepChunk) {
        for (let i = c === stepChunk ? stepDay - chunkStart(c) : 0; i < CHUNK_DAYS; i++) cur.sum[i] += change;
      }
      writes.push({ grp, chunk: c, orgId, data: encodeChunk(cur.sum, cur.cnt) });
    }
    const firstChunk = meta ? Math.min(meta.first_chunk, writeFrom) : writeFrom;
    if (!meta) q.putPair.run(orgId, grp, firstChunk, writeTo);
    else if (firstChunk !== meta.first_chunk || writeTo !== meta.last_chunk) q.updatePair.run(firstChunk, writeTo, orgId, grp);
  }
  // in the table's key order: appends and neighbouring pages instead of random B-tree inserts (a day's
  // collect writes them in that order already: one chunk, pairs by group and org)
  const inOrder = (a: (typeof writes)[number], b: (typeof writes)[number]) => a.grp - b.grp || a.chunk - b.chunk || a.orgId - b.orgId;
  if (writes.some((w, k) => k > 0 && inOrder(writes[k - 1], w) > 0)) writes.sort(inOrder);
  // A full rebuild writes every chunk (3.3 M at ten times the union): its org index, in another order, is
  // built again afterwards in one sort instead of taking each as a random insert (from the schema's own
  // definition, as the migrations made it)
  const orgIndex = full ? (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'rollup_series_org'").pluck().get() as string) : undefined;
  if (orgIndex) db.exec('DROP INDEX rollup_series_org');
  for (const w of writes) q.putPairChunk.run(w.orgId, w.grp, w.chunk, w.data);
  if (orgIndex) db.exec(orgIndex);
  writeBlocks(db, writes, full, stored.block);
  onProgress?.(keys.length, keys.length, 'series');
  return { mode: full ? 'full' : 'incremental', accounts: dirty.size, pairs: keys.length, chunks: writes.length, ms: 0 };
}

/** A stored block, decoded, and where each org's 32 days start in it. */
interface DecodedBlock {
  block: Block;
  at: Map<number, number>;
}

/** A pair's stored chunks: first to last, every one stored; after the last, its day 31 carries on. */
interface PairMeta {
  first_chunk: number;
  last_chunk: number;
}

/** Pairs read one by one below this many; above it, every extent and the chunks to rewrite in ordered scans. */
const BATCH_PAIRS = 256;
/** The widest range of chunks (after each pair's stored extent) read in one scan per group. */
const BATCH_CHUNKS = 4;

/**
 * The stored extent and chunks of the org × group pairs an update rewrites. A day's collect touches every
 * org's pairs in the same one or two chunks: then one scan of rollup_pairs (as JSON arrays) and one range
 * scan of rollup_series per group (its primary key is grp, chunk, org_id) replace two lookups per pair, which
 * at ten times the union (100,000 pairs) cost more than the update itself. A few pairs (an admin closing an
 * account) are read one by one. `keys` as the update orders them: group × 2³² + org id.
 */
function pairReader(
  db: Db,
  keys: Float64Array,
  extentOf: (key: number) => [number, number],
  q: { pair: { get(...a: unknown[]): unknown }; pairChunks: { all(...a: unknown[]): unknown[] } },
): {
  meta(key: number): PairMeta | undefined;
  /** Fills `into` with the pair's stored chunk; false when none is stored. */
  load(key: number, chunk: number, into: Chunk): boolean;
  /** A stored block this reader decoded already, if any. */
  block(grp: number, chunk: number, block: number): DecodedBlock | undefined;
} {
  const one = (key: number) => q.pair.get(Math.floor(key / 8), key % 8) as PairMeta | undefined;
  const loadOne = (key: number, chunk: number, into: Chunk) => {
    const data = (q.pairChunks.all(Math.floor(key / 8), key % 8, chunk, chunk) as { data: Buffer }[])[0]?.data;
    if (data) decodeChunk(data, into);
    return data !== undefined;
  };
  const noBlock = () => undefined;
  if (keys.length < BATCH_PAIRS) return { meta: one, load: loadOne, block: noBlock };
  const metas = new Map<number, PairMeta>();
  const [pairKeys, firsts, lasts] = (
    db
      .prepare('SELECT json_group_array(org_id * 8 + grp), json_group_array(first_chunk), json_group_array(last_chunk) FROM rollup_pairs')
      .raw()
      .get() as string[]
  ).map((j) => JSON.parse(j) as number[]);
  for (let i = 0; i < pairKeys.length; i++) metas.set(pairKeys[i], { first_chunk: firsts[i], last_chunk: lasts[i] });
  // the chunks the loop will read: from each pair's write start to its end, where a chunk is stored
  let lo = Infinity;
  let hi = -Infinity;
  const groups = new Set<number>();
  for (const k of keys) {
    const key = (k % 2 ** 32) * 8 + Math.floor(k / 2 ** 32);
    const meta = metas.get(key);
    if (!meta) continue;
    const [first, last] = extentOf(key);
    // (its last chunk too when it grows past it: the value carried on from there)
    lo = Math.min(lo, first, last > meta.last_chunk ? meta.last_chunk : meta.last_chunk + 1);
    hi = Math.max(hi, Math.min(meta.last_chunk, Math.max(last, meta.last_chunk)));
    groups.add(key % 8);
  }
  if (!(hi >= lo) || hi - lo >= BATCH_CHUNKS) return { meta: (key) => metas.get(key), load: loadOne, block: noBlock };
  // rollup_blocks holds the same chunks, 1,024 orgs to a row: a few hundred rows, not a row per pair
  const blocks = new Map<string, DecodedBlock>();
  const scan = db.prepare('SELECT chunk, block, data FROM rollup_blocks WHERE grp = ? AND chunk BETWEEN ? AND ?').raw();
  for (const grp of groups) {
    for (const [chunk, block, data] of scan.all(grp, lo, hi) as [number, number, Buffer][]) {
      const b = decodeBlock(data);
      blocks.set(`${grp}:${chunk}:${block}`, { at: new Map(b.ids.map((id, k) => [id, k * CHUNK_DAYS])), block: b });
    }
  }
  return {
    meta: (key) => metas.get(key),
    load: (key, chunk, into) => {
      if (chunk < lo || chunk > hi) return loadOne(key, chunk, into);
      const orgId = Math.floor(key / 8);
      const b = blocks.get(`${key % 8}:${chunk}:${blockOf(orgId)}`);
      const at = b?.at.get(orgId);
      if (!b || at === undefined) return false;
      into.sum.set(b.block.sum.subarray(at, at + CHUNK_DAYS));
      into.cnt.set(b.block.cnt.subarray(at, at + CHUNK_DAYS));
      return true;
    },
    block: (grp, chunk, block) => blocks.get(`${grp}:${chunk}:${block}`),
  };
}

/**
 * rollup_blocks follows rollup_series: every block holding a chunk written here is rewritten with it (the
 * block's other orgs kept). `writes` come sorted by group, chunk, org id, so a block's writes are adjacent.
 */
function writeBlocks(
  db: Db,
  writes: ReadonlyArray<{ grp: number; chunk: number; orgId: number; data: Buffer }>,
  full: boolean,
  decoded: (grp: number, chunk: number, block: number) => DecodedBlock | undefined = () => undefined,
): void {
  const get = db.prepare('SELECT data FROM rollup_blocks WHERE grp = ? AND chunk = ? AND block = ?').pluck();
  const put = db.prepare('INSERT OR REPLACE INTO rollup_blocks (grp, chunk, block, data) VALUES (?, ?, ?, ?)');
  for (let i = 0; i < writes.length; ) {
    const { grp, chunk } = writes[i];
    const block = blockOf(writes[i].orgId);
    let j = i;
    while (j < writes.length && writes[j].grp === grp && writes[j].chunk === chunk && blockOf(writes[j].orgId) === block) j++;
    const known = full ? undefined : decoded(grp, chunk, block);
    if (known && writes.slice(i, j).every((w) => known.at.has(w.orgId))) {
      // every written org has its place in the stored block (a day's collect): written over in place
      for (let k = i; k < j; k++) decodeChunk(writes[k].data, known.block, known.at.get(writes[k].orgId));
      put.run(grp, chunk, block, encodeBlock(known.block));
      i = j;
      continue;
    }
    const written = new Map<number, Buffer>();
    for (let k = i; k < j; k++) written.set(writes[k].orgId, writes[k].data);
    const stored = full || known ? undefined : (get.get(grp, chunk, block) as Buffer | undefined);
    // (a day's collect rewrites every org of the block: then the stored values are not needed)
    const old = known?.block ?? (stored && !blockIds(stored).every((id) => written.has(id)) ? decodeBlock(stored) : undefined);
    // the union of the stored orgs and the written ones, ascending
    const ids = old ? [...new Set([...old.ids, ...written.keys()])].sort((a, b) => a - b) : [...written.keys()];
    const out: Block = { ids, sum: new Float64Array(ids.length * CHUNK_DAYS), cnt: new Int32Array(ids.length * CHUNK_DAYS) };
    const oldAt = old ? new Map(old.ids.map((id, k) => [id, k])) : undefined;
    ids.forEach((id, k) => {
      const data = written.get(id);
      if (data) decodeChunk(data, out, k * CHUNK_DAYS);
      else {
        const o = oldAt!.get(id)! * CHUNK_DAYS;
        out.sum.set(old!.sum.subarray(o, o + CHUNK_DAYS), k * CHUNK_DAYS);
        out.cnt.set(old!.cnt.subarray(o, o + CHUNK_DAYS), k * CHUNK_DAYS);
      }
    });
    put.run(grp, chunk, block, encodeBlock(out));
    i = j;
  }
}

/** Dirty accounts' new readings read one by one below this many. */
const BATCH_ACCOUNTS = 256;

type Reading = { day: number; audience: number };

/** Every logged (account, day) with the audience the last compute saw there (null: no reading), by account, day order. */
function loggedReadings(db: Db): Map<number, [number, number | null][]> {
  const out = new Map<number, [number, number | null][]>();
  for (const [id, day, audience] of db.prepare('SELECT account_id, day, audience FROM rollup_snapshot_log ORDER BY account_id, day').raw().iterate() as IterableIterator<[number, number, number | null]>) {
    const list = out.get(id);
    if (list) list.push([day, audience]);
    else out.set(id, [[day, audience]]);
  }
  return out;
}

/**
 * An account's readings as the last compute saw them, from today's (`now`): those after its last computed
 * reading did not exist then, and a logged day held the logged audience (or nothing).
 */
function readingsAsComputed(now: Readings, log: ReadonlyArray<[number, number | null]> | undefined, lastDay: number): Readings {
  if (!log) {
    let n = now.days.length;
    while (n > 0 && now.days[n - 1] > lastDay) n--;
    return { days: now.days.slice(0, n), auds: now.auds.slice(0, n) };
  }
  const byDay = new Map<number, number>();
  for (let i = 0; i < now.days.length && now.days[i] <= lastDay; i++) byDay.set(now.days[i], now.auds[i]);
  for (const [day, audience] of log ?? []) {
    if (audience === null) byDay.delete(day);
    else byDay.set(day, audience);
  }
  const sorted = [...byDay].sort((a, b) => a[0] - b[0]);
  return { days: sorted.map((r) => r[0]), auds: sorted.map((r) => r[1]) };
}

/** A pair's appended steps (flat day, change) as a run: zero before the first, each change from its day on. */
function stepsRun(list: readonly number[]): DailyRun {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < list.length; i += 2) {
    if (list[i] < lo) lo = list[i];
    if (list[i] > hi) hi = list[i];
  }
  const first = chunkOf(lo);
  const n = (chunkOf(hi) - first + 1) * CHUNK_DAYS;
  const base = chunkStart(first);
  const sum = new Float64Array(n);
  for (let i = 0; i < list.length; i += 2) sum[list[i] - base] += list[i + 1];
  for (let i = 1; i < n; i++) sum[i] += sum[i - 1];
  return { firstChunk: first, sum, cnt: new Int32Array(n) };
}

/**
 * The readings on and after each appendable account's changed day (`appendable` decides), in one statement
 * when many (a day's collect: 50,000 accounts at ten times the union), else one query each. An account whose
 * first such reading is not on its changed day (nothing to append after all) is left out: it is recomputed.
 */
function appendedReadings(
  db: Db,
  dirty: Map<number, number>,
  onlyReading: ReadonlyMap<number, Reading>,
  appendable: (id: number, from: number) => boolean,
): Map<number, Reading[]> {
  const out = new Map<number, Reading[]>();
  const ids: number[] = [];
  let lo = Infinity;
  for (const [id, from] of dirty) {
    if (!appendable(id, from)) continue;
    const only = onlyReading.get(id);
    if (only) {
      out.set(id, [only]);
      continue;
    }
    ids.push(id);
    lo = Math.min(lo, from);
  }
  if (!ids.length) return out;
  const add = (id: number, day: number, audience: number) => {
    if (day < dirty.get(id)!) return;
    const list = out.get(id);
    if (list) list.push({ day, audience });
    else out.set(id, [{ day, audience }]);
  };
  if (ids.length >= BATCH_ACCOUNTS) {
    // (each account's readings come in day order: the primary key's)
    const rows = db
      .prepare('SELECT s.account_id, s.day, s.audience FROM json_each(?) j CROSS JOIN snapshots s ON s.account_id = j.value AND s.day >= ?')
      .raw()
      .all(JSON.stringify(ids), lo) as [number, number, number][];
    for (const [id, day, audience] of rows) add(id, day, audience);
  } else {
    const one = db.prepare('SELECT day, audience FROM snapshots WHERE account_id = ? AND day >= ? ORDER BY day').raw();
    for (const id of ids) for (const [day, audience] of one.all(id, dirty.get(id)!) as [number, number][]) add(id, day, audience);
  }
  for (const [id, list] of out) if (list[0].day !== dirty.get(id)) out.delete(id);
  return out;
}
