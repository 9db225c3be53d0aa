// Sign-in and access: every route of the app (read from Express's own route table) is closed without a
// session or token, an editor gets 403 outside its subtree, form posts need the session's CSRF token, the
// login is throttled, and the session cookie has the flags a browser needs to keep it safe.
import request from 'supertest';
import type { Express } from 'express';
import type { Db } from '../../db';
import { LoginThrottle } from '../../src/auth';
import { createApp } from '../../web/app';
import { buildWebFixture, type WebFixture } from '../helpers/web-fixture';
import { dbState, ensureUser, PASSWORD, signIn, token, type Session } from '../helpers/web-auth';
import { createServices } from '../../src/services';

let f: WebFixture;
let app: Express;

beforeAll(() => {
  f = buildWebFixture();
  app = createApp({ ...createServices(f.db, f.config), now: f.now, loginThrottle: new LoginThrottle(1000) });
  ensureUser(f.db, 'admin', 'admin');
  ensureUser(f.db, 'pavlodar-editor', 'editor', 'pavlodar');
  ensureUser(f.db, 'reader', 'viewer');
});
afterAll(() => f.close());

interface RouteEntry {
  method: string;
  path: string;
}

/** Every route in the app's router, with the mount paths of nested routers prepended. */
function routeTable(a: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: Layer[] }; rawPath?: string | string[] };
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const m of Object.keys(layer.route.methods)) out.push({ method: m.toUpperCase(), path: (prefix + layer.route.path).replace(/\/$/, '') || '/' });
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((a as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

const PUBLIC = new Set(['GET /healthz', 'GET /login', 'POST /login', 'POST /logout', 'GET /static/vendor/:file']);

/** Ids and slugs of things outside the Pavlodar subtree, and inside it. */
function samples(db: Db) {
  const one = (sql: string, ...args: unknown[]) => db.prepare(sql).pluck().get(...args) as number;
  return {
    outside: {
      slug: 'almaty',
      accountId: one("SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'almaty' ORDER BY a.id LIMIT 1"),
      targetId: one("SELECT t.id FROM targets t JOIN organisations o ON o.id = t.org_id WHERE o.slug = 'almaty' LIMIT 1"),
      newspaperId: one("SELECT id FROM accounts WHERE platform = 'newspaper' ORDER BY id LIMIT 1"),
    },
    inside: {
      slug: 'pavlodar-city',
      accountId: one("SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'pavlodar' ORDER BY a.id LIMIT 1"),
      targetId: one("SELECT t.id FROM targets t JOIN organisations o ON o.id = t.org_id WHERE o.slug = 'pavlodar' LIMIT 1"),
    },
  };
}

function fill(path: string, s: { slug: string; accountId: number; targetId: number }): string {
  return path
    .replace(':slug', s.slug)
    .replace(/\/accounts\/:id/, `/accounts/${s.accountId}`)
    .replace(/\/targets\/:id/, `/targets/${s.targetId}`)
    .replace(':file', 'chart.umd.min.js')
    .replace(/:id/, '1');
}

const send = (method: string, path: string) => {
  const r = request(app);
  return method === 'POST' ? r.post(path) : method === 'PUT' ? r.put(path) : method === 'DELETE' ? r.delete(path) : r.get(path);
};

describe('the route table', () => {
  test('has the pages, the API and the admin routes (so the walks below cover them)', () => {
    const routes = routeTable(app).map((r) => `${r.method} ${r.path}`);
    for (const r of ['GET /', 'GET /org/:slug', 'GET /api/v1/orgs', 'GET /api/v1/growth', 'GET /admin/orgs/:slug', 'POST /admin/targets/:id/cascade', 'POST /admin/newspapers/csv', 'GET /admin/audit', 'POST /admin/users/:id/disable', 'POST /admin/users/:id/enable', 'POST /admin/users/:id/password', 'POST /admin/tokens/:id/revoke']) {
      expect(routes).toContain(r);
    }
    expect(routes.length).toBeGreaterThan(30);
  });

  test('every route except /healthz, /login and static assets answers 401 (API) or sends to /login (pages) without a session or token', async () => {
    const s = samples(f.db);
    const checked: string[] = [];
    for (const { method, path } of routeTable(app)) {
      if (PUBLIC.has(`${method} ${path}`)) continue;
      const url = fill(path, s.inside);
      const res = await send(method, url);
      if (path.startsWith('/api/')) {
        expect([method, url, res.status, res.body?.error?.code]).toEqual([method, url, 401, 'unauthorized']);
      } else {
        expect([method, url, res.status]).toEqual([method, url, 303]);
        expect(res.headers.location).toMatch(/^\/login\?next=/);
        if (method === 'GET') expect(decodeURIComponent(res.headers.location.split('next=')[1])).toBe(url);
      }
      checked.push(`${method} ${path}`);
    }
    expect(checked.length).toBeGreaterThan(30);
    // A wrong token is no better than none; a made-up cookie neither.
    const bad = await request(app).get('/api/v1/orgs').set('Authorization', 'Bearer ag_not-a-real-token-at-all');
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_token');
    const cookie = await request(app).get('/').set('Cookie', 'ag_session=forged-session-value');
    expect(cookie.status).toBe(303);
    // The public ones answer.
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/login')).status).toBe(200);
    expect((await request(app).get('/static/app.css')).status).toBe(200);
    expect((await request(app).get('/static/vendor/chart.umd.min.js')).status).toBe(200);
  });

  test('an editor gets 403 on every admin route of an organisation outside its subtree; a viewer on every admin route', async () => {
    const s = samples(f.db);
    const editor = await signIn(app, f.db, 'pavlodar-editor');
    const viewer = await signIn(app, f.db, 'reader');
    const admin = await signIn(app, f.db, 'admin');
    const as = (who: Session, method: string, url: string, body: Record<string, unknown> = {}) => {
      const r = send(method, url).set('Cookie', who.cookie);
      return method === 'GET' ? r : r.type('form').send({ _csrf: who.csrf, ...body });
    };
    // Routes whose organisation comes from a form field rather than the path.
    const bodyScope: Record<string, Record<string, unknown>> = {
      'POST /admin/orgs': { parent: s.outside.slug, slug: 'new-org', level: 'branch', name_ru: 'Новая' },
      'POST /admin/targets': { org: s.outside.slug, platform: 'social', baseline_date: '2026-01-01', due_date: '2026-12-31', mode: 'absolute', value: '10', decision: 'x' },
      'POST /admin/newspapers': { account: String(s.outside.newspaperId), date: '2026-11-01', subscribers: '5' },
    };
    let scoped = 0;
    for (const { method, path } of routeTable(app)) {
      if (!path.startsWith('/admin')) continue;
      const key = `${method} ${path}`;
      const url = fill(path, s.outside);
      const viewerRes = await as(viewer, method, url, bodyScope[key]);
      expect([key, viewerRes.status]).toEqual([key, 403]);
      const hasOrg = /:slug|:id/.test(path) || key in bodyScope;
      if (hasOrg) {
        const res = await as(editor, method, url, bodyScope[key]);
        expect([key, url, res.status]).toEqual([key, url, 403]);
        scoped++;
      }
      if (path.startsWith('/admin/users') || path.startsWith('/admin/tokens')) {
        expect([key, (await as(editor, method, url, { login: 'x' })).status]).toEqual([key, 403]);
      }
    }
    expect(scoped).toBeGreaterThanOrEqual(15);
    // Inside its subtree, the same pages open for the editor; an admin opens the outside ones.
    for (const path of ['/admin', '/admin/orgs', '/admin/orgs/:slug', '/admin/accounts/:id', '/admin/targets', '/admin/targets/:id', '/admin/newspapers', '/admin/audit']) {
      expect([path, (await as(editor, 'GET', fill(path, s.inside))).status]).toEqual([path, 200]);
      expect([path, (await as(admin, 'GET', fill(path, s.outside))).status]).toEqual([path, 200]);
    }
  });
});

describe('CSRF', () => {
  test('a form post without the token, or with another session\'s, is refused with 403 and changes nothing', async () => {
    const admin = await signIn(app, f.db, 'admin');
    const other = await signIn(app, f.db, 'pavlodar-editor');
    const before = dbState(f.db);
    const posts: [string, Record<string, string>][] = [
      ['/admin/orgs/pavlodar/rename', { name_ru: 'Переименовано' }],
      ['/admin/orgs', { parent: 'pavlodar', slug: 'csrf-test', level: 'branch', name_ru: 'Тест' }],
      ['/admin/users', { login: 'csrf-user', password: 'a-long-password-1', role: 'viewer' }],
      ['/admin/users/3/disable', {}],
      ['/admin/users/1/password', { password: 'a-long-password-2' }],
      ['/admin/tokens/1/revoke', {}],
      ['/logout', {}],
    ];
    for (const [path, body] of posts) {
      for (const csrf of [undefined, '', other.csrf, admin.csrf.slice(0, -1) + (admin.csrf.endsWith('A') ? 'B' : 'A')]) {
        const res = await request(app)
          .post(path)
          .set('Cookie', admin.cookie)
          .type('form')
          .send(csrf === undefined ? body : { ...body, _csrf: csrf });
        expect([path, csrf === undefined ? 'none' : 'wrong', res.status]).toEqual([path, csrf === undefined ? 'none' : 'wrong', 403]);
      }
    }
    expect(dbState(f.db)).toBe(before);
    // The same post with the token goes through.
    const ok = await request(app).post('/admin/orgs/pavlodar/members').set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf, members: '12345' });
    expect(ok.status).toBe(303);
    expect(f.db.prepare("SELECT members FROM organisations WHERE slug = 'pavlodar'").pluck().get()).toBe(12345);
  });

  test('every form on the admin pages carries the session\'s CSRF token', async () => {
    const admin = await signIn(app, f.db, 'admin');
    const s = samples(f.db);
    for (const path of ['/admin/orgs', '/admin/orgs/:slug', '/admin/accounts/:id', '/admin/targets', '/admin/targets/:id', '/admin/newspapers', '/admin/users', '/']) {
      const res = await request(app).get(fill(path, s.inside)).set('Cookie', admin.cookie);
      const forms = res.text.match(/<form[^>]*method="post"[\s\S]*?<\/form>/g) ?? [];
      expect([path, forms.length > 0]).toEqual([path, true]);
      for (const form of forms) expect([path, form.includes(`name="_csrf" value="${admin.csrf}"`)]).toEqual([path, true]);
    }
  });
});

describe('sign-in', () => {
  test('a good login sets an HttpOnly SameSite session cookie and goes back to the page asked for; logout ends the session', async () => {
    const page = await request(app).get('/login?next=%2Forg%2Fpavlodar%3Flang%3Den');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const cookies = (page.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const res = await request(app).post('/login').set('Cookie', cookies).type('form').send({ login: 'reader', password: PASSWORD, _csrf: csrf, next: '/org/pavlodar?lang=en' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/org/pavlodar?lang=en');
    const set = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('ag_session='))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    expect(set).not.toMatch(/Secure/i); // plain http in the test
    const session = set.split(';')[0];
    expect((await request(app).get('/org/pavlodar').set('Cookie', session)).status).toBe(200);
    const csrfToken = /name="_csrf" value="([^"]+)"/.exec((await request(app).get('/').set('Cookie', session)).text)![1];
    const out = await request(app).post('/logout').set('Cookie', session).type('form').send({ _csrf: csrfToken });
    expect(out.status).toBe(303);
    expect((await request(app).get('/').set('Cookie', session)).status).toBe(303);
  });

  test('behind a proxy that says https (trust proxy configured), the cookie is Secure', async () => {
    const proxied = createApp({ ...createServices(f.db, f.config), now: f.now, trustProxy: 1 });
    const page = await request(proxied).get('/login').set('X-Forwarded-Proto', 'https');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const cookies = (page.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const res = await request(proxied).post('/login').set('X-Forwarded-Proto', 'https').set('Cookie', cookies).type('form').send({ login: 'reader', password: PASSWORD, _csrf: csrf });
    expect((res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('ag_session='))).toMatch(/;\s*Secure/i);
    // Without trust proxy the header is ignored.
    const direct = await request(app).get('/login').set('X-Forwarded-Proto', 'https');
    expect((direct.headers['set-cookie'] as unknown as string[]).join(';')).not.toMatch(/Secure/i);
  });

  test('wrong passwords get 401, and after five the address is throttled with 429 even with the right password', async () => {
    const throttled = createApp({ ...createServices(f.db, f.config), now: f.now });
    const page = await request(throttled).get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const cookies = (page.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const attempt = (password: string) => request(throttled).post('/login').set('Cookie', cookies).type('form').send({ login: 'reader', password, _csrf: csrf });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong password')).status).toBe(401);
    const blocked = await attempt(PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.headers['set-cookie']?.toString() ?? '').not.toMatch(/ag_session=/);
  });

  test('the login form needs its CSRF cookie; next= cannot send anyone to another site', async () => {
    const res = await request(app).post('/login').type('form').send({ login: 'reader', password: PASSWORD, _csrf: 'x'.repeat(32) });
    expect(res.status).toBe(403);
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const page = await request(app).get('/login');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
      const cookies = (page.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
      const ok = await request(app).post('/login').set('Cookie', cookies).type('form').send({ login: 'reader', password: PASSWORD, _csrf: csrf, next });
      expect([next, ok.status, ok.headers.location]).toEqual([next, 303, '/']);
    }
  });

  test('API tokens work on /api/v1 only: pages and /admin refuse them, even with a session cookie alongside', async () => {
    const viewer = token(f.db, 'viewer', undefined, 'api-viewer');
    expect((await request(app).get('/api/v1/orgs').set('Authorization', `Bearer ${viewer}`)).status).toBe(200);
    const page = await request(app).get('/').set('Authorization', `Bearer ${viewer}`);
    expect(page.status).toBe(401);
    expect(page.body.error).toEqual({ code: 'token_not_for_pages', message: 'API tokens work on /api/v1 only: sign in to use the pages and forms' });
    expect((await request(app).get('/admin').set('Authorization', `Bearer ${viewer}`)).status).toBe(401);
    const editor = token(f.db, 'editor', 'pavlodar', 'api-editor');
    expect((await request(app).get('/api/v1/orgs').set('Authorization', `Bearer ${editor}`)).status).toBe(200);
    expect((await request(app).get('/admin/orgs/pavlodar').set('Authorization', `Bearer ${editor}`)).status).toBe(401);
    const session = await signIn(app, f.db, 'admin');
    const both = await request(app).post('/admin/orgs/pavlodar/members').set('Authorization', `Bearer ${editor}`).set('Cookie', session.cookie).type('form').send({ members: '5' });
    expect(both.status).toBe(401);
  });

  test('pages are cached per session: one user never gets another\'s page (or CSRF token)', async () => {
    const a = await signIn(app, f.db, 'admin');
    const b = await signIn(app, f.db, 'reader');
    const pa = await request(app).get('/rankings').set('Cookie', a.cookie);
    const pb = await request(app).get('/rankings').set('Cookie', b.cookie);
    expect(pa.text).toContain(a.csrf);
    expect(pb.text).toContain(b.csrf);
    expect(pb.text).not.toContain(a.csrf);
    expect(pb.text).not.toContain('href="/admin"');
    expect(pa.text).toContain('href="/admin"');
  });
});
