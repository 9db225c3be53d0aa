// `user list | disable | enable` and `token list | revoke` from the CLI: what they print (never a token, a
// hash or a password), what they change (sessions end at once; revoked tokens refused), the audit entries,
// and bad usage with exit 2 and the option at fault.
import path from 'node:path';
import { openDatabase } from '../../db';
import { checkLogin, createSession, principalFromSession, principalFromToken } from '../../src/auth';
import { EXAMPLE, runCli, tempDir } from '../helpers/cli';

describe('user list, disable and enable', () => {
  const dir = tempDir();
  const env = { DATABASE_PATH: path.join(dir, 'ag.db') };
  const PW = 'a long enough secret\n';
  beforeAll(() => {
    expect(runCli(['import', EXAMPLE], env).code).toBe(0);
    for (const args of [
      ['--login', 'chief', '--role', 'admin'],
      ['--login', 'press.pavlodar', '--role', 'editor', '--org', 'pavlodar'],
      ['--login', 'reader', '--role', 'viewer'],
    ]) expect(runCli(['user', 'add', ...args], env, PW).code).toBe(0);
  });
  const db = () => openDatabase(env.DATABASE_PATH);

  test('user list prints every user with role, organisation, created and state, and no password hash', () => {
    const r = runCli(['user', 'list'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['login', 'role', 'org', 'created', 'state']);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^chief\s+admin\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+active$/);
    expect(lines[2]).toMatch(/^press\.pavlodar\s+editor\s+pavlodar\s+.*active$/);
    expect(r.stdout).not.toMatch(/scrypt/);
  });

  test('user disable ends the sessions at once and blocks sign-in; user enable undoes it; both audited', () => {
    let d = db();
    const id = checkLogin(d, 'press.pavlodar', 'a long enough secret')!;
    const session = createSession(d, id);
    expect(principalFromSession(d, session.cookie)).toBeDefined();
    d.close();

    let r = runCli(['user', 'disable', '--login', 'press.pavlodar'], env);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'user press.pavlodar disabled\n', '']);
    d = db();
    expect(principalFromSession(d, session.cookie)).toBeUndefined();
    expect(d.prepare('SELECT count(*) FROM sessions WHERE user_id = ?').pluck().get(id)).toBe(0);
    expect(checkLogin(d, 'press.pavlodar', 'a long enough secret')).toBeUndefined();
    expect(d.prepare('SELECT actor, action, subject FROM audit_log ORDER BY id DESC LIMIT 1').get()).toEqual({ actor: 'cli', action: 'user.disable', subject: 'user:press.pavlodar' });
    d.close();
    expect(runCli(['user', 'list'], env).stdout).toMatch(/press\.pavlodar\s+editor\s+pavlodar\s+\S+ \S+\s+disabled \d{4}-\d\d-\d\d \d\d:\d\d/);

    // Again: nothing to do, nothing written.
    r = runCli(['user', 'disable', '--login', 'press.pavlodar'], env);
    expect([r.code, r.stdout]).toEqual([0, 'user press.pavlodar was already disabled\n']);

    r = runCli(['user', 'enable', '--login', 'press.pavlodar'], env);
    expect([r.code, r.stdout]).toEqual([0, 'user press.pavlodar enabled\n']);
    d = db();
    expect(checkLogin(d, 'press.pavlodar', 'a long enough secret')).toBe(id);
    expect(d.prepare('SELECT action FROM audit_log ORDER BY id DESC LIMIT 1').pluck().get()).toBe('user.enable');
    expect(JSON.stringify(d.prepare('SELECT * FROM audit_log').all())).not.toContain('a long enough secret');
    d.close();
  });

  test('the last enabled admin cannot be disabled; with another admin it can', () => {
    const count = () => {
      const d = db();
      const n = d.prepare('SELECT count(*) FROM audit_log').pluck().get();
      d.close();
      return n;
    };
    const before = count();
    let r = runCli(['user', 'disable', '--login', 'chief'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--login: chief is the last enabled admin/);
    expect(count()).toBe(before);
    expect(runCli(['user', 'add', '--login', 'deputy', '--role', 'admin'], env, PW).code).toBe(0);
    r = runCli(['user', 'disable', '--login', 'chief'], env);
    expect(r.code).toBe(0);
    r = runCli(['user', 'disable', '--login', 'deputy'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deputy is the last enabled admin/);
    expect(runCli(['user', 'enable', '--login', 'chief'], env).code).toBe(0);
  });

  test.each([
    [['disable', '--login', 'nobody'], /--login: no user "nobody"/],
    [['enable', '--login', 'nobody'], /--login: no user "nobody"/],
    [['disable'], /required option '--login <login>'/],
  ])('user %j is refused with exit 2', (args, message) => {
    const r = runCli(['user', ...args], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('token list and revoke', () => {
  const dir = tempDir();
  const env = { DATABASE_PATH: path.join(dir, 'ag.db') };
  const tokens: Record<string, string> = {};
  beforeAll(() => {
    expect(runCli(['import', EXAMPLE], env).code).toBe(0);
    for (const [name, args] of [
      ['reporting', ['--role', 'viewer', '--name', 'reporting']],
      ['pavlodar-bot', ['--role', 'editor', '--org', 'pavlodar', '--name', 'pavlodar-bot']],
      ['twin-a', ['--role', 'viewer', '--name', 'twin']],
      ['twin-b', ['--role', 'viewer', '--name', 'twin']],
    ] as const) {
      const r = runCli(['token', 'create', ...args], env);
      expect(r.code).toBe(0);
      tokens[name] = r.stdout.trim();
    }
  });
  const db = () => openDatabase(env.DATABASE_PATH);

  test('token list shows id, name, role, organisation, created, last used and revoked — never a token value or hash', () => {
    const d = db();
    expect(principalFromToken(d, tokens.reporting)).toBeDefined(); // marks it used
    const hashes = d.prepare('SELECT token_hash FROM api_tokens').pluck().all() as string[];
    d.close();
    const r = runCli(['token', 'list'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['id', 'name', 'role', 'org', 'created', 'last used', 'revoked']);
    expect(lines).toHaveLength(5);
    expect(lines.find((l) => /\breporting\b/.test(l))).toMatch(/^\d+\s+reporting\s+viewer\s+-\s+\S+ \S+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+-$/);
    expect(lines.find((l) => /pavlodar-bot/.test(l))).toMatch(/pavlodar-bot\s+editor\s+pavlodar\s+\S+ \S+\s+-\s+-$/);
    for (const t of Object.values(tokens)) expect(r.stdout).not.toContain(t);
    for (const h of hashes) expect(r.stdout).not.toContain(h);
  });

  test('token revoke --name: the token is refused from then on; audited without the token; revoking again changes nothing', () => {
    let r = runCli(['token', 'revoke', '--name', 'reporting'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^API token \d+ \(reporting\) revoked\n$/);
    const d = db();
    expect(principalFromToken(d, tokens.reporting)).toBeUndefined();
    expect(principalFromToken(d, tokens['pavlodar-bot'])).toBeDefined();
    expect(d.prepare('SELECT actor, action, subject FROM audit_log ORDER BY id DESC LIMIT 1').get()).toEqual({ actor: 'cli', action: 'token.revoke', subject: 'token:reporting' });
    const audit = JSON.stringify(d.prepare('SELECT * FROM audit_log').all());
    for (const t of Object.values(tokens)) expect(audit).not.toContain(t);
    const n = d.prepare('SELECT count(*) FROM audit_log').pluck().get();
    d.close();
    r = runCli(['token', 'revoke', '--name', 'reporting'], env);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/was already revoked/)]);
    const d2 = db();
    expect(d2.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(n);
    d2.close();
    expect(runCli(['token', 'list'], env).stdout).toMatch(/reporting\s+viewer\s+-\s+\S+ \S+\s+\S+ \S+\s+\d{4}-\d\d-\d\d \d\d:\d\d$/m);
  });

  test('two live tokens with one name: --name is ambiguous (exit 2, nothing revoked); --id picks one', () => {
    let r = runCli(['token', 'revoke', '--name', 'twin'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--name: 2 API tokens are named "twin": revoke one by --id/);
    let d = db();
    expect(principalFromToken(d, tokens['twin-a'])).toBeDefined();
    const idA = d.prepare("SELECT id FROM api_tokens WHERE name = 'twin' ORDER BY id LIMIT 1").pluck().get() as number;
    d.close();
    r = runCli(['token', 'revoke', '--id', String(idA)], env);
    expect(r.code).toBe(0);
    d = db();
    expect(principalFromToken(d, tokens['twin-a'])).toBeUndefined();
    expect(principalFromToken(d, tokens['twin-b'])).toBeDefined();
    d.close();
    // Now only one live token has the name.
    expect(runCli(['token', 'revoke', '--name', 'twin'], env).code).toBe(0);
    d = db();
    expect(principalFromToken(d, tokens['twin-b'])).toBeUndefined();
    d.close();
  });

  test.each([
    [[], /give either --name or --id/],
    [['--name', 'reporting', '--id', '1'], /give either --name or --id/],
    [['--name', 'nothing-like-it'], /--name: no API token is named "nothing-like-it"/],
    [['--id', '999'], /--id: no API token has the id 999/],
    [['--id', '1 OR 1=1'], /--id: must be a token id/],
  ])('token revoke %j is refused with exit 2 and revokes nothing', (args, message) => {
    const d = db();
    const before = d.prepare('SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL').pluck().get();
    d.close();
    const r = runCli(['token', 'revoke', ...args], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    const d2 = db();
    expect(d2.prepare('SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL').pluck().get()).toBe(before);
    d2.close();
  });
});
