-- A day's collect writes one reading per account after its last one. The incremental compute continues such
-- an account from its carried value (src/growth/rollups.ts, the append path), and used to seek each one's new
-- readings in snapshots again: at ten times the union, 50,000 seeks into a 50 M-row table, most of the update.
-- rollup_dirty now keeps that reading when it is the account's only change since the last compute
-- (new_day = from_day); any other change (a second reading, an update, a deletion, an account edited) clears it.
ALTER TABLE rollup_dirty ADD COLUMN new_day INTEGER;
ALTER TABLE rollup_dirty ADD COLUMN new_audience INTEGER;

DROP TRIGGER rollup_snapshot_insert;
DROP TRIGGER rollup_snapshot_update;
DROP TRIGGER rollup_snapshot_delete;
DROP TRIGGER rollup_account_update;
DROP TRIGGER rollup_account_delete;

-- The WHEN clause keeps bulk loads cheap: a lookup, no write, once the account is dirty from earlier with
-- more than one change.
CREATE TRIGGER rollup_snapshot_insert AFTER INSERT ON snapshots
WHEN NOT EXISTS (SELECT 1 FROM rollup_dirty WHERE account_id = NEW.account_id AND from_day <= NEW.day AND new_day IS NULL)
BEGIN
  INSERT INTO rollup_dirty (account_id, from_day, new_day, new_audience) VALUES (NEW.account_id, NEW.day, NEW.day, NEW.audience)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), new_day = NULL, new_audience = NULL;
END;

CREATE TRIGGER rollup_snapshot_update AFTER UPDATE OF account_id, day, audience ON snapshots
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.day IS NOT NEW.day OR OLD.audience IS NOT NEW.audience
BEGIN
  INSERT INTO rollup_dirty (account_id, from_day) VALUES (OLD.account_id, min(OLD.day, NEW.day))
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), new_day = NULL, new_audience = NULL;
  INSERT INTO rollup_dirty (account_id, from_day) VALUES (NEW.account_id, min(OLD.day, NEW.day))
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), new_day = NULL, new_audience = NULL;
END;

CREATE TRIGGER rollup_snapshot_delete AFTER DELETE ON snapshots
BEGIN
  INSERT INTO rollup_dirty (account_id, from_day) VALUES (OLD.account_id, OLD.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), new_day = NULL, new_audience = NULL;
END;

-- Moving an account to another org or platform recomputes it whole; a changed closing from the earlier date.
CREATE TRIGGER rollup_account_update AFTER UPDATE OF org_id, platform, closed_day ON accounts
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.platform IS NOT NEW.platform OR OLD.closed_day IS NOT NEW.closed_day
BEGIN
  INSERT INTO rollup_dirty (account_id, from_day) VALUES (NEW.id,
    CASE WHEN OLD.org_id IS NOT NEW.org_id OR OLD.platform IS NOT NEW.platform THEN -1000000000
         ELSE min(coalesce(OLD.closed_day, 1000000000), coalesce(NEW.closed_day, 1000000000)) END)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), new_day = NULL, new_audience = NULL;
END;
CREATE TRIGGER rollup_account_delete AFTER DELETE ON accounts
BEGIN
  INSERT INTO rollup_dirty (account_id, from_day) VALUES (OLD.id, -1000000000)
  ON CONFLICT (account_id) DO UPDATE SET from_day = -1000000000, new_day = NULL, new_audience = NULL;
END;
