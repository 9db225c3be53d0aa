// /health beyond "not updating": channels that read fine but lose followers ("falling") or stay exactly
// flat ("not growing") over 30 days; and a regional user's /health and /rankings open on their own subtree.
import request from 'supertest';
import { createApp } from '../../web/app';
import { createServices } from '../../src/services';
import { toEpochDay } from '../../src/domain/dates';
import { buildWebFixture, TODAY, type WebFixture } from '../helpers/web-fixture';
import { withSession } from '../helpers/web-auth';

let f: WebFixture;
let viewer: ReturnType<typeof withSession>;
let pavlodarEditor: ReturnType<typeof withSession>;

const accountId = (slug: string, platform: string) =>
  f.db.prepare('SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = ? AND a.platform = ?').pluck().get(slug, platform) as number;
const audienceOn = (id: number, date: string) => f.db.prepare('SELECT audience FROM snapshots WHERE account_id = ? AND day = ?').pluck().get(id, toEpochDay(date)) as number;

beforeAll(() => {
  f = buildWebFixture();
  // Pavlodar city's Telegram channel stops growing on 2026-09-01: the same figure every day since.
  const flat = accountId('pavlodar-city', 'telegram');
  const value = audienceOn(flat, '2026-09-01');
  f.db.prepare('UPDATE snapshots SET audience = ? WHERE account_id = ? AND day >= ?').run(value, flat, toEpochDay('2026-09-01'));
  f.db.prepare('UPDATE snapshots SET audience = ? WHERE account_id = ? AND day = ?').run(value - 5, flat, toEpochDay('2026-08-31'));
  const app = createApp({ ...createServices(f.db, f.config), now: f.now });
  viewer = withSession(app, f.db);
  pavlodarEditor = withSession(app, f.db, 'editor', 'pavlodar');
});
afterAll(() => f.close());

/** The rows of one table of a page: each row's cells as text. */
function tableRows(html: string, id: string): string[][] {
  const table = new RegExp(`<table[^>]*id="${id}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr[\s\S]*?<\/tr>/g)].map((tr) => [...tr[0].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((td) => td[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()));
}

describe('falling and not growing', () => {
  test('a channel losing followers is listed as falling with its 30-day change; a growing one is not', async () => {
    const res = await request(viewer).get('/health?lang=en');
    expect(res.status).toBe(200);
    const falling = tableRows(res.text, 'falling-table');
    const mangystau = falling.filter((r) => r[0].startsWith('Mangystau'));
    expect(mangystau.length).toBeGreaterThan(0);
    const id = accountId('mangystau', 'telegram');
    const change = audienceOn(id, TODAY) - audienceOn(id, '2026-10-24');
    expect(change).toBeLessThan(0);
    const row = falling.find((r) => r[0].startsWith('Mangystau') && r[1] === 'Telegram')!;
    expect(row[5]).toContain(`−${Math.abs(change)}`);
    expect(falling.some((r) => r[0].startsWith('Pavlodar'))).toBe(false);
    expect(res.text).toContain(`href="/org/mangystau/channel/${id}"`);
  });

  test('a channel flat since 1 September is "not growing, unchanged since 01.09.2026", though it is not stale', async () => {
    const res = await request(viewer).get('/health?lang=ru');
    const rows = tableRows(res.text, 'not-growing-table');
    const flat = rows.find((r) => r[0].startsWith('Павлодарская городская'))!;
    expect(flat).toBeDefined();
    expect(flat[1]).toBe('Telegram');
    expect(flat[4]).toBe('01.09.2026');
    // it reads every day: not among the stale ones
    expect(tableRows(res.text, 'stale-table').some((r) => r[0].startsWith('Павлодарская городская') && r[1] === 'Telegram')).toBe(false);
  });

  test('a stale channel or one without a reading 30 days back gets no verdict (a gap is not "not growing")', async () => {
    const res = await request(viewer).get('/health?lang=en');
    const listed = [...tableRows(res.text, 'falling-table'), ...tableRows(res.text, 'not-growing-table')];
    expect(listed.some((r) => r[0].startsWith('Akmola') && r[1] === 'Facebook')).toBe(false); // stale since 10 Nov
    expect(listed.some((r) => r[0].startsWith('Ulytau') && r[1] === 'Telegram')).toBe(false); // never read
    expect(listed.some((r) => r[1] === 'Newspaper subscriptions')).toBe(false);
  });

  test('the counts above the lists say how many fall and how many do not grow; every text in kk and en', async () => {
    for (const lang of ['ru', 'kk', 'en']) {
      const res = await request(viewer).get(`/health?lang=${lang}`);
      expect(res.text).not.toMatch(/\?\?[a-z_.0-9]+\?\?/);
      const falling = tableRows(res.text, 'falling-table').length;
      expect(res.text).toMatch(new RegExp(`href="#falling">[^<]+</a></div><div class="card-value">${falling}<`));
    }
  });
});

describe("a regional user's pages open on their own subtree", () => {
  test('/health of the Pavlodar editor lists only Pavlodar channels; the "all organisations" choice shows the country', async () => {
    const own = await request(pavlodarEditor).get('/health?lang=en');
    expect(own.status).toBe(200);
    expect(own.text).toMatch(/<option value="pavlodar" selected>/);
    expect(tableRows(own.text, 'not-growing-table').map((r) => r[0])).toEqual([expect.stringMatching(/^Pavlodar city/)]);
    expect(tableRows(own.text, 'falling-table')).toEqual([]);
    for (const table of ['failing-table', 'stale-table', 'coverage-table']) for (const r of tableRows(own.text, table)) expect(r[0]).toMatch(/^(Pavlodar|Shcherbakty)/);
    const all = await request(pavlodarEditor).get('/health?org=&lang=en');
    expect(tableRows(all.text, 'falling-table').some((r) => r[0].startsWith('Mangystau'))).toBe(true);
    // a national viewer sees the whole country by default
    expect(tableRows((await request(viewer).get('/health?lang=en')).text, 'falling-table').some((r) => r[0].startsWith('Mangystau'))).toBe(true);
  });

  test('/rankings of the Pavlodar editor ranks the branches within Pavlodar; `parent=` ranks the regions of the country', async () => {
    const own = await request(pavlodarEditor).get('/rankings?lang=en');
    expect(own.status).toBe(200);
    const names = tableRows(own.text, 'rankings-table').map((r) => r[3]);
    expect(names).toHaveLength(2);
    expect(names.join(' ')).toMatch(/Pavlodar city/);
    expect(names.join(' ')).toMatch(/Shcherbakty/);
    const csv = await request(pavlodarEditor).get('/rankings.csv?lang=en');
    expect(csv.text.trim().split('\r\n')).toHaveLength(3);
    const all = await request(pavlodarEditor).get('/rankings?parent=&lang=en');
    expect(tableRows(all.text, 'rankings-table')).toHaveLength(20);
    expect(tableRows((await request(viewer).get('/rankings?lang=en')).text, 'rankings-table')).toHaveLength(20);
  });
});
