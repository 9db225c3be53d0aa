// The channel page `/org/:slug/channel/:id`: one channel's audience, its change over 7/30/90/365 days, its
// chart data, its readings (gaps shown), its collection failures and flags; linked from the org page and /health.
import request from 'supertest';
import { createApp } from '../../web/app';
import { createServices } from '../../src/services';
import { toEpochDay } from '../../src/domain/dates';
import { buildWebFixture, TODAY, type WebFixture } from '../helpers/web-fixture';
import { withSession } from '../helpers/web-auth';

let f: WebFixture;
let app: ReturnType<typeof withSession>;

const accountId = (slug: string, platform: string) =>
  f.db.prepare('SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = ? AND a.platform = ?').pluck().get(slug, platform) as number;
const audienceOn = (id: number, date: string) => f.db.prepare('SELECT audience FROM snapshots WHERE account_id = ? AND day = ?').pluck().get(id, toEpochDay(date)) as number;
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

beforeAll(() => {
  f = buildWebFixture();
  app = withSession(createApp({ ...createServices(f.db, f.config), now: f.now }), f.db);
});
afterAll(() => f.close());

describe('channel page', () => {
  test("the org page's accounts table and /health link each channel to its page", async () => {
    const id = accountId('pavlodar', 'telegram');
    expect((await request(app).get('/org/pavlodar')).text).toContain(`href="/org/pavlodar/channel/${id}"`);
    const failing = accountId('aktobe', 'instagram');
    expect((await request(app).get('/health')).text).toContain(`href="/org/aktobe/channel/${failing}"`);
  });

  test('shows the audience of the latest reading and its change over 7, 30, 90 and 365 days', async () => {
    const id = accountId('pavlodar', 'telegram');
    const res = await request(app).get(`/org/pavlodar/channel/${id}?lang=en`);
    expect(res.status).toBe(200);
    const now = audienceOn(id, TODAY);
    const page = text(res.text);
    expect(page).toContain(now.toLocaleString('en-GB'));
    for (const [days, date] of [[7, '2026-11-16'], [30, '2026-10-24'], [365, '2025-11-23']] as const) {
      const change = now - audienceOn(id, date);
      const card = new RegExp(`data-span="${days}"[\\s\\S]*?card-value[^>]*>([^<]+)<`).exec(res.text)![1];
      expect(card).toBe(`${change > 0 ? '+' : '−'}${Math.abs(change).toLocaleString('en-GB')}`);
    }
    expect(page).toContain('Pavlodar regional union organisation');
  });

  test('the chart data are the channel own readings of the year; a late-connected channel starts with its first reading', async () => {
    const id = accountId('abai', 'telegram');
    const res = await request(app).get(`/org/abai/channel/${id}`);
    const json = JSON.parse(/<script type="application\/json" id="audience-chart-data">([\s\S]*?)<\/script>/.exec(res.text)![1]);
    expect(json.series).toHaveLength(1);
    const data = json.series[0].data as { x: string; y: number }[];
    expect(data[0]).toEqual({ x: '2026-03-01', y: audienceOn(id, '2026-03-01') });
    expect(data.at(-1)).toEqual({ x: TODAY, y: audienceOn(id, TODAY) });
    expect(res.text).toContain('chart.umd');
  });

  test('a failing channel shows its failure reason and message; a stale one says so and when it last read', async () => {
    const failing = accountId('aktobe', 'instagram');
    const res = await request(app).get(`/org/aktobe/channel/${failing}?lang=en`);
    const failures = /<table[^>]*id="failures-table"[\s\S]*?<\/table>/.exec(res.text)?.[0] ?? '';
    const msg = f.db.prepare('SELECT message FROM collection_failures WHERE account_id = ? ORDER BY at DESC LIMIT 1').pluck().get(failing) as string;
    expect(text(failures)).toContain(msg);
    const stale = accountId('akmola', 'facebook');
    const page = text((await request(app).get(`/org/akmola/channel/${stale}?lang=en`)).text);
    expect(page).toContain('not updating');
    expect(page).toContain('last reading 10 Nov 2026');
  });

  test('every text in ru, kk and en; a channel of another org, a bad or unknown id are 404 / 400', async () => {
    const id = accountId('pavlodar', 'telegram');
    for (const lang of ['ru', 'kk', 'en']) {
      const res = await request(app).get(`/org/pavlodar/channel/${id}?lang=${lang}`);
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(/\?\?[a-z_.0-9]+\?\?/);
    }
    expect((await request(app).get(`/org/almaty/channel/${id}`)).status).toBe(404);
    expect((await request(app).get('/org/pavlodar/channel/999999')).status).toBe(404);
    expect((await request(app).get('/org/pavlodar/channel/abc')).status).toBe(400);
    expect((await request(app).get(`/org/pavlodar/channel/${id}?chart=5y`)).status).toBe(400);
  });
});
