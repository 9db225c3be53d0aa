// The pages' per-org growth (orgsGrowth, src/growth/growth.ts) must equal the growth engine's growthRows (the export) for
// every org, platform group and period; and the response cache must never serve figures older than the database.
import request from 'supertest';
import { allOrgs } from '../../db/orgs';
import { growthRows, orgsGrowth } from '../../src/growth/growth';
import { computeRollups } from '../../src/jobs/compute';
import { toEpochDay } from '../../src/domain/dates';
import { createApp } from '../../web/app';
import { buildWebFixture, type WebFixture } from '../helpers/web-fixture';
import { withSession } from '../helpers/web-auth';
import { createServices } from '../../src/services';

let f: WebFixture;
beforeAll(() => {
  f = buildWebFixture();
});
afterAll(() => f.close());

test.each([
  ['2026-11-01', '2026-11-23'],
  ['2026-01-01', '2026-06-30'],
  ['2026-02-20', '2026-03-10'], // abai's telegram first seen inside the period
  ['2024-11-01', '2024-11-30'], // before most readings
])('orgsGrowth equals growthRows for every org and group, %s … %s', (from, to) => {
  const orgs = allOrgs(f.db);
  for (const group of ['social', 'facebook', 'instagram', 'telegram', 'newspaper'] as const) {
    const expected = new Map(growthRows(f.db, { platform: group, from, to }).map((r) => [r.org, r]));
    const got = orgsGrowth(f.db, orgs, group, from, to);
    for (const o of orgs) {
      const e = expected.get(o.slug)!;
      const g = got.get(o.id)!;
      expect([o.slug, group, g]).toEqual([o.slug, group, { audience_start: e.audience_start, audience_end: e.audience_end, net_growth: e.net_growth, growth_percent: e.growth_percent, per_1000_members: e.per_1000_members }]);
    }
  }
});

test('a cached page is served again only while the database is unchanged', async () => {
  const app = withSession(createApp({ ...createServices(f.db, f.config), now: f.now }), f.db);
  const first = await request(app).get('/api/v1/orgs/abai/audience?platform=telegram&from=2026-11-23&to=2026-11-23');
  expect(first.headers['x-cache']).toBe('miss');
  const again = await request(app).get('/api/v1/orgs/abai/audience?platform=telegram&from=2026-11-23&to=2026-11-23');
  expect(again.headers['x-cache']).toBe('hit');
  expect(again.body).toEqual(first.body);
  const id = f.db.prepare("SELECT id FROM accounts WHERE platform_id = '@abai_placeholder'").pluck().get() as number;
  f.db.prepare('UPDATE snapshots SET audience = audience + 1000 WHERE account_id = ? AND day = ?').run(id, toEpochDay('2026-11-23'));
  computeRollups(f.db);
  const after = await request(app).get('/api/v1/orgs/abai/audience?platform=telegram&from=2026-11-23&to=2026-11-23');
  expect(after.headers['x-cache']).toBe('miss');
  expect(after.body[0].audience).toBe(first.body[0].audience + 1000);
});
