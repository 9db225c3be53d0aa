// The incremental update after a day's collect reads many accounts' and pairs' stored chunks in batched scans
// (src/growth/rollups.ts, above a few hundred) and continues accounts from their last reading; what it writes
// (series, blocks, kept readings, flags) must equal a full rebuild from the snapshots.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from '../../db';
import { toEpochDay } from '../../src/domain/dates';
import { computeRollups } from '../../src/jobs/compute';
import { audienceOfAllOrgs, audienceOnDay } from '../../src/growth/series';
import { setLogLevel } from '../../src/log';
import { tempDir } from '../helpers/cli';

setLogLevel('error');

const ACCOUNTS = 320;
const START = toEpochDay('2026-09-20');
const END = toEpochDay('2026-11-22');

function dump(db: Db): unknown {
  return [
    db.prepare('SELECT org_id, grp, chunk, hex(data) FROM rollup_series ORDER BY 1, 2, 3').raw().all(),
    db.prepare('SELECT * FROM rollup_pairs ORDER BY 1, 2').raw().all(),
    db.prepare('SELECT grp, chunk, block, hex(data) FROM rollup_blocks ORDER BY 1, 2, 3').raw().all(),
    db.prepare('SELECT * FROM rollup_accounts ORDER BY 1').raw().all(),
    db.prepare('SELECT count(*) FROM rollup_snapshot_log').pluck().get(),
    db.prepare('SELECT * FROM rollup_flags ORDER BY 1, 2').raw().all(),
  ];
}

test(`a day's collect of ${ACCOUNTS} accounts, incrementally, equals a full rebuild`, () => {
  const file = path.join(tempDir(), 'batch.db');
  const db = openDatabase(file);
  const org = db.prepare('INSERT INTO organisations (id, slug, parent_id, level, name_ru, members, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0)');
  org.run(1, 'kz', null, 'council', 'kz', 10_000);
  for (let r = 0; r < 4; r++) org.run(2 + r, `region-${r}`, 1, 'region', 'r', null);
  for (let p = 0; p < 80; p++) org.run(10 + p, `primary-${p}`, 2 + (p % 4), 'primary', 'p', 100 + p);
  const acc = db.prepare('INSERT INTO accounts (id, org_id, platform, platform_id, closed_day, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0)');
  const snap = db.prepare('INSERT OR REPLACE INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, 0)');
  const platforms = ['facebook', 'instagram', 'telegram'];
  db.transaction(() => {
    for (let a = 1; a <= ACCOUNTS; a++) {
      acc.run(a, 10 + (a % 80), platforms[a % 3], `@a${a}`, a % 41 === 0 ? END - 10 : null);
      // some start late, some have gaps, one jumps (a suspicious day)
      for (let d = START + (a % 7 === 0 ? 30 : 0); d < END; d++) if ((d + a) % 11 !== 0) snap.run(a, d, 1000 + a * 3 + (d - START) * (a % 5) + (a === 7 && d > END - 5 ? 5000 : 0));
    }
  })();
  computeRollups(db, { full: true });
  // one day's collect: every account read on END (closed ones too: they stay uncounted)
  db.transaction(() => {
    for (let a = 1; a <= ACCOUNTS; a++) snap.run(a, END, 1000 + a * 3 + (END - START) * (a % 5) + 7);
  })();
  const inc = computeRollups(db);
  expect(inc).toMatchObject({ mode: 'incremental', accounts: ACCOUNTS });
  expect(inc.pairs).toBeGreaterThan(256); // the batched path
  const incremental = dump(db);
  db.close();

  const copy = path.join(tempDir(), 'full.db');
  fs.copyFileSync(file, copy);
  const again = openDatabase(copy);
  computeRollups(again, { full: true });
  expect(incremental).toEqual(dump(again));

  // A day in a chunk after every pair's last one (a new month before its first collect): every org's value
  // carries on from day 31 of its last chunk, read from that chunk's blocks; the same as one org at a time.
  const later = END + 40;
  const all = audienceOfAllOrgs(again, 'social', later);
  const orgIds = again.prepare('SELECT id FROM organisations ORDER BY id').pluck().all() as number[];
  const one = orgIds.map((id) => audienceOnDay(again, id, 'social', later) ?? null);
  expect(orgIds.map((id) => all.get(id) ?? null)).toEqual(one);
  expect(one.filter((v) => v !== null).length).toBeGreaterThan(64);
  // the root: every open social account's reading of END
  const open = again.prepare("SELECT sum(s.audience) FROM snapshots s JOIN accounts a ON a.id = s.account_id WHERE s.day = ? AND a.closed_day IS NULL AND a.platform <> 'newspaper'").pluck().get(END);
  expect(all.get(1)).toBe(open);
  again.close();
});
