// Signing in for the web tests: a session made directly (withSession), an API token for /api/v1 (token), or
// a real browser-style session through the /login form (cookie + the session's CSRF token).
import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import type { Express } from 'express';
import type { Db } from '../../db';
import { addUser, createApiToken, createSession, principalFromSession, type Role } from '../../src/auth';

export const PASSWORD = 'correct horse battery';

/**
 * The app as a handler that signs requests in with a session of a user of this role (made when missing):
 * its cookie, and its CSRF token on posts. API tokens work on /api/v1 only; pages need a session.
 */
export function withSession(app: Express, db: Db, role: Role = 'viewer', org?: string): (req: IncomingMessage, res: ServerResponse) => void {
  const login = `test-${role}-${org ?? 'all'}`;
  ensureUser(db, login, role, org);
  const session = createSession(db, db.prepare('SELECT id FROM users WHERE login = ?').pluck().get(login) as number);
  return (req, res) => {
    const own = `ag_session=${encodeURIComponent(session.cookie)}`;
    const sent = req.headers.cookie;
    if (sent === undefined) req.headers.cookie = own;
    else if (!/(^|;\s*)ag_session=/.test(sent)) req.headers.cookie = `${sent}; ${own}`;
    if (req.method !== 'GET' && req.headers['x-csrf-token'] === undefined) req.headers['x-csrf-token'] = session.csrfToken;
    app(req as never, res as never);
  };
}

/** A new API token (viewer unless said otherwise). */
export const token = (db: Db, role: Role = 'viewer', org?: string, name = `test-${role}-${org ?? 'all'}`) => createApiToken(db, { role, org, name, actor: 'test' });

/** Makes the user when missing. */
export function ensureUser(db: Db, login: string, role: Role, org?: string): void {
  if (db.prepare('SELECT 1 FROM users WHERE login = ?').get(login)) return;
  addUser(db, { login, password: PASSWORD, role, org, actor: 'test' });
}

export interface Session {
  /** Cookie header value: the session (and anything else given). */
  cookie: string;
  csrf: string;
  login: string;
}

/** Signs in through GET/POST /login like a browser; returns the session cookie and its CSRF token. */
export async function signIn(app: Express | ((req: IncomingMessage, res: ServerResponse) => void), db: Db, login: string, password = PASSWORD): Promise<Session> {
  const page = await request(app).get('/login');
  const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  const csrfCookie = ((page.headers['set-cookie'] as unknown as string[] | undefined) ?? []).map((c) => c.split(';')[0]).join('; ');
  const res = await request(app).post('/login').set('Cookie', csrfCookie).type('form').send({ login, password, _csrf: loginCsrf ?? '' });
  if (res.status !== 303) throw new Error(`sign-in as ${login} failed: HTTP ${res.status}`);
  const session = ((res.headers['set-cookie'] as unknown as string[]) ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('ag_session='));
  if (!session) throw new Error('no session cookie');
  const p = principalFromSession(db, decodeURIComponent(session.slice('ag_session='.length)));
  return { cookie: session, csrf: p!.csrfToken!, login };
}

/** Everything a form could change, as text: compared before and after a refused post (rollups and token use times aside). */
export function dbState(db: Db): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'rollup%' AND name NOT LIKE 'sqlite_%' AND name <> 'api_tokens' ORDER BY name").pluck().all() as string[];
  return JSON.stringify(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).raw().all()]));
}
