// The users page beyond adding users: disable / enable (sessions end at once; not yourself, not the last
// enabled admin), a new password, the API tokens table and revoking a token — which a real server (with its
// HTTP-layer cache of API answers) refuses on the very next request. Admin only, CSRF on every form, audited
// without a password or a token.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Express } from 'express';
import { checkLogin, LoginThrottle } from '../../src/auth';
import { createApp, createWebServer } from '../../web/app';
import { buildWebFixture, type WebFixture } from '../helpers/web-fixture';
import { dbState, ensureUser, PASSWORD, signIn, token, type Session } from '../helpers/web-auth';
import { runCli } from '../helpers/cli';
import { createServices } from '../../src/services';

let f: WebFixture;
let app: Express;
let admin: Session;
let editor: Session;
let viewer: Session;

beforeAll(async () => {
  f = buildWebFixture();
  app = createApp({ ...createServices(f.db, f.config), now: f.now, loginThrottle: new LoginThrottle(1000) });
  ensureUser(f.db, 'admin', 'admin');
  ensureUser(f.db, 'pavlodar-editor', 'editor', 'pavlodar');
  ensureUser(f.db, 'reader', 'viewer');
  admin = await signIn(app, f.db, 'admin');
  editor = await signIn(app, f.db, 'pavlodar-editor');
  viewer = await signIn(app, f.db, 'reader');
});
afterAll(() => f.close());

const post = (who: Session, path: string, body: Record<string, string> = {}) => request(app).post(path).set('Cookie', who.cookie).type('form').send({ _csrf: who.csrf, ...body });
const get = (who: Session, path: string) => request(app).get(path).set('Cookie', who.cookie);
const one = (sql: string, ...args: unknown[]) => f.db.prepare(sql).get(...args) as Record<string, unknown> | undefined;
const userId = (login: string) => f.db.prepare('SELECT id FROM users WHERE login = ?').pluck().get(login) as number;
const tokenId = (name: string) => f.db.prepare('SELECT id FROM api_tokens WHERE name = ?').pluck().get(name) as number;
const lastAudit = () => one('SELECT actor, action, subject, before, after FROM audit_log ORDER BY id DESC LIMIT 1')!;
const allAudit = () => JSON.stringify(f.db.prepare('SELECT * FROM audit_log').all());

describe('disable and enable a user', () => {
  test("a disabled user's open session ends at once and it cannot sign in; enabled again, it can", async () => {
    ensureUser(f.db, 'karaganda-press', 'editor', 'karaganda');
    const victim = await signIn(app, f.db, 'karaganda-press');
    expect((await get(victim, '/admin')).status).toBe(200);

    const res = await post(admin, `/admin/users/${userId('karaganda-press')}/disable`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/users?done=user_disabled');
    expect(one("SELECT count(*) AS n FROM sessions WHERE user_id = ?", userId('karaganda-press'))!.n).toBe(0);
    expect(lastAudit()).toMatchObject({ actor: 'admin', action: 'user.disable', subject: 'user:karaganda-press' });

    // The session that was open a moment ago: back to the login page.
    const after = await get(victim, '/admin');
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
    await expect(signIn(app, f.db, 'karaganda-press')).rejects.toThrow(/sign-in as karaganda-press failed/);
    expect(checkLogin(f.db, 'karaganda-press', PASSWORD)).toBeUndefined();

    const page = await get(admin, '/admin/users?lang=ru&done=user_disabled');
    expect(page.text).toContain('Пользователь отключён');
    expect(page.text).toContain(`action="/admin/users/${userId('karaganda-press')}/enable"`);
    expect(page.text).not.toContain(`action="/admin/users/${userId('karaganda-press')}/disable"`);

    // Disabling again changes nothing and writes nothing.
    const before = dbState(f.db);
    expect((await post(admin, `/admin/users/${userId('karaganda-press')}/disable`)).status).toBe(303);
    expect(dbState(f.db)).toBe(before);

    expect((await post(admin, `/admin/users/${userId('karaganda-press')}/enable`)).headers.location).toBe('/admin/users?done=user_enabled');
    expect(lastAudit()).toMatchObject({ action: 'user.enable', subject: 'user:karaganda-press' });
    expect((await get(await signIn(app, f.db, 'karaganda-press'), '/admin')).status).toBe(200);
  });

  test('an admin cannot disable itself, nor the last enabled admin; each refusal is explained in ru, kk and en and changes nothing', async () => {
    const before = dbState(f.db);
    const self = await post(admin, `/admin/users/${userId('admin')}/disable?lang=kk`);
    expect(self.status).toBe(400);
    expect(self.text).toContain('өзіңізді өшіре алмайсыз');
    expect((await post(admin, `/admin/users/${userId('admin')}/disable?lang=en`)).text).toContain('you cannot disable yourself');
    expect(dbState(f.db)).toBe(before);
    // The page offers no disable button on one's own row.
    expect((await get(admin, '/admin/users')).text).not.toContain(`action="/admin/users/${userId('admin')}/disable"`);

    // An admin API token drives no form (tokens are for /api/v1): refused, nothing changes. (The last enabled
    // admin rule for actors without a user of their own, the CLI, is in users-cli.test.ts.)
    const adminToken = token(f.db, 'admin', undefined, 'ops-script');
    const beforeToken = dbState(f.db);
    const last = await request(app).post(`/admin/users/${userId('admin')}/disable?lang=ru`).set('Authorization', `Bearer ${adminToken}`).type('form').send({});
    expect(last.status).toBe(401);
    expect(dbState(f.db)).toBe(beforeToken);

    // With a second admin, the first may disable it — and then the second may not disable the first.
    ensureUser(f.db, 'admin2', 'admin');
    const admin2 = await signIn(app, f.db, 'admin2');
    const allowed = await post(admin2, `/admin/users/${userId('admin')}/disable`);
    expect(allowed.status).toBe(303); // two enabled admins: allowed
    expect((await post(admin2, `/admin/users/${userId('admin')}/enable`)).status).toBe(303); // re-enable at once
    admin = await signIn(app, f.db, 'admin');
    expect((await post(admin, `/admin/users/${userId('admin2')}/disable`)).status).toBe(303);
  });

  test('unknown or malformed ids: 404 and 400', async () => {
    expect((await post(admin, '/admin/users/999999/disable')).status).toBe(404);
    expect((await post(admin, '/admin/users/abc/enable')).status).toBe(400);
    expect((await post(admin, "/admin/users/1%27%20OR%201=1/password", { password: 'long enough pass' })).status).toBe(400);
    expect((await post(admin, '/admin/tokens/0/revoke')).status).toBe(400);
    expect((await post(admin, '/admin/tokens/999999/revoke')).status).toBe(404);
  });
});

describe('a new password', () => {
  test('shorter than 10 characters is refused; a good one replaces the old, ends the other sessions, and is never logged', async () => {
    ensureUser(f.db, 'aktobe-press', 'editor', 'aktobe');
    const victim = await signIn(app, f.db, 'aktobe-press');
    const id = userId('aktobe-press');
    const before = dbState(f.db);
    const short = await post(admin, `/admin/users/${id}/password?lang=en`, { password: 'short1234' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('at least 10 characters');
    expect(dbState(f.db)).toBe(before);

    const res = await post(admin, `/admin/users/${id}/password`, { password: 'a brand new secret' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/users?done=password_set');
    expect(checkLogin(f.db, 'aktobe-press', PASSWORD)).toBeUndefined();
    expect(checkLogin(f.db, 'aktobe-press', 'a brand new secret')).toBe(id);
    expect((await get(victim, '/admin')).status).toBe(303);
    expect(lastAudit()).toMatchObject({ actor: 'admin', action: 'user.password', subject: 'user:aktobe-press' });
    expect(allAudit()).not.toContain('a brand new secret');
    expect(allAudit()).not.toContain('scrypt$');
  });

  test("an admin changing its own password keeps its own session", async () => {
    const res = await post(admin, `/admin/users/${userId('admin')}/password`, { password: 'another long secret' });
    expect(res.status).toBe(303);
    expect((await get(admin, '/admin/users')).status).toBe(200);
    expect(checkLogin(f.db, 'admin', 'another long secret')).toBe(userId('admin'));
  });
});

describe('API tokens', () => {
  test('the table lists name, role, organisation, created, last used and revoked — never a token or its hash', async () => {
    const t = token(f.db, 'editor', 'pavlodar', 'pavlodar-reports');
    await request(app).get('/api/v1/orgs').set('Authorization', `Bearer ${t}`);
    const page = await get(admin, '/admin/users?lang=en');
    expect(page.status).toBe(200);
    const table = /<table class="data" id="tokens-table">([\s\S]*?)<\/table>/.exec(page.text)?.[1] ?? '';
    for (const text of ['Name', 'Role', 'Last used', 'Revoked', 'pavlodar-reports', 'editor']) expect(table).toContain(text);
    expect(table).toContain(`action="/admin/tokens/${tokenId('pavlodar-reports')}/revoke"`);
    const hashes = f.db.prepare('SELECT token_hash FROM api_tokens').pluck().all() as string[];
    expect(page.text).not.toContain(t);
    for (const h of hashes) expect(page.text).not.toContain(h);
    for (const lang of ['ru', 'kk']) expect((await get(admin, `/admin/users?lang=${lang}`)).status).toBe(200);
  });

  test('a revoked token gets 401 on its very next request through a real server, cached answers notwithstanding (page and CLI)', async () => {
    const server: http.Server = createWebServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const api = async (tok: string) => {
      const r = await fetch(`${base}/api/v1/orgs`, { headers: { authorization: `Bearer ${tok}` } });
      return { status: r.status, cache: r.headers.get('x-cache') };
    };
    try {
      const byPage = token(f.db, 'viewer', undefined, 'revoke-by-page');
      const byCli = token(f.db, 'viewer', undefined, 'revoke-by-cli');
      for (const tok of [byPage, byCli]) {
        expect((await api(tok)).status).toBe(200);
        expect(await api(tok)).toEqual({ status: 200, cache: 'hit' }); // replayed before Express
      }

      const res = await request(base).post(`/admin/tokens/${tokenId('revoke-by-page')}/revoke`).set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/users?done=token_revoked#tokens');
      expect((await api(byPage)).status).toBe(401);
      expect(lastAudit()).toMatchObject({ actor: 'admin', action: 'token.revoke', subject: 'token:revoke-by-page' });
      expect((await api(byCli)).status).toBe(200); // the other token still works

      // Revoked from another process: the server sees the other connection's commit at once.
      const cli = runCli(['token', 'revoke', '--name', 'revoke-by-cli'], { DATABASE_PATH: f.file });
      // runCli blocked the event loop (for seconds on a busy machine): the idle keep-alive connection may be
      // closing at this very moment; a turn of timers lets it close before the next request
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(cli.code).toBe(0);
      expect(cli.stdout).toMatch(/revoked/);
      expect((await api(byCli)).status).toBe(401);
      expect(allAudit()).not.toContain(byPage);
      expect(allAudit()).not.toContain(byCli);

      const page = await get(admin, '/admin/users');
      expect(page.text).not.toContain(`action="/admin/tokens/${tokenId('revoke-by-page')}/revoke"`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('who may', () => {
  test('editors and viewers get 403 on every new action and nothing changes; without the CSRF token even an admin gets 403', async () => {
    const tok = token(f.db, 'viewer', undefined, 'guarded');
    const before = dbState(f.db);
    const actions: [string, Record<string, string>][] = [
      [`/admin/users/${userId('reader')}/disable`, {}],
      [`/admin/users/${userId('pavlodar-editor')}/enable`, {}],
      [`/admin/users/${userId('reader')}/password`, { password: 'long enough pass' }],
      [`/admin/tokens/${tokenId('guarded')}/revoke`, {}],
    ];
    for (const [path, body] of actions) {
      for (const who of [editor, viewer]) expect([path, who.login, (await post(who, path, body)).status]).toEqual([path, who.login, 403]);
      const noCsrf = await request(app).post(path).set('Cookie', admin.cookie).type('form').send(body);
      expect([path, noCsrf.status]).toEqual([path, 403]);
      const wrongCsrf = await request(app).post(path).set('Cookie', admin.cookie).type('form').send({ ...body, _csrf: editor.csrf });
      expect([path, wrongCsrf.status]).toEqual([path, 403]);
      // Signed out: to the login page.
      const anon = await request(app).post(path).type('form').send(body);
      expect([path, anon.status]).toEqual([path, 303]);
    }
    expect(dbState(f.db)).toBe(before);
    expect(f.db.prepare("SELECT revoked_at FROM api_tokens WHERE name = 'guarded'").pluck().get()).toBeNull();
    expect((await request(app).get('/api/v1/orgs').set('Authorization', `Bearer ${tok}`)).status).toBe(200);
  });

  test('every form on the users page carries the session\'s CSRF token', async () => {
    const page = await get(admin, '/admin/users');
    const forms = page.text.match(/<form[^>]*method="post"[\s\S]*?<\/form>/g) ?? [];
    expect(forms.length).toBeGreaterThan(5);
    for (const form of forms) expect(form).toContain(`name="_csrf" value="${admin.csrf}"`);
  });
});
