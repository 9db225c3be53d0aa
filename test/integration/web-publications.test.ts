// The information-work pages over HTTP with a real server app and SQLite file: an org's Publications page, the
// best posts page and the overview panel show the figures `export publications` / `export rubrics` give, in
// ru/kk/en without a missing text; the /api/v1 twins return exactly the export rows; bad parameters are a 400
// naming the parameter.
import request from 'supertest';
import { createApp } from '../../web/app';
import { runExport } from '../../src/exports';
import { setStandards } from '../../src/publications/standards-store';
import { createExporters, createServices } from '../../src/services';
import { buildWebFixture, TODAY, type WebFixture } from '../helpers/web-fixture';
import { addFixturePosts } from '../helpers/posts-fixture';
import { withSession } from '../helpers/web-auth';

let f: WebFixture;
let app: ReturnType<typeof withSession>;

beforeAll(() => {
  f = buildWebFixture();
  addFixturePosts(f.db, f.config.timezone, TODAY, { silentSlug: 'akmola' });
  setStandards(
    f.db,
    [
      { level: 'region', platform: 'social', posts_per_week: 5, rubric_share: { 'legal-protection': 10 }, decision: 'Постановление № 19 п. 2 от 12.10.2022' },
      { level: 'council', platform: 'social', active_share: 80 },
    ],
    { actor: 'test', rubrics: f.config.rubrics.map((r) => r.slug) },
  );
  app = withSession(createApp({ ...createServices(f.db, f.config), now: f.now, cache: false }), f.db);
});
afterAll(() => f.close());

const MONTH = { from: '2026-11-01', to: TODAY };
const rowsOf = (kind: string, opts: Record<string, string> = {}) => runExport(createExporters(), kind, f.db, { ...MONTH, ...opts }, f.config).rows as Record<string, unknown>[];
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;|\u00a0|\u202f/g, ' ').replace(/\s+/g, ' ');

describe('the Publications page', () => {
  test('headline, themes, children and silent channels as the exports give them (ru)', async () => {
    const res = await request(app).get('/org/kz/publications?lang=ru&period=month');
    expect(res.status).toBe(200);
    const kz = rowsOf('publications', { org: 'kz' })[0];
    const page = text(res.text);
    expect(kz.posts as number).toBeGreaterThan(50);
    expect(page).toContain(`Публикации ${(kz.posts as number).toLocaleString('ru-RU').replace(/\s/g, ' ')}`);
    expect(page).toMatch(new RegExp(`Молчащие каналы ⚠ ${kz.silent_accounts}`));
    // themes: one row per rubric with its share as export rubrics gives it
    const themes = rowsOf('rubrics', { org: 'kz' }).filter((r) => r.org === 'kz');
    expect(themes).toHaveLength(8);
    expect((res.text.match(/<tr data-rubric=/g) ?? []).length).toBe(8);
    const legal = themes.find((r) => r.rubric === 'legal-protection')!;
    expect(legal.rubric_posts as number).toBeGreaterThan(0);
    const legalRow = text(/<tr data-rubric="legal-protection">[\s\S]*?<\/tr>/.exec(res.text)![0]);
    expect(legalRow).toContain(`Правовая защита ${legal.rubric_posts}`);
    expect(legalRow).toContain(`${(legal.share_percent as number).toFixed(1).replace('.', ',')} %`);
    // children: the regions, each with its standard verdict
    const regions = rowsOf('publications', { org: 'kz' }).filter((r) => r.org !== 'kz' && ['abai', 'akmola', 'pavlodar'].includes(r.org as string));
    expect(regions).toHaveLength(3);
    const childRows = res.text.match(/<tr data-href="\/org\/[a-z-]+\/publications">/g) ?? [];
    expect(childRows.length).toBe(f.db.prepare("SELECT count(*) FROM organisations WHERE parent_id = (SELECT id FROM organisations WHERE slug = 'kz')").pluck().get());
    expect(res.text).toMatch(/data-met="(yes|no)"/);
    const childTable = text(/<table class="data sortable" id="pub-children">[\s\S]*?<\/table>/.exec(res.text)![0]);
    expect(childTable).toContain('Павлодарская областная организация профсоюза');
    // the silent channel: Akmola's channels stopped 30 days ago
    const silent = text(/<section class="panel" id="silent">[\s\S]*?<\/section>/.exec(res.text)![0]);
    expect(silent).toMatch(/Акмолинская областная организация профсоюза \d+ дн/);
    // chart data for the bars and lines
    const chart = JSON.parse(/<script type="application\/json" id="pub-chart-data">([\s\S]*?)<\/script>/.exec(res.text)![1]);
    expect(chart.bars.map((b: { key: string }) => b.key)).toEqual(['facebook', 'instagram', 'telegram']);
    expect(chart.weeks).toHaveLength(26);
    expect(chart.bars.flatMap((b: { data: number[] }) => b.data).reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
  });

  test.each(['ru', 'kk', 'en'])('no missing text in %s, on a region and a primary-level page too', async (lang) => {
    for (const slug of ['kz', 'pavlodar', 'pavlodar-city']) {
      const res = await request(app).get(`/org/${slug}/publications?lang=${lang}&period=quarter`);
      expect([slug, res.status]).toEqual([slug, 200]);
      expect([slug, res.text.match(/\?\?[\w.]+\?\?/g)]).toEqual([slug, null]);
    }
  });

  test('one platform: the page counts that platform only', async () => {
    const tg = rowsOf('publications', { org: 'kz', platform: 'telegram' })[0];
    const res = await request(app).get('/org/kz/publications?platform=telegram&lang=en&period=month');
    expect(res.status).toBe(200);
    expect(text(res.text)).toContain(`Posts ${(tg.posts as number).toLocaleString('en-GB')}`);
    expect(res.text).toMatch(/<option value="telegram" selected>/);
  });

  test('bad parameters are a 400 that names them; an unknown org a 404', async () => {
    const r1 = await request(app).get('/org/kz/publications?platform=newspaper');
    expect([r1.status, r1.text]).toEqual([400, expect.stringContaining('platform: must be one of social, facebook, instagram, telegram')]);
    const r2 = await request(app).get('/org/nosuch/publications');
    expect(r2.status).toBe(404);
    const r3 = await request(app).get('/org/kz/publications?period=custom&from=2026-11-30&to=2026-11-01');
    expect(r3.status).toBe(400);
  });
});

describe('an org whose posts were never read (Ulytau: no successful posts read of any channel)', () => {
  test('shows "no data", not 0 posts, and fails no standard: its page, the children table, the compliance view, the exports', async () => {
    // the exports and the API: unknown, not 0
    const row = rowsOf('publications', { org: 'ulytau' })[0];
    expect(row).toMatchObject({ org: 'ulytau', posts: null, posts_per_week: null, interactions: null, engagement_rate: null });
    const rubrics = rowsOf('rubrics', { org: 'ulytau' }).filter((r) => r.org === 'ulytau');
    expect(rubrics.length).toBe(8);
    for (const r of rubrics) expect([r.posts, r.rubric_posts, r.share_percent]).toEqual([null, null, null]);
    // an org whose posts were read keeps its figures
    expect(rowsOf('publications', { org: 'pavlodar' })[0].posts).toEqual(expect.any(Number));
    // its own page: "no data" said, the posts card has no figure
    const own = await request(app).get('/org/ulytau/publications?lang=ru&period=month');
    expect(own.status).toBe(200);
    expect(text(/<p class="notice no-data" id="posts-never-read">[\s\S]*?<\/p>/.exec(own.text)![0])).toContain('Нет данных Публикации этих каналов ещё ни разу не прочитаны');
    expect(text(/<div class="card card-social" data-figure="posts">[\s\S]*?<div class="card-value">[^<]*<\/div>/.exec(own.text)![0])).toMatch(/Публикации —/);
    expect(own.text).not.toMatch(/data-met="no"/);
    // the council's children table: the Ulytau row says "no data" and is judged by no standard (region: ≥ 5 posts a week)
    const kz = await request(app).get('/org/kz/publications?lang=ru&period=month');
    const ulytauRow = /<tr data-href="\/org\/ulytau\/publications">[\s\S]*?<\/tr>/.exec(kz.text)![0];
    expect(text(ulytauRow)).toContain('Нет данных');
    expect(ulytauRow).toContain('data-met="none"');
    // the compliance view: Ulytau is not among the regions failing; it is counted with "no data"
    const level = /<div class="compliance-level" data-level="region">[\s\S]*?(?=<div class="compliance-level"|<\/section>)/.exec(kz.text)![0];
    expect(level).not.toContain('data-org="ulytau"');
    expect(Number(/нет данных (\d+)/.exec(text(level))![1])).toBeGreaterThanOrEqual(1);
    // the page download of the children table: empty cells, not 0
    const csv = await request(app).get('/org/kz/publications.csv?lang=en&period=month');
    expect(csv.status).toBe(200);
    const line = csv.text.split(/\r?\n/).find((l) => l.includes('ulytau'));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/[,;]0[,;]0([.,]0)?[,;]/);
  });
});

describe('the best posts page', () => {
  test('cards by ER, best first, with counters, rubric chips and a link', async () => {
    const res = await request(app).get('/best?period=quarter&lang=ru');
    expect(res.status).toBe(200);
    const ers = [...res.text.matchAll(/data-er="([\d.e+-]+)"/g)].map((m) => Number(m[1]));
    expect(ers.length).toBeGreaterThan(5);
    expect(ers).toEqual([...ers].sort((a, b) => b - a));
    expect(res.text).toMatch(/class="chip">[^<]+</);
    expect(res.text).toMatch(/class="post-link" href="https:\/\//);
  });

  test('filters: rubric, platform, level, organisation', async () => {
    const legal = await request(app).get('/best?period=quarter&rubric=legal-protection&lang=ru');
    const cards = legal.text.match(/<li class="post-card[\s\S]*?<\/li>/g) ?? [];
    expect(cards.length).toBeGreaterThan(0);
    for (const c of cards) expect(c).toContain('<span class="chip">Правовая защита</span>');
    const tg = await request(app).get('/best?period=quarter&platform=telegram');
    expect(tg.text.match(/<li class="post-card card-(\w+)/g)!.every((c) => c.endsWith('telegram'))).toBe(true);
    const primaries = await request(app).get('/best?period=quarter&level=branch&lang=en');
    expect((primaries.text.match(/<span class="sub">City \/ district organisation|<span class="sub">[^<]+<\/span>/g) ?? []).length).toBeGreaterThan(0);
    const pav = await request(app).get('/best?period=quarter&org=pavlodar');
    const orgs = [...pav.text.matchAll(/class="post-org" href="\/org\/([a-z-]+)\/publications"/g)].map((m) => m[1]);
    expect(orgs.length).toBeGreaterThan(0);
    expect(orgs.every((o) => ['pavlodar', 'pavlodar-city', 'shcherbakty'].includes(o))).toBe(true);
  });

  test('an unknown rubric is a 400 naming the rubrics', async () => {
    const res = await request(app).get('/best?rubric=nosuch');
    expect([res.status, res.text]).toEqual([400, expect.stringContaining('rubric: must be one of social-partnership')]);
  });
});

describe('the overview panel and the API twins', () => {
  test('the overview shows posts of the period, active primaries and the least-covered theme', async () => {
    const res = await request(app).get('/?lang=ru&period=month');
    expect(res.status).toBe(200);
    const panel = text(/<section class="panel info-panel" id="info-work">[\s\S]*?<\/section>/.exec(res.text)![0]);
    const kz = rowsOf('publications', { org: 'kz' })[0];
    expect(panel).toContain(`Публикаций за период ${(kz.posts as number).toLocaleString('ru-RU').replace(/\s/g, ' ')}`);
    const shares = rowsOf('rubrics', { org: 'kz' }).filter((r) => r.org === 'kz');
    const least = shares.reduce((a, b) => ((b.share_percent as number) < (a.share_percent as number) ? b : a));
    const name = f.config.rubrics.find((r) => r.slug === least.rubric)!.name.ru;
    expect(panel).toContain(`Меньше всего освещается ${name}`);
  });

  test.each(['publications', 'rubrics'])('/api/v1/%s returns the rows of the export', async (kind) => {
    const res = await request(app).get(`/api/v1/${kind}?org=pavlodar&from=2026-10-01&to=2026-11-22&platform=telegram`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(rowsOf(kind, { org: 'pavlodar', from: '2026-10-01', to: '2026-11-22', platform: 'telegram' }));
    const bad = await request(app).get(`/api/v1/${kind}?platform=newspaper`);
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_parameter']);
  });
});
