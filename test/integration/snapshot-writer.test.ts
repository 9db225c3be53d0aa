// The one snapshot writer (db/snapshots.ts): every path that stores a snapshot — collect and its backfill,
// import-audience, newspaper figures from the admin pages — goes through it, and the compute hook fires
// once per batch with the earliest changed day of each account (never when nothing changed).
import fs from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { runCollect } from '../../src/jobs/collect';
import { importAudience } from '../../src/import';
import { checkNewspaperCsv, writeFigures } from '../../src/admin/newspapers';
import { closeAccount } from '../../src/admin/accounts';
import { accountById } from '../../src/admin/accounts';
import { snapshotWriter } from '../../db/snapshots';
import { InputError, type AppConfig } from '../../src/config';
import type { Db } from '../../db';
import { addDays, localDate, toEpochDay } from '../../src/domain/dates';
import { FAST, configFor, fixture, type Fixture } from '../helpers/collect';
import { ROOT } from '../helpers/cli';

let emu: Emulator;
let fx: Fixture;
let config: AppConfig;

beforeAll(async () => {
  emu = await startEmulator({ seed: 'writer-test', pageTasks: { 'EAAtest-fb-token': '*' } });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  fx = fixture();
  config = configFor(emu.url);
});
afterEach(() => fx.db.close());

/** A compute hook that records each call. */
function recorder() {
  const calls: Map<number, number>[] = [];
  const hook = (_db: Db, _config: AppConfig, changedFrom: Map<number, number>) => void calls.push(new Map(changedFrom));
  return { calls, hook };
}

const rows = (db: Db) => db.prepare('SELECT account_id, day, audience, source FROM snapshots ORDER BY account_id, day').all() as { account_id: number; day: number; audience: number; source: number }[];
const today = () => localDate(config.timezone);

test('no module but the writer stores, changes or deletes snapshots', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && path.relative(ROOT, p) !== path.join('db', 'snapshots.ts')) {
        if (/(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+snapshots\b/i.test(fs.readFileSync(p, 'utf8'))) offenders.push(path.relative(ROOT, p));
      }
    }
  };
  for (const d of ['src', 'collectors', 'web', 'db', 'bin']) walk(path.join(ROOT, d));
  expect(offenders).toEqual([]);
});

test('a collect run with a backfill writes through the writer and fires the hook once, from the earliest day', async () => {
  const pages = ['100000000000001', '100000000000002'].map((id) => fx.addAccount('facebook', id));
  const channel = fx.addAccount('telegram', '@writer_channel', { title: 'c' });
  const { calls, hook } = recorder();
  const r = await runCollect({ db: fx.db, config, onSnapshotsChanged: hook, settings: FAST, backfillDays: 30 });
  expect(r.accountsOk).toBe(3);
  expect(calls).toHaveLength(1);
  const stored = rows(fx.db);
  for (const id of [...pages, channel]) {
    const days = stored.filter((s) => s.account_id === id).map((s) => s.day);
    expect(calls[0].get(id)).toBe(Math.min(...days));
  }
  expect(calls[0].get(pages[0])).toBeLessThan(toEpochDay(today()) - 25);
  expect(calls[0].get(channel)).toBe(toEpochDay(today()));

  // The same run again changes nothing in the history, but today's readings are written again: one call.
  await runCollect({ db: fx.db, config, onSnapshotsChanged: hook, settings: FAST });
  expect(calls).toHaveLength(2);
  expect([...calls[1].keys()].sort()).toEqual([...pages, channel].sort());
});

test('import-audience fires the hook once for the whole file, and never for a bad file', () => {
  const a = fx.addAccount('telegram', '@imported');
  const b = fx.addAccount('instagram', '17841400000000099');
  const csv = path.join(fx.dir, 'readings.csv');
  const d0 = addDays(today(), -15);
  const lines = ['org,platform,account,date,audience'];
  for (let i = 0; i < 10; i++) lines.push(`kz,telegram,@imported,${addDays(d0, i)},${100 + i}`, `kz,instagram,17841400000000099,${addDays(d0, i + 3)},${50 + i}`);
  fs.writeFileSync(csv, lines.join('\n') + '\n');
  const { calls, hook } = recorder();
  const r = importAudience(fx.db, csv, { config, onSnapshotsChanged: hook });
  expect(r.written).toBe(20);
  expect(calls).toEqual([new Map([[a, toEpochDay(d0)], [b, toEpochDay(addDays(d0, 3))]])]);
  expect(rows(fx.db).every((s) => s.source === 3)).toBe(true);

  fs.writeFileSync(csv, `org,platform,account,date,audience\nkz,telegram,@imported,${d0},7\nkz,telegram,@imported,${d0},-1\n`);
  expect(() => importAudience(fx.db, csv, { config, onSnapshotsChanged: hook })).toThrow(InputError);
  expect(calls).toHaveLength(1);
  expect(rows(fx.db).find((s) => s.account_id === a && s.day === toEpochDay(d0))!.audience).toBe(100);
});

test('newspaper figures from the admin pages fire the hook once per save, and not when nothing changed', () => {
  const paper = fx.addAccount('newspaper', 'bilimdi-el');
  const { calls, hook } = recorder();
  const d1 = addDays(today(), -40);
  const d2 = addDays(today(), -5);
  const check = checkNewspaperCsv(fx.db, `org,account,date,subscribers\nkz,bilimdi-el,${d2},1200\nkz,bilimdi-el,${d1},1000\n`, { orgIds: 'all', today: today() });
  expect(check.errors).toEqual([]);
  expect(writeFigures(fx.db, config, 'tester', check.figures, hook)).toBe(2);
  expect(calls).toEqual([new Map([[paper, toEpochDay(d1)]])]);
  expect(rows(fx.db).map((s) => [s.audience, s.source])).toEqual([[1000, 2], [1200, 2]]);
  // Saving the same figures again writes nothing and fires nothing.
  expect(writeFigures(fx.db, config, 'tester', check.figures, hook)).toBe(0);
  expect(calls).toHaveLength(1);
});

test('closing an account fires the hook once, from the closing day', () => {
  const id = fx.addAccount('telegram', '@closing');
  const { calls, hook } = recorder();
  const date = addDays(today(), -3);
  closeAccount(fx.db, config, 'tester', accountById(fx.db, id)!, date, hook);
  expect(calls).toEqual([new Map([[id, toEpochDay(date)]])]);
});

test('history never replaces a reading taken by the API, entered by hand or imported', () => {
  const id = fx.addAccount('facebook', '100000000000009');
  const day = toEpochDay(today()) - 1;
  const { calls, hook } = recorder();
  const w = snapshotWriter(fx.db, (c) => hook(fx.db, config, c));
  w.transaction(() => {
    expect(w.put({ accountId: id, day, audience: 500, source: 'manual' })).toBe(true);
    expect(w.put({ accountId: id, day, audience: 490, source: 'backfill' })).toBe(false);
    expect(w.put({ accountId: id, day: day - 1, audience: 480, source: 'backfill' })).toBe(true);
    expect(w.put({ accountId: id, day: day - 1, audience: 480, source: 'backfill' })).toBe(false);
  });
  expect(() => w.put({ accountId: id, day, audience: -1, source: 'api' })).toThrow(/whole number/);
  w.finish();
  w.finish();
  expect(calls).toEqual([new Map([[id, day - 1]])]);
  expect(rows(fx.db).map((s) => [s.day, s.audience, s.source])).toEqual([[day - 1, 480, 1], [day, 500, 2]]);
  expect(() => w.put({ accountId: id, day, audience: 1, source: 'api' })).toThrow(/finished/);
});
