// The collect job: reads every selected account through its platform's collector and stores one
// snapshot per account per local date, with a run record and a failure record per failed account.
// Never overlaps itself (a lock row in the database), and a failed reading is a gap, never a zero.
//
// The parts, sharing one run context (context.ts): the lock (lock.ts), token resolution (tokens.ts),
// per-platform collection (platforms.ts), the history backfill (backfill.ts); every snapshot goes through
// the one writer (db/snapshots.ts), which fires the compute hook once at the end of the run.
import type { Db } from '../../../db';
import { busyBound, retryBusy, retryWriteTx } from '../../../db/write';
import { orgBySlug, type AccountRow } from '../../../db/orgs';
import { subtreeIds } from '../../growth/tree';
import { InputError, type AppConfig } from '../../config';
import { localDate, toEpochDay } from '../../domain/dates';
import { createLogger } from '../../log';
import { collectSettings, createDefaultRegistry } from '../../../collectors/registry';
import { redact } from '../../../collectors/http';
import { MAX_BACKFILL_DAYS } from '../../../collectors/facebook';
import { COLLECTED_PLATFORMS, type CollectSettings } from '../../../collectors/types';
import { acquireLock, keepAlive, releaseLock } from './lock';
import { CollectRun } from './context';
import { resolveTokens } from './tokens';
import { collectPlatform } from './platforms';
import { runBackfill } from './backfill';
import { loginTokenOf, refreshTokenFiles } from '../../instagram-tokens';
import { GraphTransport } from '../../../collectors/graph';
import type { CollectJobOptions, CollectResult } from './types';
import { collectPosts, sinceFor } from './posts';
import type { GraphPostsResult } from '../../../collectors/types';

export { CollectBusyError, acquireLock, releaseLock } from './lock';
export type { BackfillStats, CollectFailure, CollectJobOptions, CollectResult, CollectTrigger, PlatformStats } from './types';

const LOCK_NAME = 'collect';
const HEARTBEAT_MS = 15_000;

/** The collector settings the app config implies (config `collect` section and env URLs). */
export function settingsFromConfig(config: AppConfig, overrides: Partial<CollectSettings> = {}): CollectSettings {
  return collectSettings({
    graphUrl: config.env.facebookGraphUrl,
    instagramGraphUrl: config.env.instagramGraphUrl,
    appSecret: config.env.facebookAppSecret,
    telegramApiRoot: config.env.telegramApiRoot,
    concurrency: config.collect?.concurrency,
    telegramRatePerSecond: config.collect?.telegramRate,
    batchSize: config.collect?.graphBatchSize,
    timeoutMs: config.collect?.timeoutMs,
    maxRetries: config.collect?.maxRetries,
    ...overrides,
  });
}

export function selectAccounts(db: Db, opts: Pick<CollectJobOptions, 'platform' | 'orgSlug' | 'account'>, today: number): AccountRow[] {
  if (opts.platform && !COLLECTED_PLATFORMS.includes(opts.platform)) {
    throw new InputError(`must be one of ${COLLECTED_PLATFORMS.join(', ')}, got ${JSON.stringify(opts.platform)}`, undefined, undefined, '--platform');
  }
  let rows = db
    .prepare(
      `SELECT id, org_id, platform, platform_id, page_id, resolved_id, title, token_env, closed_day, api, token_file FROM accounts
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

export async function runCollect(opts: CollectJobOptions): Promise<CollectResult> {
  const { db, config } = opts;
  const log = opts.logger ?? createLogger('collect');
  const started = Date.now();
  const date = localDate(config.timezone, new Date(started));
  if (opts.backfillDays !== undefined && !(Number.isInteger(opts.backfillDays) && opts.backfillDays >= 1 && opts.backfillDays <= MAX_BACKFILL_DAYS)) {
    throw new InputError(`must be a whole number of days from 1 to ${MAX_BACKFILL_DAYS}, got ${opts.backfillDays}`, undefined, undefined, '--backfill');
  }
  const settings = settingsFromConfig(config, opts.settings);
  const registry = opts.registry ?? createDefaultRegistry(settings);

  const rows = selectAccounts(db, opts, toEpochDay(date));
  const owner = await retryBusy(db, () => acquireLock(db, LOCK_NAME, opts.lockStaleMs ?? 120_000));
  const stopHeartbeat = keepAlive(db, LOCK_NAME, owner, HEARTBEAT_MS, (e) => log.warn('lock heartbeat failed', { error: e.message }));

  let runId = 0;
  try {
    const stale = await retryWriteTx(db, () =>
      db
        .prepare(`UPDATE collection_runs SET status = 'interrupted', finished_at = ?, error = 'the process stopped before the run finished' WHERE status = 'running'`)
        .run(Date.now()),
    );
    if (stale.changes > 0) log.warn('earlier runs left running were marked interrupted', { runs: stale.changes });

    runId = await retryWriteTx(db, () =>
      Number(
        db
          .prepare('INSERT INTO collection_runs (started_at, status, trigger, platform, org_slug, backfill_days, accounts_total) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(started, 'running', opts.trigger ?? 'manual', opts.platform ?? null, opts.orgSlug ?? null, opts.backfillDays ?? null, rows.length).lastInsertRowid,
      ),
    );
    log.info('collect started', { run: runId, accounts: rows.length, platform: opts.platform, org: opts.orgSlug, backfill_days: opts.backfillDays, date });

    const run = new CollectRun(db, config, opts, runId, rows, log);
    const withPosts = opts.posts === true || opts.postsOnly === true;
    const postRows = withPosts ? [...rows, ...closedAwaitingPosts(db, opts, toEpochDay(date))] : [];
    const since = withPosts ? sinceFor(db, postRows, Date.now(), config.posts.refreshDays, config.posts.historyDays, opts.postsHistoryDays) : undefined;
    // Facebook and Instagram posts ride in the audience reads' Graph entries (one entry per account)
    const alongside = new Map<number, GraphPostsResult>();
    if (withPosts && !opts.postsOnly) {
      const graphIds = new Set(rows.filter((r) => r.platform === 'facebook' || r.platform === 'instagram').map((r) => r.id));
      run.postsAlongside = { sinceOf: (id) => (graphIds.has(id) ? since!.get(id) : undefined), report: (r) => void (alongside.has(r.accountId) || alongside.set(r.accountId, r)) };
    }
    const result = opts.postsOnly ? emptyResult(runId, date, rows.length) : await collectRows(run, registry, settings, opts.env ?? process.env, date);
    if (withPosts) {
      result.posts = await collectPosts({
        db,
        config,
        env: opts.env ?? process.env,
        runId,
        rows: postRows,
        settings,
        preview: opts.previewSettings,
        historyDays: opts.postsHistoryDays,
        takeUpdates: opts.takeUpdates,
        since,
        alongside,
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
    await retryWriteTx(db, () =>
      db
        .prepare(`UPDATE collection_runs SET status = 'finished', finished_at = ?, accounts_ok = ?, accounts_failed = ?, requests = ?, duration_ms = ? WHERE id = ?`)
        .run(Date.now(), result.accountsOk, result.accountsFailed, result.requests, result.durationMs, runId),
    );
    log.info('collect finished', {
      run: runId,
      accounts: result.accountsTotal,
      ok: result.accountsOk,
      failed: result.accountsFailed,
      requests: result.requests,
      duration_ms: result.durationMs,
    });

    try {
      run.writer.finish();
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
      try {
        // the outcome is worth a longer wait than a batch of readings: three bounds
        await retryWriteTx(
          db,
          () => db.prepare(`UPDATE collection_runs SET status = 'failed', finished_at = ?, duration_ms = ?, error = ? WHERE id = ?`).run(Date.now(), Date.now() - started, message, runId),
          { boundMs: 3 * busyBound(db) },
        );
      } catch (recordError) {
        // The next run marks it interrupted; the failure itself is in the log.
        log.error('recording the failed run failed', { run: runId, error: redact((recordError as Error).message) });
      }
    }
    log.error('collect failed', { run: runId || undefined, error: message });
    throw e;
  } finally {
    stopHeartbeat();
    try {
      await retryBusy(db, () => releaseLock(db, LOCK_NAME, owner));
    } catch (unlockError) {
      // A lock left behind is taken over by the next run (its holder is this process, no longer running it).
      log.error('releasing the collect lock failed', { error: redact((unlockError as Error).message) });
    }
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
      `SELECT a.id, a.org_id, a.platform, a.platform_id, a.page_id, a.resolved_id, a.title, a.token_env, a.closed_day, a.api, a.token_file FROM accounts a
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

async function collectRows(run: CollectRun, registry: ReturnType<typeof createDefaultRegistry>, settings: CollectSettings, env: NodeJS.ProcessEnv, startDate: string): Promise<CollectResult> {
  const { rows, opts } = run;
  for (const row of rows) run.stats(row.platform as never).accounts++;

  // Instagram Login tokens: read from their files or variables; files close to expiry are refreshed first.
  const login = rows.filter((r) => r.api === 'instagram_login').map((r) => loginTokenOf(r, env));
  if (login.length) await refreshTokenFiles(login, new GraphTransport(settings), run.log);
  const { targets, missing } = resolveTokens(rows, run.config, env, new Map(login.map((t) => [t.accountId, t])));
  for (const { row, message } of missing) {
    run.fail(row, { kind: 'invalid_token', message });
    run.stats(row.platform as never).failed++;
    run.progress();
  }

  await Promise.all([...targets.entries()].map(([platform, accounts]) => collectPlatform(run, platform, accounts, registry.get(platform))));
  await run.flush();

  let backfill: CollectResult['backfill'];
  const pages = targets.get('facebook') ?? [];
  const facebook = registry.get('facebook');
  if (opts.backfillDays && facebook) backfill = await runBackfill(run, facebook, pages, opts.backfillDays);
  await run.flush();

  const stats = Object.values(run.perPlatform);
  const accountsOk = stats.reduce((s, p) => s + p.ok, 0);
  return {
    runId: run.runId,
    status: 'finished',
    date: startDate,
    accountsTotal: rows.length,
    accountsOk,
    accountsFailed: rows.length - accountsOk,
    requests: stats.reduce((s, p) => s + p.requests, 0) + (backfill?.requests ?? 0),
    durationMs: 0,
    perPlatform: run.perPlatform,
    backfill,
    failures: run.failures,
    changedFrom: run.writer.changedFrom,
  };
}
