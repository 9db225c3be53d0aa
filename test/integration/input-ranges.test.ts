// Every input path keeps the ranges of src/domain/ranges.ts (issue 17: 2^53−1 was accepted and corrupted the
// rollups; 1900-01-01 was accepted as a reading date): import-audience, the YAML and CSV imports, the admin forms
// (members, targets, newspaper figures) and the newspaper CSV upload. Each refusal names the file, line and
// field (pages: in the reader's language) and changes nothing; the last value inside each range is accepted.
import { NOW, type WebFixture } from '../helpers/web-fixture';
import { dbState, type Session } from '../helpers/web-auth';
import { signedInFixture } from '../helpers/signed-in';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { InputError } from '../../src/config';
import { importAudience, importTree, planAudienceImport, readTreeFile, writeAudiencePlan } from '../../src/import';
import { toEpochDay } from '../../src/domain/dates';
import { snapshotWriter } from '../../db/snapshots';
import { targetImporter } from '../../src/services';

let f: WebFixture;
let app: Express;
let admin: Session;

beforeAll(async () => {
  ({ f, app, session: admin } = await signedInFixture('admin', 'admin'));
});
afterAll(() => f.close());

const post = (path: string, body: Record<string, string>) => request(app).post(path).set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf, ...body });
const notice = (html: string) => (/<p class="notice notice-error"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
const audienceOn = (platformId: string, date: string) =>
  f.db.prepare('SELECT s.audience FROM snapshots s JOIN accounts a ON a.id = s.account_id WHERE a.platform_id = ? AND s.day = ?').pluck().get(platformId, toEpochDay(date)) as number | undefined;

const csvFile = (name: string, lines: string[]) => {
  const file = path.join(f.dir, name);
  fs.writeFileSync(file, ['org,platform,account,date,audience', ...lines].join('\n') + '\n');
  return file;
};

describe('import-audience', () => {
  const run = (file: string) => importAudience(f.db, file, { config: f.config, onSnapshotsChanged: () => undefined, now: NOW });
  const account = () => f.db.prepare("SELECT o.slug FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE a.platform_id = '@pavlodar_placeholder'").pluck().get() as string;

  test('each boundary outside the range is refused naming file, line and field; nothing is written', () => {
    const org = account();
    const line = (date: string, audience: string) => `${org},telegram,@pavlodar_placeholder,${date},${audience}`;
    const file = csvFile('ranges.csv', [
      line('2026-11-01', '10000000001'),
      line('2026-11-02', '9007199254740991'),
      line('2026-11-03', '-1'),
      line('1999-12-31', '5'),
      line('1900-01-01', '5'),
      line('2026-11-25', '5'),
      line('2026-11-04', '10000000000'),
    ]);
    const before = dbState(f.db);
    let err: unknown;
    try {
      run(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message).toContain('6 bad line(s); nothing was imported');
    expect(message).toContain('ranges.csv:2: audience: must be a whole number from 0 to 10000000000, got "10000000001"');
    expect(message).toContain('ranges.csv:3: audience: must be a whole number from 0 to 10000000000, got "9007199254740991"');
    expect(message).toContain('ranges.csv:4: audience: must be a whole number from 0 to 10000000000, got "-1"');
    expect(message).toContain('ranges.csv:5: date: must be a date from 2000-01-01 to 2026-11-24, got 1999-12-31');
    expect(message).toContain('ranges.csv:6: date: must be a date from 2000-01-01 to 2026-11-24, got 1900-01-01');
    expect(message).toContain('ranges.csv:7: date: must be a date from 2000-01-01 to 2026-11-24, got 2026-11-25');
    expect(message).not.toContain('ranges.csv:8');
    expect(dbState(f.db)).toBe(before);
  });

  test('the last values inside the range are written: 10^10, 2000-01-01, tomorrow', () => {
    const org = account();
    const r = run(csvFile('edges.csv', [`${org},telegram,@pavlodar_placeholder,2000-01-01,0`, `${org},telegram,@pavlodar_placeholder,2026-11-24,10000000000`]));
    expect(r.written).toBe(2);
    expect(audienceOn('@pavlodar_placeholder', '2000-01-01')).toBe(0);
    expect(audienceOn('@pavlodar_placeholder', '2026-11-24')).toBe(10_000_000_000);
  });

  test('a second reading of the same channel and day names the line of the first', () => {
    const org = account();
    const file = csvFile('twice.csv', [`${org},telegram,@pavlodar_placeholder,2026-11-07,1`, `${org},telegram,@pavlodar_placeholder,2026-11-08,2`, `${org},telegram,@pavlodar_placeholder,2026-11-07,3`]);
    expect(() => run(file)).toThrow('twice.csv:4: date: a second reading of telegram @pavlodar_placeholder on 2026-11-07 (first on line 2)');
  });

  test('streamed twice (check, then write): a file changed between the two writes nothing', () => {
    const org = account();
    const file = csvFile('changing.csv', [`${org},telegram,@pavlodar_placeholder,2026-11-05,111`, `${org},telegram,@pavlodar_placeholder,2026-11-06,112`]);
    const plan = planAudienceImport(f.db, file, { config: f.config, now: NOW });
    expect(plan).toMatchObject({ lines: 2, readings: 2 });
    fs.writeFileSync(file, `org,platform,account,date,audience\n${org},telegram,@pavlodar_placeholder,2026-11-05,111\n${org},telegram,@pavlodar_placeholder,1900-01-01,112\n`);
    const before = dbState(f.db);
    expect(() => writeAudiencePlan(f.db, plan, { config: f.config, onSnapshotsChanged: () => undefined })).toThrow(/changing\.csv:3: date: changed since it was checked/);
    expect(dbState(f.db)).toBe(before);
  });
});

test('the snapshot writer, under every path, refuses an audience past 10^10', () => {
  const writer = snapshotWriter(f.db, () => undefined);
  expect(() => writer.put({ accountId: 1, day: toEpochDay('2026-11-01'), audience: 10_000_000_001, source: 'manual' })).toThrow('must be a whole number from 0 to 10000000000');
  writer.finish();
});

describe('the YAML and CSV imports: members and targets', () => {
  const yaml = (name: string, body: string) => {
    const file = path.join(f.dir, name);
    fs.writeFileSync(file, body);
    return file;
  };
  test('members 10^10 + 1 in YAML is refused naming file, line and field', () => {
    const file = yaml('big.yaml', 'organisations:\n  - slug: big\n    parent: kz\n    level: region\n    name: { ru: Большая }\n    members: 10000000001\n');
    expect(() => readTreeFile(file)).toThrow(/big\.yaml:6.*members.*from 0 to 10000000000/);
  });
  test('a target 10^10 + 1 in YAML is refused; 10^10 members is accepted', () => {
    const file = yaml('target.yaml', 'targets:\n  - { org: kz, platform: social, baseline_date: 2026-01-01, due_date: 2027-12-31, target: 10000000001, decision: x }\n');
    expect(() => readTreeFile(file)).toThrow(/target\.yaml:2.*target.*from 0 to 10000000000/);
    const ok = yaml('ok.yaml', 'organisations:\n  - slug: huge\n    parent: kz\n    level: region\n    name: { ru: Огромная }\n    members: 10000000000\n');
    importTree(f.db, readTreeFile(ok), 'test', { importTargets: targetImporter });
    expect(f.db.prepare("SELECT members FROM organisations WHERE slug = 'huge'").pluck().get()).toBe(10_000_000_000);
  });
  test('members 10^10 + 1 in an organisations CSV is refused naming file, line and field', () => {
    const file = yaml('orgs.csv', 'slug,parent,level,name_ru,members\nsmall,kz,region,Малая,5\nbig2,kz,region,Большая,10000000001\n');
    expect(() => readTreeFile(file)).toThrow('orgs.csv:3: members: must be a whole number from 0 to 10000000000');
  });
  test('a target by percent whose figure passes 10^10 is refused', () => {
    const file = yaml('pct.yaml', 'targets:\n  - { org: kz, platform: social, baseline_date: 2026-01-01, due_date: 2028-12-31, target_percent: 100000000000, decision: x }\n');
    expect(() => importTree(f.db, readTreeFile(file), 'test', { importTargets: targetImporter })).toThrow(/pct\.yaml:2: target_percent: must be a whole number from 0 to 10000000000/);
  });
});

describe('admin forms, in the page language', () => {
  test('members: 10^10 accepted, 10^10 + 1 refused in ru and kk, nothing changed', async () => {
    let res = await post('/admin/orgs/pavlodar/members?lang=ru', { members: '10000000000' });
    expect(res.status).toBe(303);
    expect(f.db.prepare("SELECT members FROM organisations WHERE slug = 'pavlodar'").pluck().get()).toBe(10_000_000_000);
    const before = dbState(f.db);
    res = await post('/admin/orgs/pavlodar/members?lang=ru', { members: '10000000001' });
    expect(res.status).toBe(400);
    expect(notice(res.text)).toContain('должно быть от 0 до 10000000000');
    res = await post('/admin/orgs/pavlodar/members?lang=kk', { members: '10000000001' });
    expect(res.status).toBe(400);
    expect(notice(res.text)).toContain('0 мен 10000000000 аралығында болуы керек');
    expect(dbState(f.db)).toBe(before);
  });

  test('a target of 10^10 + 1 is refused', async () => {
    const before = dbState(f.db);
    const res = await post('/admin/targets?lang=ru', { org: 'pavlodar', platform: 'social', baseline_date: '2026-06-01', due_date: '2027-06-30', mode: 'absolute', value: '10000000001', decision: 'x' });
    expect(res.status).toBe(400);
    expect(notice(res.text)).toContain('должно быть от 0 до 10000000000');
    expect(dbState(f.db)).toBe(before);
  });

  const paper = () => f.db.prepare("SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE a.platform_id = 'bilimdi-el' AND o.slug = 'kz'").pluck().get() as number;

  test('a newspaper figure: dated 1999-12-31 or the day after tomorrow, or 10^10 + 1 subscribers, is refused in ru and kk', async () => {
    const before = dbState(f.db);
    let res = await post('/admin/newspapers?lang=ru', { account: String(paper()), date: '1999-12-31', subscribers: '5' });
    expect(res.status).toBe(400);
    expect(notice(res.text)).toContain('должна быть дата с 2000-01-01 по 2026-11-24, а не 1999-12-31');
    res = await post('/admin/newspapers?lang=kk', { account: String(paper()), date: '2026-11-25', subscribers: '5' });
    expect(res.status).toBe(400);
    expect(notice(res.text)).toContain('2000-01-01 мен 2026-11-24 аралығындағы күн болуы керек, 2026-11-25 емес');
    res = await post('/admin/newspapers?lang=ru', { account: String(paper()), date: '2026-11-20', subscribers: '10000000001' });
    expect(res.status).toBe(400);
    expect(notice(res.text)).toContain('должно быть от 0 до 10000000000');
    expect(dbState(f.db)).toBe(before);
    res = await post('/admin/newspapers?lang=ru', { account: String(paper()), date: '2000-01-01', subscribers: '10000000000' });
    expect(res.status).toBe(303);
    expect(audienceOn('bilimdi-el', '2000-01-01')).toBe(10_000_000_000);
  });

  test('the newspaper CSV upload names each line and field out of range, in ru', async () => {
    const before = dbState(f.db);
    const csv = 'org;account;date;subscribers\r\nkz;bilimdi-el;1999-12-31;5\r\nkz;bilimdi-el;2026-11-25;5\r\nkz;bilimdi-el;2026-11-10;10000000001\r\nkz;bilimdi-el;2026-11-11;10000000000\r\n';
    const res = await post('/admin/newspapers/csv?lang=ru', { csv });
    expect(res.status).toBe(400);
    const text = res.text.replace(/&quot;/g, '"');
    expect(text).toContain('строка 2: date: должна быть дата с 2000-01-01 по 2026-11-24, а не 1999-12-31');
    expect(text).toContain('строка 3: date: должна быть дата с 2000-01-01 по 2026-11-24, а не 2026-11-25');
    expect(text).toContain('строка 4: subscribers: должно быть целым числом от 0 до 10000000000, а не "10000000001"');
    expect(text).not.toContain('строка 5:');
    expect(dbState(f.db)).toBe(before);
  });
});
