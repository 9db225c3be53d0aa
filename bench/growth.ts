// `npm run bench:growth`: builds the DESIGN §10 scale model (1 + 20 + 200 + 5,000 orgs, 5,000 accounts,
// 3 years of daily snapshots) in a temporary SQLite file and measures the growth engine on it: storage per
// snapshot, full rebuild, incremental compute after one day's collect, and query latencies against the
// same answer computed from raw snapshots. Prints a table, then one JSON object as its last line.
// BENCH_SCALE=0.1 shrinks the number of primary orgs and accounts for a quick run, BENCH_SCALE=10 is the
// federation (50,221 orgs, 50,000 accounts, 50.8 M readings); BENCH_DB=/path/model.db keeps the generated
// model and reuses it on the next run (see scale-model.ts); BENCH_KEEP=1 keeps the working file.
import fs from 'node:fs';
import os from 'node:os';
import type { Db } from '../db';
import { fromEpochDay } from '../src/domain/dates';
import { InputError } from '../src/config';
import { setLogLevel } from '../src/log';
import { computeRollups } from '../src/jobs/compute';
import { audienceRows } from '../src/growth/series';
import { growthRows } from '../src/growth/growth';
import { rankings } from '../src/growth/rankings';
import { importTargets, targetRows } from '../src/growth/targets';
import { BRANCHES_PER_REGION, DAYS, END, openScaleModel, PRIMARIES, rand, REGIONS, SCALE, START } from './scale-model';

setLogLevel('warn');




function now(): number {
  return performance.now();
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function time<T>(runs: number, fn: () => T): { p50: number; p95: number; result: T } {
  const t: number[] = [];
  let result!: T;
  fn(); // warm-up: prepared statements, page cache
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    result = fn();
    t.push(now() - t0);
  }
  return { p50: percentile(t, 50), p95: percentile(t, 95), result };
}

/** The root's daily social audience straight from the raw snapshots: one ordered scan, carried forward in JS. */
function rawRootSeries(db: Db, from: number, to: number): Array<number | null> {
  const closed = new Map((db.prepare('SELECT id, closed_day FROM accounts').all() as { id: number; closed_day: number | null }[]).map((a) => [a.id, a.closed_day]));
  const n = to - from + 1;
  const sum = new Float64Array(n);
  const cnt = new Int32Array(n);
  let cur = -1;
  let lastDay = 0;
  let lastAud = 0;
  const flush = () => {
    if (cur < 0) return;
    const c = closed.get(cur) ?? Infinity;
    for (let d = Math.max(lastDay, from); d <= to && d < c; d++) {
      sum[d - from] += lastAud;
      cnt[d - from]++;
    }
  };
  const rows = db
    .prepare("SELECT s.account_id, s.day, s.audience FROM snapshots s JOIN accounts a ON a.id = s.account_id WHERE a.platform IN ('facebook', 'instagram', 'telegram') AND s.day <= ? ORDER BY s.account_id, s.day")
    .raw()
    .iterate(to) as IterableIterator<[number, number, number]>;
  for (const [acc, day, aud] of rows) {
    if (acc !== cur) {
      flush();
      cur = acc;
    } else {
      const c = closed.get(cur) ?? Infinity;
      for (let d = Math.max(lastDay, from); d < day && d <= to && d < c; d++) {
        sum[d - from] += lastAud;
        cnt[d - from]++;
      }
    }
    lastDay = day;
    lastAud = aud;
  }
  flush();
  return Array.from(sum, (s, i) => (cnt[i] > 0 ? s : null));
}

/**
 * Growth of every org over [from, to] (social) by DESIGN §4's own definition, account by account, straight
 * from the raw snapshots (one ordered scan), summed up each account's org chain: what growthRows must equal.
 */
function rawGrowth(db: Db, from: number, to: number): Map<string, { start: number | null; end: number | null; net: number | null }> {
  const orgs = db.prepare('SELECT id, slug, parent_id FROM organisations').all() as { id: number; slug: string; parent_id: number | null }[];
  const parent = new Map(orgs.map((o) => [o.id, o.parent_id]));
  const accounts = new Map(
    (db.prepare("SELECT id, org_id, closed_day FROM accounts WHERE platform IN ('facebook', 'instagram', 'telegram')").all() as { id: number; org_id: number; closed_day: number | null }[]).map((a) => [a.id, a]),
  );
  const sums = new Map<number, { start: number; startAny: boolean; end: number; endAny: boolean; net: number }>();
  const addAccount = (id: number, atStart: number | null, atEnd: number | null, firstIn: number | null) => {
    const a = accounts.get(id);
    if (!a) return;
    const trackedStart = atStart !== null && (a.closed_day === null || a.closed_day > from - 1);
    const trackedEnd = atEnd !== null && (a.closed_day === null || a.closed_day > to);
    for (let o: number | null | undefined = a.org_id; o != null; o = parent.get(o)) {
      let s = sums.get(o);
      if (!s) sums.set(o, (s = { start: 0, startAny: false, end: 0, endAny: false, net: 0 }));
      if (trackedStart) {
        s.start += atStart as number;
        s.startAny = true;
      }
      if (trackedEnd) {
        s.end += atEnd as number;
        s.endAny = true;
        s.net += (atEnd as number) - (trackedStart ? (atStart as number) : (firstIn as number));
      } else if (trackedStart) s.net -= atStart as number;
    }
  };
  let cur = -1;
  let atStart: number | null = null;
  let atEnd: number | null = null;
  let firstIn: number | null = null;
  for (const [acc, day, aud] of db.prepare('SELECT account_id, day, audience FROM snapshots WHERE day <= ? ORDER BY account_id, day').raw().iterate(to) as IterableIterator<[number, number, number]>) {
    if (acc !== cur) {
      if (cur >= 0) addAccount(cur, atStart, atEnd, firstIn);
      cur = acc;
      atStart = atEnd = firstIn = null;
    }
    if (day <= from - 1) atStart = aud;
    atEnd = aud;
    if (day >= from && firstIn === null) firstIn = aud;
  }
  if (cur >= 0) addAccount(cur, atStart, atEnd, firstIn);
  const out = new Map<string, { start: number | null; end: number | null; net: number | null }>();
  for (const o of orgs) {
    const s = sums.get(o.id);
    out.set(o.slug, {
      start: s?.startAny ? s.start : null,
      end: s?.endAny ? s.end : null,
      net: s && (s.startAny || s.endAny) ? s.net : null,
    });
  }
  return out;
}

function tableSizes(db: Db): Map<string, number> {
  try {
    const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: number }[];
    return new Map(rows.map((r) => [r.name, r.bytes]));
  } catch {
    return new Map();
  }
}

function main(): void {
  const load1 = os.loadavg()[0];
  const gen = openScaleModel('ag-bench-growth-', { throughDay: END - 1 });
  const { db, file } = gen;
  const genS = gen.setupS;

  let t = now();
  const full = computeRollups(db, { full: true });
  const fullS = (now() - t) / 1000;

  // Targets set 120 days ago, due in 245: social for the council, regions and branches; telegram for regions; newspapers.
  const baselineDate = fromEpochDay(END - 120);
  const due = fromEpochDay(END + 245);
  const orgs = db.prepare("SELECT slug, level FROM organisations WHERE level IN ('council', 'region', 'branch')").all() as { slug: string; level: string }[];
  const targets = [
    ...orgs.map((o) => ({ org: o.slug, platform: 'social' as const, baseline_date: baselineDate, target_percent: 15 + Math.floor(rand() * 50), due_date: due })),
    ...orgs.filter((o) => o.level === 'region').map((o) => ({ org: o.slug, platform: 'telegram' as const, baseline_date: baselineDate, target_percent: 30, due_date: due })),
    { org: 'kz', platform: 'newspaper' as const, baseline_date: baselineDate, target_percent: 10, due_date: due },
  ];
  // One at a time: at a reduced BENCH_SCALE a target may be refused (e.g. not above its baseline); it is left out.
  for (const target of targets) {
    try {
      importTargets(db, [target], { actor: 'bench' });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
    }
  }

  // One day's collect: every open account read once, on END, then the incremental compute.
  const insSnap = db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, ?)');
  db.transaction(() => {
    for (const a of gen.accounts) if (a.platform !== 'newspaper' && a.closed === null) insSnap.run(a.id, END, Math.round(a.audience + a.growth), Date.now());
  })();
  t = now();
  const inc = computeRollups(db);
  const incS = (now() - t) / 1000;
  const snapshots = (db.prepare('SELECT count(*) AS n FROM snapshots').get() as { n: number }).n;

  db.pragma('wal_checkpoint(TRUNCATE)');
  const fileBytes = fs.statSync(file).size;
  const sizes = tableSizes(db);
  const rollupBytes = [...sizes].filter(([name]) => name.startsWith('rollup_')).reduce((s, [, b]) => s + b, 0);
  const snapshotBytes = sizes.get('snapshots') ?? 0;

  // Queries
  const from = fromEpochDay(START);
  const to = fromEpochDay(END);
  const series = time(60, () => audienceRows(db, { org: 'kz', platform: 'social', from, to }));
  const seriesRegion = time(60, () => audienceRows(db, { org: 'region-7', platform: 'telegram', from, to }));
  const targetsQ = time(40, () => targetRows(db, to));
  const growthQ = time(20, () => growthRows(db, { platform: 'social', from: fromEpochDay(END - 29), to }));
  const rankQ = time(20, () => rankings(db, { level: 'branch', platform: 'social', from: '2026-10-01', to: '2026-10-31' }));
  const rankPrimaryQ = time(20, () => rankings(db, { level: 'primary', platform: 'social', from: '2026-10-01', to: '2026-10-31' }));
  // every org's growth against DESIGN §4 applied to the raw snapshots, account by account
  const rawG = rawGrowth(db, END - 29, END);
  const growthSame = growthQ.result.length === rawG.size && growthQ.result.every((r) => {
    const w = rawG.get(r.org);
    return w !== undefined && w.start === r.audience_start && w.end === r.audience_end && w.net === r.net_growth;
  });
  const rawRuns: number[] = [];
  let raw: Array<number | null> = [];
  // (one run at ten times the union: a scan of 50 M readings takes about a minute)
  for (let i = 0; i < (SCALE > 1 ? 1 : 3); i++) {
    const r0 = now();
    raw = rawRootSeries(db, START, END);
    rawRuns.push(now() - r0);
  }
  const rawMs = percentile(rawRuns, 50);
  const same = raw.length === series.result.length && raw.every((v, i) => v === series.result[i].audience);
  const statuses = targetsQ.result.reduce<Record<string, number>>((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {});

  const result = {
    orgs: 1 + REGIONS + REGIONS * BRANCHES_PER_REGION + PRIMARIES,
    accounts: gen.accounts.length,
    snapshots,
    targets: targetsQ.result.length,
    generate_s: +genS.toFixed(2),
    db_bytes: fileBytes,
    bytes_per_snapshot: +(fileBytes / snapshots).toFixed(2),
    snapshot_table_bytes_per_snapshot: +(snapshotBytes / snapshots).toFixed(2),
    rollup_bytes_per_snapshot: +(rollupBytes / snapshots).toFixed(2),
    full_rebuild_s: +fullS.toFixed(3),
    incremental_s: +incS.toFixed(3),
    incremental_accounts: inc.accounts,
    series_p50_ms: +series.p50.toFixed(3),
    series_p95_ms: +series.p95.toFixed(3),
    region_series_p95_ms: +seriesRegion.p95.toFixed(3),
    targets_p95_ms: +targetsQ.p95.toFixed(3),
    growth_all_orgs_p95_ms: +growthQ.p95.toFixed(3),
    rankings_branch_p95_ms: +rankQ.p95.toFixed(3),
    rankings_primary_p95_ms: +rankPrimaryQ.p95.toFixed(3),
    growth_rows_equal_raw: growthSame,
    raw_series_ms: +rawMs.toFixed(1),
    series_speedup_vs_raw: +(rawMs / series.p95).toFixed(1),
    series_equals_raw: same,
    // DESIGN §10 at 1×; at 10× (issue 16) the incremental update ≤ 1.5 s, growth of all orgs ≤ 150 ms, rebuild ≤ 60 s
    load_avg_1min_at_start: +load1.toFixed(2),
    load_avg_1min_at_end: +os.loadavg()[0].toFixed(2),
    goals_met:
      incS <= (SCALE > 1 ? 1.5 : 1) && series.p95 <= 50 && targetsQ.p95 <= 50 && rawMs / series.p95 >= 10 && same && growthSame &&
      (SCALE > 1 ? growthQ.p95 <= 150 && fullS <= 60 : true),
  };

  const line = (k: string, v: string, goal = '') => `  ${k.padEnd(58)} ${v.padStart(12)}  ${goal}`;
  const out = [
    `growth engine on the scale model (${result.orgs} orgs, ${result.accounts} accounts, ${DAYS} days, ${snapshots.toLocaleString('en')} snapshots; full rebuild wrote ${full.chunks} series chunks)`,
    line(gen.reused ? 'copy the kept model (setup, not measured)' : 'generate (setup, not measured)', `${genS.toFixed(1)} s`),
    line('database file', `${(fileBytes / 1e6).toFixed(1)} MB`),
    line('bytes per snapshot (whole file)', result.bytes_per_snapshot.toFixed(1)),
    line('  of which snapshots table', result.snapshot_table_bytes_per_snapshot.toFixed(1)),
    line('  of which rollup tables', result.rollup_bytes_per_snapshot.toFixed(1)),
    line('full rebuild', `${fullS.toFixed(2)} s`, SCALE > 1 ? 'goal ≤ 60 s' : ''),
    line(`incremental after one day's collect (${inc.accounts} acc.)`, `${incS.toFixed(3)} s`, SCALE > 1 ? 'goal ≤ 1.5 s' : 'goal ≤ 1 s'),
    line('root 3-year daily series, p95', `${series.p95.toFixed(2)} ms`, 'goal ≤ 50 ms'),
    line('region 3-year telegram series, p95', `${seriesRegion.p95.toFixed(2)} ms`),
    line(`targets table (${result.targets} targets), p95`, `${targetsQ.p95.toFixed(2)} ms`, 'goal ≤ 50 ms'),
    line(`growth rows, all ${result.orgs.toLocaleString('en')} orgs, p95`, `${growthQ.p95.toFixed(2)} ms`, SCALE > 1 ? 'goal ≤ 150 ms' : ''),
    line('rankings of 200 branches with previous period, p95', `${rankQ.p95.toFixed(2)} ms`),
    line(`rankings of ${PRIMARIES.toLocaleString('en')} primaries with previous period, p95`, `${rankPrimaryQ.p95.toFixed(2)} ms`),
    line('growth rows of every org equal §4 on raw snapshots', String(growthSame)),
    line('same root series from raw snapshots, median', `${rawMs.toFixed(0)} ms`),
    line('series speed-up vs raw', `${result.series_speedup_vs_raw}×`, 'goal ≥ 10×'),
    line('rollup series equals raw computation', String(same)),
    line('target statuses', Object.entries(statuses).map(([k, v]) => `${k} ${v}`).join(', ')),
  ];
  if (process.env.BENCH_KEEP) out.push(`  database kept at ${file}`);
  process.stdout.write(out.join('\n') + '\n');
  gen.close();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main();
