// Start-up and health (issue 17, item 8): a database that is neither empty nor ours is refused before
// anything is written to it (byte-identical afterwards); every command but import, demo and serve refuses a
// missing database file; /healthz reports the last `PRAGMA quick_check` and answers 503 when it failed
// (a file with damaged pages); unknown static names answer 404.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { openDatabase, ForeignDatabaseError } from '../../db';
import { loadConfig } from '../../src/config';
import { createServices } from '../../src/services';
import { schedulerService } from '../../src/jobs/schedule';
import { createApp } from '../../web/app';
import { setLogSink } from '../../src/log';
import { runCli, tempDir } from '../helpers/cli';

let restoreSink: (l: string) => void;
beforeAll(() => (restoreSink = setLogSink(() => {})));
afterAll(() => setLogSink(restoreSink));

const digest = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const siblings = (file: string) => fs.readdirSync(path.dirname(file)).sort();

describe('a database that is not ours', () => {
  test('a SQLite file of another program is refused by every command, and stays byte-identical', () => {
    const dir = tempDir();
    const file = path.join(dir, 'payroll.db');
    const other = new Database(file);
    other.exec("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO people (name) VALUES ('Aigerim'), ('Bolat');");
    other.close();
    const before = digest(file);
    const files = siblings(file);
    for (const args of [['compute'], ['import', path.join(__dirname, '../../examples/union.yaml')], ['export', 'snapshots'], ['serve']]) {
      const r = runCli(args, { DATABASE_PATH: file, PORT: '0' });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain(`error: ${file} holds other tables (people): it is not an audience-growth database, and nothing was written to it; check DATABASE_PATH`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(() => openDatabase(file)).toThrow(ForeignDatabaseError);
    expect(digest(file)).toBe(before);
    expect(siblings(file)).toEqual(files); // no -wal, -shm or -journal left beside it either
  });

  test('a file that is not SQLite at all is refused and left as it was', () => {
    const dir = tempDir();
    const file = path.join(dir, 'notes.db');
    fs.writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    const before = digest(file);
    const r = runCli(['compute'], { DATABASE_PATH: file });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a SQLite database');
    expect(digest(file)).toBe(before);
  });

  test('an empty file is ours to use', () => {
    const dir = tempDir();
    const file = path.join(dir, 'empty.db');
    fs.writeFileSync(file, '');
    const db = openDatabase(file);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'").pluck().get()).toBe(1);
    db.close();
  });
});

describe('a missing database file', () => {
  test.each([['compute'], ['export', 'snapshots'], ['collect'], ['user', 'list'], ['backup', 'copy.db']])('`%s` refuses it, exits 2 and makes no file', (...args) => {
    const dir = tempDir();
    const file = path.join(dir, 'mistyped', 'audince.db');
    const r = runCli(args, { DATABASE_PATH: file, CWD: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: no database at ${file}: check DATABASE_PATH (it is made by \`import\`, \`demo\` or \`serve\`)`);
    expect(fs.existsSync(path.join(dir, 'mistyped'))).toBe(false);
  });

  test('an empty DATABASE_PATH means the default file, which compute does not make either', () => {
    const dir = tempDir();
    const r = runCli(['compute'], { DATABASE_PATH: '', CWD: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: no database at ./data/audience-growth.db');
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
  });

  test('import makes it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'new.db');
    const r = runCli(['import', path.join(__dirname, '../../examples/union.yaml')], { DATABASE_PATH: file });
    expect(r.code).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
  });
});

describe('/healthz and the quick_check', () => {
  /** A database of ours with enough snapshots for many pages, closed (checkpointed) for damaging. */
  function filledDatabase(): string {
    const file = path.join(tempDir(), 'ag.db');
    const db = openDatabase(file);
    const now = Date.now();
    const org = db.prepare("INSERT INTO organisations (slug, parent_id, level, name_ru, created_at, updated_at) VALUES ('kz', NULL, 'council', 'kz', ?, ?)").run(now, now).lastInsertRowid;
    const acc = db.prepare("INSERT INTO accounts (org_id, platform, platform_id, created_at, updated_at) VALUES (?, 'telegram', '@x', ?, ?)").run(org, now, now).lastInsertRowid;
    const put = db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, ?)');
    db.transaction(() => {
      for (let d = 0; d < 20_000; d++) put.run(acc, d, 1000 + d, now);
    })();
    db.close();
    return file;
  }

  async function healthzAfterStart(file: string) {
    const config = loadConfig({ env: { DATABASE_PATH: file } });
    const db = openDatabase(file);
    const services = createServices(db, config);
    const scheduler = schedulerService(services);
    await scheduler.start(); // runs the quick_check at once
    try {
      return await request(createApp({ ...services, cache: false })).get('/healthz');
    } finally {
      await scheduler.stop();
      db.close();
    }
  }

  test('a sound database: 200 with the check passed', async () => {
    const res = await healthzAfterStart(filledDatabase());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'ok', quick_check: { ok: true, detail: 'ok' } });
  });

  test('damaged pages: 503 naming the damage', async () => {
    const file = filledDatabase();
    const probe = new Database(file, { readonly: true });
    const pageSize = probe.pragma('page_size', { simple: true }) as number;
    const pages = probe.pragma('page_count', { simple: true }) as number;
    probe.close();
    // garbage over the last pages (the snapshots written last; the schema, at the start, stays readable)
    const fd = fs.openSync(file, 'r+');
    for (const page of [pages - 12, pages - 8, pages - 4]) fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
    fs.closeSync(fd);
    const res = await healthzAfterStart(file);
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('error');
    expect(res.body.database).toBe('damaged');
    expect(res.body.quick_check.ok).toBe(false);
    expect(res.body.quick_check.detail).not.toBe('ok');
  });
});

test.each(['vendor/__proto__', 'vendor/constructor', 'vendor/toString', 'vendor/hasOwnProperty', '__proto__', 'constructor'])('/static/%s answers 404', async (name) => {
  const file = path.join(tempDir(), 'ag.db');
  const db = openDatabase(file);
  try {
    const app = createApp({ ...createServices(db, loadConfig({ env: { DATABASE_PATH: file } })), cache: false });
    expect((await request(app).get(`/static/${name}`)).status).toBe(404);
  } finally {
    db.close();
  }
});
