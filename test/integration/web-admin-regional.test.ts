// A regional press officer's work on the admin pages, over a real app, SQLite file and the API emulator on
// loopback: the editor of Pavlodar lands on Pavlodar, registers its own subscription to the national
// newspaper and enters its figure (the national total is the sum of every organisation's own figure), uploads
// figures as Russian Excel saves them (`;`, BOM, CRLF); channels are added from pasted links, looked up
// through the APIs, their first reading taken at once; refusals are in the page's language.
import request from 'supertest';
import type { Express } from 'express';
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { igIdForName, pageIdForName } from '../../collectors/emulator/model';
import { knownMigrations, migrate, openDatabase } from '../../db';
import { loadConfig } from '../../src/config';
import { LoginThrottle } from '../../src/auth';
import type { AdminJobs } from '../../src/admin/accounts';
import { toEpochDay } from '../../src/domain/dates';
import { createServices } from '../../src/services';
import { createApp } from '../../web/app';
import { buildWebFixture, type WebFixture } from '../helpers/web-fixture';
import { dbState, ensureUser, signIn, type Session } from '../helpers/web-auth';
import { tempDir } from '../helpers/cli';

const SEED = 'regional';
let f: WebFixture;
let emu: Emulator;
let app: Express;
let admin: Session;
let editor: Session;

beforeAll(async () => {
  f = buildWebFixture();
  emu = await startEmulator({ seed: SEED, unknownIds: ['no-such-page', 'no_such_account', '@no_such_channel'] });
  const config = loadConfig({
    env: { DATABASE_PATH: f.file, PORT: '0', FACEBOOK_GRAPH_URL: emu.url, TELEGRAM_API_ROOT: emu.url, FACEBOOK_ACCESS_TOKEN: 'graph-token', TELEGRAM_BOT_TOKEN: '123:bot-token' },
  });
  app = createApp({ ...createServices(f.db, config), now: f.now, loginThrottle: new LoginThrottle(1000) });
  ensureUser(f.db, 'admin', 'admin');
  ensureUser(f.db, 'pavlodar-press', 'editor', 'pavlodar');
  admin = await signIn(app, f.db, 'admin');
  editor = await signIn(app, f.db, 'pavlodar-press');
});
afterAll(async () => {
  await (app.locals.adminJobs as AdminJobs).idle();
  await emu.close();
  f.close();
});

const post = (who: Session, path: string, body: Record<string, string>) => request(app).post(path).set('Cookie', who.cookie).type('form').send({ _csrf: who.csrf, ...body });
const get = (who: Session, path: string) => request(app).get(path).set('Cookie', who.cookie);
const one = (sql: string, ...args: unknown[]) => f.db.prepare(sql).get(...args) as Record<string, unknown> | undefined;
/** The error notice of a page, as text. */
const notice = (html: string) => (/<p class="notice notice-error"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
/** The newspaper audience of an org's subtree on a date, as the API (and the pages) give it. */
const newspaperTotal = async (slug: string, date: string) => {
  const res = await request(app).get(`/api/v1/orgs/${slug}/audience?platform=newspaper&from=${date}&to=${date}`).set('Cookie', admin.cookie);
  expect(res.status).toBe(200);
  return res.body[0]?.audience as number;
};
/** Each newspaper account's own latest figure on or before a date, summed over an org's subtree. */
const ownFiguresSum = (slug: string, date: string) =>
  f.db
    .prepare(
      `WITH RECURSIVE sub(id) AS (SELECT id FROM organisations WHERE slug = ? UNION ALL SELECT o.id FROM organisations o JOIN sub ON o.parent_id = sub.id)
       SELECT coalesce(sum((SELECT audience FROM snapshots s WHERE s.account_id = a.id AND s.day <= ? ORDER BY s.day DESC LIMIT 1)), 0)
       FROM accounts a WHERE a.platform = 'newspaper' AND a.org_id IN (SELECT id FROM sub)`,
    )
    .pluck()
    .get(slug, toEpochDay(date)) as number;

describe('a regional press officer', () => {
  test('lands on its organisation, not the national overview', async () => {
    const res = await get(editor, '/?lang=kk');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/org/pavlodar?lang=kk');
    expect((await get(admin, '/')).status).toBe(200);
  });

  test("registers Pavlodar's own subscription to bilimdi-el and enters its figure: the national total is the sum of the organisations' own figures", async () => {
    const national = one("SELECT a.id, a.title FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE a.platform = 'newspaper' AND a.platform_id = 'bilimdi-el' AND o.slug = 'kz'")!;
    expect(national).toBeDefined();
    let page = await get(editor, '/admin/newspapers?lang=ru');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(`value="${national.id}"`); // the national paper is not the editor's

    let res = await post(editor, '/admin/newspapers/register?lang=ru', { org: 'pavlodar', code: 'bilimdi-el' });
    expect(res.status).toBe(303);
    const own = one("SELECT a.id, a.title FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE a.platform = 'newspaper' AND a.platform_id = 'bilimdi-el' AND o.slug = 'pavlodar'")!;
    expect(own.id).not.toBe(national.id);
    expect(own.title).toBe(national.title);
    expect(one('SELECT subject FROM audit_log ORDER BY id DESC LIMIT 1')).toEqual({ subject: 'account:newspaper:pavlodar/bilimdi-el' });

    // Twice, or outside the editor's part of the tree: refused, in the page's language, naming the field.
    const before = dbState(f.db);
    res = await post(editor, '/admin/newspapers/register?lang=ru', { org: 'pavlodar', code: 'bilimdi-el' });
    expect(res.status).toBe(400);
    expect(notice(res.text)).toBe('Проверьте поле Код газеты: у этой организации уже есть газета bilimdi-el');
    res = await post(editor, '/admin/newspapers/register?lang=kk', { org: 'pavlodar', code: 'Білімді ел' });
    expect(res.status).toBe(400);
    expect(notice(res.text)).toContain('Газет коды');
    expect((await post(editor, '/admin/newspapers/register', { org: 'kz', code: 'bilimdi-el' })).status).toBe(403);
    expect(dbState(f.db)).toBe(before);

    page = await get(editor, '/admin/newspapers?lang=ru');
    expect(page.text).toContain(`<option value="${own.id}"`);
    const date = '2026-11-20';
    const nationalBefore = await newspaperTotal('kz', date);
    expect(nationalBefore).toBe(ownFiguresSum('kz', date));
    res = await post(editor, '/admin/newspapers', { account: String(own.id), date, subscribers: '1234' });
    expect(res.status).toBe(303);
    expect(await newspaperTotal('pavlodar', date)).toBe(ownFiguresSum('pavlodar', date));
    expect(await newspaperTotal('kz', date)).toBe(ownFiguresSum('kz', date));
    expect(await newspaperTotal('kz', date)).toBe(nationalBefore + 1234);
    // The page lists each organisation's own figure and the title's total.
    page = await get(editor, '/admin/newspapers?lang=ru');
    expect(page.text).toMatch(/Итого bilimdi-el<\/th><td class="num"><strong>1[\s\u00a0\u202f]234<\/strong>/);
    // The editor's audit log holds its own newspaper's entries (in words), not the national paper's.
    const audit = await get(editor, '/admin/audit?lang=ru');
    expect(audit.text).toContain('data-subject="account:newspaper:pavlodar/bilimdi-el"');
    expect(audit.text).toContain('введена цифра');
    expect(audit.text).not.toContain('data-subject="account:newspaper:kz/');
  });

  test('a CSV as Russian Excel saves it (; BOM CRLF) is previewed and written; bad lines are explained in the page language', async () => {
    const csv = '\uFEFForg;account;date;subscribers\r\npavlodar;bilimdi-el;2026-11-21;"1 250"\r\npavlodar;bilimdi-el;2026-11-22;1260\r\n';
    let res = await post(editor, '/admin/newspapers/csv?lang=ru', { csv });
    expect(res.status).toBe(200);
    expect(res.text).toContain('id="csv-preview"');
    res = await post(editor, '/admin/newspapers/csv', { csv, confirm: '1' });
    expect(res.headers.location).toBe('/admin/newspapers?done=imported');
    const own = one("SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE a.platform_id = 'bilimdi-el' AND o.slug = 'pavlodar'")!.id;
    expect(f.db.prepare('SELECT audience FROM snapshots WHERE account_id = ? AND day >= ? ORDER BY day').pluck().all(own, toEpochDay('2026-11-21'))).toEqual([1250, 1260]);

    const before = dbState(f.db);
    const bad = 'org;account;date;subscribers\r\npavlodar;bilimdi-el;2026-02-30;1\r\nkz;bilimdi-el;2026-11-01;5\r\npavlodar;bilimdi-el;2026-11-02;много\r\n';
    res = await post(editor, '/admin/newspapers/csv?lang=ru', { csv: bad });
    expect(res.status).toBe(400);
    expect(res.text).toContain('строка 2: date: должно быть настоящей датой');
    expect(res.text).toContain('строка 3: org: kz — вне той части дерева, которую вы можете менять');
    expect(res.text).toContain('строка 4: subscribers: должно быть целым числом от 0 до 10000000000');
    res = await post(editor, '/admin/newspapers/csv?lang=kk', { csv: 'organisation;paper\r\nx;y\r\n' });
    expect(res.status).toBe(400);
    expect(notice(res.text)).toContain('бірінші жол org,account,date,subscribers тақырыбы болуы керек');
    expect(dbState(f.db)).toBe(before);
  });
});

describe('adding a channel from a link', () => {
  const add = (who: Session, platform: string, link: string, lang = 'ru') => post(who, `/admin/orgs/pavlodar-city/accounts?lang=${lang}`, { platform, platform_id: link });
  const added = (platform: string, id: string) => one('SELECT id, title FROM accounts WHERE platform = ? AND platform_id = ?', platform, id);

  test('t.me, facebook.com (name or profile.php?id=) and instagram.com links are looked up to ids; the first reading is taken at once', async () => {
    const cases: [string, string, string][] = [
      ['telegram', 'https://t.me/pavlodar_teachers', '@pavlodar_teachers'],
      ['facebook', 'https://www.facebook.com/pavlodar.teachers/', pageIdForName('pavlodar.teachers', SEED)],
      ['facebook', 'https://m.facebook.com/profile.php?id=100064000000777', '100064000000777'],
      ['instagram', 'https://www.instagram.com/pavlodar_teachers/', igIdForName('pavlodar_teachers', SEED)],
    ];
    for (const [platform, link, id] of cases) {
      const res = await add(editor, platform, link);
      expect([link, res.status]).toEqual([link, 303]);
      const account = added(platform, id);
      expect([link, account?.id !== undefined]).toEqual([link, true]);
      expect(res.headers.location).toBe(`/admin/accounts/${account!.id}?done=account_added`);
      // Read already: the account has a reading, the page shows it.
      expect([link, one('SELECT count(*) AS n FROM snapshots WHERE account_id = ?', account!.id)!.n]).toEqual([link, 1]);
    }
    expect(added('telegram', '@pavlodar_teachers')!.title).toBe('Channel pavlodar_teachers');
    expect(added('instagram', igIdForName('pavlodar_teachers', SEED))!.title).toBe('@pavlodar_teachers');
  });

  test('a link nobody has, of another platform, or no link at all: refused in the page language, naming the field as the form does', async () => {
    const before = dbState(f.db);
    let res = await add(editor, 'facebook', 'https://www.facebook.com/no-such-page');
    expect(res.status).toBe(400);
    expect(notice(res.text)).toBe('Проверьте поле Идентификатор канала: в Facebook нет канала no-such-page');
    res = await add(editor, 'instagram', 'https://www.instagram.com/no_such_account/', 'kk');
    expect(res.status).toBe(400);
    expect(notice(res.text)).toContain('Instagram желісінде no_such_account арнасы жоқ');
    res = await add(editor, 'telegram', 'https://t.me/no_such_channel', 'en');
    expect(notice(res.text)).toBe('Please check the field Channel id: Telegram has no channel @no_such_channel');
    res = await add(editor, 'telegram', 'https://www.instagram.com/pavlodar/');
    expect(notice(res.text)).toBe('Проверьте поле Идентификатор канала: это ссылка Instagram, а выбрана платформа Telegram');
    res = await add(editor, 'facebook', 'https://www.facebook.com/groups/12345');
    expect(notice(res.text)).toBe('Проверьте поле Идентификатор канала: это не ссылка и не идентификатор канала Facebook');
    res = await add(editor, 'telegram', 'https://t.me/pavlodar_teachers'); // added above
    expect(notice(res.text)).toMatch(/^Проверьте поле Идентификатор канала: этот канал уже добавлен \(канал № \d+\)$/);
    expect(dbState(f.db)).toBe(before);
  });
});

test('migration 0008 keeps every account id and reference of an existing database', () => {
  const dir = tempDir('ag-migrate-');
  const db = openDatabase(`${dir}/old.db`, { migrate: false });
  const all = knownMigrations();
  const at = all.findIndex((m) => m.id === '0008_newspapers_per_org');
  migrate(db, all.slice(0, at));
  const now = Date.now();
  db.prepare("INSERT INTO organisations (id, slug, level, name_ru, created_at, updated_at) VALUES (1, 'kz', 'council', 'kz', ?, ?), (2, 'pavlodar', 'region', 'p', ?, ?)").run(now, now, now, now);
  db.prepare('UPDATE organisations SET parent_id = 1 WHERE id = 2').run();
  db.prepare("INSERT INTO accounts (id, org_id, platform, platform_id, created_at, updated_at) VALUES (7, 1, 'newspaper', 'bilimdi-el', ?, ?), (9, 2, 'telegram', '@p', ?, ?)").run(now, now, now, now);
  db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (7, 20000, 5, 2, ?), (9, 20000, 6, 0, ?)').run(now, now);
  migrate(db, all);
  expect(db.prepare('SELECT id, platform_id FROM accounts ORDER BY id').all()).toEqual([{ id: 7, platform_id: 'bilimdi-el' }, { id: 9, platform_id: '@p' }]);
  expect(db.pragma('foreign_key_check')).toEqual([]);
  expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  // The same newspaper in another organisation is its own account; a channel stays unique in the tree.
  db.prepare("INSERT INTO accounts (org_id, platform, platform_id, created_at, updated_at) VALUES (2, 'newspaper', 'bilimdi-el', ?, ?)").run(now, now);
  expect(() => db.prepare("INSERT INTO accounts (org_id, platform, platform_id, created_at, updated_at) VALUES (2, 'newspaper', 'bilimdi-el', ?, ?)").run(now, now)).toThrow(/UNIQUE/);
  expect(() => db.prepare("INSERT INTO accounts (org_id, platform, platform_id, created_at, updated_at) VALUES (1, 'telegram', '@p', ?, ?)").run(now, now)).toThrow(/UNIQUE/);
  expect(() => db.prepare('DELETE FROM accounts WHERE id = 7').run()).toThrow(/FOREIGN KEY/);
  db.close();
});
