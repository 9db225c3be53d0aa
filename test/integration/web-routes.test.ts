// The dashboard and JSON API over a real SQLite file built from the example tree: pages render in three
// languages with the engine's numbers, bad parameters get a 400 (never a 500), exports download.
import request from 'supertest';
import ExcelJS from 'exceljs';
import { createApp } from '../../web/app';
import { runExport } from '../../src/exports';
import { growthRows } from '../../src/growth/growth';
import { formatNumber } from '../../src/i18n/format';
import { buildWebFixture, TODAY, type WebFixture } from '../helpers/web-fixture';
import { withSession } from '../helpers/web-auth';
import { createServices, createExporters } from '../../src/services';

let f: WebFixture;
let app: ReturnType<typeof withSession>;

beforeAll(() => {
  f = buildWebFixture();
  // Every page and API route needs a principal: these requests carry a viewer's API token.
  app = withSession(createApp({ ...createServices(f.db, f.config), now: f.now }), f.db);
});
afterAll(() => f.close());

const PAGES = ['/', '/org/pavlodar', '/org/shcherbakty', '/targets', '/rankings', '/health'];

describe('pages', () => {
  test.each(PAGES)('%s renders in ru, kk and en with no untranslated key', async (path) => {
    const texts: string[] = [];
    for (const lang of ['ru', 'kk', 'en']) {
      const res = await request(app).get(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
      expect(res.status).toBe(200);
      expect(res.type).toBe('text/html');
      expect(res.text).toContain(`<html lang="${lang}">`);
      expect(res.text).not.toMatch(/\?\?[a-z_.0-9]+\?\?/);
      texts.push(res.text.replace(/<script type="application\/json"[\s\S]*?<\/script>/, ''));
    }
    expect(new Set(texts).size).toBe(3);
  });

  test('the language chosen with ?lang= is remembered in a cookie; the default comes from config', async () => {
    const first = await request(app).get('/?lang=kk');
    const cookie = first.headers['set-cookie'] as unknown as string[];
    expect(cookie.join(';')).toMatch(/lang=kk/);
    const again = await request(app).get('/health').set('Cookie', 'lang=kk');
    expect(again.text).toContain('Деректер жинау');
    const plain = await request(app).get('/health');
    expect(plain.text).toContain('<html lang="ru">');
    expect(plain.text).toContain('Сбор данных');
  });

  test('overview shows the national social audience the growth engine computes, in locale format', async () => {
    const row = growthRows(f.db, { org: 'kz', platform: 'social', from: '2026-11-01', to: TODAY }).find((r) => r.org === 'kz')!;
    const ru = await request(app).get('/?lang=ru&period=month');
    expect(ru.text).toContain(formatNumber(row.audience_end, 'ru'));
    const en = await request(app).get('/?lang=en&period=month');
    expect(en.text).toContain(formatNumber(row.audience_end, 'en'));
    expect(en.text).toContain('as of 23 Nov 2026');
    expect(ru.text).toContain('данные на 23.11.2026');
  });

  test('period selector: a custom range is shown beside the equally long range before it', async () => {
    const res = await request(app).get('/org/pavlodar?period=custom&from=2026-06-10&to=2026-06-19&lang=en');
    expect(res.status).toBe(200);
    expect(res.text).toContain('10 Jun 2026 – 19 Jun 2026');
    expect(res.text).toContain('previous period: 31 May 2026 – 9 Jun 2026');
    // A whole calendar month is compared with the month before.
    const june = await request(app).get('/org/pavlodar?period=custom&from=2026-06-01&to=2026-06-30&lang=en');
    expect(june.text).toContain('previous period: 1 May 2026 – 31 May 2026');
  });

  test('organisation page: breadcrumbs, children, accounts with stale and error badges, suspicious growth', async () => {
    const kz = await request(app).get('/?lang=en');
    expect(kz.text).toContain('href="/org/pavlodar"');
    expect(kz.text).toMatch(/not updating/);
    expect(kz.text).toContain('invalid token');
    const pav = await request(app).get('/org/pavlodar-city?lang=en');
    expect(pav.text).toContain('class="breadcrumbs"');
    expect(pav.text).toContain('href="/org/pavlodar"');
    const at = await request(app).get('/org/atyrau?lang=en');
    expect(at.text).toContain('sudden rise');
  });

  test('correct plural forms in Russian', async () => {
    const res = await request(app).get('/targets?lang=ru');
    const n = (runExport(createExporters(), 'targets', f.db, { date: TODAY }, f.config).rows as unknown[]).length;
    expect(n).toBe(10);
    expect(res.text).toContain('10 целей');
    const one = await request(app).get('/targets?lang=ru&status=no_data');
    expect(one.text).toContain('1 цель');
  });

  test('targets review filters by status, level, platform and parent organisation', async () => {
    const behind = await request(app).get('/targets?status=behind&lang=en');
    const rows = behind.text.match(/<tr data-status="([a-z_]+)"/g) ?? [];
    expect(rows.length).toBe(3);
    expect(rows.every((r) => r.includes('"behind"'))).toBe(true);
    const two = await request(app).get('/targets?status=behind&status=at_risk');
    expect((two.text.match(/<tr data-status=/g) ?? []).length).toBe(4);
    const tg = await request(app).get('/targets?platform=telegram');
    expect((tg.text.match(/<tr data-status=/g) ?? []).length).toBe(2);
    const council = await request(app).get('/targets?level=council');
    expect((council.text.match(/<tr data-status=/g) ?? []).length).toBe(2);
    const under = await request(app).get('/targets?parent=pavlodar');
    expect((under.text.match(/<tr data-status=/g) ?? []).length).toBe(1);
  });

  test('targets review shows every version of a revised target with its decision', async () => {
    const res = await request(app).get('/targets?parent=pavlodar');
    expect(res.text).toContain('Постановление исполкома № 9 от 20.06.2026');
    expect(res.text).toContain('Постановление исполкома № 5 от 15.01.2026');
    expect(res.text).toMatch(/v2:[\s\S]*v1:/);
  });

  test('rankings rank regions by the chosen metric with rank change', async () => {
    const res = await request(app).get('/rankings?metric=net_growth&period=month&lang=en');
    expect(res.status).toBe(200);
    expect(res.text).toContain('by net growth');
    // Atyrau's bought subscribers put it first by net growth this month.
    const first = /<tr data-href="\/org\/([a-z-]+)"/.exec(res.text)![1];
    expect(first).toBe('atyrau');
  });

  test('health lists failing accounts with the reason, stale accounts and coverage', async () => {
    const res = await request(app).get('/health?lang=en');
    expect(res.text).toContain('invalid token');
    expect(res.text).toContain('Graph API error 190');
    expect(res.text).toMatch(/id="stale-table"[\s\S]*100000000000003/); // akmola facebook, last read 10 Nov
    expect(res.text).toContain('no reading yet'); // ulytau telegram
    expect(res.text).toContain('id="coverage-counts"');
  });

  test('pages hold a strict CSP: no inline script or style, chart.js served from node_modules', async () => {
    const res = await request(app).get('/org/pavlodar');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const scripts = res.text.match(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/json")[^>]*>/g);
    expect(scripts).toBeNull();
    expect(res.text).not.toMatch(/\sstyle="/);
    for (const src of res.text.match(/<script src="([^"]+)"/g)!.map((s) => s.slice(13, -1))) {
      const js = await request(app).get(src);
      expect(js.status).toBe(200);
      expect(js.type).toMatch(/javascript/);
    }
    const chart = await request(app).get('/static/vendor/chart.umd.min.js');
    expect(chart.body.length ?? chart.text.length).toBeGreaterThan(100_000);
  });

  test('user text is escaped', async () => {
    f.db.prepare("UPDATE accounts SET title = '<img src=x onerror=alert(1)>' WHERE platform_id = '@pavlodar_placeholder'").run();
    const res = await request(app).get('/org/pavlodar');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toContain('&lt;img src=x');
  });
});

describe('downloads', () => {
  // What is in them (language, separators, number and date cells): test/integration/page-downloads.test.ts.
  test('targets CSV holds the filtered rows', async () => {
    const res = await request(app).get('/targets.csv?status=behind');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/csv');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="?targets-2026-11-23\.csv/);
    expect(res.text.trim().split('\r\n')).toHaveLength(4);
  });

  test('targets XLSX opens as a workbook with the same rows', async () => {
    const res = await request(app).get('/targets.xlsx').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    const ws = wb.worksheets[0];
    expect(ws.rowCount).toBe(11);
    expect(ws.getRow(1).getCell(1).value).toBe('Организация');
  });

  test('rankings CSV holds every region', async () => {
    const res = await request(app).get('/rankings.csv?level=region');
    expect(res.status).toBe(200);
    expect(res.text.trim().split('\r\n')).toHaveLength(21);
  });
});

describe('JSON API returns the rows of the matching export', () => {
  test('orgs: the tree', async () => {
    const res = await request(app).get('/api/v1/orgs');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(23);
    expect(res.body[0]).toMatchObject({ slug: 'kz', parent: null, level: 'council', members: 400000 });
    expect(res.body.find((o: { slug: string }) => o.slug === 'shcherbakty')).toMatchObject({ parent: 'pavlodar', level: 'branch' });
  });

  test('audience series = export audience', async () => {
    const res = await request(app).get('/api/v1/orgs/pavlodar/audience?platform=telegram&from=2024-01-01&to=2026-11-23');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(runExport(createExporters(), 'audience', f.db, { org: 'pavlodar', platform: 'telegram', from: '2024-01-01', to: TODAY }, f.config).rows);
    expect(res.body[0]).toEqual({ org: 'pavlodar', platform: 'telegram', date: '2024-01-01', audience: null });
    expect(res.body.at(-1).audience).toBeGreaterThan(0);
  });

  test('growth = export growth', async () => {
    const res = await request(app).get('/api/v1/growth?org=pavlodar&platform=social&from=2026-01-01&to=2026-06-30');
    expect(res.body).toEqual(runExport(createExporters(), 'growth', f.db, { org: 'pavlodar', platform: 'social', from: '2026-01-01', to: '2026-06-30' }, f.config).rows);
    expect(res.body.map((r: { org: string }) => r.org)).toEqual(['pavlodar', 'pavlodar-city', 'shcherbakty']);
  });

  test('targets = export targets, status filter narrows', async () => {
    const res = await request(app).get('/api/v1/targets?date=2026-11-23');
    expect(res.body).toEqual(runExport(createExporters(), 'targets', f.db, { date: TODAY }, f.config).rows);
    const missed = await request(app).get('/api/v1/targets?status=missed');
    expect(missed.body.map((r: { org: string }) => r.org)).toEqual(['almaty']);
  });

  test('rankings and health', async () => {
    const r = await request(app).get('/api/v1/rankings?level=region&platform=social&from=2026-11-01&to=2026-11-23&metric=growth_percent');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(20);
    expect(r.body[0]).toMatchObject({ rank: 1, metric: 'growth_percent', level: 'region' });
    const h = await request(app).get('/api/v1/health');
    expect(h.body.failing).toEqual([expect.objectContaining({ org: 'aktobe', platform: 'instagram', error_kind: 'invalid_token' })]);
    expect(h.body.stale.map((a: { org: string }) => a.org).sort()).toEqual(['akmola', 'ulytau']);
    expect(h.body.last_collect_at).toBe('2026-11-23T01:00:42.000Z');
  });

  test('/healthz is public JSON: database reachable and last collect time', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'ok', last_collect_at: '2026-11-23T01:00:42.000Z' });
  });
});

describe('bad parameters get a 400 with { error: { code, message } }, never a 500', () => {
  test.each([
    ['/api/v1/orgs/kz/audience?from=2026-02-30', 'from'],
    ['/api/v1/orgs/kz/audience?from=yesterday', 'from'],
    ['/api/v1/orgs/kz/audience?to=2026-13-01', 'to'],
    ['/api/v1/orgs/kz/audience?from=2026-06-01&to=2026-01-01', 'after'],
    ['/api/v1/orgs/kz/audience?from=1900-01-01&to=2026-01-01', '20 years'],
    ['/api/v1/growth?from=1800-01-01', '20 years'],
    ['/api/v1/orgs/kz/audience?platform=myspace', 'platform'],
    ['/api/v1/orgs/KZ/audience', 'slug'],
    ['/api/v1/orgs/kz%27%20OR%201=1/audience', 'slug'],
    ['/api/v1/growth?org=../etc', 'org'],
    ['/api/v1/growth?platform=social&platform=telegram', 'platform'],
    ['/api/v1/growth?from=2026-01-01&from=2026-02-01', 'from'],
    ['/api/v1/targets?date=31.12.2026', 'date'],
    ['/api/v1/targets?status=great', 'status'],
    ['/api/v1/rankings?level=planet', 'level'],
    ['/api/v1/rankings?metric=likes', 'metric'],
  ])('%s', async (url, word) => {
    const res = await request(app).get(url);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_parameter');
    expect(res.body.error.message).toContain(word);
  });

  test.each(['/api/v1/orgs/atlantis/audience', '/api/v1/growth?org=atlantis', '/api/v1/rankings?org=atlantis', '/api/v1/nothing'])('%s → 404', async (url) => {
    const res = await request(app).get(url);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  test.each([
    '/?period=decade',
    '/?period=custom&from=2026-01-01',
    '/?period=custom&from=2026-05-01&to=2026-04-01',
    '/?period=custom&from=1900-01-01&to=2026-04-01',
    '/?platform=tiktok',
    '/?chart=10y',
    '/org/Pavlodar',
    '/targets?date=2026-02-29',
    '/targets?level=galaxy',
    '/targets?parent=A_B',
    '/rankings?period=custom&from=2026-01-01&to=x',
  ])('page %s → 400 page in the user language', async (url) => {
    const res = await request(app).get(url).set('Cookie', 'lang=en');
    expect(res.status).toBe(400);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('Bad request');
  });

  test.each(['/org/atlantis', '/targets?parent=atlantis', '/no/such/page'])('page %s → 404', async (url) => {
    const res = await request(app).get(url);
    expect(res.status).toBe(404);
    expect(res.text).toContain('Страница не найдена');
  });
});
