// `collect --posts-only` killed with SIGKILL mid-run, then run again: the database is intact, no post is stored
// twice, nothing is lost, and the daily figures agree with the stored posts.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { openDatabase } from '../../db';
import { orgPostFigures } from '../../src/posts/figures';
import { fixture, spawnCli, type Fixture } from '../helpers/collect';

let emu: Emulator;
let fx: Fixture;
let configFile: string;

beforeAll(async () => {
  emu = await startEmulator({ seed: 'posts-kill', pageTasks: { 'EAAdefault-token': '*' } });
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

const envFor = (): Record<string, string> => ({
  DATABASE_PATH: fx.dbPath,
  AUDIENCE_GROWTH_CONFIG: configFile,
  FACEBOOK_GRAPH_URL: emu.url,
  TELEGRAM_API_ROOT: emu.url,
  TELEGRAM_PREVIEW_ROOT: emu.url,
  FACEBOOK_ACCESS_TOKEN: 'EAAdefault-token',
  TELEGRAM_BOT_TOKEN: '100:default-bot-token',
});
const count = (db: Database.Database, sql: string) => db.prepare(sql).pluck().get() as number;

/** Reading the same window again finds no new post (nothing was lost), and the figures count every post kept. */
async function expectNothingLost(accounts: number): Promise<void> {
  const again = await spawnCli(['collect', '--posts-only', '--posts-history', '30'], envFor()).done;
  expect(again.stdout).toContain(`posts: ${accounts} of ${accounts} accounts read, 0 failed; 0 new`);
  const db = openDatabase(fx.dbPath);
  try {
    const counted = db.prepare('SELECT count(*) FROM posts WHERE deleted_at IS NULL').pluck().get() as number;
    expect(orgPostFigures(db, fx.orgId, 'social', 0, 100_000).posts).toBe(counted);
  } finally {
    db.close();
  }
}

/** Runs the CLI, kills it with SIGKILL once `posts` posts are stored; what was stored then: posts, snapshots, accounts read. */
async function killOnce(args: string[], posts: number): Promise<{ posts: number; snapshots: number; read: number }> {
  const child = spawnCli(args, envFor());
  const reader = new Database(fx.dbPath, { readonly: true });
  const deadline = Date.now() + 60_000;
  while (count(reader, 'SELECT count(*) FROM posts') < posts && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  const killed = await child.done;
  expect(killed.signal).toBe('SIGKILL');
  const stored = { posts: count(reader, 'SELECT count(*) FROM posts'), snapshots: count(reader, 'SELECT count(*) FROM snapshots'), read: count(reader, 'SELECT count(*) FROM post_collect_state WHERE last_ok_at IS NOT NULL') };
  reader.close();
  return stored;
}

test('a posts collect killed with SIGKILL leaves a consistent database, and a rerun completes it without duplicates', async () => {
  // one Graph request at a time with latency, so the kill lands between written batches of posts
  fs.writeFileSync(configFile, 'collect:\n  concurrency: 1\n  graph_batch_size: 10\n  timeout_ms: 5000\nposts:\n  preview_rate: 20\n');
  for (let i = 0; i < 120; i++) fx.addAccount('facebook', `60000000${String(i).padStart(7, '0')}`);
  for (let i = 0; i < 6; i++) fx.addAccount('telegram', `@kill_posts_${i}`);
  fx.db.close();
  emu.setLatency(150);

  const { posts: partial, read: accountsRead } = await killOnce(['collect', '--posts-only', '--posts-history', '30'], 300);
  expect(partial).toBeGreaterThanOrEqual(300);
  expect(accountsRead).toBeLessThan(126);

  const check = new Database(fx.dbPath);
  expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
  check.close();

  emu.setLatency(0);
  const rerun = await spawnCli(['collect', '--posts-only', '--posts-history', '30'], envFor()).done;
  expect(rerun.code).toBe(0);
  expect(rerun.stdout).toMatch(/posts: 126 of 126 accounts read, 0 failed/);

  const db = openDatabase(fx.dbPath);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(count(db as unknown as Database.Database, 'SELECT count(*) FROM (SELECT account_id, post_id FROM posts GROUP BY 1, 2 HAVING count(*) > 1)')).toBe(0);
    // every account read, each with its posts of the window
    expect(count(db as unknown as Database.Database, 'SELECT count(*) FROM post_collect_state WHERE last_ok_at IS NOT NULL')).toBe(126);
    expect(count(db as unknown as Database.Database, 'SELECT count(DISTINCT account_id) FROM posts')).toBeGreaterThanOrEqual(110);
    // a third run finds nothing new: nothing was lost
    db.close();
    await expectNothingLost(126);
  } finally {
    if (db.open) db.close();
  }
}, 180_000);

test('the daily run, posts read inside the audience Graph entries, killed with SIGKILL: a rerun completes it without duplicates', async () => {
  // `collect` as the schedule runs it: each Page's audience and first page of posts in one batch entry (field
  // expansion), one batch at a time with latency, so the kill lands between written batches
  fs.writeFileSync(configFile, 'collect:\n  concurrency: 1\n  graph_batch_size: 10\n  timeout_ms: 5000\nposts:\n  history_days: 30\n  preview_rate: 20\n');
  for (let i = 0; i < 120; i++) fx.addAccount('facebook', `61000000${String(i).padStart(7, '0')}`);
  for (let i = 0; i < 4; i++) fx.addAccount('telegram', `@kill_daily_${i}`);
  fx.db.close();
  emu.setLatency(150);

  const { posts: partial, snapshots, read: postsRead } = await killOnce(['collect'], 200);
  // killed with posts stored and the posts reading not done
  expect(partial).toBeGreaterThanOrEqual(200);
  expect(snapshots).toBeGreaterThan(0);
  expect(postsRead).toBeLessThan(124);

  const check = new Database(fx.dbPath);
  expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
  check.close();

  emu.setLatency(0);
  const graphBefore = emu.counters.graphBatches;
  const rerun = await spawnCli(['collect'], envFor()).done;
  expect(rerun.code).toBe(0);
  expect(rerun.stdout).toMatch(/124 of 124 accounts read, 0 failed/);
  expect(rerun.stdout).toMatch(/posts: 124 of 124 accounts read, 0 failed/);
  // the 120 Pages' audiences and posts in batches of 10 (plus their Page tokens): no separate posts requests per Page
  expect(emu.counters.graphBatches - graphBefore).toBeLessThanOrEqual(30);

  const db = openDatabase(fx.dbPath);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const q = (sql: string) => db.prepare(sql).pluck().get() as number;
    expect(q('SELECT count(*) FROM (SELECT account_id, post_id FROM posts GROUP BY 1, 2 HAVING count(*) > 1)')).toBe(0);
    expect(q('SELECT count(*) FROM (SELECT account_id, day FROM snapshots GROUP BY 1, 2 HAVING count(*) > 1)')).toBe(0);
    expect(q('SELECT count(*) FROM accounts WHERE id NOT IN (SELECT account_id FROM snapshots)')).toBe(0);
    expect(q('SELECT count(*) FROM post_collect_state WHERE last_ok_at IS NOT NULL')).toBe(124);
    // the job left nothing for the first page, export or bot command after it: every post classified (the
    // emulator's texts carry the rubrics' themes), and exactly the counted posts scored: those with an audience
    // on their day. (The accounts' first readings are today's: before the emulator's first post of the local
    // day, shortly after midnight in Almaty, no post is counted yet, so the scores' count is not asserted.)
    expect(q('SELECT count(*) FROM rubric_pending')).toBe(0);
    expect(q('SELECT count(DISTINCT post_id) FROM post_rubrics')).toBeGreaterThan(0);
    expect(q('SELECT count(*) FROM score_dirty')).toBe(0);
    const ids = (sql: string) => db.prepare(sql).pluck().all() as number[];
    expect(ids('SELECT post_id FROM post_scores ORDER BY post_id')).toEqual(
      ids(`SELECT p.id FROM posts p WHERE p.deleted_at IS NULL
             AND (SELECT s.audience FROM snapshots s WHERE s.account_id = p.account_id AND s.day <= p.day ORDER BY s.day DESC LIMIT 1) > 0 ORDER BY p.id`),
    );
    expect(q('SELECT count(*) FROM posts')).toBeGreaterThanOrEqual(partial);
    // nothing lost: posts-only reads of the same window find nothing new
    db.close();
    await expectNothingLost(124);
  } finally {
    if (db.open) db.close();
  }
}, 180_000);
