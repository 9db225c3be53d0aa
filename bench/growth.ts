// `npm run bench:growth`: builds the DESIGN §10 scale model (1 + 20 + 200 + 5,000 orgs, 5,000 accounts,
// 3 years of daily snapshots) in a temporary SQLite file and measures the growth engine on it: storage per
// snapshot, full rebuild, incremental compute after one day's collect, and query latencies against the
// same answer computed from raw snapshots. Prints a table, then one JSON object as its last line.
// BENCH_SCALE=0.1 shrinks the number of primary orgs and accounts for a quick run, BENCH_SCALE=10 is the
// federation (50,221 orgs, 50,000 accounts, 50.8 M readings); BENCH_DB=/path/model.db keeps the generated
// model and reuses it on the next run (see scale-model.ts); BENCH_KEEP=1 keeps the working file.
import fs from 'node:fs';
import type { Db } from '../db';
import { fromEpochDay } from '../src/domain/dates';
import { setLogLevel } from '../src/log';
import { computeRollups } from '../src/jobs/compute';
import { audienceRows } from '../src/growth/series';
import { growthRows } from '../src/growth/growth';
import { rankings } from '../src/growth/rankings';
import { importTargets, targetRows } from '../src/growth/targets';
import { BRANCHES_PER_REGION, DAYS, END, openScaleModel, PRIMARIES, rand, REGIONS, START } from './scale-model';

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

function tableSizes(db: Db): Map<string, number> {
  try {
    const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: number }[];
    return new Map(rows.map((r) => [r.name, r.bytes]));
  } catch {
    return new Map();
  }
}

function main(): void {
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
    { org: 'kz', platform: 'newspaper' as const, baseline_date: baselineDate, target: 70_000, due_date: due },
  ];
  importTargets(db, targets, { actor: 'bench' });

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
  const rawRuns: number[] = [];
  let raw: Array<number | null> = [];
  for (let i = 0; i < 3; i++) {
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
    raw_series_ms: +rawMs.toFixed(1),
    series_speedup_vs_raw: +(rawMs / series.p95).toFixed(1),
    series_equals_raw: same,
    goals_met: incS <= 1 && series.p95 <= 50 && targetsQ.p95 <= 50 && rawMs / series.p95 >= 10 && same,
  };

  const line = (k: string, v: string, goal = '') => `  ${k.padEnd(46)} ${v.padStart(14)}  ${goal}`;
  const out = [
    `growth engine on the scale model (${result.orgs} orgs, ${result.accounts} accounts, ${DAYS} days, ${snapshots.toLocaleString('en')} snapshots; full rebuild wrote ${full.chunks} series chunks)`,
    line(gen.reused ? 'copy the kept model (setup, not measured)' : 'generate (setup, not measured)', `${genS.toFixed(1)} s`),
    line('database file', `${(fileBytes / 1e6).toFixed(1)} MB`),
    line('bytes per snapshot (whole file)', result.bytes_per_snapshot.toFixed(1)),
    line('  of which snapshots table', result.snapshot_table_bytes_per_snapshot.toFixed(1)),
    line('  of which rollup tables', result.rollup_bytes_per_snapshot.toFixed(1)),
    line('full rebuild', `${fullS.toFixed(2)} s`),
    line(`incremental after one day's collect (${inc.accounts} acc.)`, `${incS.toFixed(3)} s`, 'goal ≤ 1 s'),
    line('root 3-year daily series, p95', `${series.p95.toFixed(2)} ms`, 'goal ≤ 50 ms'),
    line('region 3-year telegram series, p95', `${seriesRegion.p95.toFixed(2)} ms`),
    line(`targets table (${result.targets} targets), p95`, `${targetsQ.p95.toFixed(2)} ms`, 'goal ≤ 50 ms'),
    line('growth rows, all orgs, p95', `${growthQ.p95.toFixed(2)} ms`),
    line('rankings of 200 branches with previous period, p95', `${rankQ.p95.toFixed(2)} ms`),
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
