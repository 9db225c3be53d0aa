import path from 'node:path';
import { openDatabase } from '../../db';
import { checkLogin, createSession, LoginThrottle, principalFromSession, principalFromToken, verifyPassword, hashPassword } from '../../src/auth';
import { EXAMPLE, runCli, tempDir } from '../helpers/cli';

describe('users and API tokens from the CLI', () => {
  const dir = tempDir();
  const env = { DATABASE_PATH: path.join(dir, 'ag.db') };
  beforeAll(() => expect(runCli(['import', EXAMPLE], env).code).toBe(0));

  test('user add reads the password from stdin and the user can then log in', () => {
    const r = runCli(['user', 'add', '--login', 'press.pavlodar', '--role', 'editor', '--org', 'pavlodar'], env, 'a long enough secret\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const db = openDatabase(env.DATABASE_PATH);
    const userId = checkLogin(db, 'press.pavlodar', 'a long enough secret');
    expect(userId).toBeDefined();
    expect(checkLogin(db, 'press.pavlodar', 'a long enough secreT')).toBeUndefined();
    const stored = db.prepare('SELECT password_hash FROM users WHERE login = ?').get('press.pavlodar') as { password_hash: string };
    expect(stored.password_hash).toMatch(/^scrypt\$/);
    expect(stored.password_hash).not.toContain('a long enough secret');
    const session = createSession(db, userId!);
    expect(principalFromSession(db, session.cookie)).toMatchObject({ login: 'press.pavlodar', role: 'editor' });
    expect(principalFromSession(db, session.cookie + 'x')).toBeUndefined();
    db.close();
  });

  test.each([
    [['--login', 'x y', '--role', 'viewer'], /--login: must be/],
    [['--login', 'ed', '--role', 'editor'], /--org: an editor needs/],
    [['--login', 'ed', '--role', 'editor', '--org', 'atlantis'], /--org: no organisation has the slug "atlantis"/],
    [['--login', 'boss', '--role', 'owner'], /--role: must be one of admin, editor, viewer/],
  ])('user add %j is refused with exit 2', (args, message) => {
    const r = runCli(['user', 'add', ...args], env, 'a long enough secret\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  test('token create prints the token alone, once, and stores only its hash', () => {
    const r = runCli(['token', 'create', '--role', 'viewer', '--name', 'reporting'], env);
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(r.stdout).toBe(token + '\n');
    expect(token).toMatch(/^ag_[A-Za-z0-9_-]{40,}$/);
    const db = openDatabase(env.DATABASE_PATH);
    expect(principalFromToken(db, token)).toMatchObject({ role: 'viewer', kind: 'token' });
    expect(principalFromToken(db, token.slice(0, -1))).toBeUndefined();
    const all = JSON.stringify(db.prepare('SELECT * FROM api_tokens').all()) + JSON.stringify(db.prepare('SELECT * FROM audit_log').all());
    expect(all).not.toContain(token);
    db.close();
  });
});

describe('password hashing and the login throttle', () => {
  test('a hash verifies only its own password', () => {
    const h = hashPassword('пароль на русском');
    expect(verifyPassword('пароль на русском', h)).toBe(true);
    expect(verifyPassword('пароль на русском ', h)).toBe(false);
    expect(hashPassword('same')).not.toBe(hashPassword('same'));
  });

  test('five failures in the window block the key until it passes', () => {
    const t = new LoginThrottle(5, 60_000);
    for (let i = 0; i < 5; i++) {
      expect(t.blocked('1.2.3.4|press', 1000 + i)).toBe(false);
      t.fail('1.2.3.4|press', 1000 + i);
    }
    expect(t.blocked('1.2.3.4|press', 2000)).toBe(true);
    expect(t.blocked('1.2.3.4|other', 2000)).toBe(false);
    expect(t.blocked('1.2.3.4|press', 62_000)).toBe(false);
  });
});
