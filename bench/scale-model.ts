// The DESIGN §10 scale model shared by bench:growth and bench:web: 1 + 20 + 200 + 5,000 orgs, 5,000
// accounts, 3 years of daily snapshots with gaps, late-connected and closed accounts, monthly newspaper
// figures and a rare bought-followers spike. Deterministic (mulberry32), so runs are comparable.
// BENCH_SCALE=0.1 shrinks the number of primary orgs and accounts for a quick run (10 = the federation).
// BENCH_DB=/path/model.db keeps the generated model in that file (and its accounts in /path/model.db.json) and
// reuses it on the next run with the same scale: generating 50 M readings at 10× takes minutes. Each run
// works on a copy, so the kept file stays as generated.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../db';
import { fromEpochDay, toEpochDay } from '../src/domain/dates';

export const SCALE = Number(process.env.BENCH_SCALE ?? 1);
export const DAYS = 1095;
export const END = toEpochDay('2026-11-22');
export const START = END - DAYS + 1;
export const REGIONS = 20;
export const BRANCHES_PER_REGION = 10;
export const PRIMARIES = Math.round(5000 * SCALE);
export const ACCOUNTS = Math.round(5000 * SCALE);
export const ORGS = 1 + REGIONS + REGIONS * BRANCHES_PER_REGION + PRIMARIES;

let seed = 20261122;
export function rand(): number {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
export const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

export interface Acc {
  id: number;
  org: number;
  platform: string;
  audience: number;
  growth: number;
  closed: number | null;
  first: number;
}

export function generateScaleModel(db: Db, opts: { throughDay: number }): { accounts: Acc[]; snapshots: number } {
  const insOrg = db.prepare('INSERT INTO organisations (id, slug, parent_id, level, name_ru, name_kk, name_en, members, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)');
  const orgsByLevel: Record<string, number[]> = { council: [1], region: [], branch: [], primary: [] };
  let id = 1;
  insOrg.run(1, 'kz', null, 'council', 'Республиканский совет', 'Республикалық кеңес', 'National council', 350_000);
  const branches: number[] = [];
  for (let r = 0; r < REGIONS; r++) {
    const rid = ++id;
    insOrg.run(rid, `region-${r + 1}`, 1, 'region', `Область ${r + 1}`, `${r + 1} облыс`, `Region ${r + 1}`, 10_000 + Math.floor(rand() * 20_000));
    orgsByLevel.region.push(rid);
    for (let b = 0; b < BRANCHES_PER_REGION; b++) {
      const bid = ++id;
      insOrg.run(bid, `branch-${r + 1}-${b + 1}`, rid, 'branch', `Филиал ${r + 1}-${b + 1}`, null, null, 800 + Math.floor(rand() * 3000));
      orgsByLevel.branch.push(bid);
      branches.push(bid);
    }
  }
  for (let p = 0; p < PRIMARIES; p++) {
    const pid = ++id;
    insOrg.run(pid, `school-${p + 1}`, branches[p % branches.length], 'primary', `Школа ${p + 1}`, null, null, rand() < 0.9 ? 20 + Math.floor(rand() * 150) : null);
    orgsByLevel.primary.push(pid);
  }

  // Accounts: the council's five channels (two newspapers), three per region, two per branch, the rest one per school.
  const accounts: Acc[] = [];
  const add = (org: number, platform: string, audience: number) => {
    const late = rand() < 0.12;
    accounts.push({
      id: accounts.length + 1,
      org,
      platform,
      audience,
      growth: audience * (0.0002 + rand() * 0.0012),
      closed: null,
      first: late ? START + Math.floor(rand() * (DAYS - 60)) : START,
    });
  };
  add(1, 'facebook', 25_000);
  add(1, 'instagram', 18_000);
  add(1, 'telegram', 12_000);
  add(1, 'newspaper', 40_000);
  add(1, 'newspaper', 22_000);
  for (const r of orgsByLevel.region) for (const p of ['facebook', 'instagram', 'telegram']) add(r, p, 1000 + Math.floor(rand() * 6000));
  for (const b of orgsByLevel.branch) for (const p of ['facebook', 'telegram']) add(b, p, 200 + Math.floor(rand() * 1500));
  let i = 0;
  while (accounts.length < ACCOUNTS) add(orgsByLevel.primary[i++ % orgsByLevel.primary.length], pick(['facebook', 'instagram', 'telegram', 'telegram']), 20 + Math.floor(rand() * 600));
  for (let k = 0; k < Math.max(1, Math.round(25 * SCALE)); k++) {
    const a = accounts[5 + Math.floor(rand() * (accounts.length - 5))];
    a.closed = END - 1 - Math.floor(rand() * 300);
  }
  const insAcc = db.prepare('INSERT INTO accounts (id, org_id, platform, platform_id, closed_day, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0)');
  for (const a of accounts) insAcc.run(a.id, a.org, a.platform, a.platform === 'facebook' ? String(100_000_000_000_000 + a.id) : `${a.platform}-${a.id}`, a.closed);

  // Daily readings up to `throughDay` (the growth bench stops the day before END and measures END's collect); ~1.5 % of days
  // missed (gaps), newspapers once a month, a rare bought-followers spike.
  const insSnap = db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, ?, ?)');
  let n = 0;
  for (const a of accounts) {
    let aud = a.audience;
    const last = a.closed === null ? opts.throughDay : Math.min(opts.throughDay, a.closed - 1);
    for (let d = a.first; d <= last; d++) {
      aud = Math.max(0, aud + a.growth + (rand() - 0.45) * Math.sqrt(a.audience) * 0.3);
      if (rand() < 0.0005) aud += a.audience * 0.3;
      if (a.platform === 'newspaper' ? fromEpochDay(d).endsWith('-01') : rand() > 0.015) {
        insSnap.run(a.id, d, Math.round(aud), a.platform === 'newspaper' ? 2 : 0, d * 86_400_000);
        n++;
      }
    }
    a.audience = aud;
  }
  return { accounts, snapshots: n };
}

export interface ScaleModel {
  db: Db;
  /** the working copy (deleted by close() unless BENCH_KEEP is set) */
  file: string;
  accounts: Acc[];
  snapshots: number;
  /** what `extra` returned (e.g. the number of posts generated) */
  extra: number;
  /** seconds spent generating or copying the model */
  setupS: number;
  reused: boolean;
  close(): void;
}

interface Kept {
  scale: number;
  throughDay: number;
  extraKind: string;
  seed: number;
  snapshots: number;
  extra: number;
  accounts: Acc[];
}

/**
 * The scale model in a temporary SQLite file, generated (snapshots through `throughDay`, then `extra`, e.g.
 * the publications' posts, named by `extraKind`) or, with BENCH_DB, copied from the file a previous run kept.
 */
export function openScaleModel(
  prefix: string,
  // extraOwnTransactions: the extra commits as it goes (a model with the full precomputations is too large for
  // one transaction's WAL, and the extra may want to measure the file between its steps)
  opts: { throughDay: number; extraKind?: string; extra?: (db: Db, accounts: Acc[]) => number; extraOwnTransactions?: boolean },
): ScaleModel {
  const t0 = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, 'bench.db');
  const keep = process.env.BENCH_DB ? path.resolve(process.env.BENCH_DB) : undefined;
  const extraKind = opts.extra ? (opts.extraKind ?? 'extra') : '';
  let kept: Kept | undefined;
  if (keep && fs.existsSync(keep) && fs.existsSync(`${keep}.json`)) {
    const k = JSON.parse(fs.readFileSync(`${keep}.json`, 'utf8')) as Kept;
    if (k.scale === SCALE && k.throughDay === opts.throughDay && k.extraKind === extraKind) kept = k;
    else process.stderr.write(`BENCH_DB ${keep} holds another model (scale ${k.scale}, through ${k.throughDay}, ${k.extraKind || 'no extra'}): generating a new one over it\n`);
  }
  let db: Db;
  let model: { accounts: Acc[]; snapshots: number; extra: number };
  if (kept) {
    fs.copyFileSync(keep!, file);
    db = openDatabase(file);
    seed = kept.seed;
    model = { accounts: kept.accounts, snapshots: kept.snapshots, extra: kept.extra };
  } else {
    db = openDatabase(file);
    db.pragma('synchronous = OFF');
    const gen = db.transaction(() => generateScaleModel(db, opts))();
    const extra = !opts.extra ? 0 : opts.extraOwnTransactions ? opts.extra(db, gen.accounts) : db.transaction(() => opts.extra!(db, gen.accounts))();
    db.pragma('synchronous = NORMAL');
    model = { ...gen, extra };
    if (keep) {
      db.pragma('wal_checkpoint(TRUNCATE)');
      fs.mkdirSync(path.dirname(keep), { recursive: true });
      fs.copyFileSync(file, keep);
      const k: Kept = { scale: SCALE, throughDay: opts.throughDay, extraKind, seed, snapshots: gen.snapshots, extra, accounts: gen.accounts };
      fs.writeFileSync(`${keep}.json`, JSON.stringify(k));
    }
  }
  return {
    db,
    file,
    ...model,
    setupS: (performance.now() - t0) / 1000,
    reused: kept !== undefined,
    close() {
      if (db.open) db.close();
      if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
