// The growth figures a user exports through the CLI, for the cases DESIGN §4 and §5 name.
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { runCli, tempDir } from '../helpers/cli';

const TREE = `
organisations:
  - slug: kz
    level: council
    members: 10000
    name: { ru: "Совет" }
    accounts:
      - { platform: telegram, id: "@kz_channel" }
      - { platform: newspaper, id: "paper" }
    children:
      - slug: north
        level: region
        members: 2000
        name: { ru: "Север" }
        accounts:
          - { platform: facebook, id: "100000000000011" }
          - { platform: telegram, id: "@north_old", closed: 2026-02-15 }
      - slug: south
        level: region
        members: 400
        name: { ru: "Юг" }
        accounts:
          - { platform: instagram, id: "17841400000000021" }
`;

const READINGS = `org,platform,account,date,audience
kz,telegram,@kz_channel,2026-01-31,1000
kz,telegram,@kz_channel,2026-02-10,1100
kz,telegram,@kz_channel,2026-02-28,1200
kz,newspaper,paper,2026-01-01,5000
north,facebook,100000000000011,2026-02-10,300
north,facebook,100000000000011,2026-02-28,330
north,telegram,@north_old,2026-01-31,200
south,instagram,17841400000000021,2026-01-20,0
south,instagram,17841400000000021,2026-02-28,40
`;

const TARGETS = (kzTarget: number) => `
targets:
  - { org: kz, platform: social, baseline_date: 2026-01-31, target: ${kzTarget}, due_date: 2026-12-31, decision: "Resolution 5 of 2026-01-20" }
  - { org: north, platform: telegram, baseline_date: 2026-01-31, target_percent: 25, due_date: 2026-06-30 }
`;

describe('growth exports through the CLI', () => {
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => {
    const r = runCli(args, env);
    if (r.code !== 0) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const json = (...args: string[]) => JSON.parse(cli(...args, '--format', 'json'));

  beforeAll(() => {
    dir = tempDir();
    env = { DATABASE_PATH: path.join(dir, 'ag.db'), LOG_LEVEL: 'error' };
    fs.writeFileSync(path.join(dir, 'tree.yaml'), TREE);
    fs.writeFileSync(path.join(dir, 'readings.csv'), READINGS);
    cli('import', path.join(dir, 'tree.yaml'));
    cli('import-audience', path.join(dir, 'readings.csv'));
  });

  test('growth per org: gaps carried, a channel first seen inside the period, a closed channel, zero start', () => {
    expect(json('export', 'growth', '--from', '2026-02-01', '--to', '2026-02-28')).toEqual([
      // @kz +200, north facebook first seen at 300 then +30, @north_old closed (−200), south +40
      { org: 'kz', platform: 'social', from: '2026-02-01', to: '2026-02-28', audience_start: 1200, audience_end: 1570, net_growth: 70, growth_percent: (70 / 1200) * 100, per_1000_members: 7 },
      { org: 'north', platform: 'social', from: '2026-02-01', to: '2026-02-28', audience_start: 200, audience_end: 330, net_growth: -170, growth_percent: -85, per_1000_members: -85 },
      { org: 'south', platform: 'social', from: '2026-02-01', to: '2026-02-28', audience_start: 0, audience_end: 40, net_growth: 40, growth_percent: null, per_1000_members: 100 },
    ]);
  });

  test('newspaper subscribers are never social followers', () => {
    const rows = json('export', 'growth', '--platform', 'newspaper', '--org', 'kz', '--from', '2026-02-01', '--to', '2026-02-28');
    expect(rows.map((r: { org: string; audience_end: number | null }) => [r.org, r.audience_end])).toEqual([['kz', 5000], ['north', null], ['south', null]]);
  });

  test('the daily audience series carries values over gaps and drops a channel on its closing day', () => {
    const csv = cli('export', 'audience', '--org', 'north', '--from', '2026-02-08', '--to', '2026-02-16');
    expect(csv.trim().split('\n')).toEqual([
      'org,platform,date,audience',
      'north,social,2026-02-08,200',
      'north,social,2026-02-09,200',
      'north,social,2026-02-10,500',
      'north,social,2026-02-11,500',
      'north,social,2026-02-12,500',
      'north,social,2026-02-13,500',
      'north,social,2026-02-14,500',
      'north,social,2026-02-15,300',
      'north,social,2026-02-16,300',
    ]);
    // no facebook account under south: the days are there, the audience is undefined (empty)
    expect(cli('export', 'audience', '--org', 'south', '--platform', 'facebook', '--from', '2026-02-01', '--to', '2026-02-02').trim().split('\n')).toEqual([
      'org,platform,date,audience',
      'south,facebook,2026-02-01,',
      'south,facebook,2026-02-02,',
    ]);
  });

  test('targets: baseline frozen at first import, percent targets, new versions, statuses', () => {
    fs.writeFileSync(path.join(dir, 't1.yaml'), TARGETS(2000));
    expect(cli('import', path.join(dir, 't1.yaml'))).toMatch(/2 new/);
    const rows = json('export', 'targets', '--date', '2026-02-28');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ org: 'kz', platform: 'social', baseline_date: '2026-01-31', baseline: 1200, target: 2000, due_date: '2026-12-31', date: '2026-02-28', current: 1570 });
    expect(rows[0].progress_percent).toBeCloseTo((370 / 800) * 100, 10);
    expect(rows[0].expected).toBeCloseTo(1200 + (800 * 28) / 334, 10);
    expect(rows[0].daily_rate).not.toBeNull();
    expect(['on_track', 'at_risk', 'behind']).toContain(rows[0].status);
    // the closed channel leaves north's telegram audience undefined
    expect(rows[1]).toMatchObject({ org: 'north', platform: 'telegram', baseline: 200, target: 250, current: null, status: 'no_data', eta: null });

    // a reading that changes the audience on the baseline day does not move a frozen baseline
    fs.writeFileSync(path.join(dir, 'late.csv'), 'org,platform,account,date,audience\nsouth,instagram,17841400000000021,2026-01-25,50\n');
    cli('import-audience', path.join(dir, 'late.csv'));
    fs.writeFileSync(path.join(dir, 't2.yaml'), TARGETS(2500));
    expect(cli('import', path.join(dir, 't2.yaml'))).toMatch(/targets: 0 new, 1 revised, 1 unchanged/);
    const after = json('export', 'targets', '--date', '2026-02-28');
    expect(after[0]).toMatchObject({ baseline: 1200, target: 2500 });
    expect(cli('import', path.join(dir, 't2.yaml'))).toMatch(/targets: 0 new, 0 revised, 2 unchanged/);
  });

  test('a target at or below its baseline is refused, naming the line and field, unless marked as a hold target', () => {
    const before = json('export', 'targets', '--date', '2026-02-28');
    fs.writeFileSync(path.join(dir, 'low.yaml'), 'targets:\n  - { org: kz, platform: social, baseline_date: 2026-01-31, target: 500, due_date: 2027-06-30 }\n');
    const r = runCli(['import', path.join(dir, 'low.yaml')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/low\.yaml:2: .*target.*500 is not above the baseline 1250/);
    fs.writeFileSync(path.join(dir, 'zero.yaml'), 'targets:\n  - { org: kz, platform: social, baseline_date: 2026-01-31, target_percent: 0, due_date: 2027-06-30 }\n');
    expect(runCli(['import', path.join(dir, 'zero.yaml')], env).stderr).toMatch(/target_percent.*1250 is not above the baseline 1250/);
    expect(json('export', 'targets', '--date', '2026-02-28')).toEqual(before); // nothing changed
    // (a new target's baseline is the audience now present on its baseline date: 1,250 since the late reading)
    fs.writeFileSync(path.join(dir, 'hold.yaml'), 'targets:\n  - { org: kz, platform: social, baseline_date: 2026-01-31, target: 1250, due_date: 2027-06-30, hold: true }\n');
    expect(cli('import', path.join(dir, 'hold.yaml'))).toMatch(/targets: 1 new/);
    expect(json('export', 'targets', '--date', '2026-02-28').find((t: { due_date: string }) => t.due_date === '2027-06-30')).toMatchObject({ baseline: 1250, target: 1250 });
  });

  test('a full rebuild gives the same figures as the incremental updates', () => {
    const before = cli('export', 'growth', '--from', '2026-01-01', '--to', '2026-02-28', '--format', 'json');
    expect(cli('compute', '--full')).toMatch(/^full compute/);
    expect(cli('export', 'growth', '--from', '2026-01-01', '--to', '2026-02-28', '--format', 'json')).toBe(before);
  });

  test('xlsx has the same columns and unrounded numbers', async () => {
    const out = path.join(dir, 'growth.xlsx');
    cli('export', 'growth', '--from', '2026-02-01', '--to', '2026-02-28', '--format', 'xlsx', '--out', out);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).toEqual([undefined, 'org', 'platform', 'from', 'to', 'audience_start', 'audience_end', 'net_growth', 'growth_percent', 'per_1000_members']);
    const rows = json('export', 'growth', '--from', '2026-02-01', '--to', '2026-02-28');
    rows.forEach((r: { growth_percent: number | null }, i: number) => expect(ws.getRow(i + 2).getCell(8).value ?? null).toBe(r.growth_percent));
  });

  test('bad options exit 2 and name the option', () => {
    const r = runCli(['export', 'growth', '--platform', 'myspace'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/platform/);
    const r2 = runCli(['export', 'audience', '--org', 'nowhere'], env);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/nowhere/);
  });
});
