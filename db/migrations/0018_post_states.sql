-- Account states of information work (DESIGN §11) precomputed per org × platform group, so that a page reads
-- O(children) rows instead of every account under the org (src/posts/states.ts, the one writer).
-- Days are local dates as days since 1970-01-01.

-- Each account's state as a step function of the day (src/posts/states.ts, encodeSteps): pairs (from day, bits),
-- bits 1 tracked (a reading dated ≤ D, not closed on or before D), 2 posting (a counted post dated in
-- [D − 13, D]), 4 read (its posts read successfully on D, D − 1 or D − 2), 8 ever read (its posts read
-- successfully at least once: otherwise its figures are unknown). `chain` and `platform` as last counted.
CREATE TABLE post_account_states (
  account_id INTEGER PRIMARY KEY,
  chain      TEXT    NOT NULL,
  platform   TEXT    NOT NULL,
  steps      BLOB    NOT NULL
);

-- Per org × platform group (grp as in post_series), the sums over its subtree's accounts, as a step function:
-- each row holds the values from `from_day` until the next row's (src/posts/states.ts, ORG_VALUES):
-- tracked, silent, ever-read accounts of the subtree; the org's own tracked and posting accounts; and per
-- level (council, region, branch, primary) the orgs of the subtree with an own tracked account and the
-- active ones among them (active share, DESIGN §11). Int32 little-endian, 13 values.
CREATE TABLE post_org_states (
  grp      INTEGER NOT NULL,
  org_id   INTEGER NOT NULL,
  from_day INTEGER NOT NULL,
  v        BLOB    NOT NULL,
  PRIMARY KEY (grp, org_id, from_day)
) WITHOUT ROWID;

-- Accounts whose states may have changed from a day on (posts changes come through post_dirty).
CREATE TABLE post_state_dirty (
  account_id INTEGER PRIMARY KEY,
  from_day   INTEGER NOT NULL
);
-- moved orgs: the org sums are rebuilt from the stored account states; new databases: built from scratch
INSERT OR REPLACE INTO rollup_state (key, value) VALUES ('post_states_tree_changed', 0);
INSERT OR REPLACE INTO rollup_state (key, value) VALUES ('post_states_rebuild', 1);

CREATE TRIGGER post_state_read_insert AFTER INSERT ON post_read_days
BEGIN
  INSERT INTO post_state_dirty (account_id, from_day) VALUES (NEW.account_id, NEW.chunk * 32)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER post_state_read_update AFTER UPDATE ON post_read_days
WHEN OLD.bits IS NOT NEW.bits OR OLD.chunk IS NOT NEW.chunk OR OLD.account_id IS NOT NEW.account_id
BEGIN
  INSERT INTO post_state_dirty (account_id, from_day) VALUES (NEW.account_id, min(OLD.chunk, NEW.chunk) * 32)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
  INSERT INTO post_state_dirty (account_id, from_day) VALUES (OLD.account_id, min(OLD.chunk, NEW.chunk) * 32)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER post_state_read_delete AFTER DELETE ON post_read_days
BEGIN
  INSERT INTO post_state_dirty (account_id, from_day) VALUES (OLD.account_id, -1000000000)
  ON CONFLICT (account_id) DO UPDATE SET from_day = -1000000000;
END;

-- tracked starts with the first reading: only a snapshot before (or removing) the first one changes it
CREATE TRIGGER post_state_snapshot_insert AFTER INSERT ON snapshots
WHEN NOT EXISTS (SELECT 1 FROM snapshots WHERE account_id = NEW.account_id AND day < NEW.day)
BEGIN
  INSERT INTO post_state_dirty (account_id, from_day) VALUES (NEW.account_id, NEW.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER post_state_snapshot_delete AFTER DELETE ON snapshots
WHEN NOT EXISTS (SELECT 1 FROM snapshots WHERE account_id = OLD.account_id AND day < OLD.day)
BEGIN
  INSERT INTO post_state_dirty (account_id, from_day) VALUES (OLD.account_id, OLD.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER post_state_snapshot_update AFTER UPDATE OF account_id, day ON snapshots
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.day IS NOT NEW.day
BEGIN
  INSERT INTO post_state_dirty (account_id, from_day) VALUES (OLD.account_id, min(OLD.day, NEW.day)), (NEW.account_id, min(OLD.day, NEW.day))
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;

CREATE TRIGGER post_state_account_update AFTER UPDATE OF org_id, platform, closed_day ON accounts
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.platform IS NOT NEW.platform OR OLD.closed_day IS NOT NEW.closed_day
BEGIN
  INSERT INTO post_state_dirty (account_id, from_day) VALUES (NEW.id,
    CASE WHEN OLD.org_id IS NOT NEW.org_id OR OLD.platform IS NOT NEW.platform THEN -1000000000
         ELSE min(coalesce(OLD.closed_day, 1000000000), coalesce(NEW.closed_day, 1000000000)) END)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER post_state_account_delete AFTER DELETE ON accounts
WHEN EXISTS (SELECT 1 FROM post_account_states WHERE account_id = OLD.id)
BEGIN
  INSERT INTO post_state_dirty (account_id, from_day) VALUES (OLD.id, -1000000000)
  ON CONFLICT (account_id) DO UPDATE SET from_day = -1000000000;
END;

-- another parent or level: the org sums are rebuilt from the stored account states
CREATE TRIGGER post_state_org_move AFTER UPDATE OF parent_id, level ON organisations
WHEN OLD.parent_id IS NOT NEW.parent_id OR OLD.level IS NOT NEW.level
BEGIN
  UPDATE rollup_state SET value = 1 WHERE key = 'post_states_tree_changed';
END;
