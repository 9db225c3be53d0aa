-- Administration: background collect / backfill runs asked for from the admin pages (one account each),
-- so the account page can show what was asked, by whom, and how it ended.
CREATE TABLE admin_jobs (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES accounts(id),
  kind         TEXT    NOT NULL CHECK (kind IN ('collect', 'backfill')),
  backfill_days INTEGER,
  requested_by TEXT    NOT NULL,
  requested_at INTEGER NOT NULL,
  status       TEXT    NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'busy')),
  finished_at  INTEGER,
  run_id       INTEGER REFERENCES collection_runs(id),
  message      TEXT
);
CREATE INDEX admin_jobs_account ON admin_jobs(account_id, requested_at);

-- The audit log page filters by actor, action and subject over time.
CREATE INDEX audit_log_subject ON audit_log(subject, at);
CREATE INDEX audit_log_actor ON audit_log(actor, at);
