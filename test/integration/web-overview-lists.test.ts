// The national overview stays short: its own channels and only the children's channels that need attention,
// the rest one click away with a search box; the latest flags only. Rankings show members and call an audience
// above 3× the members a data problem, not a coverage of hundreds of per cent; no one-row council ranking.
import request from 'supertest';
import { createApp } from '../../web/app';
import { createServices } from '../../src/services';
import { buildWebFixture, type WebFixture } from '../helpers/web-fixture';
import { withSession } from '../helpers/web-auth';

let f: WebFixture;
let app: ReturnType<typeof withSession>;

const accountId = (slug: string, platform: string) =>
  f.db.prepare('SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = ? AND a.platform = ?').pluck().get(slug, platform) as number;

function tableRows(html: string, id: string): string[] {
  const table = new RegExp(`<table[^>]*id="${id}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';
  return [...table.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].flatMap((b) => [...b[1].matchAll(/<tr[\s\S]*?<\/tr>/g)].map((m) => m[0]));
}

beforeAll(() => {
  f = buildWebFixture();
  app = withSession(createApp({ ...createServices(f.db, f.config), now: f.now }), f.db);
});
afterAll(() => f.close());

describe('overview accounts', () => {
  test("by default: the council's own channels and the children's that are stale, failing or flagged; all of them a click away", async () => {
    const total = f.db.prepare("SELECT count(*) FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.level IN ('council', 'region')").pluck().get() as number;
    const res = await request(app).get('/?lang=en');
    const rows = tableRows(res.text, 'accounts-table');
    expect(rows.length).toBeLessThan(total / 3);
    const has = (slug: string, platform: string, html: string) => html.includes(`href="/org/${slug}/channel/${accountId(slug, platform)}"`);
    const own = f.db.prepare("SELECT count(*) FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'kz'").pluck().get() as number;
    expect(rows.filter((r) => r.includes('this organisation')).length).toBe(own);
    expect(has('akmola', 'facebook', res.text)).toBe(true); // stale
    expect(has('aktobe', 'instagram', res.text)).toBe(true); // failing
    expect(has('atyrau', 'telegram', res.text)).toBe(true); // flagged jump
    expect(has('pavlodar', 'telegram', res.text)).toBe(false); // fine
    expect(res.text).toContain(`Show all ${total} channels`);
    const all = await request(app).get('/?lang=en&accounts=all');
    expect(tableRows(all.text, 'accounts-table')).toHaveLength(total);
    expect(has('pavlodar', 'telegram', all.text)).toBe(true);
    expect(all.text).toContain('data-filter-table="accounts-table"');
    expect((await request(app).get('/?accounts=everything')).status).toBe(400);
  });

  test('the suspicious-growth list shows the latest 10, the rest behind "show all"', async () => {
    const res = await request(app).get('/?lang=en');
    const flags = tableRows(res.text, 'flags-table');
    expect(flags.length).toBeLessThanOrEqual(10);
    const all = tableRows((await request(app).get('/?lang=en&flags=all')).text, 'flags-table');
    expect(all.length).toBeGreaterThanOrEqual(flags.length);
    if (all.length > 10) expect(res.text).toContain('id="flags-all"');
  });

  test('the overview has less than half the table rows of the full lists', async () => {
    const rowsOf = async (url: string) => ((await request(app).get(url)).text.match(/<tr[\s>]/g) ?? []).length;
    const short = await rowsOf('/');
    const full = await rowsOf('/?accounts=all&flags=all');
    expect(short).toBeLessThan(full / 2);
  });
});

describe('rankings sanity', () => {
  test('members are shown; an audience above 3× the members is flagged as a data problem, never printed as a coverage', async () => {
    f.db.prepare("UPDATE organisations SET members = 1000 WHERE slug = 'atyrau'").run();
    try {
      const res = await request(app).get('/rankings?level=region&lang=ru');
      const row = tableRows(res.text, 'rankings-table').find((r) => r.includes('href="/org/atyrau"'))!;
      const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
      expect(cells[4]).toBe('1 000');
      expect(cells[9]).toMatch(/^⚠ проверьте данные в \d+,\d раза больше членов$/);
      expect(row).not.toMatch(/\d{3,} %/);
      expect(res.text).toContain('id="data-problem-note"');
      // a sane region shows its share as a percentage
      const pavlodar = tableRows(res.text, 'rankings-table').find((r) => r.includes('href="/org/pavlodar"'))!;
      expect(pavlodar).toMatch(/\d+,\d\u00a0%<\/td>\s*<\/tr>/);
    } finally {
      f.db.prepare("UPDATE organisations SET members = 14000 WHERE slug = 'atyrau'").run();
    }
  });

  test('the level choice offers no one-row council ranking; asked for anyway, the page says there is nothing to compare', async () => {
    const res = await request(app).get('/rankings?lang=en');
    expect(res.text).not.toMatch(/<option value="council"/);
    const council = await request(app).get('/rankings?level=council&lang=en');
    expect(council.status).toBe(200);
    expect(council.text).toContain('id="one-org-note"');
  });
});
