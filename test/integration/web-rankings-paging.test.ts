// Rankings of a level with many organisations: the page shows them a page at a time, sorted over the whole
// ranked set (not just the page shown), ranks continuing from page to page, optionally within one parent
// organisation; bad paging parameters are a 400. The JSON API still returns every row unless asked to page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { openDatabase, type Db } from '../../db';
import { loadConfig } from '../../src/config';
import { toEpochDay } from '../../src/domain/dates';
import { computeRollups } from '../../src/jobs/compute';
import { rankings, type RankingRow } from '../../src/growth/rankings';
import { createApp } from '../../web/app';
import { withSession } from '../helpers/web-auth';
import { createServices } from '../../src/services';

const TODAY = '2026-11-23';
const NOW = new Date('2026-11-23T03:00:00Z');
const PRIMARIES = 130; // 65 per region; 2 of them (school-50, school-100) without any channel: no data, no rank

let dir: string;
let db: Db;
let app: ReturnType<typeof withSession>;

function build(file: string): Db {
  const d = openDatabase(file);
  const org = d.prepare('INSERT INTO organisations (id, slug, parent_id, level, name_ru, name_kk, name_en, members, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)');
  const acc = d.prepare("INSERT INTO accounts (id, org_id, platform, platform_id, created_at, updated_at) VALUES (?, ?, 'telegram', ?, 0, 0)");
  const snap = d.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, ?)');
  d.transaction(() => {
    org.run(1, 'kz', null, 'council', 'Совет', 'Кеңес', 'Council', 10_000);
    org.run(2, 'north', 1, 'region', 'Северная область', 'Солтүстік облыс', 'North region', 3000);
    org.run(3, 'south', 1, 'region', 'Южная область', 'Оңтүстік облыс', 'South region', 3000);
    const first = toEpochDay('2026-09-01');
    const last = toEpochDay(TODAY);
    for (let p = 1; p <= PRIMARIES; p++) {
      const id = 10 + p;
      // Names run against slugs (school-1 is "Школа 130"), so name order is not rank or slug order.
      org.run(id, `school-${p}`, p % 2 ? 2 : 3, 'primary', `Школа ${PRIMARIES + 1 - p}`, null, `School ${PRIMARIES + 1 - p}`, 40 + (p % 17));
      if (p % 50 === 0) continue; // no channel at all
      acc.run(id, id, `@school_${p}`);
      // Growth differs by org; every tenth pair shares a growth, so some ranks are ties.
      const perDay = ((p * 37) % 53) / 10 - (p % 7 === 0 ? 3 : 0);
      for (let day = first; day <= last; day++) snap.run(id, day, Math.max(0, Math.round(200 + p + (day - first) * perDay)), day * 86_400_000);
    }
  })();
  computeRollups(d, { full: true });
  return d;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-rank-'));
  const file = path.join(dir, 'r.db');
  db = build(file);
  const config = loadConfig({ env: { DATABASE_PATH: file, PORT: '0' } });
  app = withSession(createApp({ ...createServices(db, config), now: () => NOW, cache: false }), db);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The org slugs and rank cells of the rankings table, in order. */
function tableRows(html: string): { org: string; rank: string }[] {
  return [...html.matchAll(/<tr data-href="\/org\/([a-z0-9-]+)">\s*<td class="num rank" data-value="([^"]*)"/g)].map((m) => ({ org: m[1], rank: m[2] }));
}
/** The data-value of the n-th cell (1-based) of every row. */
function column(html: string, n: number): string[] {
  const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
  return body.split('<tr data-href=').slice(1).map((tr) => [...tr.matchAll(/<td[^>]*data-value="([^"]*)"/g)][n - 1][1]);
}
const all = (): RankingRow[] => rankings(db, { level: 'primary', platform: 'social', from: '2026-11-01', to: TODAY, metric: 'growth_percent' });
/** What the page ranks by default: TODAY is a Monday, so last week (16–22 November). */
const pageAll = (): RankingRow[] => rankings(db, { level: 'primary', platform: 'social', from: '2026-11-16', to: '2026-11-22', metric: 'growth_percent' });
const get = (url: string) => request(app).get(url);

describe('rankings page, paged', () => {
  test('the first page shows the top 100 of 130 in ranking order, with a pager', async () => {
    const res = await get('/rankings?level=primary&lang=en');
    expect(res.status).toBe(200);
    const rows = tableRows(res.text);
    const expected = pageAll();
    expect(rows.map((r) => r.org)).toEqual(expected.slice(0, 100).map((r) => r.org));
    expect(res.text).toContain('130 organisations');
    expect(res.text).toContain('id="rankings-pager"');
    expect(res.text).toContain('Page 1 of 2');
    expect(res.text).toContain('rows 1–100 of 130');
    expect(res.text).toContain('href="/rankings?level=primary&amp;lang=en&amp;page=2" rel="next"');
    expect(res.text).toContain('per_page=all');
    // Sorting a paged table is done by the server: the headers are links, not in-page buttons.
    expect(res.text).not.toContain('class="sort-button"');
    expect(res.text).toMatch(/<th scope="col" class="num" data-key="rank" aria-sort="ascending"><a class="sort-link" href="\/rankings\?level=primary&amp;lang=en&amp;sort=rank&amp;dir=desc">/);
  });

  test('page 2 shows the next rows, and the ranks continue from page 1', async () => {
    const one = tableRows((await get('/rankings?level=primary')).text);
    const res = await get('/rankings?level=primary&page=2&lang=en');
    expect(res.status).toBe(200);
    const two = tableRows(res.text);
    const expected = pageAll();
    expect(two.map((r) => r.org)).toEqual(expected.slice(100).map((r) => r.org));
    expect(two.map((r) => r.rank)).toEqual(expected.slice(100).map((r) => (r.rank === null ? '' : String(r.rank))));
    expect(new Set([...one, ...two].map((r) => r.org)).size).toBe(PRIMARIES);
    // Ranks are those of the whole set: page 2 starts where page 1 stopped, never again at 1.
    const ranks = [...one, ...two].map((r) => r.rank).filter((r) => r !== '').map(Number);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(Number(two[0].rank)).toBeGreaterThanOrEqual(Number(one[one.length - 1].rank));
    expect(Number(two[0].rank)).toBeGreaterThan(90);
    expect(res.text).toContain('Page 2 of 2');
    expect(res.text).toContain('rows 101–130 of 130');
    expect(res.text).toContain('rel="prev"');
    expect(res.text).not.toContain('rel="next"');
    // No data sorts last, without a rank.
    expect(two.slice(-3).map((r) => r.rank)).toEqual([two[27].rank, '', '']);
    expect(two[27].rank).not.toBe('');
    expect(two.slice(-2).map((r) => r.org).sort()).toEqual(['school-100', 'school-50']);
  });

  test('smaller pages: 50 per page makes three pages, the last of 30', async () => {
    const three = await get('/rankings?level=primary&per_page=50&page=3&lang=en');
    expect(three.status).toBe(200);
    expect(tableRows(three.text).map((r) => r.org)).toEqual(pageAll().slice(100).map((r) => r.org));
    expect(three.text).toContain('Page 3 of 3');
    expect(three.text).toMatch(/<option value="50" selected>/);
  });

  test('"all" shows every row on one page, sortable in the page', async () => {
    const res = await get('/rankings?level=primary&per_page=all');
    expect(tableRows(res.text)).toHaveLength(PRIMARIES);
    expect(res.text).not.toContain('id="rankings-pager"');
    expect(res.text).toContain('class="sort-button"');
  });

  test.each([
    ['page=0', 'page'],
    ['page=-1', 'page'],
    ['page=abc', 'page'],
    ['page=1.5', 'page'],
    ['page=3', 'page'], // two pages of 100
    ['page=4&per_page=50', 'page'],
    ['page=1&page=2', 'page'],
    ['per_page=7', 'per_page'],
    ['per_page=0', 'per_page'],
    ['per_page=everything', 'per_page'],
    ['sort=likes', 'sort'],
    ['sort=pct&dir=up', 'dir'],
  ])('bad paging or sorting %s → 400 naming %s', async (qs, field) => {
    const res = await get(`/rankings?level=primary&${qs}&lang=en`);
    expect(res.status).toBe(400);
    expect(res.text).toContain(`${field}:`);
    const api = await get(`/rankings.csv?level=primary&${qs}`);
    expect(api.status).toBe(200); // the exports hold every row and ignore paging
  });

  test.each([
    ['net', 7, 'desc'],
    ['net', 7, 'asc'],
    ['pct', 8, 'desc'],
    ['per1000', 9, 'asc'],
    ['audience', 6, 'desc'],
    ['members', 5, 'desc'],
    ['change', 2, 'desc'],
    ['prev', 3, 'desc'],
    ['rank', 1, 'desc'],
  ] as const)('sorting by %s (column %i) %s holds across pages, blanks last', async (sort, col, dir) => {
    const pages = [];
    for (let p = 1; p <= 3; p++) {
      const res = await get(`/rankings?level=primary&per_page=50&sort=${sort}&dir=${dir}&page=${p}`);
      expect(res.status).toBe(200);
      pages.push(...column(res.text, col));
    }
    expect(pages).toHaveLength(PRIMARIES);
    const filled = pages.filter((v) => v !== '');
    expect(pages.slice(filled.length).every((v) => v === '')).toBe(true); // blanks only at the end
    const nums = filled.map(Number);
    expect(nums).toEqual([...nums].sort((a, b) => (dir === 'asc' ? a - b : b - a)));
    expect(nums.length).toBeGreaterThan(100);
  });

  test('sorting by name holds across pages in the page language', async () => {
    const names: string[] = [];
    for (let p = 1; p <= 2; p++) names.push(...column((await get(`/rankings?level=primary&sort=org&page=${p}&lang=en`)).text, 4));
    expect(names).toHaveLength(PRIMARIES);
    expect(names).toEqual([...names].sort(new Intl.Collator('en', { numeric: true }).compare));
    expect(names[0]).toBe('School 1');
    expect(names[129]).toBe('School 130');
  });

  test('a sorted page keeps the ranks of the ranking (sorting is not ranking)', async () => {
    const res = await get('/rankings?level=primary&sort=org&lang=en');
    const rankOf = new Map(pageAll().map((r) => [r.org, r.rank === null ? '' : String(r.rank)]));
    for (const r of tableRows(res.text)) expect(r.rank).toBe(rankOf.get(r.org));
    // The filters keep the chosen sort; the pager keeps it too.
    expect(res.text).toContain('<input type="hidden" name="sort" value="org">');
    expect(res.text).toContain('href="/rankings?level=primary&amp;sort=org&amp;lang=en&amp;page=2" rel="next"');
  });

  test('within a parent: a regional officer ranks the primaries of their region, ranked among themselves', async () => {
    const res = await get('/rankings?level=primary&parent=north&lang=en');
    expect(res.status).toBe(200);
    const rows = tableRows(res.text);
    const north = rankings(db, { level: 'primary', platform: 'social', from: '2026-11-16', to: '2026-11-22', org: 'north' });
    expect(rows.map((r) => r.org)).toEqual(north.map((r) => r.org));
    expect(rows).toHaveLength(65);
    expect(rows.every((r) => Number(r.org.split('-')[1]) % 2 === 1)).toBe(true);
    expect(rows[0].rank).toBe('1');
    expect(res.text).toContain('within North region');
    expect(res.text).toMatch(/<option value="north" selected>North region<\/option>/);
    expect(res.text).not.toContain('id="rankings-pager"');
    // The export holds the same rows.
    const csv = await get('/rankings.csv?level=primary&parent=north');
    expect(csv.text.trim().split('\r\n')).toHaveLength(66);
    expect((await get('/rankings?level=primary&parent=atlantis')).status).toBe(404);
    expect((await get('/rankings?level=primary&parent=Bad_Slug')).status).toBe(400);
  });

  test('every new text is there in ru, kk and en', async () => {
    for (const lang of ['ru', 'kk', 'en']) {
      const res = await get(`/rankings?level=primary&page=2&lang=${lang}`);
      expect(res.text).not.toMatch(/\?\?[a-z_.0-9]+\?\?/);
    }
    expect((await get('/rankings?level=primary&page=2&lang=ru')).text).toContain('Страница 2 из 2');
    expect((await get('/rankings?level=primary&page=2&lang=kk')).text).toContain('2 беттің 2-беті');
  });
});

describe('rankings API', () => {
  test('without paging parameters: every row, as the export', async () => {
    const res = await get('/api/v1/rankings?level=primary&from=2026-11-01&to=2026-11-23');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(PRIMARIES);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(all())));
    expect(res.headers['x-total-count']).toBeUndefined();
  });

  test('with page and per_page: that page, the total and the links', async () => {
    const res = await get('/api/v1/rankings?level=primary&from=2026-11-01&to=2026-11-23&page=2&per_page=50');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(all().slice(50, 100))));
    expect(res.headers['x-total-count']).toBe('130');
    expect(res.headers.link).toContain('page=3&per_page=50>; rel="next"');
    expect(res.headers.link).toContain('page=1&per_page=50>; rel="prev"');
    const first = await get('/api/v1/rankings?level=primary&from=2026-11-01&to=2026-11-23&per_page=20');
    expect(first.body).toHaveLength(20);
    expect(first.body[0].org).toBe(all()[0].org);
  });

  test.each(['page=0', 'page=x', 'page=9&per_page=50', 'per_page=0', 'per_page=5000'])('%s → 400', async (qs) => {
    const res = await get(`/api/v1/rankings?level=primary&${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_parameter');
  });
});
