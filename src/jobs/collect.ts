// The collect job: reads every selected account through its platform's collector and stores one
// snapshot per account per local date, with a run record and a failure record per failed account.
// Never overlaps itself (a lock row in the database), and a failed reading is a gap, never a zero.
import os from 'node:os';
import crypto from 'node:crypto';
import type { Db } from '../../db';
import { orgBySlug, subtreeIds, type AccountRow } from '../../db/orgs';
import { InputError, type AppConfig } from '../config';
import { localDate, toEpochDay } from '../domain/dates';
import { createLogger, type Logger } from '../log';
import { afterSnapshotsChanged } from './hooks';
import { collectSettings, createDefaultRegistry, type CollectorRegistry } from '../../collectors/registry';
import { CollectorError, redact, registerSecret, type FailureKind } from '../../collectors/http';
import { MAX_BACKFILL_DAYS } from '../../collectors/facebook';
import { collectPosts, type PostsCollectResult } from './collect-posts';
import { COLLECTED_PLATFORMS, type AccountTarget, type CollectedPlatform, type CollectOutcome, type CollectSettings, type HistoryOutcome } from '../../collectors/types';

export const SOURCE_API = 0;
export const SOURCE_BACKFILL = 1;
const LOCK_NAME = 'collect';
const HEARTBEAT_MS = 15_000;

export type CollectTrigger = 'schedule' | 'manual' | 'admin' | 'demo';

export interface CollectJobOptions {
  db: Db;
  config: AppConfig;
  /** Where per-account `token_env` variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  platform?: CollectedPlatform;
  orgSlug?: string;
  /** One account: its platform id as configured (`@channel`, a Page id…) or its accounts.id. */
  account?: string;
  /** Also read this many days of Page Insights history for Facebook Pages (1…730). */
  backfillDays?: number;
  trigger?: CollectTrigger;
  /** Overrides of the collector settings (tests and the bench use short delays). */
  settings?: Partial<CollectSettings>;
  /** Replaces the default collectors (tests). */
  registry?: CollectorRegistry;
  logger?: Logger;
  /** A lock whose heartbeat is older than this is taken over (default 2 min). */
  lockStaleMs?: number;
  /** Called after the run is recorded, with its result; failures are logged, never fatal. */
  afterCollect?: (result: CollectResult) => void | Promise<void>;
  /** Accounts read so far; with `--backfill`, then the Pages whose history is read ('backfill'), then posts ('posts'). */
  onProgress?: (done: number, total: number, phase?: 'accounts' | 'backfill' | 'posts') => void;
  /** Read posts too (DESIGN §11; the CLI, scheduler and demo ask for it), or only posts (`--posts-only`). */
  posts?: boolean;
  postsOnly?: boolean;
  /** `--posts-history DAYS`: read this many days of posts back, whatever is known. */
  postsHistoryDays?: number;
  /** Take channel posts from getUpdates (only when no bot service is polling; default false). */
  takeUpdates?: boolean;
  /** Overrides of the Telegram preview reader (tests and the bench). */
  previewSettings?: Partial<import('../../collectors/posts/telegram-preview').PreviewSettings>;
}

export interface CollectFailure {
  accountId: number;
  platform: CollectedPlatform;
  platformId: string;
  kind: FailureKind;
  message: string;
  /** True when the failure is of the history (backfill) read only. */
  backfill?: boolean;
}

export interface PlatformStats {
  accounts: number;
  ok: number;
  failed: number;
  requests: number;
  wallMs: number;
}

export interface CollectResult {
  runId: number;
  status: 'finished' | 'failed';
  /** Local date (YYYY-MM-DD, configured time zone) the run started on. */
  date: string;
  accountsTotal: number;
  accountsOk: number;
  accountsFailed: number;
  requests: number;
  durationMs: number;
  perPlatform: Partial<Record<CollectedPlatform, PlatformStats>>;
  backfill?: { accounts: number; failed: number; snapshotsWritten: number; requests: number; wallMs: number };
  failures: CollectFailure[];
  /** account id → earliest local day written (what the rollups must recompute from). */
  changedFrom: Map<number, number>;
  /** The posts read, when posts were read. */
  posts?: PostsCollectResult;
}

/** Another collect run holds the lock. */
export class CollectBusyError extends Error {
  constructor(readonly holder: { pid: number; host: string; since: number }) {
    super(`another collect run is in progress (pid ${holder.pid} on ${holder.host}, since ${new Date(holder.since).toISOString()})`);
    this.name = 'CollectBusyError';
  }
}

/** The collector settings the app config implies (config `collect` section and env URLs). */
export function settingsFromConfig(config: AppConfig, overrides: Partial<CollectSettings> = {}): CollectSettings {
  return collectSettings({
    graphUrl: config.env.facebookGraphUrl,
    telegramApiRoot: config.env.telegramApiRoot,
    concurrency: config.collect?.concurrency,
    telegramRatePerSecond: config.collect?.telegramRate,
    batchSize: config.collect?.graphBatchSize,
    timeoutMs: config.collect?.timeoutMs,
    maxRetries: config.collect?.maxRetries,
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------
// The lock.

const heldHere = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockRow {
  owner: string;
  pid: number;
  host: string;
  acquired_at: number;
  heartbeat_at: number;
}

/** Takes the job lock or throws CollectBusyError; a lock left by a dead process is taken over. */
export function acquireLock(db: Db, name: string, staleMs: number): string {
  const owner = crypto.randomUUID();
  const host = os.hostname();
  db.transaction(() => {
    const row = db.prepare('SELECT owner, pid, host, acquired_at, heartbeat_at FROM job_locks WHERE name = ?').get(name) as LockRow | undefined;
    if (row) {
      const fresh = Date.now() - row.heartbeat_at < staleMs;
      const holderAlive = row.host !== host ? fresh : row.pid === process.pid ? heldHere.has(row.owner) : pidAlive(row.pid) && fresh;
      if (holderAlive) throw new CollectBusyError({ pid: row.pid, host: row.host, since: row.acquired_at });
    }
    const now = Date.now();
    db.prepare(
      `INSERT INTO job_locks (name, owner, pid, host, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
         acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
    ).run(name, owner, process.pid, host, now, now);
  }).immediate();
  heldHere.add(owner);
  return owner;
}

export function releaseLock(db: Db, name: string, owner: string): void {
  heldHere.delete(owner);
  db.prepare('DELETE FROM job_locks WHERE name = ? AND owner = ?').run(name, owner);
}

// ---------------------------------------------------------------------------------------------
// Selecting accounts.

export function selectAccounts(db: Db, opts: Pick<CollectJobOptions, 'platform' | 'orgSlug' | 'account'>, today: number): AccountRow[] {
  if (opts.platform && !COLLECTED_PLATFORMS.includes(opts.platform)) {
    throw new InputError(`must be one of ${COLLECTED_PLATFORMS.join(', ')}, got ${JSON.stringify(opts.platform)}`, undefined, undefined, '--platform');
  }
  let rows = db
    .prepare(
      `SELECT id, org_id, platform, platform_id, page_id, resolved_id, title, token_env, closed_day FROM accounts
       WHERE platform IN ('facebook', 'instagram', 'telegram') AND (closed_day IS NULL OR closed_day > ?) ORDER BY id`,
    )
    .all(today) as AccountRow[];
  if (opts.platform) rows = rows.filter((r) => r.platform === opts.platform);
  if (opts.orgSlug) {
    const org = orgBySlug(db, opts.orgSlug);
    if (!org) throw new InputError(`no organisation with slug ${JSON.stringify(opts.orgSlug)}`, undefined, undefined, '--org');
    const ids = new Set(subtreeIds(db, org.id));
    rows = rows.filter((r) => ids.has(r.org_id));
  }
  if (opts.account !== undefined) {
    const want = opts.account.trim();
    let match = rows.filter((r) => r.platform_id === want || r.platform_id.toLowerCase() === want.toLowerCase());
    if (match.length === 0 && /^\d+$/.test(want)) match = rows.filter((r) => r.id === Number(want));
    if (match.length === 0) throw new InputError(`no collected account ${JSON.stringify(want)} (give its platform id or number) among the selected ones`, undefined, undefined, '--account');
    rows = match;
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The job.

export async function runCollect(opts: CollectJobOptions): Promise<CollectResult> {
  const { db, config } = opts;
  const log = opts.logger ?? createLogger('collect');
  const env = opts.env ?? process.env;
  const tz = config.timezone;
  const started = Date.now();
  const date = localDate(tz, new Date(started));
  if (opts.backfillDays !== undefined && !(Number.isInteger(opts.backfillDays) && opts.backfillDays >= 1 && opts.backfillDays <= MAX_BACKFILL_DAYS)) {
    throw new InputError(`must be a whole number of days from 1 to ${MAX_BACKFILL_DAYS}, got ${opts.backfillDays}`, undefined, undefined, '--backfill');
  }
  const settings = settingsFromConfig(config, opts.settings);
  const registry = opts.registry ?? createDefaultRegistry(settings);
  registerSecret(config.env.facebookToken);
  registerSecret(config.env.telegramBotToken);

  const rows = selectAccounts(db, opts, toEpochDay(date));
  const owner = acquireLock(db, LOCK_NAME, opts.lockStaleMs ?? 120_000);
  const heartbeat = setInterval(() => {
    try {
      db.prepare('UPDATE job_locks SET heartbeat_at = ? WHERE name = ? AND owner = ?').run(Date.now(), LOCK_NAME, owner);
    } catch (e) {
      log.warn('lock heartbeat failed', { error: (e as Error).message });
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  let runId = 0;
  try {
    const stale = db
      .prepare(`UPDATE collection_runs SET status = 'interrupted', finished_at = ?, error = 'the process stopped before the run finished' WHERE status = 'running'`)
      .run(Date.now());
    if (stale.changes > 0) log.warn('earlier runs left running were marked interrupted', { runs: stale.changes });

    runId = Number(
      db
        .prepare('INSERT INTO collection_runs (started_at, status, trigger, platform, org_slug, backfill_days, accounts_total) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(started, 'running', opts.trigger ?? 'manual', opts.platform ?? null, opts.orgSlug ?? null, opts.backfillDays ?? null, rows.length).lastInsertRowid,
    );
    log.info('collect started', { run: runId, accounts: rows.length, platform: opts.platform, org: opts.orgSlug, backfill_days: opts.backfillDays, date });

    const result = opts.postsOnly
      ? emptyResult(runId, date, rows.length)
      : await collectRows(db, rows, runId, registry, config, env, opts, log, date);
    if (opts.posts === true || opts.postsOnly) {
      const postRows = [...rows, ...closedAwaitingPosts(db, opts, toEpochDay(date))];
      result.posts = await collectPosts({
        db,
        config,
        env,
        runId,
        rows: postRows,
        settings,
        preview: opts.previewSettings,
        historyDays: opts.postsHistoryDays,
        takeUpdates: opts.takeUpdates,
        log,
        onProgress: (done, total) => opts.onProgress?.(done, total, 'posts'),
      });
      if (opts.postsOnly) {
        result.accountsTotal = result.posts.accounts;
        result.accountsOk = result.posts.ok;
        result.accountsFailed = result.posts.failed;
      }
      result.requests += result.posts.graphRequests + result.posts.previewRequests + result.posts.botRequests;
    }
    result.durationMs = Date.now() - started;
    db.prepare(
      `UPDATE collection_runs SET status = 'finished', finished_at = ?, accounts_ok = ?, accounts_failed = ?, requests = ?, duration_ms = ? WHERE id = ?`,
    ).run(Date.now(), result.accountsOk, result.accountsFailed, result.requests, result.durationMs, runId);
    log.info('collect finished', {
      run: runId,
      accounts: result.accountsTotal,
      ok: result.accountsOk,
      failed: result.accountsFailed,
      requests: result.requests,
      duration_ms: result.durationMs,
    });

    try {
      afterSnapshotsChanged(db, config, result.changedFrom);
    } catch (e) {
      log.error('updating rollups after collect failed', { run: runId, error: redact((e as Error).message) });
    }
    if (opts.afterCollect) {
      try {
        await opts.afterCollect(result);
      } catch (e) {
        log.error('afterCollect hook failed', { run: runId, error: redact((e as Error).message) });
      }
    }
    return result;
  } catch (e) {
    const message = redact(e instanceof Error ? e.message : String(e));
    if (runId) {
      db.prepare(`UPDATE collection_runs SET status = 'failed', finished_at = ?, duration_ms = ?, error = ? WHERE id = ?`).run(Date.now(), Date.now() - started, message, runId);
    }
    log.error('collect failed', { run: runId || undefined, error: message });
    throw e;
  } finally {
    clearInterval(heartbeat);
    releaseLock(db, LOCK_NAME, owner);
  }
}

function emptyResult(runId: number, date: string, total: number): CollectResult {
  return { runId, status: 'finished', date, accountsTotal: total, accountsOk: 0, accountsFailed: 0, requests: 0, durationMs: 0, perPlatform: {}, failures: [], changedFrom: new Map() };
}

/** Closed accounts whose posts up to the closing are not all known yet: read until one read after the closing succeeded. */
function closedAwaitingPosts(db: Db, opts: Pick<CollectJobOptions, 'platform' | 'orgSlug' | 'account'>, today: number): AccountRow[] {
  if (opts.account !== undefined) return [];
  let rows = db
    .prepare(
      `SELECT a.id, a.org_id, a.platform, a.platform_id, a.page_id, a.resolved_id, a.title, a.token_env, a.closed_day FROM accounts a
       LEFT JOIN post_collect_state s ON s.account_id = a.id
       WHERE a.platform IN ('facebook', 'instagram', 'telegram') AND a.closed_day IS NOT NULL AND a.closed_day <= ?
         AND (s.last_ok_at IS NULL OR s.last_ok_at < (a.closed_day + 1) * 86400000) ORDER BY a.id`,
    )
    .all(today) as AccountRow[];
  if (opts.platform) rows = rows.filter((r) => r.platform === opts.platform);
  if (opts.orgSlug) {
    const org = orgBySlug(db, opts.orgSlug);
    const ids = new Set(org ? subtreeIds(db, org.id) : []);
    rows = rows.filter((r) => ids.has(r.org_id));
  }
  return rows;
}

async function collectRows(
  db: Db,
  rows: AccountRow[],
  runId: number,
  registry: CollectorRegistry,
  config: AppConfig,
  env: NodeJS.ProcessEnv,
  opts: CollectJobOptions,
  log: Logger,
  startDate: string,
): Promise<CollectResult> {
  const tz = config.timezone;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const failures: CollectFailure[] = [];
  const changedFrom = new Map<number, number>();
  const perPlatform: Partial<Record<CollectedPlatform, PlatformStats>> = {};
  let done = 0;

  const upsertApi = db.prepare(
    `INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, ${SOURCE_API}, ?)
     ON CONFLICT(account_id, day) DO UPDATE SET audience = excluded.audience, source = ${SOURCE_API}, collected_at = excluded.collected_at`,
  );
  // History never replaces a reading taken by the API, entered by hand or imported.
  const upsertBackfill = db.prepare(
    `INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, ${SOURCE_BACKFILL}, ?)
     ON CONFLICT(account_id, day) DO UPDATE SET audience = excluded.audience, collected_at = excluded.collected_at
     WHERE snapshots.source = ${SOURCE_BACKFILL} AND snapshots.audience <> excluded.audience`,
  );
  const setTitle = db.prepare('UPDATE accounts SET title = ?, updated_at = ? WHERE id = ? AND title IS NULL');
  const setResolved = db.prepare('UPDATE accounts SET resolved_id = ?, updated_at = ? WHERE id = ? AND resolved_id IS NOT ?');
  const insertFailure = db.prepare(
    'INSERT INTO collection_failures (run_id, account_id, kind, message, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(run_id, account_id) DO NOTHING',
  );

  // Readings arrive ~50 at a time (one Graph batch): they are written together, one transaction per
  // turn of the event loop, so a killed process loses at most the batch in hand and never half of one.
  let queue: Array<() => void> = [];
  const flush = db.transaction(() => {
    const q = queue;
    queue = [];
    for (const w of q) w();
  });
  const write = (w: () => void) => {
    queue.push(w);
    if (queue.length === 1) setImmediate(() => queue.length && flush());
  };

  const markChanged = (accountId: number, day: number) => {
    const prev = changedFrom.get(accountId);
    if (prev === undefined || day < prev) changedFrom.set(accountId, day);
  };
  const fail = (row: AccountRow, error: CollectorError | { kind: FailureKind; message: string }, backfill = false) => {
    const message = redact(backfill ? `backfill: ${error.message}` : error.message);
    failures.push({ accountId: row.id, platform: row.platform as CollectedPlatform, platformId: row.platform_id, kind: error.kind, message, backfill: backfill || undefined });
    const at = Date.now();
    write(() => insertFailure.run(runId, row.id, error.kind, message, at));
  };

  // Tokens: per-account env variable, else the platform default. A missing token fails its accounts only.
  const targets = new Map<CollectedPlatform, AccountTarget[]>();
  for (const row of rows) {
    const platform = row.platform as CollectedPlatform;
    const stats = (perPlatform[platform] ??= { accounts: 0, ok: 0, failed: 0, requests: 0, wallMs: 0 });
    stats.accounts++;
    const graph = platform !== 'telegram';
    const tokenKey = row.token_env ?? (graph ? 'FACEBOOK_ACCESS_TOKEN' : 'TELEGRAM_BOT_TOKEN');
    const token = row.token_env ? env[row.token_env]?.trim() || undefined : graph ? config.env.facebookToken : config.env.telegramBotToken;
    registerSecret(token);
    if (!token) {
      fail(row, { kind: 'invalid_token', message: `no token: the environment variable ${tokenKey} is not set` });
      stats.failed++;
      opts.onProgress?.(++done, rows.length);
      continue;
    }
    const list = targets.get(platform) ?? [];
    list.push({ accountId: row.id, platform, platformId: row.platform_id, pageId: row.page_id, resolvedId: row.resolved_id, title: row.title, token, tokenKey });
    targets.set(platform, list);
  }

  const collectLog = (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => log[level](msg, fields);

  await Promise.all(
    [...targets.entries()].map(async ([platform, accounts]) => {
      const collector = registry.get(platform);
      const stats = perPlatform[platform]!;
      if (!collector) {
        for (const a of accounts) {
          fail(byId.get(a.accountId)!, { kind: 'other', message: `no collector registered for ${platform}` });
          stats.failed++;
        }
        return;
      }
      const seen = new Set<number>();
      const t0 = Date.now();
      const report = (o: CollectOutcome) => {
        const accountId = o.ok ? o.reading.accountId : o.accountId;
        const row = byId.get(accountId);
        if (!row || seen.has(accountId)) return; // exactly once per account, whatever a collector does
        seen.add(accountId);
        if (o.ok) {
          const r = o.reading;
          const day = toEpochDay(localDate(tz, new Date(r.at)));
          write(() => {
            upsertApi.run(accountId, day, r.audience, r.at);
            if (r.title && !row.title) setTitle.run(r.title, Date.now(), accountId);
            if (r.resolvedId && r.resolvedId !== row.resolved_id) setResolved.run(r.resolvedId, Date.now(), accountId, r.resolvedId);
          });
          markChanged(accountId, day);
          stats.ok++;
        } else {
          fail(row, o.error);
          stats.failed++;
        }
        opts.onProgress?.(++done, rows.length);
      };
      try {
        await collector.collect(accounts, { report, countRequest: (n = 1) => (stats.requests += n), log: collectLog });
      } catch (e) {
        log.error('collector failed', { platform, error: redact((e as Error).message) });
      }
      // A collector that forgot an account (or threw) leaves a recorded gap, never a silent one.
      for (const a of accounts) {
        if (!seen.has(a.accountId)) report({ ok: false, accountId: a.accountId, error: new CollectorError('other', 'the collector returned no reading') });
      }
      stats.wallMs = Date.now() - t0;
    }),
  );

  if (queue.length) flush();

  let backfill: CollectResult['backfill'];
  const fbTargets = targets.get('facebook') ?? [];
  if (opts.backfillDays && fbTargets.length > 0) {
    const collector = registry.get('facebook');
    if (collector?.backfill) {
      const t0 = Date.now();
      backfill = { accounts: fbTargets.length, failed: 0, snapshotsWritten: 0, requests: 0, wallMs: 0 };
      const b = backfill;
      let historiesDone = 0;
      const store = db.transaction((accountId: number, points: { endTime: number; audience: number }[]) => {
        let first: number | undefined;
        for (const p of points) {
          // page_follows is the total at end_time (midnight Pacific): it belongs to the local date of the instant just before.
          const day = toEpochDay(localDate(tz, new Date(p.endTime - 1)));
          if (upsertBackfill.run(accountId, day, p.audience, Date.now()).changes > 0) {
            b.snapshotsWritten++;
            first = first === undefined ? day : Math.min(first, day);
          }
        }
        if (first !== undefined) markChanged(accountId, first);
      });
      await collector.backfill(
        fbTargets,
        opts.backfillDays,
        {
          report: (o: HistoryOutcome) => {
            const row = byId.get(o.accountId);
            if (!row) return;
            if (o.points?.length) store(o.accountId, o.points);
            if (!o.ok) {
              b.failed++;
              fail(row, o.error, true);
            }
            opts.onProgress?.(++historiesDone, fbTargets.length, 'backfill');
          },
          countRequest: (n = 1) => (b.requests += n),
          log: collectLog,
        },
        new Date(),
      );
      b.wallMs = Date.now() - t0;
      log.info('backfill finished', { days: opts.backfillDays, accounts: b.accounts, failed: b.failed, snapshots: b.snapshotsWritten, requests: b.requests });
    }
  }

  if (queue.length) flush();
  const stats = Object.values(perPlatform);
  const accountsOk = stats.reduce((s, p) => s + p.ok, 0);
  return {
    runId,
    status: 'finished',
    date: startDate,
    accountsTotal: rows.length,
    accountsOk,
    accountsFailed: rows.length - accountsOk,
    requests: stats.reduce((s, p) => s + p.requests, 0) + (backfill?.requests ?? 0),
    durationMs: 0,
    perPlatform,
    backfill,
    failures,
    changedFrom,
  };
}
