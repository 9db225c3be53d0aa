// Times `import-audience` of 100,000 readings (the foundation issue's goal: seconds) through the real CLI.
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
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-bench-import-'));
const dbFile = path.join(dir, 'ag.db');
const db = openDatabase(dbFile);
importTree(db, readTreeFile(path.join(__dirname, '../examples/union.yaml')), 'bench', { importTargets: targetImporter });
const slugOf = new Map(allOrgs(db).map((o) => [o.id, o.slug]));
const accounts = allAccounts(db);
db.close();

const start = toEpochDay('2022-01-01');
const lines = ['org,platform,account,date,audience'];
for (let i = 0; lines.length <= LINES; i++) {
  const a = accounts[i % accounts.length];
  const day = start + Math.floor(i / accounts.length);
  lines.push([slugOf.get(a.org_id), a.platform, a.platform_id, fromEpochDay(day), 1000 + (i % 977)].join(','));
}
const csv = path.join(dir, 'readings.csv');
fs.writeFileSync(csv, lines.join('\n') + '\n');

const t0 = process.hrtime.bigint();
const r = spawnSync(process.execPath, [path.join(__dirname, '../bin/audience-growth.js'), 'import-audience', csv], { env: { ...process.env, DATABASE_PATH: dbFile }, encoding: 'utf8' });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
if (r.status !== 0) {
  process.stderr.write(r.stderr);
  process.exit(1);
}
process.stdout.write(r.stdout);
console.log(`import-audience: ${LINES} lines in ${seconds.toFixed(2)} s (whole CLI process, including start-up)`);
console.log(JSON.stringify({ lines: LINES, import_audience_s: Number(seconds.toFixed(3)) }));
fs.rmSync(dir, { recursive: true, force: true });
