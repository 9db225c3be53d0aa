// The one writer of posts (DESIGN §11) and of the posts-collection state: upserts what a read returned,
// marks posts deleted, records successful reads and failures. Every write batch ends with one update of the
// daily figures (src/posts/figures.ts), so the figures are never behind the posts a caller just wrote.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { localDate, toEpochDay } from '../domain/dates';
import { chunkOf, chunkStart } from '../domain/rollup';
import { updatePostFigures, type PostFiguresSummary } from './figures';

export const POST_KINDS = ['text', 'photo', 'video', 'album', 'link', 'other'] as const;
export type PostKind = (typeof POST_KINDS)[number];

/** Where a post was read from (posts.source). */
export const POST_SOURCES = { api: 0, preview: 1, updates: 2 } as const;
export type PostSource = keyof typeof POST_SOURCES;

/**
 * One post as a reader returns it. A counter is a number (0 when the platform omits it because it is zero),
 * null when the platform cannot give it, or undefined when this source says nothing about it (a Bot API
 * update has no views): an undefined counter keeps the value already stored.
 */
export interface PostInput {
  postId: string;
  /** Unix ms. */
  publishedAt: number;
  kind: PostKind;
  text?: string;
  url?: string | null;
  forwarded?: boolean;
  reactions?: number | null;
  comments?: number | null;
  shares?: number | null;
  views?: number | null;
  viewsApproximate?: boolean;
}

/** What one read of one account returned. */
export interface AccountPosts {
  accountId: number;
  posts: readonly PostInput[];
  source: PostSource;
  /** When read (unix ms). */
  readAt: number;
  /**
   * The read listed every post published in [fromMs, toMs]: known posts of that window it did not list are
   * counted as missed; a post missed by two such reads in a row is marked deleted (a platform's listing can
   * drop a post for a moment, and a permission problem looks like deletion on a single read).
   */
  complete?: { fromMs: number; toMs: number };
  /** Posts the platform said are gone (a direct read answered "does not exist"): marked deleted at once. */
  deleted?: readonly string[];
}

export interface WriteSummary {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  figures: PostFiguresSummary | null;
}

export class PostInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostInputError';
  }
}

const MISSES_TO_DELETE = 2;

function checkCounter(name: string, v: number | null | undefined, postId: string): void {
  if (v === undefined || v === null) return;
  if (!Number.isSafeInteger(v) || v < 0) throw new PostInputError(`post ${postId}: ${name} must be a whole number ≥ 0, got ${String(v)}`);
}

function validate(p: PostInput): void {
  if (typeof p.postId !== 'string' || p.postId === '') throw new PostInputError('a post without an id');
  if (!Number.isFinite(p.publishedAt)) throw new PostInputError(`post ${p.postId}: no publication time`);
  if (!(POST_KINDS as readonly string[]).includes(p.kind)) throw new PostInputError(`post ${p.postId}: unknown kind ${JSON.stringify(p.kind)}`);
  for (const c of ['reactions', 'comments', 'shares', 'views'] as const) checkCounter(c, p[c], p.postId);
}

type Row = {
  id: number;
  day: number;
  kind: string;
  forwarded: number;
  text: string;
  url: string | null;
  reactions: number | null;
  comments: number | null;
  shares: number | null;
  views: number | null;
  views_approximate: number;
  missed: number;
  deleted_at: number | null;
};

const pick = <T>(given: T | undefined, stored: T): T => (given === undefined ? stored : given);

/**
 * Writes what reads returned, all in one transaction, then updates the daily figures once.
 * `timeZone` gives each post its local date.
 */
export function savePosts(db: Db, timeZone: string, batch: readonly AccountPosts[], opts: { updateFigures?: boolean } = {}): WriteSummary {
  for (const a of batch) a.posts.forEach(validate);
  const q = {
    get: db.prepare(
      'SELECT id, day, kind, forwarded, text, url, reactions, comments, shares, views, views_approximate, missed, deleted_at FROM posts WHERE account_id = ? AND post_id = ?',
    ),
    insert: db.prepare(
      `INSERT INTO posts (account_id, post_id, published_at, day, kind, forwarded, text, url, reactions, comments, shares, views, views_approximate, source, read_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    update: db.prepare(
      `UPDATE posts SET published_at = ?, day = ?, kind = ?, forwarded = ?, text = ?, url = ?, reactions = ?, comments = ?, shares = ?, views = ?,
         views_approximate = ?, read_at = ?, missed = 0, deleted_at = NULL WHERE id = ?`,
    ),
    inWindow: db.prepare('SELECT id, post_id, missed FROM posts WHERE account_id = ? AND published_at BETWEEN ? AND ? AND deleted_at IS NULL'),
    miss: db.prepare('UPDATE posts SET missed = ? WHERE id = ?'),
    markDeleted: db.prepare('UPDATE posts SET deleted_at = ?, missed = max(missed, ?) WHERE id = ? AND deleted_at IS NULL'),
    byPostId: db.prepare('SELECT id FROM posts WHERE account_id = ? AND post_id = ?').pluck(),
  };
  const summary: WriteSummary = { inserted: 0, updated: 0, unchanged: 0, deleted: 0, figures: null };
  writeTx(db, () => {
    for (const a of batch) {
      const seen = new Set<string>();
      for (const p of a.posts) {
        if (seen.has(p.postId)) continue; // a listing that repeats a post across pages: once
        seen.add(p.postId);
        const day = toEpochDay(localDate(timeZone, new Date(p.publishedAt)));
        const old = q.get.get(a.accountId, p.postId) as Row | undefined;
        if (!old) {
          q.insert.run(
            a.accountId,
            p.postId,
            p.publishedAt,
            day,
            p.kind,
            p.forwarded ? 1 : 0,
            p.text ?? '',
            p.url ?? null,
            p.reactions ?? null,
            p.comments ?? null,
            p.shares ?? null,
            p.views ?? null,
            p.viewsApproximate ? 1 : 0,
            POST_SOURCES[a.source],
            a.readAt,
          );
          summary.inserted++;
          continue;
        }
        const next = {
          kind: p.kind,
          forwarded: p.forwarded === undefined ? old.forwarded : p.forwarded ? 1 : 0,
          text: pick(p.text, old.text),
          url: pick(p.url, old.url),
          reactions: pick(p.reactions, old.reactions),
          comments: pick(p.comments, old.comments),
          shares: pick(p.shares, old.shares),
          views: pick(p.views, old.views),
          views_approximate: p.views === undefined ? old.views_approximate : p.viewsApproximate ? 1 : 0,
        };
        const same =
          old.day === day &&
          old.deleted_at === null &&
          old.missed === 0 &&
          (Object.keys(next) as (keyof typeof next)[]).every((k) => next[k] === old[k]);
        q.update.run(
          p.publishedAt,
          day,
          next.kind,
          next.forwarded,
          next.text,
          next.url,
          next.reactions,
          next.comments,
          next.shares,
          next.views,
          next.views_approximate,
          a.readAt,
          old.id,
        );
        if (same) summary.unchanged++;
        else summary.updated++;
      }
      if (a.complete) {
        for (const r of q.inWindow.all(a.accountId, a.complete.fromMs, a.complete.toMs) as { id: number; post_id: string; missed: number }[]) {
          if (seen.has(r.post_id)) continue;
          if (r.missed + 1 >= MISSES_TO_DELETE) {
            q.markDeleted.run(a.readAt, r.missed + 1, r.id);
            summary.deleted++;
          } else q.miss.run(r.missed + 1, r.id);
        }
      }
      for (const postId of a.deleted ?? []) {
        const id = q.byPostId.get(a.accountId, postId) as number | undefined;
        if (id !== undefined && q.markDeleted.run(a.readAt, MISSES_TO_DELETE, id).changes) summary.deleted++;
      }
    }
    if (opts.updateFigures !== false) summary.figures = updatePostFigures(db);
  });
  return summary;
}

/** A successful posts read of an account (its day counts for "read on D or one of the 2 days before"). */
export function recordPostsRead(db: Db, timeZone: string, accountId: number, at: number, extra: { historyFromDay?: number; updatesChatId?: string } = {}): void {
  const day = toEpochDay(localDate(timeZone, new Date(at)));
  const chunk = chunkOf(day);
  writeTx(db, () => {
    db.prepare(
      `INSERT INTO post_read_days (account_id, chunk, bits) VALUES (?, ?, ?)
       ON CONFLICT (account_id, chunk) DO UPDATE SET bits = bits | excluded.bits`,
    ).run(accountId, chunk, 2 ** (day - chunkStart(chunk)) | 0);
    db.prepare(
      `INSERT INTO post_collect_state (account_id, last_ok_at, no_preview, history_from, updates_chat_id) VALUES (?, ?, 0, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET last_ok_at = excluded.last_ok_at, no_preview = 0,
         history_from = CASE WHEN excluded.history_from IS NULL THEN history_from
                             WHEN history_from IS NULL THEN excluded.history_from ELSE min(history_from, excluded.history_from) END,
         updates_chat_id = coalesce(excluded.updates_chat_id, updates_chat_id)`,
    ).run(accountId, at, extra.historyFromDay ?? null, extra.updatesChatId ?? null);
  });
}

/**
 * Marks every day of [fromDay, toDay] as a day the account's posts were read successfully: for sample history
 * (the demo), which shows the pages as if the tool had read the channels every day of it.
 */
export function recordPostsReadDays(db: Db, accountId: number, fromDay: number, toDay: number): void {
  const put = db.prepare(
    `INSERT INTO post_read_days (account_id, chunk, bits) VALUES (?, ?, ?)
     ON CONFLICT (account_id, chunk) DO UPDATE SET bits = bits | excluded.bits`,
  );
  writeTx(db, () => {
    for (let c = chunkOf(fromDay); c <= chunkOf(toDay); c++) {
      let bits = 0;
      for (let d = Math.max(fromDay, chunkStart(c)); d <= Math.min(toDay, chunkStart(c) + 31); d++) bits |= 2 ** (d - chunkStart(c)) | 0;
      put.run(accountId, c, bits | 0);
    }
  });
}

/**
 * A failed posts read: kept per run and account like audience failures, and as the account's last error.
 * `noPreview`: a Telegram channel without a public web preview (shown as such, with its fix).
 * A failure writes no post and no read day: a failed read is a gap, never "no posts".
 */
export function recordPostsFailure(
  db: Db,
  runId: number | null,
  accountId: number,
  failure: { kind: string; message: string; at: number; noPreview?: boolean },
): void {
  writeTx(db, () => {
    if (runId !== null) {
      db.prepare('INSERT OR REPLACE INTO post_failures (run_id, account_id, kind, message, at) VALUES (?, ?, ?, ?, ?)').run(
        runId,
        accountId,
        failure.kind,
        failure.message,
        failure.at,
      );
    }
    db.prepare(
      `INSERT INTO post_collect_state (account_id, last_failed_at, last_error_kind, last_error, no_preview) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET last_failed_at = excluded.last_failed_at, last_error_kind = excluded.last_error_kind,
         last_error = excluded.last_error, no_preview = excluded.no_preview`,
    ).run(accountId, failure.at, failure.kind, failure.message, failure.noPreview ? 1 : 0);
  });
}
