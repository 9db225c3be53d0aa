// The committee's meeting (issue 13): the targets review reads at a glance (worst first, what is still needed,
// never a negative need, growth from newly connected channels apart, decisions as footnotes), an editor starts
// on their own subtree, the A4 pack, and the period presets with their comparison periods.
import request from 'supertest';
import { createHash } from 'node:crypto';
import { createApp } from '../../web/app';
import { growthRows } from '../../src/growth/growth';
import { createServices } from '../../src/services';
import { formatNumber, formatDelta } from '../../src/i18n/format';
import { STATUS_SEVERITY, type TargetStatus } from '../../src/domain/targets';
import { buildWebFixture, type WebFixture } from '../helpers/web-fixture';
import { withSession } from '../helpers/web-auth';

let f: WebFixture;
let app: ReturnType<typeof withSession>;
let editor: ReturnType<typeof withSession>;

beforeAll(() => {
  f = buildWebFixture();
  const web = createApp({ ...createServices(f.db, f.config), now: f.now });
  app = withSession(web, f.db);
  editor = withSession(web, f.db, 'editor', 'pavlodar');
});
afterAll(() => f.close());

const statuses = (html: string) => [...html.matchAll(/<tr data-status="([a-z_]+)"/g)].map((m) => m[1] as TargetStatus);
/** The visible text of an HTML fragment, tags dropped and spaces collapsed. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;|\s+/g, ' ');

describe('targets review', () => {
  test('worst first: missed, behind, at risk, no data, on track, achieved', async () => {
    const res = await request(app).get('/targets?lang=ru');
    const order = statuses(res.text).map((s) => STATUS_SEVERITY[s]);
    expect(order).toHaveLength(10);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(res.text).toContain('id="status-legend"');
    expect(text(res.text)).toContain('Под угрозой — прогноз ниже цели, но не более чем на 20 % планового прироста');
  });

  test('an achieved target says "выполнено", never a negative need; the others say what is still needed per day', async () => {
    const res = await request(app).get('/targets?lang=ru&status=achieved');
    expect(statuses(res.text)).toEqual(['achieved', 'achieved']);
    const body = text(res.text);
    expect(body.match(/✓ выполнено/g)).toHaveLength(2);
    expect(body).not.toMatch(/нужно ещё|в день/);
    const behind = text((await request(app).get('/targets?lang=ru&status=behind')).text);
    expect(behind.match(/нужно ещё [\d  ]+ · по [\d  ]+,\d в день/g)).toHaveLength(3);
    expect(behind).not.toMatch(/−[\d  ,]+ в день/);
  });

  test('progress reads "X из Y · прирост N % от плана"; audience from channels connected after the baseline is shown apart', async () => {
    const res = await request(app).get('/targets?lang=ru&parent=abai');
    const body = text(res.text);
    expect(body).toMatch(/[\d ]+ из [\d ]+ · прирост [\d,]+ % от плана/);
    // Abai's Telegram channel was first read on 1 March 2026, after the 1 January baseline.
    const first = f.db
      .prepare("SELECT s.audience FROM snapshots s JOIN accounts a ON a.id = s.account_id JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'abai' AND a.platform = 'telegram' ORDER BY s.day LIMIT 1")
      .pluck()
      .get() as number;
    expect(body).toContain(text(`в т. ч. ${formatDelta(first, 'ru')} за счёт подключённых каналов`));
    const en = text((await request(app).get('/targets?lang=en&parent=abai')).text);
    expect(en).toContain(text(`incl. ${formatDelta(first, 'en')} from newly connected channels`));
  });

  test('decisions are numbered footnotes, not a column', async () => {
    const res = await request(app).get('/targets?lang=ru');
    expect(res.text).not.toContain('<th scope="col">Решение</th>');
    const notes = [...res.text.matchAll(/<li id="note-(\d)">([^<]+)<\/li>/g)].map((m) => m[2]);
    expect(notes).toEqual(['Постановление исполкома № 5 от 15.01.2026', 'Постановление исполкома № 9 от 20.06.2026']);
    expect(res.text.match(/class="fn" href="#note-2"/g)).toHaveLength(1); // Pavlodar's revised target
  });

  test("an editor starts on their own subtree; 'all' shows the whole tree", async () => {
    const own = await request(editor).get('/targets?lang=en');
    expect(statuses(own.text)).toHaveLength(1);
    expect(own.text).toContain('<option value="pavlodar" selected>');
    expect(statuses((await request(editor).get('/targets?parent=all')).text)).toHaveLength(10);
    expect(statuses((await request(app).get('/targets')).text)).toHaveLength(10);
  });
});

describe('the meeting pack /report', () => {
  test('has the title with the organisation, the period, the date and the filters; a summary; the table with footnotes; leaders and laggards', async () => {
    const res = await request(app).get('/report?lang=ru&status=behind&status=at_risk&period=last_month');
    expect(res.status).toBe(200);
    const body = text(res.text);
    expect(body).toContain('Отчёт для заседания: Казахстанский отраслевой профсоюз работников образования и науки');
    expect(body).toContain('период 01.10.2026 – 31.10.2026');
    expect(body).toContain('цели на 23.11.2026');
    expect(body).toContain('Фильтры: Статус: Отстаёт, Под угрозой');
    expect(statuses(res.text.slice(res.text.indexOf('id="report-table"')))).toEqual(['behind', 'behind', 'behind', 'at_risk']);
    expect(res.text).toMatch(/id="status-counts"[\s\S]*Отстаёт[\s\S]*<strong>3<\/strong>/);
    expect(res.text).toContain('id="report-leaders"');
    expect(res.text).toContain('id="report-laggards"');
    expect(res.text).toContain('id="decision-notes"');
    const kz = growthRows(f.db, { org: 'kz', platform: 'social', from: '2026-10-01', to: '2026-10-31' }).find((r) => r.org === 'kz')!;
    const summary = text(res.text.slice(res.text.indexOf('id="summary-audience"'), res.text.indexOf('id="status-counts"')));
    expect(summary).toContain(text(`${formatNumber(kz.audience_end, 'ru')} ${formatDelta(kz.net_growth, 'ru')}`));
  });

  test('every printed page repeats the title and period: one @page rule, allowed by its hash in the CSP and nothing else inline', async () => {
    const res = await request(app).get('/report?lang=en&parent=pavlodar');
    const css = /<style>([^<]*)<\/style>/.exec(res.text)![1];
    expect(css).toContain('@top-left { content: "Meeting pack: Pavlodar regional union organisation"');
    const hash = createHash('sha256').update(css).digest('base64');
    expect(res.headers['content-security-policy']).toContain(`style-src 'self' 'sha256-${hash}'`);
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect((await request(app).get('/report?parent=atlantis')).status).toBe(404);
    expect((await request(app).get('/report?period=decade')).status).toBe(400);
  });
});

describe('periods', () => {
  test('on a Monday a page opens on last week beside the week before; the same dates a year ago on request', async () => {
    const res = await request(app).get('/org/pavlodar?lang=en');
    expect(text(res.text)).toContain('16 Nov 2026 – 22 Nov 2026 · previous period: 9 Nov 2026 – 15 Nov 2026');
    const ago = await request(app).get('/org/pavlodar?lang=en&period=last_month&compare=year_ago');
    expect(text(ago.text)).toContain('1 Oct 2026 – 31 Oct 2026 · a year ago: 1 Oct 2025 – 31 Oct 2025');
    const days = await request(app).get('/org/pavlodar?lang=en&period=last_30_days');
    expect(text(days.text)).toContain('25 Oct 2026 – 23 Nov 2026 · previous period: 25 Sept 2026 – 24 Oct 2026');
    expect((await request(app).get('/org/pavlodar?compare=decade')).status).toBe(400);
  });

  test("the children table shows each child's growth in the comparison period", async () => {
    const res = await request(app).get('/?lang=ru&period=last_month&compare=year_ago');
    const prev = growthRows(f.db, { org: 'kz', platform: 'social', from: '2025-10-01', to: '2025-10-31' }).find((r) => r.org === 'pavlodar')!;
    const row = res.text.slice(res.text.indexOf('data-href="/org/pavlodar"'));
    expect(/<td class="num prev" data-value="([^"]*)"/.exec(row)![1]).toBe(String(prev.net_growth));
  });

  test('rankings show the value in the comparison period and the place held then', async () => {
    const res = await request(app).get('/rankings?lang=en&period=last_month&compare=year_ago');
    expect(res.text).toContain('Comparison period: growth %');
    expect(res.text).toMatch(/<td class="num prev" data-value="-?[\d.]+">[^<]+<span class="sub">was #\d+<\/span>/);
  });
});
