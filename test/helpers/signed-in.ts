// The web fixture with the app over it (response cache on, a throttle that never blocks tests) and one user
// signed in through the login form.
import type { Express } from 'express';
import { LoginThrottle, type Role } from '../../src/auth';
import { createServices } from '../../src/services';
import { createApp } from '../../web/app';
import { buildWebFixture, type WebFixture } from './web-fixture';
import { ensureUser, signIn, type Session } from './web-auth';

export async function signedInFixture(login: string, role: Role, org?: string): Promise<{ f: WebFixture; app: Express; session: Session }> {
  const f = buildWebFixture();
  const app = createApp({ ...createServices(f.db, f.config), now: f.now, loginThrottle: new LoginThrottle(1000) });
  ensureUser(f.db, login, role, org);
  return { f, app, session: await signIn(app, f.db, login) };
}
