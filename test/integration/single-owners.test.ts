// Each concept has one owner that everything else asks: the org tree (subtrees and ancestors, used by the
// rollups, exports, admin scopes and the bot), the staleness rule (pages, health and the growth engine's
// account status), the snapshot source names, and the wiring (services.ts: exporters, target importer).
import path from 'node:path';
import { openDatabase, type Db } from '../../db';
import { editableOrgIds } from '../../src/admin/scope';
import { toEpochDay } from '../../src/domain/dates';
import { SOURCE_CODES, SOURCE_NAMES } from '../../src/domain/sources';
import { isStaleOn, STALE_AFTER_DAYS, staleSql } from '../../src/domain/staleness';
import { runExport, exportKinds } from '../../src/exports';
import { accountStatus } from '../../src/growth/accounts';
import { growthRows } from '../../src/growth/growth';
import { ancestorChain, loadTree, subtreeIds } from '../../src/growth/tree';
import { importTree, type TargetImporter } from '../../src/import';
import { computeRollups } from '../../src/jobs/compute';
import { setLogLevel } from '../../src/log';
import { createExporters, createServices, targetImporter } from '../../src/services';
import { isStale } from '../../web/queries';
import { tempDir } from '../helpers/cli';
import type { AppConfig } from '../../src/config';

setLogLevel('error');

const org = (slug: string, level: string, parent?: string, line = 1) => ({ slug, level, parent, name: { ru: slug }, line }) as Parameters<typeof importTree>[1]['orgs'][number];

function tree(): Db {
  const db = openDatabase(path.join(tempDir(), 't.db'));
  importTree(
    db,
    {
      label: 'test',
      orgs: [org('kz', 'council'), org('north', 'region', 'kz'), org('south', 'region', 'kz'), org('petro', 'branch', 'north'), org('school-1', 'primary', 'petro')],
      accounts: [{ platform: 'telegram', id: '@school1', org: 'school-1', line: 2 } as Parameters<typeof importTree>[1]['accounts'][number]],
      targets: [],
    },
    'test',
    { importTargets: targetImporter },
  );
  return db;
}

const slugs = (db: Db, ids: number[]) => ids.map((id) => loadTree(db).byId.get(id)!.slug);
const idOf = (db: Db, slug: string) => loadTree(db).bySlug.get(slug)!.id;

describe('one org tree', () => {
  test('a moved branch: its subtree goes along, its ancestors, scopes, rollups and exports follow at once', () => {
    const db = tree();
    db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (1, ?, 100, 0, 0)').run(toEpochDay('2026-01-10'));
    computeRollups(db);
    expect(slugs(db, subtreeIds(db, idOf(db, 'north')))).toEqual(['north', 'petro', 'school-1']);
    expect(ancestorChain(db, idOf(db, 'school-1')).map((o) => o.slug)).toEqual(['kz', 'north', 'petro', 'school-1']);
    const before = loadTree(db);

    importTree(db, { label: 'move', orgs: [org('petro', 'branch', 'south')], accounts: [], targets: [] }, 'test', { importTargets: targetImporter });

    expect(loadTree(db)).not.toBe(before); // the cached tree is dropped when an org changes
    expect(slugs(db, subtreeIds(db, idOf(db, 'north')))).toEqual(['north']);
    expect(slugs(db, subtreeIds(db, idOf(db, 'south')))).toEqual(['south', 'petro', 'school-1']);
    expect(ancestorChain(db, idOf(db, 'school-1')).map((o) => o.slug)).toEqual(['kz', 'south', 'petro', 'school-1']);
    // an editor of south now may edit the moved branch; one of north may not
    expect(editableOrgIds(db, { role: 'editor', orgId: idOf(db, 'south') } as Parameters<typeof editableOrgIds>[1])).toEqual(new Set(subtreeIds(db, idOf(db, 'south'))));
    // the rollups follow the move: south counts the school's channel, north no longer does
    computeRollups(db);
    const growth = new Map(growthRows(db, { platform: 'telegram', from: '2026-01-01', to: '2026-01-31' }).map((r) => [r.org, r.audience_end]));
    expect(Object.fromEntries(growth)).toEqual({ kz: 100, north: null, south: 100, petro: 100, 'school-1': 100 });
    expect(subtreeIds(db, 999)).toEqual([]);
    db.close();
  });
});

describe('one staleness rule', () => {
  test('pages, health SQL and the growth engine agree on every boundary', () => {
    const db = tree();
    const day = toEpochDay('2026-03-10');
    const cases: Array<{ platform: keyof typeof STALE_AFTER_DAYS; last_day: number | null; closed_day: number | null }> = [];
    for (const platform of Object.keys(STALE_AFTER_DAYS) as (keyof typeof STALE_AFTER_DAYS)[]) {
      const limit = STALE_AFTER_DAYS[platform];
      for (const last_day of [null, day, day - limit, day - limit - 1]) for (const closed_day of [null, day, day + 1, day - 5]) cases.push({ platform, last_day, closed_day });
    }
    const inSql = db.prepare(`SELECT ${staleSql('x.last_day', '@day')} AS stale FROM (SELECT @platform AS platform, @closed_day AS closed_day) a, (SELECT @last_day AS last_day) x`).pluck();
    for (const c of cases) {
      const expected = (c.closed_day === null || c.closed_day > day) && (c.last_day === null || day - c.last_day > STALE_AFTER_DAYS[c.platform]);
      expect([c, isStaleOn(c, day)]).toEqual([c, expected]);
      expect([c, isStale(c, '2026-03-10')]).toEqual([c, expected]);
      expect([c, inSql.get({ ...c, day }) === 1]).toEqual([c, expected]);
    }
    // and the growth engine's account status reads the same rule: a telegram reading 4 days old is stale
    db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (1, ?, 100, 0, 0)').run(day - 4);
    computeRollups(db);
    expect(accountStatus(db, { date: '2026-03-10' }).map((r) => [r.account, r.stale])).toEqual([['@school1', true]]);
    expect(accountStatus(db, { date: '2026-03-07' }).map((r) => [r.account, r.stale])).toEqual([['@school1', false]]);
    db.close();
  });
});

describe('one definition of the snapshot sources and one wiring', () => {
  test('export snapshots names each stored source code by the domain list', () => {
    const db = tree();
    const ins = db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (1, ?, ?, ?, 0)');
    for (const code of Object.values(SOURCE_CODES)) ins.run(toEpochDay('2026-01-01') + code, 100 + code, code);
    const config = { timezone: 'Asia/Almaty' } as AppConfig;
    const rows = runExport(createExporters(), 'snapshots', db, {}, config).rows;
    expect(rows.map((r) => r.source)).toEqual([...SOURCE_NAMES]);
    db.close();
  });

  test('the exporters registry lists the DESIGN §9 kinds in order, and an unknown kind is named', () => {
    const exporters = createExporters();
    expect(exportKinds(exporters).slice(0, 4)).toEqual(['snapshots', 'audience', 'growth', 'targets']);
    expect(() => runExport(exporters, 'nope', {} as Db, {}, {} as AppConfig)).toThrow(`must be one of ${exportKinds(exporters).join(', ')}, got "nope"`);
    expect(exportKinds(exporters).join(', ')).toMatch(/^snapshots, audience, growth, targets/);
  });

  test("import brings targets in through the importer it is given (services' one), once per file", () => {
    const db = tree();
    const services = createServices(db, { timezone: 'Asia/Almaty' } as AppConfig);
    const calls: number[] = [];
    const counting: TargetImporter = (d, targets, ctx) => {
      calls.push(targets.length);
      return services.importTargets(d, targets, ctx);
    };
    const s = importTree(
      db,
      { label: 'targets', orgs: [], accounts: [], targets: [{ org: 'north', platform: 'social', baseline_date: '2026-01-01', due_date: '2026-12-31', target: 500, line: 3 }] },
      'test',
      { importTargets: counting },
    );
    expect(calls).toEqual([1]);
    expect(s.targets).toEqual({ created: 1, versioned: 0, unchanged: 0 });
    expect(db.prepare('SELECT count(*) FROM target_versions').pluck().get()).toBe(1);
    db.close();
  });
});
