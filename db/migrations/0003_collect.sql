-- Collect job: a lock row so two processes (serve's scheduler, a manual `collect`) never run a
-- collection at the same time, and an index to find runs left 'running' by a killed process.
CREATE TABLE job_locks (
  name         TEXT    PRIMARY KEY,   -- e.g. 'collect'
  owner        TEXT    NOT NULL,      -- random id of the holder (one per run)
  pid          INTEGER NOT NULL,
  host         TEXT    NOT NULL,
  acquired_at  INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL       -- refreshed while the job runs; a stale one may be taken over
) WITHOUT ROWID;

CREATE INDEX collection_runs_status ON collection_runs(status, started_at);
