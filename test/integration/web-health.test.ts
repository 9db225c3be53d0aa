// Collection health reads each account's last snapshot and last failure with a few grouped queries now; it must
// list exactly the failing and stale accounts (same fields, same order) the per-account states gave before,
// on a fixture with stale, never-read, failing, formerly failing, closed and oddly failing accounts.
import request from 'supertest';
import { createApp } from '../../web/app';
import { healthJson, healthReport } from '../../web/health-report';
import { accountStates, isClosed, isFailing, isStale } from '../../web/queries';
import { toEpochDay } from '../../src/domain/dates';
import { buildWebFixture, TODAY, type WebFixture } from '../helpers/web-fixture';
import { withSession } from '../helpers/web-auth';
import { createServices } from '../../src/services';

let f: WebFixture;
let app: ReturnType<typeof withSession>;

/** What the health report listed before: every account's state, filtered. */
function reference(today: string) {
  const states = accountStates(f.db);
  const open = states.filter((a) => !isClosed(a, today));
  return {
    failing: open.filter((a) => isFailing(a, today)),
    stale: open.filter((a) => isStale(a, today)).sort((a, b) => (a.last_day ?? -1e9) - (b.last_day ?? -1e9)),
    accounts_total: states.length,
    accounts_open: open.length,
  };
}

beforeAll(() => {
  f = buildWebFixture();
  const db = f.db;
  const id = (slug: string, platform: string) =>
    (db.prepare('SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = ? AND a.platform = ?').get(slug, platform) as { id: number }).id;
  const at = (date: string, hour: number) => toEpochDay(date) * 86_400_000 + hour * 3600_000;
  const run = (when: number) =>
    Number(db.prepare("INSERT INTO collection_runs (started_at, finished_at, status, trigger) VALUES (?, ?, 'finished', 'schedule')").run(when, when + 1000).lastInsertRowid);
  const fail = (runId: number, accountId: number, kind: string, message: string, when: number) =>
    db.prepare('INSERT INTO collection_failures (run_id, account_id, kind, message, at) VALUES (?, ?, ?, ?, ?)').run(runId, accountId, kind, message, when);
  db.transaction(() => {
    const aktobeIg = id('aktobe', 'instagram');
    const first = db.prepare('SELECT at FROM collection_failures WHERE account_id = ?').get(aktobeIg) as { at: number };
    // A second failure at the very same instant: the first one recorded is the one shown.
    fail(run(first.at - 5000), aktobeIg, 'timeout', 'second failure, same instant', first.at);
    // Failed on the 20th, read fine since: not failing.
    fail(run(at('2026-11-20', 2)), id('kz', 'telegram'), 'rate_limit', 'old failure', at('2026-11-20', 2));
    // Failing today with a kind the pages have no words for: shown as "other".
    const r = run(at(TODAY, 7));
    fail(r, id('astana', 'facebook'), 'cosmic_ray', 'bit flipped', at(TODAY, 7));
    // The stale Akmola page fails too: it is on both lists.
    fail(r, id('akmola', 'facebook'), 'not_found', 'page removed', at(TODAY, 7));
    // A closed channel, never read, failing: on neither list, but counted.
    const orgId = (db.prepare("SELECT id FROM organisations WHERE slug = 'abai'").get() as { id: number }).id;
    const closed = Number(
      db.prepare("INSERT INTO accounts (org_id, platform, platform_id, title, closed_day, created_at, updated_at) VALUES (?, 'instagram', '17841499999999999', 'old', ?, 0, 0)").run(
        orgId,
        toEpochDay('2026-06-01'),
      ).lastInsertRowid,
    );
    fail(r, closed, 'permission', 'gone', at(TODAY, 7));
  })();
  app = withSession(createApp({ ...createServices(f.db, f.config), now: f.now, cache: false }), f.db);
});
afterAll(() => f.close());

/** The account cells (platform ids) of one table of the health page, in order. */
function accountsIn(html: string, table: string): string[] {
  const start = html.indexOf(`id="${table}"`);
  if (start < 0) return [];
  const body = html.slice(html.indexOf('<tbody>', start), html.indexOf('</tbody>', start));
  return [...body.matchAll(/<tr>\s*<td[^>]*>[\s\S]*?<\/td>\s*<td[^>]*>[\s\S]*?<\/td>\s*<td data-value="([^"]*)"/g)].map((m) => m[1]);
}

describe('collection health', () => {
  test('the report lists the same failing and stale accounts, fields and order as the per-account states', () => {
    const ref = reference(TODAY);
    const report = healthReport(f.db, TODAY);
    expect(report.failing).toEqual(ref.failing);
    expect(report.stale).toEqual(ref.stale);
    expect(report.accounts_total).toBe(ref.accounts_total);
    expect(report.accounts_open).toBe(ref.accounts_open);
    expect(report.accounts_open).toBe(report.accounts_total - 1);
    // What the fixture holds: Aktobe IG (expired token), Akmola FB (stale and failing), Astana FB (other).
    expect(report.failing.map((a) => [a.org_slug, a.platform, a.error_kind, a.error_message]).sort()).toEqual([
      ['akmola', 'facebook', 'not_found', 'page removed'],
      ['aktobe', 'instagram', 'invalid_token', 'Graph API error 190: the access token has expired'],
      ['astana', 'facebook', 'other', 'bit flipped'],
    ]);
    expect(report.stale.map((a) => [a.org_slug, a.platform])).toEqual(expect.arrayContaining([['ulytau', 'telegram'], ['akmola', 'facebook']]));
    expect(report.stale[0].last_day).toBeNull(); // never read comes first
    // Stale accounts keep their last failure too (the API shows it).
    expect(report.stale.find((a) => a.org_slug === 'akmola')!.error_kind).toBe('not_found');
  });

  test('on other days too (nothing stale yet, everything stale, after the closing day)', () => {
    for (const day of ['2026-11-12', '2026-12-31', '2027-06-01', '2026-05-31']) {
      const ref = reference(day);
      const report = healthReport(f.db, day);
      expect([day, report.failing]).toEqual([day, ref.failing]);
      expect([day, report.stale]).toEqual([day, ref.stale]);
      expect([day, report.accounts_open]).toEqual([day, ref.accounts_open]);
    }
  });

  test('the page and the API show those accounts', async () => {
    const ref = reference(TODAY);
    const page = await request(app).get('/health?lang=en');
    expect(page.status).toBe(200);
    expect(accountsIn(page.text, 'failing-table')).toEqual(ref.failing.map((a) => a.platform_id));
    expect(accountsIn(page.text, 'stale-table')).toEqual(ref.stale.map((a) => a.platform_id));
    expect(page.text).toContain('invalid token');
    expect(page.text).toContain('bit flipped');
    expect(page.text).not.toContain('second failure, same instant');
    expect(page.text).not.toContain('old failure');
    expect(page.text).not.toContain('17841499999999999');
    const api = await request(app).get('/api/v1/health');
    expect(api.status).toBe(200);
    const expected = healthJson({ ...healthReport(f.db, TODAY), ...ref });
    expect(api.body.failing).toEqual(expected.failing);
    expect(api.body.stale).toEqual(expected.stale);
    expect(api.body.accounts_total).toBe(ref.accounts_total);
  });
});

test('an Instagram Login token within 10 days of expiry is listed on the health page, with its date, never the token', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const os = await import('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-health-token-'));
  const file = path.join(dir, 'ig.token');
  fs.writeFileSync(file, JSON.stringify({ access_token: 'IGAAhealthPageSecret7', expires_at: new Date(f.now().getTime() + 4 * 86_400_000 + 3_600_000).toISOString() }), { mode: 0o600 });
  const org = (f.db.prepare("SELECT id FROM organisations WHERE slug = 'kz'").get() as { id: number }).id;
  const now = f.now().getTime();
  f.db
    .prepare("INSERT INTO accounts (org_id, platform, platform_id, title, api, token_file, created_at, updated_at) VALUES (?, 'instagram', '17841400000000951', 'School 12', 'instagram_login', ?, ?, ?)")
    .run(org, file, now, now);
  try {
    const res = await request(app).get('/health?lang=en');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Instagram tokens expiring soon');
    expect(res.text).toMatch(/Instagram School 12: the token expires on [^<]+ \(4 days left\)/);
    expect(res.text).not.toContain('IGAAhealthPageSecret7');
  } finally {
    f.db.prepare("DELETE FROM accounts WHERE platform_id = '17841400000000951'").run();
  }
});
