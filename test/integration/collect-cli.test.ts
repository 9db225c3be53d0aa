// `collect` as a user runs it (a child process against an in-process emulator): a run killed with
// SIGKILL leaves a consistent database that a rerun completes, and no token ever leaks anywhere.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { fixture, spawnCli, type Fixture } from '../helpers/collect';

let emu: Emulator;
let fx: Fixture;
let configFile: string;

beforeAll(async () => {
  emu = await startEmulator({ seed: 'cli-test', hangMs: 2_000, pageTasks: { 'EAAdefault-token': '*', 'EAAsecretFB-ZQX9-default': '*', 'EAAsecretFB-ZQX9-perAccount': '*' } });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  emu.setLatency(0);
  fx = fixture();
  configFile = path.join(fx.dir, 'config.yaml');
});
afterEach(() => fx.db.close());

function envFor(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_PATH: fx.dbPath,
    AUDIENCE_GROWTH_CONFIG: configFile,
    FACEBOOK_GRAPH_URL: emu.url,
    TELEGRAM_API_ROOT: emu.url,
    TELEGRAM_PREVIEW_ROOT: emu.url,
    FACEBOOK_ACCESS_TOKEN: 'EAAdefault-token',
    TELEGRAM_BOT_TOKEN: '100:default-bot-token',
    ...extra,
  };
}

/** Progress on stderr when not a terminal (src/progress.ts): not an error. */
const PROGRESS_LINE = /^collect( --backfill| posts)?: \d+\/\d+ (accounts|Page histories) \(\d+%\)$/;

const count = (db: Database.Database, sql: string) => (db.prepare(sql).get() as { n: number }).n;

test('a collect killed with SIGKILL mid-run leaves a consistent database, and a rerun completes it', async () => {
  fs.writeFileSync(configFile, 'collect:\n  concurrency: 1\n  telegram_rate: 10\n  timeout_ms: 5000\n');
  for (let i = 0; i < 300; i++) fx.addAccount('facebook', `70000000${String(i).padStart(7, '0')}`);
  for (let i = 0; i < 40; i++) fx.addAccount('telegram', `@kill_test_${i}`, { title: `t${i}` });
  fx.db.close();
  emu.setLatency(250);

  // audiences only: posts have their own kill test (posts-cli.test.ts)
  const child = spawnCli(['collect', '--no-posts'], envFor());
  const reader = new Database(fx.dbPath, { readonly: true });
  const deadline = Date.now() + 20_000;
  // Kill once some readings are stored but the run is far from done (6 sequential batches + 4 s of Telegram).
  while (count(reader, 'SELECT COUNT(*) AS n FROM snapshots') < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  const killed = await child.done;
  expect(killed.stderr.split('\n').filter((l) => !/ (INFO|DEBUG|WARN) /.test(l) && !PROGRESS_LINE.test(l)).join('\n')).toBe('');
  expect(killed.signal).toBe('SIGKILL');
  const partial = count(reader, 'SELECT COUNT(*) AS n FROM snapshots');
  expect(partial).toBeGreaterThanOrEqual(50);
  expect(partial).toBeLessThan(340);
  reader.close();

  const check = new Database(fx.dbPath);
  expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(check.prepare('SELECT status FROM collection_runs').all()).toEqual([{ status: 'running' }]);
  check.close();

  emu.setLatency(0);
  const rerun = await spawnCli(['collect', '--no-posts'], envFor()).done;
  expect(rerun.code).toBe(0);
  expect(rerun.stdout).toMatch(/340 of 340 accounts read, 0 failed/);

  const db = new Database(fx.dbPath);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(count(db, 'SELECT COUNT(*) AS n FROM snapshots')).toBe(340);
    expect(count(db, 'SELECT COUNT(*) AS n FROM (SELECT DISTINCT account_id, day FROM snapshots)')).toBe(340);
    expect(count(db, 'SELECT COUNT(*) AS n FROM accounts WHERE id NOT IN (SELECT account_id FROM snapshots)')).toBe(0);
    expect(db.prepare('SELECT status FROM collection_runs ORDER BY id').all()).toEqual([{ status: 'interrupted' }, { status: 'finished' }]);
  } finally {
    db.close();
  }
}, 120_000);

test('no token appears in logs, errors, the database or exports, even under faults', async () => {
  const TOKENS = { fb: 'EAAsecretFB-ZQX9-default', fbBad: 'EAAsecretFB-ZQX9-perAccount', tg: '555:secretBOT-ZQX9-default', tgBad: '666:secretBOT-ZQX9-other' };
  fs.writeFileSync(configFile, 'collect:\n  max_retries: 2\n  timeout_ms: 500\nposts:\n  history_days: 7\n  preview_rate: 50\n');
  for (let i = 0; i < 60; i++) fx.addAccount('facebook', `80000000${String(i).padStart(7, '0')}`);
  for (let i = 0; i < 5; i++) fx.addAccount('facebook', `81000000${String(i).padStart(7, '0')}`, { tokenEnv: 'REGION_FB_TOKEN' });
  for (let i = 0; i < 10; i++) fx.addAccount('instagram', `178414100${String(i).padStart(8, '0')}`);
  for (let i = 0; i < 6; i++) fx.addAccount('telegram', `@leak_test_${i}`);
  fx.addAccount('telegram', '@other_bot_chan', { tokenEnv: 'REGION_BOT_TOKEN' });
  fx.db.close();
  emu.invalidateToken(TOKENS.fbBad);
  emu.invalidateToken(TOKENS.tgBad);
  for (const kind of ['malformed', 'drop', 'server_error', 'timeout'] as const) emu.setFault({ kind, probability: 0.15 });
  emu.setFault({ kind: 'malformed', api: 'graph', target: '800000000000003' });
  emu.setFault({ kind: 'malformed', api: 'telegram', target: '@leak_test_1' });
  emu.setFault({ kind: 'unknown', api: 'telegram', target: '@leak_test_2' });

  const env = envFor({ FACEBOOK_ACCESS_TOKEN: TOKENS.fb, TELEGRAM_BOT_TOKEN: TOKENS.tg, REGION_FB_TOKEN: TOKENS.fbBad, REGION_BOT_TOKEN: TOKENS.tgBad, LOG_LEVEL: 'debug' });
  const run = await spawnCli(['collect', '--backfill', '30'], env).done;
  expect(run.stderr.split('\n').filter((l) => !/ (INFO|DEBUG|WARN) /.test(l) && !PROGRESS_LINE.test(l)).join('\n')).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/failed accounts/);
  expect(run.stdout).toMatch(/invalid_token/);
  const exported = await spawnCli(['export', 'snapshots', '--format', 'csv'], env).done;
  const exportedJson = await spawnCli(['export', 'snapshots', '--format', 'json'], env).done;

  const db = new Database(fx.dbPath, { readonly: true });
  const failures = db.prepare('SELECT message FROM collection_failures').all() as { message: string }[];
  const runs = db.prepare('SELECT error FROM collection_runs').all();
  db.close();
  expect(failures.length).toBeGreaterThanOrEqual(8);

  const files = fs.readdirSync(fx.dir).filter((f) => f.startsWith('ag.db')).map((f) => fs.readFileSync(path.join(fx.dir, f)).toString('latin1'));
  const haystacks = [run.stdout, run.stderr, exported.stdout, exported.stderr, exportedJson.stdout, exportedJson.stderr, JSON.stringify(failures), JSON.stringify(runs), ...files];
  for (const token of Object.values(TOKENS)) {
    for (const h of haystacks) expect(h.includes(token)).toBe(false);
    // Not even the distinctive middle part.
    for (const h of haystacks) expect(h.includes('ZQX9')).toBe(false);
  }
}, 120_000);

test('bad usage exits 2 with a clear message and writes nothing', async () => {
  fs.writeFileSync(configFile, '{}\n');
  fx.db.close();
  const badPlatform = await spawnCli(['collect', '--platform', 'newspaper'], envFor()).done;
  expect(badPlatform.code).toBe(2);
  expect(badPlatform.stderr).toMatch(/--platform: must be one of facebook, instagram, telegram/);
  const badDays = await spawnCli(['collect', '--backfill', '0'], envFor()).done;
  expect(badDays.code).toBe(2);
  expect(badDays.stderr).toMatch(/--backfill: must be a whole number of days from 1 to 730/);
  const badOrg = await spawnCli(['collect', '--org', 'atlantis'], envFor()).done;
  expect(badOrg.code).toBe(2);
  expect(badOrg.stderr).toMatch(/no organisation with slug "atlantis"/);
  const db = new Database(fx.dbPath, { readonly: true });
  expect(count(db, 'SELECT COUNT(*) AS n FROM collection_runs')).toBe(0);
  db.close();
});
