// Who takes channel-post updates from the Bot API (DESIGN §11): the bot service in `serve` while it polls, else
// `collect` itself. The bot service keeps a heartbeat row in job_locks; a fresh one means "someone polls".
import type { Db } from '../../db';

const NAME = 'bot-polling';
export const BOT_POLLING_STALE_MS = 90_000;

/** True when a bot service polled the Bot API within the last BOT_POLLING_STALE_MS. */
export function botPolling(db: Db, now = Date.now()): boolean {
  const row = db.prepare('SELECT heartbeat_at FROM job_locks WHERE name = ?').get(NAME) as { heartbeat_at: number } | undefined;
  return row !== undefined && now - row.heartbeat_at < BOT_POLLING_STALE_MS;
}

/** Called by the bot service while it polls (and with `false` when it stops). */
export function markBotPolling(db: Db, polling: boolean, owner = String(process.pid)): void {
  if (!polling) {
    db.prepare('DELETE FROM job_locks WHERE name = ? AND owner = ?').run(NAME, owner);
    return;
  }
  const now = Date.now();
  db.prepare(
    `INSERT INTO job_locks (name, owner, pid, host, acquired_at, heartbeat_at) VALUES (?, ?, ?, 'bot', ?, ?)
     ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, heartbeat_at = excluded.heartbeat_at`,
  ).run(NAME, owner, process.pid, now, now);
}
