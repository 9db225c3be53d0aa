import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, MigrationMismatchError } from '../../db';
import { EXAMPLE, runCli, tempDir } from '../helpers/cli';

function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = ['organisations', 'accounts', 'snapshots', 'targets', 'target_versions'];
    return Object.fromEntries(
      tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all().map((r) => ({ ...(r as object), created_at: 0, updated_at: 0, set_at: 0 }))]),
    );
  } finally {
    db.close();
  }
}

describe('import and export through the CLI', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = tempDir();
    env = { DATABASE_PATH: path.join(dir, 'ag.db') };
  });

  test('importing the example twice leaves the same rows', () => {
    const first = runCli(['import', EXAMPLE], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/organisations 23 new/);
    const afterFirst = dump(env.DATABASE_PATH);
    const second = runCli(['import', EXAMPLE], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/organisations 0 new, 0 changed, 23 unchanged; accounts 0 new, 0 changed, 69 unchanged/);
    expect(dump(env.DATABASE_PATH)).toEqual(afterFirst);
    expect((afterFirst.organisations as { slug: string }[]).map((o) => o.slug)).toEqual(expect.arrayContaining(['kz', 'pavlodar', 'pavlodar-city', 'shcherbakty', 'astana', 'almaty', 'shymkent']));
  });

  test.each([
    ['an unknown platform', (y: string) => y.replace('platform: instagram, id: "17841400000000003"', 'platform: instagramm, id: "17841400000000003"'), /^error: bad\.yaml:\d+: organisations\[0\]\.children\[1\]\.accounts\[1\]\.platform: must be one of facebook, instagram, telegram, newspaper/],
    ['a bad slug', (y: string) => y.replace('slug: pavlodar-city', 'slug: Pavlodar City'), /^error: bad\.yaml:\d+: organisations\[0\]\.children\[13\]\.children\[0\]\.slug: must be lowercase/],
    ['a non-numeric Graph id', (y: string) => y.replace('"100000000000101"', '"pavlodar.page"'), /^error: bad\.yaml:\d+: organisations\[0\]\.children\[13\]\.children\[0\]\.accounts\[0\]\.id: must be a numeric Graph id/],
    ['an impossible closing date', (y: string) => y.replace('{ platform: facebook, id: "100000000000102" }', '{ platform: facebook, id: "100000000000102", closed: 2026-02-30 }'), /^error: bad\.yaml:\d+: .*accounts\[0\]\.closed: must be a real date/],
    ['broken YAML', (y: string) => y.replace('    level: council', '    level: [council'), /^error: bad\.yaml:\d+: invalid YAML/],
    ['a duplicated slug', (y: string) => y.replace('slug: shcherbakty', 'slug: pavlodar-city'), /^error: bad\.yaml:\d+: slug: organisation pavlodar-city appears twice/],
  ])('a YAML file with %s exits 2 naming file, line and field, and changes nothing', (_name, mutate, expected) => {
    expect(runCli(['import', EXAMPLE], env).code).toBe(0);
    const before = dump(env.DATABASE_PATH);
    const bad = path.join(dir, 'bad.yaml');
    const text = mutate(fs.readFileSync(EXAMPLE, 'utf8'));
    fs.writeFileSync(bad, text.replace(/members: \d+/g, (m) => m.replace(/\d+/, '7')));
    const r = runCli(['import', bad], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(expected);
    expect(dump(env.DATABASE_PATH)).toEqual(before);
  });

  test('the line named in a YAML error is the line of the bad field', () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, ['organisations:', '  - slug: kz', '    level: council', '    name: { ru: "Совет" }', '    accounts:', '      - { platform: myspace, id: "1" }', ''].join('\n'));
    const r = runCli(['import', bad], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml:6: organisations[0].accounts[0].platform: must be one of');
  });

  test('organisations and accounts import from CSV, with bad lines named', () => {
    expect(runCli(['import', EXAMPLE], env).code).toBe(0);
    const orgs = path.join(dir, 'orgs.csv');
    fs.writeFileSync(orgs, 'slug,parent,level,name_ru,name_kk,name_en,members\nschool-1,pavlodar-city,primary,Школа № 1,№ 1 мектеп,School 1,120\n');
    expect(runCli(['import', orgs], env).stdout).toMatch(/organisations 1 new/);
    const accounts = path.join(dir, 'accounts.csv');
    fs.writeFileSync(accounts, 'org,platform,id,title\nschool-1,telegram,@school_one_pvl,Школа 1\n');
    expect(runCli(['import', accounts], env).stdout).toMatch(/accounts 1 new/);
    const before = dump(env.DATABASE_PATH);
    fs.writeFileSync(accounts, 'org,platform,id,title\nschool-1,telegram,@school_two_pvl,ok\nschool-1,telegram,not-a-channel,bad\n');
    const r = runCli(['import', accounts], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/accounts\.csv:3: id: must be a channel @username/);
    fs.writeFileSync(orgs, 'slug,parent,level,name_ru\nschool-2,nowhere,primary,Школа 2\n');
    const r2 = runCli(['import', orgs], env);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/orgs\.csv:2: parent: unknown organisation nowhere/);
    expect(dump(env.DATABASE_PATH)).toEqual(before);
  });

  test('import-audience is all-or-nothing and reports every bad line by number', () => {
    expect(runCli(['import', EXAMPLE], env).code).toBe(0);
    const csv = path.join(dir, 'readings.csv');
    fs.writeFileSync(
      csv,
      [
        'org,platform,account,date,audience',
        'kz,facebook,100000000000001,2026-01-01,1000',
        'kz,facebook,100000000000001,2026-02-30,1000',
        'pavlodar,telegram,@nobody_here,2026-01-01,10',
        'kz,telegram,@kz_union_placeholder,2026-01-01,-3',
        'abai,facebook,100000000000001,2026-01-02,5',
        'kz,facebook,100000000000001,2026-01-01,1001',
        '',
      ].join('\n'),
    );
    const r = runCli(['import-audience', csv], env);
    expect(r.code).toBe(2);
    for (const line of ['readings.csv:3: date', 'readings.csv:4: account', 'readings.csv:5: audience', 'readings.csv:6: org', 'readings.csv:7: date']) {
      expect(r.stderr).toContain(line);
    }
    expect(r.stderr).toContain('5 bad line(s); nothing was imported');
    expect(dump(env.DATABASE_PATH).snapshots).toEqual([]);
  });

  test('export snapshots --format json round-trips what import-audience loaded', () => {
    expect(runCli(['import', EXAMPLE], env).code).toBe(0);
    const rows: { org: string; platform: string; account: string; date: string; audience: number; source: string }[] = [];
    const accounts = [
      ['kz', 'facebook', '100000000000001'],
      ['kz', 'newspaper', 'bilimdi-el'],
      ['pavlodar-city', 'telegram', '@pavlodar_city_placeholder'],
      ['astana', 'instagram', '17841400000000019'],
    ];
    for (const [org, platform, account] of accounts) {
      for (let d = 1; d <= 28; d += 3) rows.push({ org, platform, account, date: `2026-02-${String(d).padStart(2, '0')}`, audience: 1000 + d * 7 + account.length, source: 'import' });
    }
    const csv = path.join(dir, 'readings.csv');
    fs.writeFileSync(csv, 'org,platform,account,date,audience\n' + rows.map((r) => [r.org, r.platform, r.account, r.date, r.audience].join(',')).join('\n') + '\n');
    const imp = runCli(['import-audience', csv], env);
    expect(imp.code).toBe(0);
    expect(imp.stderr).not.toMatch(/ERROR|WARN/);
    expect(imp.stdout).toMatch(/40 readings imported/);
    const out = runCli(['export', 'snapshots', '--format', 'json'], env);
    expect(out.code).toBe(0);
    const exported = JSON.parse(out.stdout);
    const key = (r: { org: string; platform: string; account: string; date: string }) => `${r.org}|${r.platform}|${r.account}|${r.date}`;
    expect([...exported].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...rows].sort((a, b) => key(a).localeCompare(key(b))));
    // …and the exported CSV imports back to the same rows.
    const csvOut = runCli(['export', 'snapshots', '--format', 'csv', '--out', path.join(dir, 'out.csv')], env);
    expect(csvOut.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8').split('\n')[0]).toBe('org,platform,account,date,audience,source');
  });

  test('backup writes a consistent copy of the live database', () => {
    expect(runCli(['import', EXAMPLE], env).code).toBe(0);
    const file = path.join(dir, 'backup.db');
    const r = runCli(['backup', file], env);
    expect(r.code).toBe(0);
    const copy = new Database(file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((copy.prepare('SELECT COUNT(*) AS n FROM organisations').get() as { n: number }).n).toBe(23);
    copy.close();
    expect(runCli(['backup', file], env).code).toBe(2);
  });

  test('a database made by another version is refused', () => {
    const file = path.join(dir, 'other.db');
    const db = openDatabase(file);
    db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run('9999_from_the_future', 0);
    db.close();
    expect(() => openDatabase(file)).toThrow(MigrationMismatchError);
    const r = runCli(['export', 'snapshots'], { DATABASE_PATH: file });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/are not a prefix of the ones this version knows/);
  });

  test('every command has --help', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    const names = [...r.stdout.matchAll(/^ {2}([a-z][a-z-]*) /gm)].map((m) => m[1]).filter((n) => n !== 'help');
    expect(names).toEqual(expect.arrayContaining(['import', 'import-audience', 'export', 'backup']));
    for (const name of names) {
      const h = runCli([name, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain(`Usage: audience-growth ${name}`);
    }
  });
});
