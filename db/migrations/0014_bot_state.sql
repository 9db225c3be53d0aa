-- The bot service's state (issue 17): starting, polling (or on its webhook), retrying its start after a
-- failure (with the last error and when it tries again), or stopped. One row, written on each change of
-- state; the collection health page shows it.
CREATE TABLE bot_state (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  state           TEXT    NOT NULL CHECK (state IN ('starting', 'polling', 'webhook', 'retrying', 'stopped')),
  since           INTEGER NOT NULL,          -- unix ms: when this state began
  attempts        INTEGER NOT NULL DEFAULT 0, -- failed starts in a row (0 once it runs)
  last_error      TEXT,                      -- redacted, the latest failure while retrying
  next_attempt_at INTEGER,                   -- unix ms, while retrying
  updated_at      INTEGER NOT NULL
);
