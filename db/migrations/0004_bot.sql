-- The Telegram bot's own state: a durable outbox (a post survives a restart and is retried until it is
-- delivered), each chat's chosen language, the last target status seen, and the alerts already sent.

CREATE TABLE bot_outbox (
  id              INTEGER PRIMARY KEY,
  chat_id         TEXT    NOT NULL,
  text            TEXT    NOT NULL,          -- Telegram HTML, ≤ 4,096 characters
  kind            TEXT    NOT NULL,          -- summary, alert, reply
  dedupe_key      TEXT    UNIQUE,            -- e.g. summary:2026-W47:kz:@chan:0; enqueueing it again is a no-op
  status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,          -- unix ms
  locked_until    INTEGER,                   -- a sender holds the row while sending it (two processes never both send it)
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  message_id      INTEGER,
  last_error      TEXT
);
CREATE INDEX bot_outbox_pending ON bot_outbox(status, chat_id, id);

CREATE TABLE bot_chats (
  chat_id    TEXT PRIMARY KEY,
  language   TEXT CHECK (language IN ('ru', 'kk', 'en')),
  updated_at INTEGER NOT NULL
);

-- Last status seen per target (the latest version's evaluation), for on_track → at_risk/behind alerts.
CREATE TABLE bot_target_status (
  target_key TEXT    PRIMARY KEY,            -- org slug | platform | due date
  status     TEXT    NOT NULL,
  day        INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Each alert (a run with failures, a stale episode of an account, a suspicious day, a status change) is
-- recorded here in the same transaction that queues its post, so it goes out exactly once.
CREATE TABLE bot_alerts_sent (
  alert_key TEXT    PRIMARY KEY,             -- run:12, stale:telegram:@x:2026-11-20, suspicious:…, target:…
  sent_at   INTEGER NOT NULL
);
