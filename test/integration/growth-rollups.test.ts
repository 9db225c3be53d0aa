// The rollup-backed queries on a real SQLite file, for each case DESIGN §4 names, fed incrementally.
import path from 'node:path';
import { openDatabase, type Db } from '../../db';
import { toEpochDay as d } from '../../src/domain/dates';
import { computeRollups } from '../../src/jobs/compute';
import { accountStatus, suspiciousFlags } from '../../src/growth/accounts';
import { audienceSeriesDays } from '../../src/growth/series';
import { compareGrowth, growthRows } from '../../src/growth/growth';
import { rankings } from '../../src/growth/rankings';
import { importTargets, targetRows } from '../../src/growth/targets';
import { setLogLevel } from '../../src/log';
import { tempDir } from '../helpers/cli';

setLogLevel('error');

type Snap = [string, number];
interface AccountSpec {
  org?: 'kz' | 'north';
  platform?: string;
  snaps: Snap[];
  closed?: string;
}

function world(accounts: AccountSpec[]): Db {
  const db = openDatabase(path.join(tempDir(), 'g.db'));
  db.prepare("INSERT INTO organisations (id, slug, parent_id, level, name_ru, members, created_at, updated_at) VALUES (1, 'kz', NULL, 'council', 'x', 4000, 0, 0), (2, 'north', 1, 'region', 'x', NULL, 0, 0)").run();
  const ins = db.prepare('INSERT INTO accounts (id, org_id, platform, platform_id, closed_day, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0)');
  const snap = db.prepare('INSERT OR REPLACE INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, 0)');
  accounts.forEach((a, i) => ins.run(i + 1, a.org === 'north' ? 2 : 1, a.platform ?? 'telegram', `@a${i}`, a.closed ? d(a.closed) : null));
  // readings arrive one at a time, newest first, each followed by an incremental compute
  const all = accounts.flatMap((a, i) => a.snaps.map(([day, aud]) => ({ acc: i + 1, day: d(day), aud })));
  for (const s of all.reverse()) {
    snap.run(s.acc, s.day, s.aud);
    computeRollups(db);
  }
  return db;
}

describe('growth from the rollups (§4)', () => {
  test.each([
    {
      name: 'gaps are carried forward',
      accounts: [{ snaps: [['2026-01-25', 100], ['2026-02-10', 140]] as Snap[] }],
      expected: { audience_start: 100, audience_end: 140, net_growth: 40, growth_percent: 40, per_1000_members: 10 },
    },
    {
      name: 'an account first seen inside the period',
      accounts: [{ snaps: [['2026-01-31', 1000], ['2026-02-28', 1100]] as Snap[] }, { org: 'north' as const, snaps: [['2026-02-10', 500], ['2026-02-28', 520]] as Snap[] }],
      expected: { audience_start: 1000, audience_end: 1620, net_growth: 120, growth_percent: 12 },
    },
    {
      name: 'a closed account is a loss',
      accounts: [{ snaps: [['2026-01-31', 1000], ['2026-02-28', 1050]] as Snap[] }, { snaps: [['2026-01-31', 300], ['2026-02-05', 310]] as Snap[], closed: '2026-02-15' }],
      expected: { audience_start: 1300, audience_end: 1050, net_growth: -250 },
    },
    {
      name: 'zero starting audience: growth % undefined',
      accounts: [{ snaps: [['2026-01-15', 0], ['2026-02-28', 35]] as Snap[] }],
      expected: { audience_start: 0, audience_end: 35, net_growth: 35, growth_percent: null },
    },
    {
      name: 'no audience on either end: undefined',
      accounts: [{ snaps: [['2026-03-05', 70]] as Snap[] }],
      expected: { audience_start: null, audience_end: null, net_growth: null, growth_percent: null, per_1000_members: null },
    },
    {
      name: 'a newspaper is not social',
      accounts: [{ snaps: [['2026-01-31', 10], ['2026-02-28', 20]] as Snap[] }, { platform: 'newspaper', snaps: [['2026-01-01', 9000]] as Snap[] }],
      expected: { audience_start: 10, audience_end: 20, net_growth: 10 },
    },
  ])('$name', ({ accounts, expected }) => {
    const db = world(accounts);
    const [kz] = growthRows(db, { platform: 'social', from: '2026-02-01', to: '2026-02-28' });
    expect(kz).toMatchObject({ org: 'kz', ...expected });
    db.close();
  });

  test('an edit far behind the last compute is applied to every later day (carry-forward across chunks)', () => {
    const db = world([{ snaps: [['2026-01-01', 1]] }]);
    const snap = db.prepare('INSERT OR REPLACE INTO snapshots (account_id, day, audience, source, collected_at) VALUES (1, ?, ?, 0, 0)');
    snap.run(d('2026-03-10'), 7);
    computeRollups(db);
    snap.run(d('2026-01-01'), 3);
    computeRollups(db);
    const series = audienceSeriesDays(db, 1, 'social', d('2026-01-01'), d('2026-03-12'));
    expect(series.slice(0, 68).every((v) => v === 3)).toBe(true);
    expect(series.slice(68)).toEqual([7, 7, 7]);
    db.close();
  });

  test('period over period and rankings with rank change', () => {
    const db = world([
      { snaps: [['2026-01-31', 100], ['2026-02-28', 200], ['2026-03-31', 210]] },
      { org: 'north', snaps: [['2026-01-31', 100], ['2026-02-28', 110], ['2026-03-31', 200]] },
    ]);
    const [kz, north] = compareGrowth(db, { platform: 'social', from: '2026-03-01', to: '2026-03-31' });
    expect(kz).toMatchObject({ net_growth: 100, previous_from: '2026-02-01', previous_to: '2026-02-28', previous_net_growth: 110, net_growth_change: -10 });
    expect(north).toMatchObject({ net_growth: 90, previous_net_growth: 10 });
    const ranks = rankings(db, { level: 'region', platform: 'social', from: '2026-03-01', to: '2026-03-31' });
    expect(ranks).toEqual([expect.objectContaining({ org: 'north', rank: 1, previous_rank: 1, rank_change: 0, growth_percent: (90 / 110) * 100, reach_share: null })]);
    db.close();
  });
});

describe('targets, flags and staleness from the rollups', () => {
  test('a target evaluated on a day, with its frozen baseline', () => {
    const days = Array.from({ length: 30 }, (_, i) => i);
    const db = world([{ snaps: days.map((i) => [new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10), 1000 + 10 * i] as Snap) }]);
    importTargets(db, [{ org: 'kz', platform: 'social', baseline_date: '2026-01-01', target: 2000, due_date: '2026-12-31' }], { actor: 'test' });
    const [row] = targetRows(db, '2026-01-30');
    expect(row).toMatchObject({ org: 'kz', baseline: 1000, current: 1290, status: 'on_track' });
    expect(row.daily_rate).toBeCloseTo(10, 10);
    expect(targetRows(db, '2026-01-05')[0]).toMatchObject({ status: 'no_data', daily_rate: null });
    db.close();
  });

  test('a bought-followers spike is flagged, and a channel silent for 4 days is stale', () => {
    const days = Array.from({ length: 40 }, (_, i) => [new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10), 5000 + 5 * i + (i === 35 ? 3000 : 0)] as Snap);
    const db = world([{ snaps: days.slice(0, 36) }]);
    expect(suspiciousFlags(db)).toEqual([expect.objectContaining({ org: 'kz', date: '2026-02-05', kind: 'spike', audience: 8175 })]);
    expect(accountStatus(db, { date: '2026-02-09' })[0]).toMatchObject({ last_date: '2026-02-05', stale: true });
    expect(accountStatus(db, { date: '2026-02-08' })[0]).toMatchObject({ stale: false });
    db.close();
  });
});
