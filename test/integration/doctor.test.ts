// `doctor` as a newcomer runs it: the real CLI against the emulator with a good token, an expired
// one, and an API root where nothing listens; each time the right diagnosis and fix, never a token.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { fixture, spawnCli, type AsyncCliResult, type Fixture } from '../helpers/collect';

const TOKENS = {
  fb: 'EAAdoctorGoodToken0123456789',
  bot: '4242:doctor-good-bot-token-abcdef',
  region: 'EAAdoctorRegionToken987654321',
  expiredFb: 'EAAdoctorExpiredToken55555',
  revokedBot: '4343:doctor-revoked-bot-token-zz',
};

let emu: Emulator;
let fx: Fixture;

beforeAll(async () => {
  emu = await startEmulator({
    seed: 'doctor-test',
    invalidTokens: [TOKENS.expiredFb, TOKENS.revokedBot],
    unknownIds: ['100000000000404', '@gone_channel'],
    pageTasks: { [TOKENS.fb]: '*', [TOKENS.region]: '*' },
  });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  fx = fixture();
  fx.addAccount('facebook', '100000000000001');
  fx.addAccount('facebook', '100000000000002');
  fx.addAccount('instagram', 'page:100000000000003', { pageId: '100000000000003' });
  fx.addAccount('telegram', '@doctor_news', { title: 'News' });
  fx.addAccount('facebook', '100000000000005', { tokenEnv: 'REGION_FB_TOKEN' });
  const now = Date.now();
  fx.db
    .prepare("INSERT INTO collection_runs (started_at, finished_at, status, accounts_total, accounts_ok, accounts_failed) VALUES (?, ?, 'finished', 5, 5, 0)")
    .run(now - 60_000, now - 30_000);
  fx.db.close();
});

function doctor(env: Record<string, string>): Promise<AsyncCliResult> {
  return spawnCli(['doctor'], {
    DATABASE_PATH: fx.dbPath,
    AUDIENCE_GROWTH_CONFIG: path.join(fx.dir, 'none.yaml'),
    FACEBOOK_GRAPH_URL: emu.url,
    TELEGRAM_API_ROOT: emu.url,
    FACEBOOK_ACCESS_TOKEN: TOKENS.fb,
    TELEGRAM_BOT_TOKEN: TOKENS.bot,
    REGION_FB_TOKEN: TOKENS.region,
    ...env,
  }).done;
}

function expectNoToken(r: AsyncCliResult): void {
  for (const t of Object.values(TOKENS)) {
    expect(r.stdout).not.toContain(t);
    expect(r.stderr).not.toContain(t);
    // not even the secret half of a bot token
    expect(r.stdout).not.toContain(t.split(':').pop()!);
  }
}

beforeEach(() => fs.writeFileSync(path.join(fx.dir, 'none.yaml'), 'timezone: Asia/Almaty\n'));

test('with good tokens every check passes: config, database, tokens, /me, debug_token, getMe and each account; exit 0', async () => {
  const r = await doctor({});
  expect(r.stdout).toMatch(/^✓ config: .*none\.yaml \(time zone Asia\/Almaty; it lists 0 organisations, 0 accounts\)$/m);
  expect(r.stdout).toMatch(/^✓ database: .*ag\.db opens$/m);
  expect(r.stdout).toMatch(/^✓ migrations: (\d+) of \1 applied$/m);
  expect(r.stdout).toMatch(/^✓ integrity: quick_check ok$/m);
  expect(r.stdout).toMatch(/^✓ journal: WAL$/m);
  expect(r.stdout).toMatch(/^✓ last collect: run #1 finished just now, 5 of 5 accounts read$/m);
  expect(r.stdout).toMatch(/^✓ FACEBOOK_ACCESS_TOKEN is set \(3 accounts use it\)$/m);
  expect(r.stdout).toMatch(/^✓ TELEGRAM_BOT_TOKEN is set \(1 account uses it\)$/m);
  expect(r.stdout).toMatch(/^✓ REGION_FB_TOKEN is set \(1 account uses it\)$/m);
  expect(r.stdout).toMatch(/^✓ Graph API http:\/\/127\.0\.0\.1:\d+\/ with FACEBOOK_ACCESS_TOKEN: \/me answers "Audience Growth \(emulator system user\)"/m);
  expect(r.stdout).toMatch(/^✓ FACEBOOK_ACCESS_TOKEN: valid system-user token, never expires, has pages_show_list, pages_read_engagement, read_insights, instagram_basic$/m);
  expect(r.stdout).toMatch(/^✓ FACEBOOK_ACCESS_TOKEN: Page Insights of Page 100000000000001 read through its Page token$/m);
  expect(r.stdout).toMatch(/^✓ REGION_FB_TOKEN: Page Insights of Page 100000000000005 read through its Page token$/m);
  expect(r.stdout).toMatch(/^✓ Bot API http:\/\/127\.0\.0\.1:\d+\/ with TELEGRAM_BOT_TOKEN: getMe answers @audience_growth_emulator_bot/m);
  expect(r.stdout).toMatch(/^✓ facebook: 3 of 3 Pages readable$/m);
  expect(r.stdout).toMatch(/^✓ instagram: 1 of 1 Instagram account readable$/m);
  expect(r.stdout).toMatch(/^✓ telegram: 1 of 1 channel readable$/m);
  expect(r.stdout).not.toMatch(/^[✗!]/m);
  expect(r.stdout.trim().split('\n').pop()).toBe('All checks passed.');
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  expectNoToken(r);
  // one Graph batch for the Pages of each token (and one for a Page token), not a request per Page
  expect(emu.counters.graphBatches).toBeLessThanOrEqual(6);
});

test('an expired Facebook token and a revoked bot token are named, with how to get new ones; exit 1', async () => {
  const r = await doctor({ FACEBOOK_ACCESS_TOKEN: TOKENS.expiredFb, TELEGRAM_BOT_TOKEN: TOKENS.revokedBot });
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^✗ Graph API http:\/\/127\.0\.0\.1:\d+\/ with FACEBOOK_ACCESS_TOKEN: \/me failed$/m);
  expect(r.stdout).toContain(
    '    The Facebook token in FACEBOOK_ACCESS_TOKEN has expired (Graph error 190). Create a new system-user token in Business Settings with pages_show_list, pages_read_engagement, read_insights, instagram_basic (and ads_read for Pages owned through Business Manager) and put it in FACEBOOK_ACCESS_TOKEN.',
  );
  expect(r.stdout).toMatch(/^✗ Bot API http:\/\/127\.0\.0\.1:\d+\/ with TELEGRAM_BOT_TOKEN: getMe failed$/m);
  expect(r.stdout).toContain("    The Telegram bot token in TELEGRAM_BOT_TOKEN is rejected (Bot API 401 Unauthorized): it was revoked or mistyped. Get the bot's current token from @BotFather (/token) and put it in TELEGRAM_BOT_TOKEN.");
  // the other token still works, so its Page is still checked; the rest wait for the fix
  expect(r.stdout).toMatch(/^✓ REGION_FB_TOKEN: valid system-user token/m);
  expect(r.stdout).toMatch(/^! facebook: 1 of 3 Pages readable; 2 not checked until the problem above is fixed$/m);
  expect(r.stdout).toMatch(/^2 problems \(✗\) to fix, 3 warnings \(!\)\.$/m);
  expectNoToken(r);
});

test('an API root where nothing listens: "Cannot reach … (connection refused)" with the variable to check; exit 1', async () => {
  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  const root = `http://127.0.0.1:${closed}`;
  const r = await doctor({ FACEBOOK_GRAPH_URL: root, TELEGRAM_API_ROOT: root });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(`✗ Graph API ${root}/ with FACEBOOK_ACCESS_TOKEN: /me failed\n    Cannot reach ${root}/ (connection refused). Check FACEBOOK_GRAPH_URL and the network/proxy.`);
  expect(r.stdout).toContain(`✗ Bot API ${root}/ with TELEGRAM_BOT_TOKEN: getMe failed\n    Cannot reach ${root}/ (connection refused). Check TELEGRAM_API_ROOT and the network/proxy.`);
  expect(r.stdout).toMatch(/^! telegram: 1 channel not checked until the problem above is fixed$/m);
  expectNoToken(r);
});

test('per-account problems: an unset token_env variable and accounts the APIs cannot find, each with its fix', async () => {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(fx.dbPath);
  const now = Date.now();
  db.prepare("INSERT INTO accounts (org_id, platform, platform_id, token_env, created_at, updated_at) VALUES (1, 'facebook', '100000000000404', NULL, ?, ?), (1, 'telegram', '@gone_channel', NULL, ?, ?), (1, 'telegram', '@north_chan', 'NORTH_BOT_TOKEN', ?, ?)").run(now, now, now, now, now, now);
  db.close();
  const r = await doctor({});
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^✗ NORTH_BOT_TOKEN is not set, and 1 account names it as token_env \(telegram @north_chan\)$/m);
  expect(r.stdout).toContain('    Put their token in NORTH_BOT_TOKEN, or remove token_env from them in the config so they use TELEGRAM_BOT_TOKEN.');
  expect(r.stdout).toMatch(/^✗ facebook: 1 of 4 Pages not readable$/m);
  expect(r.stdout).toContain('    Facebook Page 100000000000404: Graph cannot find it (Graph error 100). Check the id in the config, and that the Page is assigned to the system user in Business Settings.');
  expect(r.stdout).toMatch(/^✗ telegram: 1 of 3 channels not readable; 1 not checked until the problem above is fixed$/m);
  expect(r.stdout).toContain('    Telegram chat @gone_channel: not found (Bot API 400). Check the @username or id; a private channel must have the bot as an administrator.');
  expectNoToken(r);
});

test('a config file with a mistake is reported in plain words with its line, and the rest waits; exit 1', async () => {
  fs.writeFileSync(path.join(fx.dir, 'none.yaml'), 'timezone: Asia/Almaty\nlanguage: fr\n');
  const r = await doctor({});
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('✗ config: cannot be loaded\n    The config file has a mistake: none.yaml:2: language: must be one of ru, kk, en. Fix that line and run doctor again.');
  expect(r.stdout).toMatch(/^! other checks skipped: they need the configuration$/m);
  expectNoToken(r);
});
