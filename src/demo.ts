// `demo`: everything wired to the built-in API emulator, with two years of sample history, in its own
// database file. The history goes in through the product's own paths (Facebook through the collector's
// Page Insights backfill, Instagram and Telegram through import-audience, newspaper figures as hand-entered
// readings, targets through the YAML target import), so the demo shows what a real install would.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { openDatabase, type Db } from '../db';
import { startEmulator, type Emulator } from '../collectors/emulator';
import { formatPreviewCount, postsModel, type ModelPlatform } from '../collectors/emulator/posts-model';
import { parseCount } from '../collectors/posts/telegram-preview';
import { hash32 } from '../collectors/emulator/model';
import { addUser } from './auth';
import { Outbox } from './bot/outbox';
import { lastWeekLabel, runWeeklySummary } from './bot/service';
import { InputError, loadConfig, type AppConfig, type TargetInput } from './config';
import { addDays, localDate, toEpochDay } from './domain/dates';
import { recordPostsRead, recordPostsReadDays, savePosts, type AccountPosts, type PostInput } from './posts/store';
import { importAudience, importTree, readTreeFile } from './import';
import { runCollect } from './jobs/collect';
import { importTargets } from './growth/targets';
import { ensureInformationWork } from './publications/measures-data';
import type { SnapshotsChanged } from './jobs/hooks';
import { createServices } from './services';
import { SERVICES, startServices, type ServiceFactory } from './cli/commands/serve';

export const ROOT = path.resolve(__dirname, '..');
export const EXAMPLE_TREE = path.join(ROOT, 'examples/union.yaml');
export const DEFAULT_DEMO_DB = './data/demo.db';
/** Days of history: the most Page Insights keeps and the backfill reads. */
export const HISTORY_DAYS = 730;
/** Marks a database file as the demo's (SQLite `application_id`), so the demo only ever deletes its own. */
const DEMO_APPLICATION_ID = 0x41474445; // "AGDE"
const DEMO_LOGIN = 'demo';
const SUMMARY_CHAT = '@union_news';
const ADMIN_CHAT = '-1001234567890';
const NATIONAL_DECISION = 'Постановление Исполкома № 19 п. 2 от 12.10.2022';
const PAVLODAR_DECISION =
  'Постановление Исполкома Павлодарской областной организации профсоюза «О состоянии информационной и методической работы Павлодарского городского и Щербактинского районного филиалов»';

export interface DemoOptions {
  /** Web port (0: any free port). Default: PORT, else 3000. */
  port?: number;
  /** The demo's database file (default ./data/demo.db). */
  dbPath?: string;
  /** Where DATABASE_PATH is read from, to refuse the real database. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines, as each step finishes. */
  say?: (line: string) => void;
}

export interface Demo {
  url: string;
  emulatorUrl: string;
  login: string;
  password: string;
  dbPath: string;
  week: string;
  readyMs: number;
  stop(): Promise<void>;
}

function sameFile(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      // Not there yet: resolve its directory, so ./data/x.db and data/../data/x.db still compare equal.
      try {
        return path.join(fs.realpathSync(path.dirname(path.resolve(p))), path.basename(p));
      } catch {
        return path.resolve(p);
      }
    }
  };
  return real(a) === real(b);
}

/** Deletes the previous demo database; refuses any file that is not one (it could be someone's data). */
function recreateDemoDatabase(file: string, realDb: string): Db {
  if (sameFile(file, realDb)) {
    throw new InputError(
      `is the same file as DATABASE_PATH (${realDb}); the demo recreates its database at every start, so it never uses the real one: give another --db`,
      undefined,
      undefined,
      '--db',
    );
  }
  if (fs.existsSync(file) && fs.statSync(file).size > 0) {
    let id = -1;
    try {
      const probe = openDatabase(file, { readonly: true, migrate: false });
      id = probe.pragma('application_id', { simple: true }) as number;
      probe.close();
    } catch {
      // not a SQLite file
    }
    if (id !== DEMO_APPLICATION_ID) {
      throw new InputError(`${file} exists and is not a demo database; the demo will not delete it: give another --db`, undefined, undefined, '--db');
    }
  }
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  const db = openDatabase(file);
  db.pragma(`application_id = ${DEMO_APPLICATION_ID}`);
  return db;
}

/**
 * Listens on `port` (0: any) the way the web service will, and gives the port back: a free port for `--port 0`,
 * and for a fixed one a check made before anything is deleted (a second demo must not wipe a running one's data).
 */
function probePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new InputError(`port ${port} is in use (is a demo already running?): give another with --port N (or PORT=N), or --port 0 for any free port`, undefined, undefined, '--port') : err),
    );
    s.listen(port, () => {
      const { port: got } = s.address() as net.AddressInfo;
      s.close(() => resolve(got));
    });
  });
}

function csvLine(cells: (string | number)[]): string {
  return cells.join(',') + '\n';
}

/** Instagram and Telegram day by day from the emulator's audience model, as an import-audience CSV. */
function writeSocialHistory(db: Db, emu: Emulator, file: string, today: string): void {
  const accounts = db
    .prepare(`SELECT a.platform, a.platform_id, o.slug FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE a.platform IN ('instagram', 'telegram') ORDER BY a.id`)
    .all() as { platform: string; platform_id: string; slug: string }[];
  const out = fs.openSync(file, 'w');
  try {
    fs.writeSync(out, csvLine(['org', 'platform', 'account', 'date', 'audience']));
    for (const a of accounts) {
      let chunk = '';
      for (let d = HISTORY_DAYS; d >= 1; d--) {
        const date = addDays(today, -d);
        chunk += csvLine([a.slug, a.platform, a.platform_id, date, emu.audience(a.platform_id, date)]);
      }
      fs.writeSync(out, chunk);
    }
  } finally {
    fs.closeSync(out);
  }
}

/** Newspaper subscriptions as the press service types them: one figure per half-year subscription campaign. */
function writeNewspaperFigures(db: Db, file: string, today: string): void {
  const papers = db
    .prepare(`SELECT a.platform_id, o.slug FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE a.platform = 'newspaper' ORDER BY a.id`)
    .all() as { platform_id: string; slug: string }[];
  const first = addDays(today, -HISTORY_DAYS);
  const year = Number(today.slice(0, 4));
  const dates = [year - 2, year - 1, year].flatMap((y) => [`${y}-01-10`, `${y}-07-10`]).filter((d) => d >= first && d <= today);
  let text = csvLine(['org', 'platform', 'account', 'date', 'audience']);
  papers.forEach((p, i) => {
    let v = 9_000 + 2_500 * i;
    dates.forEach((d, k) => {
      text += csvLine([p.slug, 'newspaper', p.platform_id, d, v]);
      v += 350 + ((k * 137 + i * 71) % 300); // each campaign brings a few hundred more subscribers
    });
  });
  fs.writeFileSync(file, text);
}

/**
 * Targets like the executive committee's: the national social audience +20 % by the end of the year
 * (resolution № 19 p. 2), newspapers +10 %, each region its own percentage, and Pavlodar's own from the
 * regional committee's resolution. Percentages differ so the targets review shows every status.
 */
export function demoTargets(db: Db, today: string): TargetInput[] {
  const year = today.slice(0, 4);
  const baseline_date = `${year}-01-01`;
  const due_date = `${year}-12-31`;
  const regions = db.prepare(`SELECT slug FROM organisations WHERE level = 'region' ORDER BY slug`).pluck().all() as string[];
  const percents = [15, 20, 25, 30, 35, 40];
  const targets: TargetInput[] = [
    { org: 'kz', platform: 'social', baseline_date, target_percent: 20, due_date, decision: NATIONAL_DECISION },
    { org: 'kz', platform: 'newspaper', baseline_date, target_percent: 10, due_date, decision: NATIONAL_DECISION },
    { org: 'kz', platform: 'telegram', baseline_date, target_percent: 12, due_date: `${year}-06-30`, decision: NATIONAL_DECISION },
  ];
  regions.forEach((slug, i) => {
    targets.push({ org: slug, platform: 'social', baseline_date, target_percent: percents[i % percents.length], due_date, decision: NATIONAL_DECISION });
  });
  if (regions.includes('pavlodar')) {
    targets.push({ org: 'pavlodar', platform: 'telegram', baseline_date, target_percent: 25, due_date, decision: PAVLODAR_DECISION });
    for (const slug of ['pavlodar-city', 'shcherbakty']) {
      targets.push({ org: slug, platform: 'social', baseline_date, target_percent: 30, due_date, decision: PAVLODAR_DECISION });
    }
  }
  return targets.filter((t) => t.baseline_date < today);
}

function realDatabasePath(env: NodeJS.ProcessEnv): string {
  return env.DATABASE_PATH?.trim() || './data/audience-growth.db';
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * The posts of the sample history older than a first read's window (posts.history_days), written through the posts
 * writer from the emulator's own model, as a read of those days would store them: two years of posts without
 * reading 730 days of preview pages at every start. The collect run then reads the recent window from the emulator.
 */
function seedOldPosts(db: Db, emu: Emulator, config: AppConfig, days: number, olderThanDays: number): number {
  const model = postsModel('demo');
  const now = Date.now();
  const todayUtc = Math.floor(now / 86_400_000);
  const accounts = db.prepare("SELECT id, platform, platform_id FROM accounts WHERE platform IN ('facebook', 'instagram', 'telegram') ORDER BY id").all() as { id: number; platform: ModelPlatform; platform_id: string }[];
  const batch: AccountPosts[] = [];
  for (const a of accounts) {
    const key = a.platform === 'telegram' ? a.platform_id.replace(/^@/, '').toLowerCase() : a.platform_id;
    const audienceId = a.platform === 'telegram' ? `@${key}` : a.platform_id;
    const posts: PostInput[] = [];
    for (let day = todayUtc - days; day < todayUtc - olderThanDays; day++) {
      const audience = emu.audience(audienceId, new Date(day * 86_400_000).toISOString().slice(0, 10));
      for (const p of model.postsOfDay(a.platform, key, day)) {
        if (p.deletedAt !== null && p.deletedAt <= now) continue;
        const c = model.counters(p, audience, now);
        if (a.platform === 'telegram') {
          const views = parseCount(formatPreviewCount(c.views))!;
          const reactions = c.emoji.reduce((n, [, k]) => n + parseCount(formatPreviewCount(k))!.value, 0);
          posts.push({ postId: String(p.messageId), publishedAt: p.publishedAt, kind: p.kind, text: p.text, url: `https://t.me/${key}/${p.messageId}`, forwarded: p.forwarded, reactions, comments: null, shares: null, views: views.value, viewsApproximate: views.approximate });
        } else if (a.platform === 'facebook') {
          const text = p.kind === 'photo' && hash32(p.id) % 10 === 0 ? '' : p.text;
          posts.push({ postId: p.id, publishedAt: p.publishedAt, kind: p.kind, text, url: `https://www.facebook.com/${a.platform_id}/posts/pfbid0${hash32(p.id).toString(36)}${p.day.toString(36)}`, forwarded: p.kind === 'link', reactions: c.reactions, comments: c.comments, shares: c.shares, views: c.views, viewsApproximate: false });
        } else {
          posts.push({ postId: p.id, publishedAt: p.publishedAt, kind: p.kind, text: p.text, url: `https://www.instagram.com/${p.kind === 'video' ? 'reel' : 'p'}/${Buffer.from(p.id).toString('base64url').slice(0, 11)}/`, forwarded: false, reactions: c.reactions, comments: c.comments, shares: null, views: p.kind === 'album' ? null : c.views, viewsApproximate: false });
        }
      }
    }
    batch.push({ accountId: a.id, posts, source: a.platform === 'telegram' ? 'preview' : 'api', readAt: now });
  }
  const written = savePosts(db, config.timezone, batch, { updateFigures: false });
  const fromDay = toEpochDay(localDate(config.timezone, new Date((todayUtc - days) * 86_400_000)));
  for (const a of accounts) recordPostsRead(db, config.timezone, a.id, now, { historyFromDay: fromDay });
  return written.inserted;
}

export async function startDemo(opts: DemoOptions = {}, services: ServiceFactory[] = SERVICES): Promise<Demo> {
  const started = Date.now();
  const env = opts.env ?? process.env;
  const say = opts.say ?? (() => {});
  const step = (text: string) => say(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${text}`);
  const dbPath = opts.dbPath ?? DEFAULT_DEMO_DB;
  const portText = env.PORT?.trim();
  let port = opts.port ?? (portText ? Number(portText) : 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`must be a port number 0-65535, got ${JSON.stringify(opts.port ?? portText)}`, undefined, undefined, '--port');

  port = await probePort(port);
  const db = recreateDemoDatabase(dbPath, realDatabasePath(env));
  const cleanup: Array<() => Promise<void> | void> = [() => void db.close()];
  const runCleanup = async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  };
  try {
    // The demo's system user has a task on every Page, as a real one must (README "Tokens").
    const emu = await startEmulator({ seed: 'demo', pageTasks: { 'demo-facebook-token': '*' } });
    cleanup.push(() => emu.close());
    step(`API emulator (Graph API + Bot API) on ${emu.url}`);

    // Only the emulator's addresses and demo tokens: a real token in the environment is never used.
    const config: AppConfig = loadConfig({
      file: EXAMPLE_TREE,
      env: {
        DATABASE_PATH: dbPath,
        PORT: String(port),
        FACEBOOK_ACCESS_TOKEN: 'demo-facebook-token',
        FACEBOOK_GRAPH_URL: emu.url,
        TELEGRAM_BOT_TOKEN: '123456789:demo-bot-token',
        TELEGRAM_API_ROOT: emu.url,
        TELEGRAM_PREVIEW_ROOT: emu.url,
        INSTAGRAM_GRAPH_URL: `${emu.url}/instagram`,
      },
    });
    config.telegram = { ...config.telegram, summaryChat: SUMMARY_CHAT, adminChat: ADMIN_CHAT };
    const today = localDate(config.timezone);

    const wired = createServices(db, config);
    const tree = importTree(db, readTreeFile(EXAMPLE_TREE), 'demo', wired);
    step(`loaded examples/union.yaml: ${tree.orgsCreated} organisations, ${tree.accountsCreated} accounts`);

    const dir = path.dirname(path.resolve(dbPath));
    const socialCsv = path.join(dir, 'demo-instagram-telegram.csv');
    const paperCsv = path.join(dir, 'demo-newspapers.csv');
    writeSocialHistory(db, emu, socialCsv, today);
    writeNewspaperFigures(db, paperCsv, today);
    // The rollups follow once, after today's collection: the imports' changes are kept until then.
    const pending = new Map<number, number>();
    const later: SnapshotsChanged = (_db, _config, changedFrom) => {
      for (const [id, day] of changedFrom) pending.set(id, Math.min(day, pending.get(id) ?? day));
    };
    const social = importAudience(db, socialCsv, { config, onSnapshotsChanged: later, source: 'import' });
    const papers = importAudience(db, paperCsv, { config, onSnapshotsChanged: later, source: 'manual' });
    step(`two years of Instagram and Telegram readings imported (${social.written} rows, ${path.relative(process.cwd(), socialCsv)}); ${papers.written} newspaper figures`);

    // Two years of posts: the older part written from the emulator's model, the last posts.history_days read below.
    const seeded = seedOldPosts(db, emu, config, HISTORY_DAYS, config.posts.historyDays);

    // Today's readings of every account, Facebook's history through Page Insights (page_follows), and the recent
    // posts of every channel, as a first collect reads them (the emulator's preview is local: read at its full
    // speed, not at the polite rate real t.me gets).
    const run = await runCollect({
      db,
      config,
      backfillDays: HISTORY_DAYS,
      trigger: 'demo',
      onSnapshotsChanged: wired.onSnapshotsChanged,
      posts: true,
      previewSettings: { ratePerSecond: 500 },
    });
    step(
      `collected today from the emulator: ${run.accountsOk} of ${run.accountsTotal} accounts in ${run.requests} requests; ` +
        `Facebook history: ${run.backfill?.snapshotsWritten ?? 0} daily readings of ${run.backfill?.accounts ?? 0} Pages; ` +
        `posts: ${run.posts?.inserted ?? 0} of the last ${config.posts.historyDays} days read from ${run.posts?.ok ?? 0} channels, ${seeded} older ones from the sample history`,
    );
    // The imports' changes (the collect run's own hook has already covered most of it).
    wired.onSnapshotsChanged(db, config, pending);

    // As if the channels' posts had been read every day of the sample history (silence needs a read on the
    // day or the two before it), then the posts' rubrics, counts and scores, so the first visit to the
    // publications pages is as fast as any other.
    const todayDay = toEpochDay(today);
    for (const id of db.prepare('SELECT account_id FROM post_collect_state WHERE last_ok_at IS NOT NULL').pluck().all() as number[]) {
      recordPostsReadDays(db, id, todayDay - HISTORY_DAYS, todayDay);
    }
    ensureInformationWork(db, config.rubrics);

    const targets = importTargets(db, demoTargets(db, today), { actor: 'demo', label: 'demo targets' });
    step(`${targets.created} targets set (national: social +20 % by ${today.slice(0, 4)}-12-31, ${NATIONAL_DECISION})`);

    const password = `demo-${crypto.randomBytes(6).toString('base64url')}`;
    addUser(db, { login: DEMO_LOGIN, password, role: 'admin', actor: 'demo' });

    // Last week's summary goes into the bot's outbox now; the bot service posts it once it starts.
    const weekLabel = lastWeekLabel(config);
    runWeeklySummary(db, config, new Outbox(db), { week: weekLabel });

    try {
      const stopServices = await startServices(wired, services);
      cleanup.push(stopServices);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new InputError(`port ${port} is in use: give another with --port N (or PORT=N), or --port 0 for any free port`, undefined, undefined, '--port');
      }
      throw err;
    }
    // The bot's sender delivers the queued summary: wait until it is in the emulator's message log.
    const posted = await waitFor(() => emu.messages.some((m) => m.chatId === SUMMARY_CHAT), 15_000);
    step(posted ? `bot posted the weekly summary of ${weekLabel} to ${SUMMARY_CHAT}` : `the weekly summary of ${weekLabel} is still queued for ${SUMMARY_CHAT}`);

    return {
      url: `http://localhost:${port}/`,
      emulatorUrl: emu.url,
      login: DEMO_LOGIN,
      password,
      dbPath: path.resolve(dbPath),
      week: weekLabel,
      readyMs: Date.now() - started,
      stop: runCleanup,
    };
  } catch (err) {
    await runCleanup();
    throw err;
  }
}
