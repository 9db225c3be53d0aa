// Posts collection (DESIGN §11), run by the collect job after the audience reads, or alone (`--posts-only`):
// for each account, new posts since its newest known one (the first time: the last posts.history_days) and
// fresh counters for the posts of the last posts.refresh_days. Facebook Pages through their Page tokens in
// Graph batches, Instagram through /media, public Telegram channels through the web preview, and channel
// posts from Bot API updates when no bot service is polling. A failed read is a gap, never "no posts":
// it writes no post and no read day, and is recorded per run and account like audience failures.
import { writeTx } from '../../../db/write';
import axios from 'axios';
import type { Db } from '../../../db';
import type { AccountRow } from '../../../db/orgs';
import type { AppConfig } from '../../config';
import { toEpochDay, localDate } from '../../domain/dates';
import type { Logger } from '../../log';
import { GraphClient, GraphTransport } from '../../../collectors/graph';
import { resolvePageTokens, type PageTokenOutcome } from '../../../collectors/page-tokens';
import { CollectorError, MalformedResponseError, redact, registerSecret, type FailureKind } from '../../../collectors/http';
import type { CollectSettings } from '../../../collectors/types';
import { GraphPostsRead, readPostsDirect, type GraphPostsResult, type GraphPostsTarget } from '../../../collectors/posts/graph-posts';
import { loginTokenOf } from '../../instagram-tokens';
import { DEFAULT_PREVIEW_SETTINGS, NoPublicPreviewError, TelegramPreviewReader, previewName, type PreviewSettings } from '../../../collectors/posts/telegram-preview';
import { recordPostsFailure, recordPostsRead, savePosts, type AccountPosts, type PostInput } from '../../posts/store';
import { POST_UPDATE_TYPES, savePostUpdates, type TgUpdate } from '../../posts/telegram-updates';
import { ensureInformationWork } from '../../publications/measures-data';

const DAY_MS = 86_400_000;
/** Accounts whose results are written in one transaction: a killed run loses at most these. */
const WRITE_EVERY = 50;

export interface PostsCollectOptions {
  db: Db;
  config: AppConfig;
  env: NodeJS.ProcessEnv;
  runId: number | null;
  /** The accounts to read (facebook, instagram, telegram). */
  rows: readonly AccountRow[];
  settings: CollectSettings;
  preview?: Partial<PreviewSettings>;
  /** `--posts-history DAYS`: read this many days back whatever is known. */
  historyDays?: number;
  /** Poll getUpdates for channel posts (only when no bot service is polling this token). */
  takeUpdates?: boolean;
  log: Logger;
  onProgress?: (done: number, total: number) => void;
  now?: number;
  /** The read windows (sinceFor), when the caller computed them before the audience reads. */
  since?: Map<number, number>;
  /** Posts already read alongside the audience (same Graph entries): used as they are, not read again. */
  alongside?: ReadonlyMap<number, GraphPostsResult>;
}

export interface PostsFailure {
  accountId: number;
  platform: string;
  platformId: string;
  kind: FailureKind;
  message: string;
  noPreview?: boolean;
}

export interface PostsCollectResult {
  accounts: number;
  ok: number;
  failed: number;
  inserted: number;
  updated: number;
  deleted: number;
  graphRequests: number;
  previewRequests: number;
  botRequests: number;
  updatesPosts: number;
  wallMs: number;
  failures: PostsFailure[];
}

/**
 * The read window of each account (DESIGN §11): the last `history_days` until a complete read has reached that
 * far back once (post_collect_state.history_from, set by a complete read of any depth: a partial first read, or posts that arrived only as Bot API
 * updates, leave it unset, so the history is read again), then from its newest known post, or the refresh
 * window when that reaches further back. The newest post's own second is read again (Graph's `since`
 * boundary is not documented as inclusive): a post is never missed at the edge.
 */
export function sinceFor(db: Db, rows: readonly AccountRow[], now: number, refreshDays: number, historyDays: number, forcedDays?: number): Map<number, number> {
  const newest = db.prepare('SELECT max(published_at) FROM (SELECT published_at FROM posts INDEXED BY posts_account_day WHERE account_id = ? ORDER BY day DESC LIMIT 8)').pluck();
  const historyFrom = db.prepare('SELECT history_from FROM post_collect_state WHERE account_id = ?').pluck();
  const historyStart = now - historyDays * DAY_MS;
  const out = new Map<number, number>();
  for (const r of rows) {
    if (forcedDays !== undefined) {
      out.set(r.id, now - forcedDays * DAY_MS);
      continue;
    }
    const from = historyFrom.get(r.id) as number | null | undefined;
    const latest = newest.get(r.id) as number | null;
    if (from === null || from === undefined || latest === null) out.set(r.id, historyStart);
    else out.set(r.id, Math.min(latest - 1000, now - refreshDays * DAY_MS));
  }
  return out;
}

export async function collectPosts(opts: PostsCollectOptions): Promise<PostsCollectResult> {
  const { db, config, env, log } = opts;
  const t0 = Date.now();
  const now = opts.now ?? Date.now();
  const tz = config.timezone;
  const result: PostsCollectResult = { accounts: opts.rows.length, ok: 0, failed: 0, inserted: 0, updated: 0, deleted: 0, graphRequests: 0, previewRequests: 0, botRequests: 0, updatesPosts: 0, wallMs: 0, failures: [] };
  const since = opts.since ?? sinceFor(db, opts.rows, now, config.posts.refreshDays, config.posts.historyDays, opts.historyDays);
  const byId = new Map(opts.rows.map((r) => [r.id, r]));
  let done = 0;

  // Results are written WRITE_EVERY accounts at a time, each batch in one transaction.
  let pending: { ok?: AccountPosts; fail?: PostsFailure; partial?: AccountPosts; historyFrom?: number }[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    writeTx(db, () => {
      // the figures follow once at the end (triggers keep what changed, so a killed run leaves them to the next compute)
      const s = savePosts(db, tz, [...batch.flatMap((b) => (b.ok ? [b.ok] : b.partial ? [b.partial] : []))], { updateFigures: false });
      result.inserted += s.inserted;
      result.updated += s.updated;
      result.deleted += s.deleted;
      const at = Date.now();
      for (const b of batch) {
        if (b.ok) recordPostsRead(db, tz, b.ok.accountId, b.ok.readAt, { historyFromDay: b.historyFrom });
        if (b.fail) recordPostsFailure(db, opts.runId, b.fail.accountId, { kind: b.fail.kind, message: b.fail.message, at, noPreview: b.fail.noPreview });
      }
    });
  };
  const report = (entry: (typeof pending)[number]) => {
    if (entry.ok) result.ok++;
    if (entry.fail) {
      result.failed++;
      result.failures.push(entry.fail);
    }
    pending.push(entry);
    if (pending.length >= WRITE_EVERY) flush();
    opts.onProgress?.(++done, opts.rows.length);
  };
  const failure = (row: AccountRow, error: CollectorError | { kind: FailureKind; message: string }, noPreview = false): PostsFailure => ({
    accountId: row.id,
    platform: row.platform,
    platformId: row.platform_id,
    kind: error.kind,
    message: redact(`posts: ${error.message}`),
    noPreview: noPreview || undefined,
  });
  const historyFromDay = (accountId: number) => toEpochDay(localDate(tz, new Date(since.get(accountId)!)));
  const fromGraph = (r: GraphPostsResult) => {
    const row = byId.get(r.accountId)!;
    if (r.ok) report({ ok: { accountId: r.accountId, posts: r.posts, source: 'api', readAt: Date.now(), complete: r.complete }, historyFrom: r.complete ? historyFromDay(r.accountId) : undefined });
    // what did arrive is kept (real posts), but the read is a failure: no read day, no deletions
    else report({ fail: failure(row, r.error), partial: { accountId: r.accountId, posts: r.posts, source: 'api', readAt: Date.now() } });
  };

  const transport = new GraphTransport(opts.settings);
  const tokenOf = (row: AccountRow): string | undefined => {
    const t = row.token_env ? env[row.token_env]?.trim() || undefined : config.env.facebookToken;
    registerSecret(t);
    return t;
  };

  // ---- Facebook: Page tokens from the account's token (one batch entry per Page), then published_posts.
  const graphRows = opts.rows.filter((r) => r.platform === 'facebook' || r.platform === 'instagram');
  const groups = new Map<string, AccountRow[]>();
  const loginRows: AccountRow[] = [];
  for (const row of graphRows) {
    const read = opts.alongside?.get(row.id);
    if (read) {
      fromGraph(read);
      continue;
    }
    if (row.api === 'instagram_login') {
      loginRows.push(row);
      continue;
    }
    const token = tokenOf(row);
    if (!token) {
      report({ fail: failure(row, { kind: 'invalid_token', message: `no token: the environment variable ${row.token_env ?? 'FACEBOOK_ACCESS_TOKEN'} is not set` }) });
      continue;
    }
    const g = groups.get(token) ?? [];
    g.push(row);
    groups.set(token, g);
  }
  const graphWork = Promise.all(
    [...groups.entries()].map(async ([token, rows]) => {
      const client = new GraphClient(token, transport, (n = 1) => (result.graphRequests += n));
      const pages = rows.filter((r) => r.platform === 'facebook');
      // Page posts need each Page's own token (resolved once per run and token; shared with the backfill)
      const tokens = pages.length ? await resolvePageTokens(client, pages.map((r) => r.platform_id)) : new Map<string, PageTokenOutcome>();
      const pageTokens = new Map<number, string>();
      for (const r of pages) {
        const t = tokens.get(r.platform_id);
        if (t?.ok) pageTokens.set(r.id, t.token);
        else report({ fail: failure(r, t && !t.ok ? t.error : { kind: 'permission', message: `no Page access token for Facebook Page ${r.platform_id}` }) });
      }
      const targets: GraphPostsTarget[] = [];
      for (const r of rows) {
        if (r.platform === 'facebook') {
          const t = pageTokens.get(r.id);
          if (t) targets.push({ accountId: r.id, platform: 'facebook', nodeId: r.platform_id, entryToken: t, sinceMs: since.get(r.id)!, views: true });
        } else {
          const igId = r.resolved_id ?? (r.page_id ? null : r.platform_id);
          if (!igId) report({ fail: failure(r, { kind: 'not_found', message: `the Instagram account of Page ${r.page_id} is not known yet (its audience read finds it)` }) });
          else targets.push({ accountId: r.id, platform: 'instagram', nodeId: igId, sinceMs: since.get(r.id)!, views: true });
        }
      }
      for (const r of await new GraphPostsRead(targets, (url, t) => client.withToken(url, t)).read(client)) fromGraph(r);
    }),
  );

  // ---- Instagram Login accounts: graph.instagram.com, each with its own token, `me/media` and its pages.
  const loginWork = Promise.all(
    loginRows.map(async (row) => {
      const t = loginTokenOf(row, env);
      if (!t.token) return report({ fail: failure(row, { kind: 'invalid_token', message: t.problem ?? 'no token: give the account token_env or token_file' }) });
      const client = new GraphClient(t.token, transport, (n = 1) => (result.graphRequests += n), { baseUrl: opts.settings.instagramGraphUrl, instagramLogin: true });
      fromGraph(await readPostsDirect(client, { accountId: row.id, platform: 'instagram', nodeId: row.platform_id, sinceMs: since.get(row.id)!, views: true }));
    }),
  );

  // ---- Telegram: public channels through the preview; channels by numeric id only through updates.
  const tgRows = opts.rows.filter((r) => r.platform === 'telegram');
  const preview = new TelegramPreviewReader(
    {
      ...DEFAULT_PREVIEW_SETTINGS,
      previewRoot: config.env.telegramPreviewRoot,
      ratePerSecond: config.posts.previewRate,
      timeoutMs: opts.settings.timeoutMs,
      retry: { maxRetries: opts.settings.maxRetries, baseDelayMs: Math.max(opts.settings.retryBaseMs, 200), maxDelayMs: opts.settings.retryMaxMs },
      ...opts.preview,
    },
    (n = 1) => (result.previewRequests += n),
  );
  const knownSince = db.prepare('SELECT 1 FROM posts WHERE account_id = ? AND published_at >= ? AND deleted_at IS NULL LIMIT 1').pluck();
  const viaUpdates: AccountRow[] = [];
  const tgWork = Promise.all(
    tgRows.map(async (row) => {
      const name = previewName(row.platform_id);
      if (!name) {
        viaUpdates.push(row);
        return;
      }
      const sinceMs = since.get(row.id)!;
      try {
        const r = await preview.postsSince(name, sinceMs, knownSince.get(row.id, sinceMs) !== undefined);
        const posts: PostInput[] = r.posts.map(({ messageId: _m, viewsRaw: _v, edited: _e, ...p }) => p);
        report({ ok: { accountId: row.id, posts, source: 'preview', readAt: Date.now(), complete: r.complete ? { fromMs: sinceMs, toMs: now } : undefined }, historyFrom: r.complete ? historyFromDay(row.id) : undefined });
      } catch (e) {
        const err = e instanceof CollectorError ? e : new MalformedResponseError(String((e as Error)?.message ?? e));
        report({ fail: failure(row, err, e instanceof NoPublicPreviewError) });
      }
    }),
  );

  await Promise.all([graphWork, loginWork, tgWork]);

  // ---- Channel posts from Bot API updates (collect polls only when no bot service does).
  if (viaUpdates.length || opts.takeUpdates) {
    const token = config.env.telegramBotToken;
    let updatesOk = false;
    if (opts.takeUpdates && token) {
      try {
        const n = await pollChannelPosts(db, config, token, opts.settings, (k = 1) => (result.botRequests += k));
        result.updatesPosts = n;
        updatesOk = true;
      } catch (e) {
        log.warn('reading channel posts from Bot API updates failed', { error: redact(String((e as Error)?.message ?? e)) });
        for (const row of viaUpdates) report({ fail: failure(row, e instanceof CollectorError ? e : new CollectorError('transient', String((e as Error)?.message ?? e))) });
      }
    }
    if (updatesOk || !opts.takeUpdates) {
      for (const row of viaUpdates) {
        const known = db.prepare('SELECT updates_chat_id FROM post_collect_state WHERE account_id = ?').pluck().get(row.id) as string | null | undefined;
        // Read through updates (by this run, or by the bot service that takes them while it runs): a read day.
        if (known) report({ ok: { accountId: row.id, posts: [], source: 'updates', readAt: Date.now() } });
        else report({ fail: failure(row, { kind: 'permission', message: `no posts of ${row.platform_id} arrived as updates yet: add the bot as an administrator of the channel` }) });
      }
    }
  }
  flush();
  // figures, rubrics of the new posts, rubric counts and scores: done by the job, not by the first page after it
  ensureInformationWork(db, config.rubrics);
  result.wallMs = Date.now() - t0;
  log.info('posts collected', { accounts: result.accounts, ok: result.ok, failed: result.failed, new: result.inserted, updated: result.updated, deleted: result.deleted, graph_requests: result.graphRequests, preview_requests: result.previewRequests });
  return result;
}

/**
 * One non-blocking getUpdates round trip series (timeout 0) for channel posts, confirming what it read, with
 * allowed_updates set explicitly. Used by `collect` when no bot service polls the token.
 */
export async function pollChannelPosts(db: Db, config: AppConfig, token: string, settings: CollectSettings, countRequest: (n?: number) => void): Promise<number> {
  const root = settings.telegramApiRoot.replace(/\/+$/, '');
  let offset: number | undefined;
  let stored = 0;
  for (let round = 0; round < 50; round++) {
    countRequest(1);
    let res;
    try {
      res = await axios.post(`${root}/bot${token}/getUpdates`, { offset, limit: 100, timeout: 0, allowed_updates: POST_UPDATE_TYPES }, { timeout: settings.timeoutMs, validateStatus: () => true });
    } catch (e) {
      throw new CollectorError('transient', redact(`getUpdates: ${String((e as Error)?.message ?? e)}`));
    }
    const body = res.data as { ok?: boolean; result?: TgUpdate[]; description?: string; error_code?: number };
    if (!body?.ok || !Array.isArray(body.result)) {
      const kind: FailureKind = res.status === 401 ? 'invalid_token' : res.status === 409 ? 'other' : res.status === 429 ? 'rate_limit' : 'transient';
      throw new CollectorError(kind, redact(`getUpdates: ${body?.description ?? `HTTP ${res.status}`}`));
    }
    if (body.result.length === 0) break;
    stored += savePostUpdates(db, config.timezone, body.result).posts;
    offset = Math.max(...body.result.map((u) => u.update_id)) + 1;
  }
  if (offset !== undefined) {
    // confirm the last batch, so the updates are not handed out again
    countRequest(1);
    await axios.post(`${root}/bot${token}/getUpdates`, { offset, limit: 1, timeout: 0, allowed_updates: POST_UPDATE_TYPES }, { timeout: settings.timeoutMs, validateStatus: () => true }).catch(() => undefined);
  }
  return stored;
}
