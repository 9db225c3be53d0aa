// The administration pages over the example tree: organisations, accounts, targets (versions, +%, cascade),
// newspaper figures (form and CSV with preview), users, the audit log — and bad input in every parameter
// gets a 400 and changes nothing.
import request from 'supertest';
import type { Express } from 'express';
import { LoginThrottle } from '../../src/auth';
import type { CollectJobOptions, CollectResult } from '../../src/jobs/collect';
import { CollectBusyError } from '../../src/jobs/collect';
import { toEpochDay } from '../../src/domain/dates';
import type { AdminJobs } from '../../src/admin/accounts';
import { createApp } from '../../web/app';
import { buildWebFixture, type WebFixture } from '../helpers/web-fixture';
import { dbState, ensureUser, signIn, type Session } from '../helpers/web-auth';
import { createServices } from '../../src/services';

let f: WebFixture;
let app: Express;
let admin: Session;
let editor: Session;
const collectCalls: CollectJobOptions[] = [];
let collectBehaviour: 'ok' | 'busy' = 'ok';

beforeAll(async () => {
  f = buildWebFixture();
  const collect = async (opts: CollectJobOptions): Promise<CollectResult> => {
    collectCalls.push(opts);
    if (collectBehaviour === 'busy') throw new CollectBusyError({ pid: 1, host: 'h', since: 0 });
    const runId = Number(
      f.db.prepare("INSERT INTO collection_runs (started_at, finished_at, status, trigger, accounts_total, accounts_ok) VALUES (?, ?, 'finished', 'admin', 1, 1)").run(Date.now(), Date.now()).lastInsertRowid,
    );
    return { runId, status: 'finished', date: '2026-11-23', accountsTotal: 1, accountsOk: 1, accountsFailed: 0, requests: 1, durationMs: 5, perPlatform: {}, failures: [], changedFrom: new Map(), backfill: opts.backfillDays ? { accounts: 1, failed: 0, snapshotsWritten: 30, requests: 1, wallMs: 3 } : undefined };
  };
  app = createApp({ ...createServices(f.db, f.config), now: f.now, loginThrottle: new LoginThrottle(1000), collect });
  ensureUser(f.db, 'admin', 'admin');
  ensureUser(f.db, 'pavlodar-editor', 'editor', 'pavlodar');
  admin = await signIn(app, f.db, 'admin');
  editor = await signIn(app, f.db, 'pavlodar-editor');
});
afterAll(() => f.close());

const post = (who: Session, path: string, body: Record<string, string>) => request(app).post(path).set('Cookie', who.cookie).type('form').send({ _csrf: who.csrf, ...body });
const get = (who: Session, path: string) => request(app).get(path).set('Cookie', who.cookie);
const one = (sql: string, ...args: unknown[]) => f.db.prepare(sql).get(...args) as Record<string, unknown> | undefined;
const lastAudit = () => one('SELECT actor, action, subject, before, after FROM audit_log ORDER BY id DESC LIMIT 1')!;

describe('organisations', () => {
  test('create, rename in three languages, set membership, move — each audited with before and after', async () => {
    let res = await post(editor, '/admin/orgs', { parent: 'pavlodar', slug: 'ekibastuz', level: 'branch', name_ru: 'Экибастузская городская организация', name_kk: 'Екібастұз қалалық ұйымы', members: '1200' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/orgs/ekibastuz?done=created');
    expect(one("SELECT level, name_kk, members FROM organisations WHERE slug = 'ekibastuz'")).toEqual({ level: 'branch', name_kk: 'Екібастұз қалалық ұйымы', members: 1200 });
    expect(lastAudit()).toMatchObject({ actor: 'pavlodar-editor', action: 'org.create', subject: 'org:ekibastuz' });

    res = await post(editor, '/admin/orgs/ekibastuz/rename', { name_ru: 'Экибастузская организация', name_kk: 'Екібастұз ұйымы', name_en: 'Ekibastuz organisation' });
    expect(res.status).toBe(303);
    expect(lastAudit()).toMatchObject({ action: 'org.update', before: expect.stringContaining('Экибастузская городская'), after: expect.stringContaining('Ekibastuz organisation') });
    const page = await get(editor, '/admin/orgs/ekibastuz?lang=kk&done=renamed');
    expect(page.text).toContain('Екібастұз ұйымы');
    expect(page.text).toContain('Атауы сақталды.');

    res = await post(editor, '/admin/orgs/ekibastuz/members', { members: '1300' });
    expect(res.status).toBe(303);
    expect(one("SELECT members FROM organisations WHERE slug = 'ekibastuz'")!.members).toBe(1300);

    // A primary organisation under the new branch, then the branch moved under Pavlodar city: allowed.
    await post(editor, '/admin/orgs', { parent: 'ekibastuz', slug: 'school-7', level: 'primary', name_ru: 'Школа № 7' });
    res = await post(editor, '/admin/orgs/school-7/move', { parent: 'pavlodar-city' });
    expect(res.status).toBe(303);
    expect(one("SELECT p.slug FROM organisations o JOIN organisations p ON p.id = o.parent_id WHERE o.slug = 'school-7'")!.slug).toBe('pavlodar-city');
  });

  test('moves that break the tree are refused with 400 and change nothing: under itself, under its own child, under a lower level', async () => {
    await post(admin, '/admin/orgs', { parent: 'pavlodar-city', slug: 'school-8', level: 'primary', name_ru: 'Школа № 8' });
    const before = dbState(f.db);
    for (const [slug, parent] of [
      ['pavlodar', 'pavlodar'],
      ['pavlodar', 'pavlodar-city'],
      ['shcherbakty', 'school-8'],
      ['kz', 'pavlodar'],
    ]) {
      const res = await post(admin, `/admin/orgs/${slug}/move`, { parent });
      expect([slug, parent, res.status]).toEqual([slug, parent, 400]);
      expect(res.text).toContain('notice-error');
    }
    // An editor may not move its own organisation (that would take it out of its reach), nor anything out of its subtree.
    expect((await post(editor, '/admin/orgs/pavlodar/move', { parent: 'kz' })).status).toBe(403);
    expect((await post(editor, '/admin/orgs/pavlodar-city/move', { parent: 'almaty' })).status).toBe(403);
    expect(dbState(f.db)).toBe(before);
  });

  test('a slug that exists, a level that cannot sit there, a missing Russian name: 400 naming the field', async () => {
    const before = dbState(f.db);
    let res = await post(admin, '/admin/orgs?lang=en', { parent: 'kz', slug: 'pavlodar', level: 'region', name_ru: 'Дубль' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('already exists');
    res = await post(admin, '/admin/orgs?lang=en', { parent: 'shcherbakty', slug: 'new-region', level: 'region', name_ru: 'Х' });
    expect(res.status).toBe(400);
    res = await post(admin, '/admin/orgs?lang=en', { parent: 'kz', slug: 'noname', level: 'region', name_ru: '  ' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Name (Russian)');
    expect(dbState(f.db)).toBe(before);
  });
});

describe('accounts', () => {
  test('add with platform id validation, close from a date, reopen — audited; rollups follow', async () => {
    const before = dbState(f.db);
    for (const [platform, id] of [
      ['telegram', 'no_at_sign'],
      ['telegram', '-42'],
      ['facebook', '@page'],
      ['instagram', '12ab'],
      ['newspaper', 'Газета'],
      ['telegram', '@pavlodar_placeholder'], // already configured
    ]) {
      const res = await post(editor, '/admin/orgs/pavlodar-city/accounts', { platform, platform_id: id });
      expect([platform, id, res.status]).toEqual([platform, id, 400]);
    }
    expect(dbState(f.db)).toBe(before);
    let res = await post(editor, '/admin/orgs/pavlodar-city/accounts', { platform: 'telegram', platform_id: '@pavlodar_city_news', title: 'Павлодар қаласы' });
    expect(res.status).toBe(303);
    const acc = one("SELECT id, org_id, title FROM accounts WHERE platform_id = '@pavlodar_city_news'")!;
    expect(res.headers.location).toBe(`/admin/accounts/${acc.id}?done=account_added`);
    expect(lastAudit()).toMatchObject({ action: 'account.create', subject: 'account:telegram:@pavlodar_city_news' });
    res = await post(editor, '/admin/orgs/pavlodar-city/accounts', { platform: 'telegram', platform_id: '-1001234567890' });
    expect(res.status).toBe(303);

    const fb = one("SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'pavlodar' AND a.platform = 'facebook'")!.id as number;
    res = await post(editor, `/admin/accounts/${fb}/close`, { date: '2026-11-01' });
    expect(res.status).toBe(303);
    expect(one('SELECT closed_day FROM accounts WHERE id = ?', fb)!.closed_day).toBe(toEpochDay('2026-11-01'));
    expect(lastAudit()).toMatchObject({ action: 'account.close', after: '{"closed":"2026-11-01"}' });
    const page = await get(editor, `/admin/accounts/${fb}?lang=en`);
    expect(page.text).toContain('closed since 1 Nov 2026');
    res = await post(editor, `/admin/accounts/${fb}/reopen`, {});
    expect(res.status).toBe(303);
    expect(one('SELECT closed_day FROM accounts WHERE id = ?', fb)!.closed_day).toBeNull();
  });

  test('collect now and Facebook backfill run in the background for that one account; the outcome shows on the account page', async () => {
    const fb = one("SELECT a.id, a.platform_id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'pavlodar' AND a.platform = 'facebook'")!;
    const tg = one("SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'pavlodar' AND a.platform = 'telegram'")!;
    collectCalls.length = 0;
    let res = await post(editor, `/admin/accounts/${fb.id}/collect`, {});
    expect(res.status).toBe(303);
    res = await post(editor, `/admin/accounts/${fb.id}/backfill`, { days: '30' });
    expect(res.status).toBe(303);
    await (app.locals.adminJobs as AdminJobs).idle();
    expect(collectCalls.map((c) => [c.platform, c.account, c.backfillDays, c.trigger])).toEqual([
      ['facebook', fb.platform_id, undefined, 'admin'],
      ['facebook', fb.platform_id, 30, 'admin'],
    ]);
    const page = await get(editor, `/admin/accounts/${fb.id}?lang=en`);
    expect(page.text.match(/data-status="finished"/g)?.length).toBe(2);
    expect(page.text).toContain('+30');
    // Backfill is for Facebook Pages; a second run while one is going is reported, not lost.
    expect((await post(editor, `/admin/accounts/${tg.id}/backfill`, { days: '30' })).status).toBe(400);
    expect((await post(editor, `/admin/accounts/${fb.id}/backfill`, { days: '9999' })).status).toBe(400);
    collectBehaviour = 'busy';
    await post(editor, `/admin/accounts/${tg.id}/collect`, {});
    await (app.locals.adminJobs as AdminJobs).idle();
    collectBehaviour = 'ok';
    expect((await get(editor, `/admin/accounts/${tg.id}?lang=en`)).text).toContain('another collection is running');
  });
});

describe('targets', () => {
  test('set absolute, revise by +% and absolute: each a new version with its decision; the baseline stays frozen', async () => {
    let res = await post(editor, '/admin/targets', { org: 'pavlodar', platform: 'social', baseline_date: '2026-06-01', due_date: '2027-06-30', mode: 'absolute', value: '60000', decision: 'Постановление № 12 от 01.06.2026' });
    expect(res.status).toBe(303);
    const id = Number(/\/admin\/targets\/(\d+)/.exec(res.headers.location)![1]);
    const v1 = one('SELECT baseline, target, decision FROM target_versions WHERE target_id = ? AND version = 1', id)!;
    expect(v1.target).toBe(60000);
    res = await post(editor, `/admin/targets/${id}/revise`, { mode: 'percent', value: '12,5', decision: 'Постановление № 15 от 01.09.2026' });
    expect(res.headers.location).toBe(`/admin/targets/${id}?done=revised`);
    const v2 = one('SELECT baseline, target, target_percent, decision FROM target_versions WHERE target_id = ? AND version = 2', id)!;
    expect(v2).toEqual({ baseline: v1.baseline, target: Math.round(((v1.baseline as number) * 112.5) / 100), target_percent: 12.5, decision: 'Постановление № 15 от 01.09.2026' });
    res = await post(editor, `/admin/targets/${id}/revise`, { mode: 'percent', value: '12.5', decision: 'Постановление № 15 от 01.09.2026' });
    expect(res.headers.location).toBe(`/admin/targets/${id}?done=unchanged`);
    const page = await get(editor, `/admin/targets/${id}?lang=ru`);
    expect(page.text).toContain('Постановление № 12 от 01.06.2026');
    expect(page.text).toContain('Постановление № 15 от 01.09.2026');
    expect(page.text).toMatch(/v2[\s\S]*v1/);
    expect(lastAudit()).toMatchObject({ actor: 'pavlodar-editor', action: 'target.set' });
    // The review page shows the new version.
    expect((await get(editor, '/targets?lang=ru')).text).toContain('Постановление № 15 от 01.09.2026');
  });

  test('a target at or below its baseline is refused in the page language unless ticked as a hold target', async () => {
    const form = { org: 'pavlodar', platform: 'instagram', baseline_date: '2026-06-01', due_date: '2027-03-31', mode: 'absolute', value: '500', decision: 'Постановление № 13' };
    const before = dbState(f.db);
    let res = await post(editor, '/admin/targets?lang=ru', form);
    expect(res.status).toBe(400);
    expect(res.text).toContain('цель не выше исходного значения');
    expect(dbState(f.db)).toBe(before);
    res = await post(editor, '/admin/targets?lang=kk', { ...form, mode: 'percent', value: '0' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('мақсат бастапқы мәннен жоғары емес');
    res = await post(editor, '/admin/targets', { ...form, hold: '1' });
    expect(res.status).toBe(303);
  });

  test('cascade: preview first (nothing written), then the children\'s targets add up to the parent\'s exactly', async () => {
    // Odd figures so the split has remainders: Pavlodar's children by membership 7 : 5 → 1 000 003.
    f.db.prepare("UPDATE organisations SET members = 7 WHERE slug = 'pavlodar-city'").run();
    f.db.prepare("UPDATE organisations SET members = 5 WHERE slug IN ('shcherbakty', 'ekibastuz')").run();
    let res = await post(admin, '/admin/targets', { org: 'pavlodar', platform: 'telegram', baseline_date: '2026-01-01', due_date: '2027-12-31', mode: 'absolute', value: '1000003', decision: 'Постановление № 20' });
    const id = Number(/\/admin\/targets\/(\d+)/.exec(res.headers.location)![1]);
    const before = dbState(f.db);
    res = await post(admin, `/admin/targets/${id}/cascade?lang=en`, { basis: 'members' });
    expect(res.status).toBe(200);
    expect(dbState(f.db)).toBe(before);
    const cells = [...res.text.matchAll(/<tr data-org="([a-z0-9-]+)">[\s\S]*?data-value="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    const children = (f.db.prepare("SELECT slug FROM organisations WHERE parent_id = (SELECT id FROM organisations WHERE slug = 'pavlodar') ORDER BY id").pluck().all() as string[]);
    expect(cells.map((c) => c[0])).toEqual(children);
    expect(cells.reduce((a, c) => a + (c[1] as number), 0)).toBe(1000003);
    const key = /name="key" value="([^"]+)"/.exec(res.text)![1];
    // A stale preview is shown again instead of saved.
    res = await post(admin, `/admin/targets/${id}/cascade`, { basis: 'members', confirm: '1', key: key.replace(/=\d+/, '=1') });
    expect(res.status).toBe(200);
    expect(res.text).toContain('cascade-preview');
    expect(dbState(f.db)).toBe(before);
    res = await post(admin, `/admin/targets/${id}/cascade`, { basis: 'members', confirm: '1', key });
    expect(res.headers.location).toBe(`/admin/targets/${id}?done=cascaded`);
    const saved = f.db
      .prepare(
        `SELECT o.slug, v.target, v.decision FROM targets t JOIN organisations o ON o.id = t.org_id JOIN target_versions v ON v.target_id = t.id
         WHERE o.parent_id = (SELECT id FROM organisations WHERE slug = 'pavlodar') AND t.platform = 'telegram' AND t.due_day = ? AND v.version = (SELECT max(version) FROM target_versions WHERE target_id = t.id)`,
      )
      .all(toEpochDay('2027-12-31')) as { slug: string; target: number; decision: string }[];
    expect(saved.map((r) => r.target).reduce((a, b) => a + b, 0)).toBe(1000003);
    expect(saved.every((r) => r.decision === 'Постановление № 20')).toBe(true);
    expect(Object.fromEntries(saved.map((r) => [r.slug, r.target]))).toEqual({ 'pavlodar-city': 411766, shcherbakty: 294119, ekibastuz: 294118 });
    // By current audience: the same exact sum.
    res = await post(admin, `/admin/targets/${id}/cascade`, { basis: 'audience' });
    expect(res.status).toBe(200);
    const byAudience = [...res.text.matchAll(/<tr data-org="[a-z0-9-]+">[\s\S]*?data-value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(byAudience.reduce((a, b) => a + b, 0)).toBe(1000003);
  });
});

describe('newspaper subscriptions', () => {
  const newspaper = () => one("SELECT id, platform_id FROM accounts WHERE platform = 'newspaper' ORDER BY id LIMIT 1")! as { id: number; platform_id: string };

  test('a figure per newspaper and date: written as a manual reading, audited, rollups follow', async () => {
    const n = newspaper();
    const res = await post(admin, '/admin/newspapers', { account: String(n.id), date: '2026-11-20', subscribers: '4321' });
    expect(res.status).toBe(303);
    expect(one('SELECT audience, source FROM snapshots WHERE account_id = ? AND day = ?', n.id, toEpochDay('2026-11-20'))).toEqual({ audience: 4321, source: 2 });
    expect(lastAudit()).toMatchObject({ action: 'snapshot.set', after: '{"date":"2026-11-20","subscribers":4321}' });
    const api = await request(app).get('/api/v1/orgs/kz/audience?platform=newspaper&from=2026-11-20&to=2026-11-20').set('Cookie', admin.cookie);
    expect(api.status).toBe(200);
    expect(api.body[0].audience).toBeGreaterThanOrEqual(4321);
    expect((await post(admin, '/admin/newspapers', { account: String(n.id), date: '2099-01-01', subscribers: '1' })).status).toBe(400);
    // A newspaper of another organisation is not the editor's to change.
    expect((await post(editor, '/admin/newspapers', { account: String(n.id), date: '2026-11-20', subscribers: '1' })).status).toBe(403);
  });

  test('CSV: every bad line named, nothing written; a good file is previewed, then written all together', async () => {
    const n = newspaper();
    const bad = ['org,account,date,subscribers', `kz,${n.platform_id},2026-07-01,5000`, `kz,no-such-paper,2026-07-01,10`, `pavlodar,${n.platform_id},2026-07-01,10`, `kz,${n.platform_id},2026-02-30,10`, `kz,${n.platform_id},2026-08-01,-5`, `kz,${n.platform_id},2026-07-01,5100`, 'kz,too,many,fields,here'].join('\n');
    const before = dbState(f.db);
    let res = await post(admin, '/admin/newspapers/csv?lang=en', { csv: bad });
    expect(res.status).toBe(400);
    for (const line of [3, 4, 5, 6, 7, 8]) expect(res.text).toContain(`line ${line}: `);
    expect(res.text).not.toContain('line 2: ');
    expect(res.text).toContain('6 bad lines');
    expect(dbState(f.db)).toBe(before);

    const good = `org,account,date,subscribers\nkz,${n.platform_id},2026-10-01,"5 200"\nkz,${n.platform_id},2026-10-02,5210\n`;
    res = await post(admin, '/admin/newspapers/csv?lang=en', { csv: good });
    expect(res.status).toBe(200);
    expect(res.text).toContain('2 figures will be written');
    expect(dbState(f.db)).toBe(before);
    res = await post(admin, '/admin/newspapers/csv', { csv: good, confirm: '1' });
    expect(res.headers.location).toBe('/admin/newspapers?done=imported');
    expect(f.db.prepare('SELECT audience FROM snapshots WHERE account_id = ? AND day >= ? AND day <= ? ORDER BY day').pluck().all(n.id, toEpochDay('2026-10-01'), toEpochDay('2026-10-02'))).toEqual([5200, 5210]);
    // An editor's CSV may only touch its subtree: the line is named, nothing is written.
    const ed = await post(editor, '/admin/newspapers/csv?lang=en', { csv: `org,account,date,subscribers\nkz,${n.platform_id},2026-10-03,1\n` });
    expect(ed.status).toBe(400);
    expect(ed.text).toContain('line 2: org: kz is outside');
  });
});

describe('users and the audit log', () => {
  test('an admin adds users; an editor cannot see the page', async () => {
    const res = await post(admin, '/admin/users', { login: 'aktobe-press', password: 'long enough pass', role: 'editor', org: 'aktobe' });
    expect(res.status).toBe(303);
    expect(one("SELECT u.role, o.slug FROM users u JOIN organisations o ON o.id = u.org_id WHERE login = 'aktobe-press'")).toEqual({ role: 'editor', slug: 'aktobe' });
    expect((await post(admin, '/admin/users?lang=en', { login: 'short', password: 'short', role: 'viewer' })).status).toBe(400);
    expect((await post(admin, '/admin/users', { login: 'aktobe-press', password: 'long enough pass', role: 'viewer' })).status).toBe(400);
    expect((await get(editor, '/admin/users')).status).toBe(403);
    const page = await get(admin, '/admin/users?lang=kk');
    expect(page.text).toContain('aktobe-press');
    expect(page.text).not.toContain('scrypt$');
  });

  test('the audit log shows who, what, when, before and after, filterable; an editor sees its subtree only', async () => {
    const all = await get(admin, '/admin/audit?lang=en');
    expect(all.status).toBe(200);
    expect(all.text).toContain('org.create');
    const rows = (html: string) => /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
    const filtered = rows((await get(admin, '/admin/audit?lang=en&actor=pavlodar-editor&action=org')).text);
    expect(filtered).toContain('org:ekibastuz');
    expect(filtered).not.toContain('user.create');
    expect(filtered).not.toContain('snapshot.set');
    expect(filtered).not.toContain('<td>admin</td>');
    const bySubject = rows((await get(admin, '/admin/audit?subject=school-7&from=2020-01-01&to=2099-12-31')).text);
    expect(bySubject).toContain('org:school-7');
    expect(bySubject).not.toContain('org:ekibastuz');
    expect(rows((await get(admin, '/admin/audit?from=2000-01-01&to=2000-12-31')).text)).toBe('');
    const ed = rows((await get(editor, '/admin/audit')).text);
    expect(ed).toContain('org:ekibastuz');
    expect(ed).not.toContain('user:aktobe-press');
    expect(ed).not.toContain('account:newspaper:');
  });
});

describe('injection attempts', () => {
  const SQL = ["' OR '1'='1", "x'; DROP TABLE users; --", '1 OR 1=1', '1; DELETE FROM organisations'];
  const PATH = ['../../etc/passwd', '..%2f..%2fetc', 'C:\\Windows\\win.ini', '/etc/passwd'];
  const HTML = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>'];
  const LONG = ['a'.repeat(5000), '9'.repeat(1000)];
  const ODD = ['a\u0000b', 'ab\u202Ecd', 'x\u200By', '\uD800', 'x\u0007y', 'ﬁ\uFEFF'];
  const ALL = [...SQL, ...PATH, ...HTML, ...LONG, ...ODD];
  /** Payloads that are fine as free text (names, titles, decisions) and so are stored as typed, not refused. */
  const FREE_TEXT_OK = new Set([...SQL, ...PATH]);

  test('every field of every admin form: 400, and nothing changes', async () => {
    const acc = one("SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'pavlodar' AND a.platform = 'facebook'")!.id;
    const target = one("SELECT t.id FROM targets t JOIN organisations o ON o.id = t.org_id WHERE o.slug = 'pavlodar' LIMIT 1")!.id;
    const paper = one("SELECT id FROM accounts WHERE platform = 'newspaper' LIMIT 1")!.id;
    const forms: [string, Record<string, string>, string[]][] = [
      ['/admin/orgs', { parent: 'pavlodar', slug: 'inj-org', level: 'branch', name_ru: 'Имя', name_kk: 'Аты', name_en: 'Name', members: '10' }, ['name_ru', 'name_kk', 'name_en']],
      ['/admin/orgs/pavlodar/rename', { name_ru: 'Павлодар', name_kk: 'Павлодар', name_en: 'Pavlodar' }, ['name_ru', 'name_kk', 'name_en']],
      ['/admin/orgs/pavlodar/members', { members: '100' }, []],
      ['/admin/orgs/shcherbakty/move', { parent: 'pavlodar' }, []],
      ['/admin/orgs/pavlodar/accounts', { platform: 'telegram', platform_id: '@inj_channel', title: 'T' }, ['title']],
      [`/admin/accounts/${acc}/close`, { date: '2026-11-01' }, []],
      [`/admin/accounts/${acc}/backfill`, { days: '10' }, []],
      ['/admin/targets', { org: 'pavlodar', platform: 'social', baseline_date: '2026-01-01', due_date: '2028-01-01', mode: 'absolute', value: '1000000', decision: 'Решение' }, ['decision']],
      [`/admin/targets/${target}/revise`, { mode: 'absolute', value: '12345', decision: 'Решение' }, ['decision']],
      [`/admin/targets/${target}/cascade`, { basis: 'members' }, []],
      ['/admin/newspapers', { account: String(paper), date: '2026-11-01', subscribers: '10' }, []],
      ['/admin/users', { login: 'inj-user', password: 'long enough pass', role: 'viewer', org: '' }, []],
    ];
    const before = dbState(f.db);
    let tried = 0;
    for (const [path, valid, freeText] of forms) {
      for (const field of Object.keys(valid)) {
        for (const payload of ALL) {
          if (freeText.includes(field) && FREE_TEXT_OK.has(payload)) continue;
          if (field === 'password' && !LONG.includes(payload)) continue; // any characters make a password; length is bounded
          const res = await post(admin, path, { ...valid, [field]: payload });
          expect([path, field, payload.slice(0, 30), res.status]).toEqual([path, field, payload.slice(0, 30), 400]);
          tried++;
        }
      }
    }
    // Path parameters.
    for (const payload of ALL) {
      const enc = payload === '\uD800' ? '%ED%A0%80' : encodeURIComponent(payload); // a lone surrogate as the bytes a client would send
      for (const path of [`/admin/orgs/${enc}`, `/admin/orgs/${enc}/rename`, `/admin/accounts/${enc}/close`, `/admin/targets/${enc}/revise`]) {
        const res = path.endsWith('close') || path.endsWith('rename') || path.endsWith('revise') ? await post(admin, path, {}) : await get(admin, path);
        expect([path.slice(0, 60), res.status]).toEqual([path.slice(0, 60), 400]);
        tried++;
      }
      for (const q of ['org', 'done', 'actor', 'action', 'subject', 'from', 'to', 'page']) {
        const page = q === 'org' ? '/admin/targets' : q === 'done' ? '/admin/orgs' : '/admin/audit';
        const res = await get(admin, `${page}?${q}=${enc}`);
        if (q === 'subject' && FREE_TEXT_OK.has(payload) && !payload.includes('\\') && !payload.includes('%')) {
          expect(res.status).toBe(200); // a search text, matched literally
          continue;
        }
        expect([page, q, payload.slice(0, 30), res.status]).toEqual([page, q, payload.slice(0, 30), 400]);
        tried++;
      }
    }
    // Repeated and nested fields.
    expect((await request(app).post('/admin/orgs/pavlodar/members').set('Cookie', admin.cookie).type('form').send(`_csrf=${admin.csrf}&members=1&members=2`)).status).toBe(400);
    expect((await get(admin, '/admin/audit?actor=a&actor=b')).status).toBe(400);
    expect(dbState(f.db)).toBe(before);
    expect(tried).toBeGreaterThan(500);
  });

  test('free text keeps quotes and SQL-looking text as typed (parameterised SQL), and every table survives', async () => {
    const name = "Школа им. O'Brien'; DROP TABLE users; --";
    const res = await post(admin, '/admin/orgs/school-8/rename', { name_ru: name });
    expect(res.status).toBe(303);
    expect(one("SELECT name_ru FROM organisations WHERE slug = 'school-8'")!.name_ru).toBe(name);
    expect(one('SELECT count(*) AS n FROM users')!.n).toBeGreaterThan(0);
    const page = await get(admin, '/admin/orgs/school-8');
    expect(page.text).toContain('O&#39;Brien&#39;; DROP TABLE users; --');
  });
});
