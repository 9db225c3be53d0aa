// A realistic small database for the web tests: the example union tree, two years of daily readings with
// growth, a late-starting channel (a gap), a stale channel, a failing channel, a suspicious spike, newspaper
// half-year figures, collection runs, and targets in every status — then the growth engine's compute.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../db';
import { loadConfig, type AppConfig } from '../../src/config';
import { addDays, toEpochDay } from '../../src/domain/dates';
import { importTree, readTreeFile } from '../../src/import';
import { computeRollups } from '../../src/jobs/compute';
import { importTargets } from '../../src/growth/targets';
import { targetImporter } from '../../src/services';

export const ROOT = path.resolve(__dirname, '../..');
export const EXAMPLE = path.join(ROOT, 'examples/union.yaml');
/** 08:00 in Almaty on Monday 23 November 2026. */
export const NOW = new Date('2026-11-23T03:00:00Z');
export const TODAY = '2026-11-23';
const FIRST_DAY = '2024-11-23';

export interface WebFixture {
  dir: string;
  file: string;
  db: Db;
  config: AppConfig;
  now: () => Date;
  close(): void;
}

/** Deterministic pseudo-random numbers from a string. */
function seeded(key: string): () => number {
  let h = 2166136261;
  for (const c of key) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    return (h >>> 0) / 4294967296;
  };
}

export function buildWebFixture(): WebFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-web-'));
  const file = path.join(dir, 'web.db');
  const db = openDatabase(file);
  importTree(db, readTreeFile(EXAMPLE), 'test', { importTargets: targetImporter });
  const config = loadConfig({ env: { DATABASE_PATH: file, PORT: '0' } });

  const accounts = db
    .prepare('SELECT a.id, a.platform, a.platform_id, o.slug FROM accounts a JOIN organisations o ON o.id = a.org_id ORDER BY a.id')
    .all() as { id: number; platform: string; platform_id: string; slug: string }[];
  const insert = db.prepare('INSERT OR REPLACE INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, ?, ?)');
  const first = toEpochDay(FIRST_DAY);
  const last = toEpochDay(TODAY);
  const collectedAt = (day: number) => day * 86_400_000 + 3600_000; // 06:00 Almaty
  db.transaction(() => {
    for (const a of accounts) {
      const rnd = seeded(a.platform_id);
      if (a.platform === 'newspaper') {
        // Half-year subscription figures, entered by hand.
        let v = 2000 + Math.round(rnd() * 3000);
        for (const d of ['2025-01-10', '2025-07-10', '2026-01-10', '2026-07-10']) {
          insert.run(a.id, toEpochDay(d), v, 2, collectedAt(toEpochDay(d)));
          v += Math.round(100 + rnd() * 300);
        }
        continue;
      }
      if (a.slug === 'ulytau' && a.platform === 'telegram') continue; // never read yet
      let start = first;
      let end = last;
      if (a.slug === 'abai' && a.platform === 'telegram') start = toEpochDay('2026-03-01'); // connected late
      if (a.slug === 'akmola' && a.platform === 'facebook') end = toEpochDay('2026-11-10'); // stale
      if (a.slug === 'aktobe' && a.platform === 'instagram') end = toEpochDay('2026-11-21'); // failing since
      let v = 300 + Math.round(rnd() * (a.slug === 'kz' ? 12000 : 4000));
      const trend = a.slug === 'mangystau' ? -0.8 : 0.4 + rnd() * (a.slug === 'kz' ? 14 : 5);
      for (let d = start; d <= end; d++) {
        v = Math.max(0, v + trend + (rnd() - 0.5) * 3);
        let audience = Math.round(v);
        if (a.slug === 'atyrau' && a.platform === 'telegram' && d >= toEpochDay('2026-11-05')) audience += 3000; // bought subscribers?
        insert.run(a.id, d, audience, 0, collectedAt(d));
      }
    }
    // Collection runs: two clean ones and today's with one failure.
    const run = db.prepare(
      `INSERT INTO collection_runs (started_at, finished_at, status, trigger, accounts_total, accounts_ok, accounts_failed, requests, duration_ms)
       VALUES (?, ?, 'finished', 'schedule', ?, ?, ?, ?, ?)`,
    );
    const n = accounts.filter((a) => a.platform !== 'newspaper').length;
    for (const [i, date] of ['2026-11-21', '2026-11-22', TODAY].entries()) {
      const at = collectedAt(toEpochDay(date));
      const failed = i === 2 ? 1 : 0;
      const id = Number(run.run(at, at + 42_000, n, n - failed, failed, 7, 42_000).lastInsertRowid);
      if (failed) {
        const aktobeIg = accounts.find((a) => a.slug === 'aktobe' && a.platform === 'instagram')!;
        db.prepare('INSERT INTO collection_failures (run_id, account_id, kind, message, at) VALUES (?, ?, ?, ?, ?)').run(
          id,
          aktobeIg.id,
          'invalid_token',
          'Graph API error 190: the access token has expired',
          at + 1000,
        );
      }
    }
  })();

  computeRollups(db, { full: true });
  const decision = 'Постановление исполкома № 5 от 15.01.2026';
  importTargets(
    db,
    [
      { org: 'kz', platform: 'social', baseline_date: '2026-01-01', target_percent: 32, due_date: '2026-12-31', decision },
      { org: 'kz', platform: 'newspaper', baseline_date: '2026-01-01', target_percent: 10, due_date: '2026-12-31', decision },
      { org: 'pavlodar', platform: 'telegram', baseline_date: '2026-01-01', target_percent: 30, due_date: '2026-12-31', decision },
      { org: 'abai', platform: 'social', baseline_date: '2026-01-01', target_percent: 120, due_date: '2026-12-31', decision },
      { org: 'akmola', platform: 'social', baseline_date: '2026-01-01', target_percent: 12, due_date: '2026-12-31', decision },
      { org: 'aktobe', platform: 'social', baseline_date: '2026-01-01', target_percent: 40, due_date: '2026-12-31', decision },
      { org: 'mangystau', platform: 'social', baseline_date: '2026-01-01', target_percent: 20, due_date: '2026-12-31', decision },
      { org: 'ulytau', platform: 'telegram', baseline_date: '2026-06-01', target: 500, due_date: '2027-06-30', decision },
      { org: 'almaty', platform: 'social', baseline_date: '2026-01-01', target_percent: 60, due_date: '2026-10-31', decision },
      { org: 'astana', platform: 'social', baseline_date: '2026-01-01', target_percent: 21, due_date: '2026-12-31', decision },
    ],
    { actor: 'test', now: NOW.getTime() - 300 * 86_400_000 },
  );
  // The committee revised Pavlodar's Telegram target: version 2, with its own resolution.
  importTargets(
    db,
    [{ org: 'pavlodar', platform: 'telegram', baseline_date: '2026-01-01', target_percent: 25, due_date: '2026-12-31', decision: 'Постановление исполкома № 9 от 20.06.2026' }],
    { actor: 'test', now: NOW.getTime() - 150 * 86_400_000 },
  );
  return {
    dir,
    file,
    db,
    config,
    now: () => NOW,
    close() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { addDays };
