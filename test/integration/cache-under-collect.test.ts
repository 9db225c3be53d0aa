// Pages under a running collect (issue 17: every commit of a collect dropped every cached page, and 10
// connections saw p99 5.9 s): while the collect's lock is held, its commits no longer drop the cached pages;
// the run's end does, and so does a change made through the admin forms. Outside a collect any write does.
import { TODAY, type WebFixture } from '../helpers/web-fixture';
import type { Session } from '../helpers/web-auth';
import { signedInFixture } from '../helpers/signed-in';
import request from 'supertest';
import type { Express } from 'express';
import { acquireLock, releaseLock } from '../../src/jobs/collect/lock';
import { snapshotWriter } from '../../db/snapshots';
import { toEpochDay } from '../../src/domain/dates';

let f: WebFixture;
let app: Express;
let admin: Session;

beforeAll(async () => {
  ({ f, app, session: admin } = await signedInFixture('admin', 'admin'));
});
afterAll(() => f.close());

const page = () => request(app).get('/org/pavlodar?lang=ru').set('Cookie', admin.cookie);
const channel = () => f.db.prepare("SELECT id FROM accounts WHERE platform_id = '@pavlodar_placeholder'").pluck().get() as number;
/** A reading committed as the collect's write queue commits one (the rollups follow at the run's end). */
function commitReading(audience: number): void {
  const writer = snapshotWriter(f.db, () => undefined);
  writer.transaction(() => writer.put({ accountId: channel(), day: toEpochDay(TODAY), audience, source: 'api' }));
}

test('outside a collect, any write drops the cached page', async () => {
  await page();
  expect((await page()).headers['x-cache']).toBe('hit');
  commitReading(123_401);
  expect((await page()).headers['x-cache']).toBe('miss');
});

test('during a collect its commits keep the cached page; an admin change and the end of the run drop it', async () => {
  const owner = acquireLock(f.db, 'collect', 120_000);
  try {
    await page();
    expect((await page()).headers['x-cache']).toBe('hit');
    for (let i = 0; i < 5; i++) {
      commitReading(123_500 + i);
      expect((await page()).headers['x-cache']).toBe('hit');
    }
    // an editor's change shows at once
    const res = await request(app).post('/admin/orgs/pavlodar/members').set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf, members: '45678' });
    expect(res.status).toBe(303);
    const fresh = await page();
    expect(fresh.headers['x-cache']).toBe('miss');
    expect(fresh.text).toContain('45 678'.replace(' ', '\u00a0'));
    expect((await page()).headers['x-cache']).toBe('hit');
    commitReading(123_600);
    expect((await page()).headers['x-cache']).toBe('hit');
  } finally {
    releaseLock(f.db, 'collect', owner);
  }
  // the run is over: the pages are made afresh
  expect((await page()).headers['x-cache']).toBe('miss');
});
