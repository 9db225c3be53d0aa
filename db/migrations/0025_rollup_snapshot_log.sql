-- An incremental compute subtracts each changed account's old contribution to its orgs' series before adding
-- the new one. rollup_account_series kept that old contribution as daily chunks for every account: 1.8 M rows
-- at ten times the union, written by every full rebuild, and read and rewritten for every account after every
-- day's collect (issue 16: most of the 4–8 s of that update).
--
-- The old contribution follows from the readings as they were at the last compute, and those differ from
-- today's only where a reading was written or deleted since. This log keeps, for each such (account, day),
-- the audience the last compute saw (NULL: no reading then), the first time the reading changes; the compute
-- reads it, rebuilds the old readings, and empties it. Readings after the account's last computed one need no
-- entry: none existed then (a day's collect writes only those, so it logs nothing).
CREATE TABLE rollup_snapshot_log (
  account_id INTEGER NOT NULL,
  day        INTEGER NOT NULL,
  audience   INTEGER,
  PRIMARY KEY (account_id, day)
) WITHOUT ROWID;

-- BEFORE INSERT sees the row an INSERT OR REPLACE or an upsert is about to overwrite (a REPLACE fires no
-- delete trigger). The first value since the last compute is kept: WHERE NOT EXISTS, not INSERT OR IGNORE,
-- which the outer statement's conflict clause (OR REPLACE) would override.
CREATE TRIGGER rollup_snapshot_log_insert BEFORE INSERT ON snapshots
WHEN NEW.day <= (SELECT last_day FROM rollup_accounts WHERE account_id = NEW.account_id)
  AND NOT EXISTS (SELECT 1 FROM rollup_snapshot_log WHERE account_id = NEW.account_id AND day = NEW.day)
BEGIN
  INSERT INTO rollup_snapshot_log (account_id, day, audience)
  VALUES (NEW.account_id, NEW.day, (SELECT audience FROM snapshots WHERE account_id = NEW.account_id AND day = NEW.day));
END;

CREATE TRIGGER rollup_snapshot_log_update BEFORE UPDATE OF account_id, day, audience ON snapshots
BEGIN
  INSERT INTO rollup_snapshot_log (account_id, day, audience)
  SELECT OLD.account_id, OLD.day, OLD.audience
  WHERE OLD.day <= (SELECT last_day FROM rollup_accounts WHERE account_id = OLD.account_id)
    AND NOT EXISTS (SELECT 1 FROM rollup_snapshot_log WHERE account_id = OLD.account_id AND day = OLD.day);
  INSERT INTO rollup_snapshot_log (account_id, day, audience)
  SELECT NEW.account_id, NEW.day, (SELECT audience FROM snapshots WHERE account_id = NEW.account_id AND day = NEW.day)
  WHERE (NEW.account_id IS NOT OLD.account_id OR NEW.day IS NOT OLD.day)
    AND NEW.day <= (SELECT last_day FROM rollup_accounts WHERE account_id = NEW.account_id)
    AND NOT EXISTS (SELECT 1 FROM rollup_snapshot_log WHERE account_id = NEW.account_id AND day = NEW.day);
END;

CREATE TRIGGER rollup_snapshot_log_delete BEFORE DELETE ON snapshots
WHEN OLD.day <= (SELECT last_day FROM rollup_accounts WHERE account_id = OLD.account_id)
  AND NOT EXISTS (SELECT 1 FROM rollup_snapshot_log WHERE account_id = OLD.account_id AND day = OLD.day)
BEGIN
  INSERT INTO rollup_snapshot_log (account_id, day, audience) VALUES (OLD.account_id, OLD.day, OLD.audience);
END;

-- Changes made before this migration were not logged: the next compute rebuilds everything.
DROP INDEX rollup_account_series_account;
DROP TABLE rollup_account_series;
INSERT INTO rollup_state (key, value) VALUES ('full_rebuild_needed', 1)
ON CONFLICT (key) DO UPDATE SET value = 1;
