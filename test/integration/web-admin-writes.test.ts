// Admin form writes against another process's write lock (issue 17, items 2 and 9): a form whose
// transaction reads first no longer answers 500 "database is locked" when a collect (another process)
// writes meanwhile; a lock held past the busy timeout answers 503 with a plain reason and changes nothing;
// and API tokens drive /api/v1 only — never an /admin form.
import { spawn } from 'node:child_process';
import request from 'supertest';
import type { Express } from 'express';
import { LoginThrottle } from '../../src/auth';
import { createApp } from '../../web/app';
import { createServices } from '../../src/services';
import { openDatabase, type Db } from '../../db';
import { buildWebFixture, ROOT, type WebFixture } from '../helpers/web-fixture';
import { dbState, ensureUser, signIn, token, type Session } from '../helpers/web-auth';
import { setLogSink } from '../../src/log';

let f: WebFixture;
let app: Express;
let admin: Session;
let restoreSink: (l: string) => void;

beforeAll(async () => {
  restoreSink = setLogSink(() => {});
  f = buildWebFixture();
  app = createApp({ ...createServices(f.db, f.config), now: f.now, loginThrottle: new LoginThrottle(1000), cache: false });
  ensureUser(f.db, 'admin', 'admin');
  admin = await signIn(app, f.db, 'admin');
});
afterAll(() => {
  f.close();
  setLogSink(restoreSink);
});

const post = (who: Session, path: string, body: Record<string, string>) => request(app).post(path).set('Cookie', who.cookie).type('form').send({ _csrf: who.csrf, ...body });

/**
 * Another process (as a collect is) takes the write lock, writes a run row, holds the lock `holdMs`, then
 * commits (or rolls back); resolves `held` once it holds the lock.
 */
function otherWriter(file: string, holdMs: number, end: 'COMMIT' | 'ROLLBACK' = 'COMMIT') {
  const script = `
    const Database = require(${JSON.stringify(`${ROOT}/node_modules/better-sqlite3`)});
    const db = new Database(${JSON.stringify(file)});
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO collection_runs (started_at, status, trigger, accounts_total) VALUES (?, 'running', 'schedule', 1)").run(Date.now());
    process.stdout.write('held\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${holdMs});
    db.exec('${end}');
    db.close();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const held = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve()));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { held, done };
}

const members = (db: Db) => db.prepare("SELECT members FROM organisations WHERE slug = 'pavlodar'").pluck().get();

test('an admin form saved while another process writes waits for the lock and succeeds (no 500 "database is locked")', async () => {
  for (const value of ['41000', '42000', '43000']) {
    const other = otherWriter(f.file, 400);
    await other.held;
    const res = await post(admin, '/admin/orgs/pavlodar/members', { members: value });
    expect(res.status).toBe(303);
    expect(members(f.db)).toBe(Number(value));
    expect(await other.done).toBe(0);
  }
});

test('a lock held past the busy timeout answers 503 with a plain reason and changes nothing', async () => {
  // this app's connection waits 200 ms for a lock (DATABASE_BUSY_TIMEOUT_MS), the other process holds it 1.5 s
  const db = openDatabase(f.file, { busyTimeoutMs: 200 });
  const quick = createApp({ ...createServices(db, f.config), now: f.now, loginThrottle: new LoginThrottle(1000), cache: false });
  try {
    const session = await signIn(quick, db, 'admin');
    const before = dbState(db);
    const other = otherWriter(f.file, 1_500, 'ROLLBACK');
    await other.held;
    const res = await request(quick).post('/admin/orgs/pavlodar/members').set('Cookie', session.cookie).type('form').send({ _csrf: session.csrf, members: '99000' });
    expect(res.status).toBe(503);
    expect(res.text).toContain('База данных занята другой программой');
    await other.done;
    expect(dbState(db)).toBe(before);
  } finally {
    db.close();
  }
});

test('an admin API token is refused on every /admin form and page; it still reads /api/v1', async () => {
  const adminToken = token(f.db, 'admin');
  const before = dbState(f.db);
  const create = await request(app).post('/admin/users').set('Authorization', `Bearer ${adminToken}`).type('form').send({ login: 'intruder', password: 'long enough password', role: 'admin' });
  expect(create.status).toBe(401);
  expect(create.body.error.code).toBe('token_not_for_pages');
  const members = await request(app).post('/admin/orgs/pavlodar/members').set('Authorization', `Bearer ${adminToken}`).type('form').send({ members: '1' });
  expect(members.status).toBe(401);
  const page = await request(app).get('/admin/users').set('Authorization', `Bearer ${adminToken}`);
  expect(page.status).toBe(401);
  expect(dbState(f.db)).toBe(before);
  const api = await request(app).get('/api/v1/health').set('Authorization', `Bearer ${adminToken}`);
  expect(api.status).toBe(200);
});
