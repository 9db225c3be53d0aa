// Real Facebook accounts against the emulator as strict as Meta (issue 12): Page Insights through Page tokens
// obtained from the system-user token, a Page without a task failing alone with its fix, appsecret_proof on
// every call, the backfill's dates, the error codes Meta retries, and a private Telegram channel.
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { runCollect, type CollectJobOptions } from '../../src/jobs/collect';
import { addDays, fromEpochDay, localDate, toEpochDay } from '../../src/domain/dates';
import { FAST, configFor, failures, fixture, snapshots, type Fixture } from '../helpers/collect';
import { appsecretProof } from '../../collectors/graph';

const SYSTEM_TOKEN = 'EAAtest-fb-token';
const SECRET = 'app-secret-0123456789abcdef';
const PAGES = ['200000000000001', '200000000000002', '200000000000003', '200000000000004'];
const NO_TASK = '200000000000099';

let emu: Emulator;
let fx: Fixture;

beforeAll(async () => {
  emu = await startEmulator({ seed: 'real-accounts', pageTasks: { [SYSTEM_TOKEN]: PAGES }, privateChats: ['@private_union'] });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  fx = fixture();
});
afterEach(() => fx.db.close());

const today = () => toEpochDay(localDate('Asia/Almaty'));
const noop = () => undefined;

function run(extra: Partial<CollectJobOptions> = {}, env: Record<string, string> = {}, url = emu.url) {
  return runCollect({ db: fx.db, config: configFor(url, env), onSnapshotsChanged: noop, settings: FAST, env, ...extra });
}

test('a 730-day backfill of several Pages goes through Page tokens; a Page without a task fails alone, with its fix', async () => {
  const ids = PAGES.map((p) => fx.addAccount('facebook', p));
  const lonely = fx.addAccount('facebook', NO_TASK);
  // A generous timeout: two years of four Pages is one large batch answer, and the request count is the point.
  const r = await run({ backfillDays: 730, settings: { ...FAST, timeoutMs: 20_000 } });
  // Today's follower counts need no Page token: every Page is read, the one without a task too.
  expect(r.accountsOk).toBe(5);
  expect(r.backfill).toMatchObject({ accounts: 5, failed: 1 });
  const f = failures(fx.db, r.runId);
  expect(f).toHaveLength(1);
  expect(f[0]).toMatchObject({ account_id: lonely, kind: 'permission' });
  expect(f[0].message).toMatch(/^backfill: Facebook Page 200000000000099 .*#200.*fix: .*Business settings.*system user.*(ANALYZE|CREATE_CONTENT)/);
  // 5 Page tokens in one multi-id entry, refused as a whole for the Page without a task, so read again one entry
  // per Page in one batch; 4 Pages × 9 windows of ≤ 90 days = 36 Insights reads in 1 batch.
  expect(r.backfill!.requests).toBe(3);
  const insights = emu.requestLog.filter((l) => l.api === 'graph');
  expect(insights.every((l) => l.status === 200)).toBe(true);
  for (const id of ids) {
    const hist = snapshots(fx.db).filter((s) => s.account_id === id && s.source === 1);
    expect(hist.length).toBeGreaterThanOrEqual(728);
    expect(Math.min(...hist.map((s) => s.day))).toBeLessThanOrEqual(today() - 729);
  }
  expect(snapshots(fx.db).filter((s) => s.account_id === lonely && s.source === 1)).toEqual([]);
});

test('a backfilled value lands on the day it ends: end_time D+1 07:00/08:00 UTC is the audience of local date D', async () => {
  const id = fx.addAccount('facebook', PAGES[0]);
  await run({ backfillDays: 400, platform: 'facebook' });
  const hist = snapshots(fx.db).filter((s) => s.account_id === id && s.source === 1);
  // A summer day (end_time 07:00 UTC) and a winter day (08:00 UTC): each equals the platform's audience of that date.
  for (const day of [hist[10].day, hist[200].day, hist[hist.length - 2].day]) {
    const s = hist.find((h) => h.day === day)!;
    expect(s.audience).toBe(emu.audience(PAGES[0], fromEpochDay(day)));
  }
  const yesterday = hist.find((h) => h.day === toEpochDay(addDays(localDate('UTC'), -1)));
  expect(yesterday?.audience).toBe(emu.audience(PAGES[0], addDays(localDate('UTC'), -1)));
});

test('without a Page token Insights answer the real 190, and it is a setup error of that read, never a dead token', async () => {
  const raw = await fetch(`${emu.url}/v24.0/${PAGES[0]}/insights?metric=page_follows&period=day&access_token=${SYSTEM_TOKEN}`);
  expect(raw.status).toBe(400);
  expect(await raw.json()).toMatchObject({ error: { message: '(#190) This method must be called with a Page Access Token', type: 'OAuthException', code: 190 } });
  const tooLong = await fetch(`${emu.url}/v24.0/${PAGES[0]}?fields=access_token&access_token=${SYSTEM_TOKEN}`)
    .then((res) => res.json() as Promise<{ access_token: string }>)
    .then(({ access_token }) => fetch(`${emu.url}/v24.0/${PAGES[0]}/insights?metric=page_follows&period=day&since=1700000000&until=${1700000000 + 91 * 86400}&access_token=${access_token}`));
  expect(tooLong.status).toBe(400);
  expect(await tooLong.json()).toMatchObject({ error: { code: 100, type: 'OAuthException', message: expect.stringMatching(/more than 90 days/) } });
});

describe('appsecret_proof', () => {
  let strict: Emulator;
  beforeAll(async () => {
    strict = await startEmulator({ seed: 'real-accounts', pageTasks: { [SYSTEM_TOKEN]: '*' }, appSecret: SECRET });
  });
  afterAll(() => strict.close());

  test('with FACEBOOK_APP_SECRET set every call carries a correct proof, the batch entries with Page tokens too: none is refused', async () => {
    PAGES.forEach((p) => fx.addAccount('facebook', p));
    fx.addAccount('instagram', '17841400000000777');
    const r = await run({ backfillDays: 100 }, { FACEBOOK_APP_SECRET: SECRET }, strict.url);
    expect(r.accountsOk).toBe(5);
    expect(r.backfill).toMatchObject({ accounts: 4, failed: 0 });
    expect(strict.requestLog.length).toBeGreaterThanOrEqual(4);
    expect(strict.requestLog.every((l) => l.status === 200)).toBe(true);
    expect(failures(fx.db, r.runId)).toEqual([]);
  });

  test('without it, the app refuses every call and each account says how to fix it', async () => {
    PAGES.slice(0, 2).forEach((p) => fx.addAccount('facebook', p));
    const r = await run({}, {}, strict.url);
    expect(r.accountsFailed).toBe(2);
    for (const f of failures(fx.db, r.runId)) {
      expect(f.kind).toBe('permission');
      expect(f.message).toMatch(/require an appsecret_proof.*fix: .*FACEBOOK_APP_SECRET/);
    }
  });
});

test.each([
  ['341 (application limit)', { kind: 'rate_limit' as const, code: 341 }],
  ['368 (temporarily blocked)', { kind: 'rate_limit' as const, code: 368 }],
  ['any error with is_transient', { kind: 'transient_flag' as const, code: 3 }],
])('%s is retried and the Page is read', async (_name, fault) => {
  const id = fx.addAccount('facebook', PAGES[1]);
  emu.setFault({ ...fault, api: 'graph', target: PAGES[1], times: 1 });
  const r = await run();
  expect(r.accountsOk).toBe(1);
  expect(snapshots(fx.db).find((s) => s.account_id === id)!.audience).toBe(emu.audience(PAGES[1]));
  expect(r.perPlatform.facebook!.requests).toBe(2);
});

test('a private Telegram channel whose bot is not a member fails alone with Telegram\'s own answer', async () => {
  const priv = fx.addAccount('telegram', '@private_union');
  fx.addAccount('telegram', '@public_union');
  const r = await run({ platform: 'telegram' });
  expect(r.accountsOk).toBe(1);
  const f = failures(fx.db, r.runId);
  expect(f).toEqual([expect.objectContaining({ account_id: priv, kind: 'permission', message: expect.stringMatching(/Forbidden: bot is not a member of the channel chat/) })]);
});

describe('Instagram accounts without a Facebook Page (Instagram Login)', () => {
  const DAY = 86_400_000;
  const addLogin = (userId: string, extra: { tokenEnv?: string; tokenFile?: string }) => {
    const id = fx.addAccount('instagram', userId, { tokenEnv: extra.tokenEnv });
    fx.db.prepare("UPDATE accounts SET api = 'instagram_login', token_file = ? WHERE id = ?").run(extra.tokenFile ?? null, id);
    return id;
  };

  test('are read through graph.instagram.com with their own tokens, one request each; the Facebook token is never sent there', async () => {
    emu.addInstagramToken('IGAAenv-token-one', '17841400000000501', Date.now() + 50 * DAY);
    const a = addLogin('17841400000000501', { tokenEnv: 'SCHOOL_IG_TOKEN' });
    const b = addLogin('17841400000000502', { tokenEnv: 'OTHER_IG_TOKEN' });
    const r = await run({ platform: 'instagram' }, { SCHOOL_IG_TOKEN: 'IGAAenv-token-one', INSTAGRAM_GRAPH_URL: emu.instagramUrl });
    expect(r.accountsOk).toBe(1);
    expect(snapshots(fx.db).find((s) => s.account_id === a)!.audience).toBe(emu.audience('17841400000000501'));
    expect(failures(fx.db, r.runId)).toEqual([expect.objectContaining({ account_id: b, kind: 'invalid_token', message: expect.stringMatching(/OTHER_IG_TOKEN is not set/) })]);
    expect(emu.requestLog.map((l) => l.path)).toEqual([expect.stringMatching(/^\/instagram\/v\d+\.\d+\/me\?/)]);
  });

  test('a token file near expiry is refreshed by the run and written back with mode 0600; the new token reads the account', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(fx.dir, 'school-ig.token');
    emu.addInstagramToken('IGAAfile-token-old', '17841400000000601', Date.now() + 20 * DAY);
    fs.writeFileSync(file, JSON.stringify({ access_token: 'IGAAfile-token-old', expires_at: new Date(Date.now() + 20 * DAY).toISOString() }), { mode: 0o600 });
    const id = addLogin('17841400000000601', { tokenFile: file });
    const r = await run({ platform: 'instagram' }, { INSTAGRAM_GRAPH_URL: emu.instagramUrl });
    expect(r.accountsOk).toBe(1);
    expect(snapshots(fx.db).find((s) => s.account_id === id)!.audience).toBe(emu.audience('17841400000000601'));
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { access_token: string; expires_at: string };
    expect(saved.access_token).toMatch(/^IGAA/);
    expect(saved.access_token).not.toBe('IGAAfile-token-old');
    expect(Date.parse(saved.expires_at) - Date.now()).toBeGreaterThan(59 * DAY);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const me = emu.requestLog.filter((l) => l.path.includes('/me?'));
    expect(me).toHaveLength(1);
  });

  test('a token 5 days from expiry that cannot be refreshed is warned about, with the fix; an expired one fails its account alone', async () => {
    const { expiryWarnings, loginTokens } = await import('../../src/instagram-tokens');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(fx.dir, 'young.token');
    // Issued an hour ago: Meta refuses to refresh a token younger than 24 h.
    emu.addInstagramToken('IGAAyoung-token', '17841400000000701', Date.now() + 5 * DAY + 3_600_000, Date.now() - 3_600_000);
    fs.writeFileSync(file, JSON.stringify({ access_token: 'IGAAyoung-token', expires_at: new Date(Date.now() + 5 * DAY + 3_600_000).toISOString() }), { mode: 0o600 });
    addLogin('17841400000000701', { tokenFile: file });
    emu.addInstagramToken('IGAAexpired-token', '17841400000000702', Date.now() - DAY);
    const expired = addLogin('17841400000000702', { tokenEnv: 'EXPIRED_IG' });
    const r = await run({ platform: 'instagram' }, { EXPIRED_IG: 'IGAAexpired-token', INSTAGRAM_GRAPH_URL: emu.instagramUrl });
    expect(r.accountsOk).toBe(1);
    expect(failures(fx.db, r.runId)).toEqual([expect.objectContaining({ account_id: expired, kind: 'invalid_token' })]);
    const warnings = expiryWarnings(loginTokens(fx.db, { EXPIRED_IG: 'IGAAexpired-token' }));
    expect(warnings).toEqual([expect.objectContaining({ platformId: '17841400000000701', daysLeft: 5, message: expect.stringMatching(/expires in 5 days.*fix: /) })]);
    expect(JSON.stringify(warnings)).not.toMatch(/IGAA/);
  });
});

test('no token of any kind (system user, Page, Instagram Login, app secret) reaches the logs, errors, database file or exports', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { setLogSink, setLogLevel } = await import('../../src/log');
  const { exportSnapshots } = await import('../../src/exports');
  const strict = await startEmulator({ seed: 'real-accounts', pageTasks: { [SYSTEM_TOKEN]: [PAGES[0], PAGES[1]] }, appSecret: SECRET });
  const IG_TOKEN = 'IGAAleakTestInstagramToken77';
  strict.addInstagramToken(IG_TOKEN, '17841400000000991', Date.now() + 20 * 86_400_000);
  const file = path.join(fx.dir, 'leak.token');
  fs.writeFileSync(file, IG_TOKEN, { mode: 0o600 });
  const logs: string[] = [];
  const restore = setLogSink((line) => void logs.push(line));
  setLogLevel('debug');
  try {
    [PAGES[0], PAGES[1], NO_TASK].forEach((p) => fx.addAccount('facebook', p));
    const ig = fx.addAccount('instagram', '17841400000000991');
    fx.db.prepare("UPDATE accounts SET api = 'instagram_login', token_file = ? WHERE id = ?").run(file, ig);
    strict.setFault({ kind: 'malformed', api: 'graph', target: PAGES[1], times: 1 });
    const r = await run({ backfillDays: 60 }, { FACEBOOK_APP_SECRET: SECRET, INSTAGRAM_GRAPH_URL: strict.instagramUrl }, strict.url);
    expect(r.accountsOk).toBe(4);
    expect(r.backfill!.failed).toBe(1);
    const secrets = [SYSTEM_TOKEN, SECRET, IG_TOKEN];
    // The refreshed Instagram token the file now holds, and the Page tokens the emulator issues for this token.
    const refreshed = (JSON.parse(fs.readFileSync(file, 'utf8')) as { access_token: string }).access_token;
    secrets.push(refreshed);
    const pageTokens = await Promise.all(
      [PAGES[0], PAGES[1]].map((p) =>
        fetch(`${strict.url}/v24.0/${p}?fields=access_token&access_token=${SYSTEM_TOKEN}&appsecret_proof=${appsecretProof(SYSTEM_TOKEN, SECRET)}`)
          .then((res) => res.json() as Promise<{ access_token: string }>)
          .then((b) => b.access_token),
      ),
    );
    expect(pageTokens.every((t) => /^EAAP/.test(t))).toBe(true);
    secrets.push(...pageTokens);
    const exported = JSON.stringify(exportSnapshots(fx.db, {}, configFor(strict.url)));
    const dbFiles = fs.readdirSync(fx.dir).filter((f) => f.startsWith('ag.db')).map((f) => fs.readFileSync(path.join(fx.dir, f)).toString('latin1'));
    const failuresText = JSON.stringify(fx.db.prepare('SELECT message FROM collection_failures').all());
    expect(logs.length).toBeGreaterThan(3);
    for (const s of secrets) {
      for (const h of [logs.join('\n'), exported, failuresText, ...dbFiles]) expect(h.includes(s)).toBe(false);
    }
  } finally {
    setLogSink(restore);
    setLogLevel('info');
    await strict.close();
  }
});

test('migration 0006 moves history stored a day late back one day, where no api, manual or import reading holds it', async () => {
  const Database = (await import('better-sqlite3')).default;
  const { knownMigrations, migrate } = await import('../../db');
  const path = await import('node:path');
  const db = new Database(path.join(fx.dir, 'old.db'));
  try {
    migrate(db, knownMigrations().filter((m) => m.id < '0006'));
    const now = Date.now();
    db.prepare("INSERT INTO organisations (id, slug, level, name_ru, created_at, updated_at) VALUES (1, 'kz', 'council', 'kz', ?, ?)").run(now, now);
    db.prepare("INSERT INTO accounts (id, org_id, platform, platform_id, created_at, updated_at) VALUES (1, 1, 'facebook', '1', ?, ?)").run(now, now);
    const put = db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (1, ?, ?, ?, 0)');
    for (const [day, audience, source] of [[100, 10, 1], [101, 11, 1], [103, 30, 0], [104, 14, 1], [106, 16, 2]]) put.run(day, audience, source);
    migrate(db);
    expect(db.prepare('SELECT day, audience, source FROM snapshots ORDER BY day').all()).toEqual([
      { day: 99, audience: 10, source: 1 },
      { day: 100, audience: 11, source: 1 },
      { day: 103, audience: 30, source: 0 },
      { day: 106, audience: 16, source: 2 },
    ]);
    // The rollups recompute the account from the earliest day moved.
    expect(db.prepare('SELECT from_day FROM rollup_dirty WHERE account_id = 1').get()).toEqual({ from_day: 99 });
  } finally {
    db.close();
  }
});
