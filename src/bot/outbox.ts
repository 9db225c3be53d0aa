// The durable outbox and its sender: every post is a row first, so a failed post is retried and a
// restart loses nothing; the sender keeps Telegram's limits (≈1 message/s per chat, 20/min per group
// or channel) and waits out `retry_after`.
//
// Delivery: exactly once where Telegram lets us know. The Bot API has no idempotency key and a bot cannot
// read back what it posted, so the one window is a send whose answer never arrives:
//   - the process stops (crash, kill, power) after the row is claimed: the claim marks it `sending_at`
//     before the call; a row still marked when its lease (60 s) has run out is NOT sent again — it is
//     marked failed with the reason (it may or may not have been posted: at most once, never twice);
//   - the connection breaks after the request left (a timeout, a reset, a gateway error page): the row is
//     retried, so such a post may arrive twice. A refusal Telegram answered (4xx, 429) was not posted and
//     is retried safely.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { createLogger, redact, type Logger } from '../log';

export type OutboxKind = 'summary' | 'alert' | 'reply';

export interface OutboxRow {
  id: number;
  chat_id: string;
  text: string;
  kind: OutboxKind;
  dedupe_key: string | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  /** Set while Telegram is being asked to post it (see the header). */
  sending_at: number | null;
  next_attempt_at: number;
  created_at: number;
  sent_at: number | null;
  message_id: number | null;
  last_error: string | null;
}

/** How long a sender holds a row it is sending; a crash mid-send frees it after this. */
const LEASE_MS = 60_000;

export class Outbox {
  constructor(private readonly db: Db) {}

  /**
   * Queues the posts of one message for a chat, in order. With `key`, post i gets the dedupe key
   * `${key}:${i}` and queuing the same key again adds nothing (a re-run of the weekly job, a repeated alert).
   * Returns the ids of the rows added.
   */
  enqueue(chatId: string, posts: readonly string[], kind: OutboxKind, key?: string, now = Date.now()): number[] {
    const insert = this.db.prepare(
      `INSERT INTO bot_outbox (chat_id, text, kind, dedupe_key, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
    );
    const ids: number[] = [];
    writeTx(this.db, () => {
      posts.forEach((text, i) => {
        const r = insert.run(chatId, text, kind, key === undefined ? null : `${key}:${i}`, now, now);
        if (r.changes) ids.push(Number(r.lastInsertRowid));
      });
    });
    return ids;
  }

  /** Whether anything was ever queued under this key (alerts use it to go out once). */
  hasKey(key: string): boolean {
    return this.db.prepare('SELECT 1 FROM bot_outbox WHERE dedupe_key = ?').get(`${key}:0`) !== undefined;
  }

  /** The oldest pending row of each chat: posts to one chat go out in the order they were queued. */
  heads(): OutboxRow[] {
    return this.db
      .prepare(
        `SELECT o.* FROM bot_outbox o
         JOIN (SELECT chat_id, MIN(id) AS id FROM bot_outbox WHERE status = 'pending' GROUP BY chat_id) h ON h.id = o.id
         ORDER BY o.id`,
      )
      .all() as OutboxRow[];
  }

  /**
   * Takes the row for sending unless another sender holds it, and marks it as being sent (committed before
   * Telegram is asked); false when it is not ours to send.
   */
  claim(id: number, now = Date.now()): boolean {
    return (
      this.db
        .prepare(`UPDATE bot_outbox SET locked_until = ?, sending_at = ? WHERE id = ? AND status = 'pending' AND sending_at IS NULL AND (locked_until IS NULL OR locked_until < ?)`)
        .run(now + LEASE_MS, now, id, now).changes === 1
    );
  }

  /**
   * Rows left marked as being sent by a process that stopped mid-send (their lease ran out): Telegram may
   * have posted them, so they are given up, never sent twice. Returns how many.
   */
  settleInterrupted(now = Date.now()): number {
    return this.db
      .prepare(
        `UPDATE bot_outbox SET status = 'failed', locked_until = NULL, attempts = attempts + 1,
           last_error = 'not sent again: the process stopped while Telegram was being asked to post this, so it may already have been posted'
         WHERE status = 'pending' AND sending_at IS NOT NULL AND locked_until < ?`,
      )
      .run(now).changes;
  }

  markSent(id: number, messageId: number | null, now = Date.now()): void {
    this.db
      .prepare(`UPDATE bot_outbox SET status = 'sent', sent_at = ?, message_id = ?, attempts = attempts + 1, locked_until = NULL, sending_at = NULL, last_error = NULL WHERE id = ?`)
      .run(now, messageId, id);
  }

  /** Schedules another try; `countAttempt` is false for a rate limit (not the post's fault). */
  markRetry(id: number, error: string, nextAttemptAt: number, countAttempt: boolean): void {
    this.db
      .prepare(`UPDATE bot_outbox SET next_attempt_at = ?, last_error = ?, attempts = attempts + ?, locked_until = NULL, sending_at = NULL WHERE id = ?`)
      .run(nextAttemptAt, error, countAttempt ? 1 : 0, id);
  }

  markFailed(id: number, error: string): void {
    this.db.prepare(`UPDATE bot_outbox SET status = 'failed', last_error = ?, attempts = attempts + 1, locked_until = NULL, sending_at = NULL WHERE id = ?`).run(error, id);
  }

  get(id: number): OutboxRow | undefined {
    return this.db.prepare('SELECT * FROM bot_outbox WHERE id = ?').get(id) as OutboxRow | undefined;
  }

  pendingCount(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM bot_outbox WHERE status = 'pending'`).get() as { n: number }).n;
  }
}

/** What the sender needs of the Bot API (a telegraf `Telegram` fits through `telegramSendApi`). */
export interface SendApi {
  sendMessage(chatId: string, html: string): Promise<{ message_id: number }>;
}

/** A Bot API failure as the sender sees it. */
interface ApiFailure {
  code?: number;
  description: string;
  retryAfterMs?: number;
}

function apiFailure(err: unknown): ApiFailure {
  const e = err as { name?: string; message?: string; response?: { error_code?: number; description?: string; parameters?: { retry_after?: number } } };
  if (e?.response && typeof e.response === 'object' && 'error_code' in e.response) {
    const ra = e.response.parameters?.retry_after;
    return {
      code: e.response.error_code,
      description: redact(e.response.description ?? `error ${e.response.error_code}`),
      retryAfterMs: typeof ra === 'number' && ra >= 0 ? ra * 1000 : undefined,
    };
  }
  return { description: redact(e?.message ?? String(err)) };
}

/** Errors no retry can fix: the text itself is wrong. */
function isPermanent(f: ApiFailure): boolean {
  return f.code === 400 && /can't parse entities|message is too long|text must be non-empty/i.test(f.description);
}

/** A group, supergroup or channel (negative id or @username) rather than a private chat. */
export function isGroupChat(chatId: string): boolean {
  return chatId.startsWith('-') || chatId.startsWith('@');
}

export interface SenderOptions {
  /** Least time between two posts to one chat. */
  perChatIntervalMs?: number;
  /** Most posts to one group or channel in a minute. */
  groupPerMinute?: number;
  /** Tries before a post is given up as failed (rate limits do not count). */
  maxAttempts?: number;
  /** First retry delay after an error; doubles per attempt up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: Logger;
}

export interface DrainResult {
  sent: number;
  failed: number;
  pending: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Sender {
  private readonly lastSent = new Map<string, number>();
  private readonly windows = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly o: Required<Omit<SenderOptions, 'log'>>;
  private readonly log: Logger;
  private loop?: { stopped: boolean; wake?: () => void; done: Promise<void> };

  constructor(
    private readonly outbox: Outbox,
    private readonly api: SendApi,
    opts: SenderOptions = {},
  ) {
    this.o = {
      perChatIntervalMs: opts.perChatIntervalMs ?? 1100,
      groupPerMinute: opts.groupPerMinute ?? 20,
      maxAttempts: opts.maxAttempts ?? 12,
      backoffMs: opts.backoffMs ?? 5_000,
      maxBackoffMs: opts.maxBackoffMs ?? 3_600_000,
      now: opts.now ?? Date.now,
      sleep: opts.sleep ?? realSleep,
    };
    this.log = opts.log ?? createLogger('bot.sender');
  }

  /** The earliest time a post may go to this chat under the limits. */
  private readyAt(chatId: string, now: number): number {
    let t = Math.max(now, this.blockedUntil.get(chatId) ?? 0);
    const last = this.lastSent.get(chatId);
    if (last !== undefined) t = Math.max(t, last + this.o.perChatIntervalMs);
    if (isGroupChat(chatId)) {
      const w = (this.windows.get(chatId) ?? []).filter((x) => x > now - 60_000);
      this.windows.set(chatId, w);
      if (w.length >= this.o.groupPerMinute) t = Math.max(t, w[w.length - this.o.groupPerMinute] + 60_000);
    }
    return t;
  }

  private noteSent(chatId: string, at: number): void {
    this.lastSent.set(chatId, at);
    if (isGroupChat(chatId)) this.windows.set(chatId, [...(this.windows.get(chatId) ?? []), at]);
  }

  /** Sends one row; 'busy' when another sender holds it. */
  private async sendRow(row: OutboxRow): Promise<'sent' | 'retry' | 'failed' | 'busy'> {
    const now = this.o.now();
    if (!this.outbox.claim(row.id, now)) return 'busy';
    let msg: { message_id: number } | undefined;
    try {
      msg = await this.api.sendMessage(row.chat_id, row.text);
    } catch (err) {
      return this.failed(row, err);
    }
    const at = this.o.now();
    this.noteSent(row.chat_id, at);
    try {
      this.outbox.markSent(row.id, msg?.message_id ?? null, at);
    } catch (err) {
      // Posted, but not recorded: the row keeps its sending mark, so it is given up, never posted again.
      this.log.error('posted, but recording it failed: it will not be posted again', { chat: row.chat_id, outbox_id: row.id, error: err as Error });
    }
    this.log.info('posted', { chat: row.chat_id, kind: row.kind, outbox_id: row.id });
    return 'sent';
  }

  /** A send Telegram refused or that got no answer: retried later, or given up. */
  private failed(row: OutboxRow, err: unknown): 'retry' | 'failed' {
    const f = apiFailure(err);
    const at = this.o.now();
    this.noteSent(row.chat_id, at); // a refused post still counts against the chat's pace
    const message = f.code ? `${f.code}: ${f.description}` : f.description;
    if (f.retryAfterMs !== undefined) {
      this.blockedUntil.set(row.chat_id, at + f.retryAfterMs);
      this.outbox.markRetry(row.id, message, at + f.retryAfterMs, false);
      this.log.warn('rate limited; waiting as asked', { chat: row.chat_id, retry_after_ms: f.retryAfterMs, outbox_id: row.id });
      return 'retry';
    }
    if (isPermanent(f) || row.attempts + 1 >= this.o.maxAttempts) {
      this.outbox.markFailed(row.id, message);
      this.log.error('post failed for good', { chat: row.chat_id, outbox_id: row.id, attempts: row.attempts + 1, error: message });
      return 'failed';
    }
    const delay = Math.min(this.o.backoffMs * 2 ** row.attempts, this.o.maxBackoffMs);
    this.outbox.markRetry(row.id, message, at + delay, true);
    this.log.warn('post failed; will retry', { chat: row.chat_id, outbox_id: row.id, retry_in_ms: delay, error: message });
    return 'retry';
  }

  /**
   * Sends every pending post whose time has come, waiting for the limits, until nothing is pending or the
   * next post could only go after `deadline` (unix ms). What is left stays queued for a later drain.
   */
  async drain(deadline = this.o.now() + 300_000): Promise<DrainResult> {
    let sent = 0;
    let failed = 0;
    const interrupted = this.outbox.settleInterrupted(this.o.now());
    if (interrupted) this.log.warn('posts interrupted mid-send by a stop are not sent again (they may have been posted)', { posts: interrupted });
    failed += interrupted;
    for (;;) {
      if (this.loop?.stopped) break;
      const now = this.o.now();
      const heads = this.outbox.heads();
      if (heads.length === 0) break;
      let next = Number.POSITIVE_INFINITY;
      let progressed = false;
      for (const row of heads) {
        const at = Math.max(row.next_attempt_at, this.readyAt(row.chat_id, now));
        if (at <= now) {
          const r = await this.sendRow(row);
          if (r === 'sent') sent++;
          if (r === 'failed') failed++;
          progressed = progressed || r === 'sent' || r === 'failed';
          next = Math.min(next, r === 'busy' ? now + 1_000 : this.o.now());
        } else next = Math.min(next, at);
      }
      if (progressed) continue;
      if (next > deadline) break;
      await this.o.sleep(Math.max(10, Math.min(next - this.o.now(), 5_000)));
    }
    return { sent, failed, pending: this.outbox.pendingCount() };
  }

  /** Runs drains in the background until stop(); `kick()` wakes it early after an enqueue. */
  start(pollMs = 2_000): void {
    if (this.loop) return;
    const state: { stopped: boolean; wake?: () => void; done: Promise<void> } = { stopped: false, done: Promise.resolve() };
    this.loop = state;
    state.done = (async () => {
      while (!state.stopped) {
        try {
          await this.drain(this.o.now() + pollMs);
        } catch (err) {
          this.log.error('sender loop error', { error: err as Error });
        }
        if (state.stopped) break;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          state.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    })();
  }

  kick(): void {
    this.loop?.wake?.();
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.loop.stopped = true;
    this.loop.wake?.();
    await this.loop.done;
    this.loop = undefined;
  }
}
