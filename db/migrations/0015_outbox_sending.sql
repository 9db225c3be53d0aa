-- The bot outbox's "sending" mark (issue 17): set in the same write that claims a row, before Telegram is
-- asked to post it, and cleared by the write that records the answer. A row still marked after its lease
-- ran out was being sent when the process stopped: Telegram may have posted it, so it is not sent again
-- (status 'failed', the reason in last_error) — at most once, never twice.
ALTER TABLE bot_outbox ADD COLUMN sending_at INTEGER;
