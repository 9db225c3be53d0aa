// The bot service's state, as the collection health page shows it: one row (migration 0014) written on each
// change (starting → polling / webhook, → retrying with the error and the next try, → stopped).
import type { Db } from '../../db';

export type BotState = 'starting' | 'polling' | 'webhook' | 'retrying' | 'stopped';

export interface BotStateRow {
  state: BotState;
  since: number;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  updated_at: number;
}

export function recordBotState(db: Db, s: { state: BotState; since: number; attempts: number; error?: string; nextAttemptAt?: number }, now = Date.now()): void {
  db.prepare(
    `INSERT INTO bot_state (id, state, since, attempts, last_error, next_attempt_at, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET state = excluded.state, since = excluded.since, attempts = excluded.attempts,
       last_error = excluded.last_error, next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at`,
  ).run(s.state, s.since, s.attempts, s.error ?? null, s.nextAttemptAt ?? null, now);
}

/** The bot's last recorded state; undefined when no bot service ever ran on this database. */
export function botState(db: Db): BotStateRow | undefined {
  return db.prepare('SELECT state, since, attempts, last_error, next_attempt_at, updated_at FROM bot_state WHERE id = 1').get() as BotStateRow | undefined;
}
