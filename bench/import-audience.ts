// Times `import-audience` through the real CLI and prints its peak RSS (issue 17: a 42 MB CSV took 1.2 GB; the
// goal is a 1,000,000-line import under 300 MB, as the file is streamed twice). LINES (default 100,000) readings
// over the example tree plus ACCOUNTS extra Telegram channels (default: enough that every reading's date lies
// between 2000-01-01 and today). `LINES=1000000 npm run bench:import`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../db';
import { allAccounts, allOrgs } from '../db/orgs';
import { targetImporter } from '../src/services';
import { importTree, readTreeFile } from '../src/import';
import { fromEpochDay, toEpochDay } from '../src/domain/dates';

const LINES = Number(process.env.LINES ?? 100_000);
const FIRST = toEpochDay('2000-01-01');
const DAYS = toEpochDay(new Date().toISOString().slice(0, 10)) - FIRST - 1;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-bench-import-'));
const dbFile = path.join(dir, 'ag.db');
const db = openDatabase(dbFile);
importTree(db, readTreeFile(path.join(__dirname, '../examples/union.yaml')), 'bench', { importTargets: targetImporter });
const root = allOrgs(db)[0];
const extra = Number(process.env.ACCOUNTS ?? Math.max(0, Math.ceil(LINES / DAYS) - allAccounts(db).length + 1));
const add = db.prepare("INSERT INTO accounts (org_id, platform, platform_id, created_at, updated_at) VALUES (?, 'telegram', ?, 0, 0)");
db.transaction(() => {
  for (let i = 0; i < extra; i++) add.run(root.id, `@bench_${i}`);
})();
const slugOf = new Map(allOrgs(db).map((o) => [o.id, o.slug]));
const accounts = allAccounts(db);
db.close();

// Written as it is made: the bench's own memory is not the import's.
const csv = path.join(dir, 'readings.csv');
const fd = fs.openSync(csv, 'w');
let chunk = 'org,platform,account,date,audience\n';
for (let i = 0; i < LINES; i++) {
  const a = accounts[i % accounts.length];
  const day = FIRST + Math.floor(i / accounts.length);
  chunk += `${slugOf.get(a.org_id)},${a.platform},${a.platform_id},${fromEpochDay(day)},${1000 + (i % 977)}\n`;
  if (chunk.length > 1 << 20) {
    fs.writeSync(fd, chunk);
    chunk = '';
  }
}
fs.writeSync(fd, chunk);
fs.closeSync(fd);
const mb = fs.statSync(csv).size / 1e6;

// The child reports its own peak resident set size as it exits.
const probe = path.join(dir, 'peak-rss.js');
fs.writeFileSync(probe, "process.on('exit', () => process.stderr.write(`peak_rss_kb=${process.resourceUsage().maxRSS}\\n`));\n");
const t0 = process.hrtime.bigint();
const r = spawnSync(process.execPath, ['--require', probe, path.join(__dirname, '../bin/audience-growth.js'), 'import-audience', csv], {
  env: { ...process.env, DATABASE_PATH: dbFile },
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
if (r.status !== 0) {
  process.stderr.write(r.stderr);
  process.exit(1);
}
const peakMb = Number(/peak_rss_kb=(\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
process.stdout.write(r.stdout.split('\n').filter((l) => l.includes('readings imported')).join('\n') + '\n');
console.log(`import-audience: ${LINES} lines (${mb.toFixed(1)} MB, ${accounts.length} accounts) in ${seconds.toFixed(2)} s, peak RSS ${peakMb.toFixed(0)} MB (whole CLI process, including start-up and the rollups)`);
console.log(JSON.stringify({ lines: LINES, csv_mb: Number(mb.toFixed(1)), import_audience_s: Number(seconds.toFixed(3)), peak_rss_mb: Math.round(peakMb) }));
fs.rmSync(dir, { recursive: true, force: true });
