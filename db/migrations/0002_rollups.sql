-- Growth rollups (DESIGN §6): daily audience per org × platform group, kept up to date incrementally so
-- pages, exports and the API never scan raw snapshots.
--
-- Size on the scale model (5,221 orgs, 5,000 accounts, 3 years): a row per org × group × day would be
-- ~10 M rows even for the pairs that have accounts, more than the snapshots themselves. So days are packed
-- 32 to a BLOB (see src/rollup-codec.ts: 32 sums, and 32 tracked-account counts or one when constant), only
-- for org/group pairs that have accounts, only from their first reading to their last change; beyond the
-- last chunk the last value carries on. grp: 0 facebook, 1 instagram, 2 telegram, 3 newspaper, 4 social.

-- Clustered by (grp, chunk, org_id): "every org on one day" (growth tables, rankings) is one contiguous range
-- and a day's collect rewrites one contiguous region; one org's series goes through the small index.
CREATE TABLE rollup_series (
  grp    INTEGER NOT NULL,
  chunk  INTEGER NOT NULL,            -- covers days chunk*32 … chunk*32+31
  org_id INTEGER NOT NULL,
  data   BLOB    NOT NULL,
  PRIMARY KEY (grp, chunk, org_id)
) WITHOUT ROWID;
CREATE INDEX rollup_series_org ON rollup_series(org_id, grp, chunk);

-- Which pairs exist, their stored chunk range and the value that carries on after the last chunk.
CREATE TABLE rollup_pairs (
  org_id      INTEGER NOT NULL,
  grp         INTEGER NOT NULL,
  first_chunk INTEGER NOT NULL,
  last_chunk  INTEGER NOT NULL,
  last_sum    REAL    NOT NULL,
  last_count  INTEGER NOT NULL,
  PRIMARY KEY (grp, org_id)
) WITHOUT ROWID;

-- Each account's own contribution as last computed: the "before" an incremental update subtracts.
-- Clustered by chunk, so a day's collect rewrites one contiguous region, not a page per account.
CREATE TABLE rollup_account_series (
  chunk      INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  data       BLOB    NOT NULL,
  PRIMARY KEY (chunk, account_id)
) WITHOUT ROWID;
CREATE INDEX rollup_account_series_account ON rollup_account_series(account_id, chunk);

-- Each account as last computed: where it counted (org chain, root first, comma-separated ids), its first
-- reading (net growth subtracts the first audience of channels first seen inside a period), last reading
-- (staleness) and closing.
CREATE TABLE rollup_accounts (
  account_id     INTEGER PRIMARY KEY,
  org_id         INTEGER NOT NULL,
  chain          TEXT    NOT NULL,
  platform       TEXT    NOT NULL,
  first_day      INTEGER,
  first_audience INTEGER,
  last_day       INTEGER,
  last_audience  INTEGER,
  closed_day     INTEGER
);
CREATE INDEX rollup_accounts_first ON rollup_accounts(first_day);
CREATE INDEX rollup_accounts_org ON rollup_accounts(org_id);

-- Suspicious account-days (src/domain/suspicious.ts documents the rule).
CREATE TABLE rollup_flags (
  account_id        INTEGER NOT NULL,
  day               INTEGER NOT NULL,
  audience          INTEGER NOT NULL,
  previous_audience INTEGER NOT NULL,
  daily_change      REAL    NOT NULL,
  expected_change   REAL    NOT NULL,
  score             REAL    NOT NULL,
  kind              TEXT    NOT NULL CHECK (kind IN ('spike', 'drop')),
  PRIMARY KEY (account_id, day)
) WITHOUT ROWID;
CREATE INDEX rollup_flags_day ON rollup_flags(day);

-- What changed since the last compute, per account: the earliest day to recompute from. Written by the
-- triggers below, so every writer of snapshots or accounts (collect, import, admin pages) is covered.
CREATE TABLE rollup_dirty (
  account_id INTEGER PRIMARY KEY,
  from_day   INTEGER NOT NULL
);

CREATE TABLE rollup_state (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
-- Data may predate this migration: the first compute is a full rebuild.
INSERT INTO rollup_state (key, value) VALUES ('full_rebuild_needed', 1);

-- The WHEN clause keeps bulk loads cheap: a lookup, no write, once the account is already dirty from earlier.
CREATE TRIGGER rollup_snapshot_insert AFTER INSERT ON snapshots
WHEN NOT EXISTS (SELECT 1 FROM rollup_dirty WHERE account_id = NEW.account_id AND from_day <= NEW.day)
BEGIN
  INSERT INTO rollup_dirty (account_id, from_day) VALUES (NEW.account_id, NEW.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;

CREATE TRIGGER rollup_snapshot_update AFTER UPDATE OF account_id, day, audience ON snapshots
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.day IS NOT NEW.day OR OLD.audience IS NOT NEW.audience
BEGIN
  INSERT INTO rollup_dirty (account_id, from_day) VALUES (OLD.account_id, min(OLD.day, NEW.day))
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
  INSERT INTO rollup_dirty (account_id, from_day) VALUES (NEW.account_id, min(OLD.day, NEW.day))
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;

CREATE TRIGGER rollup_snapshot_delete AFTER DELETE ON snapshots
BEGIN
  INSERT INTO rollup_dirty (account_id, from_day) VALUES (OLD.account_id, OLD.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;

-- Moving an account to another org or platform recomputes it whole; a changed closing from the earlier date.
CREATE TRIGGER rollup_account_update AFTER UPDATE OF org_id, platform, closed_day ON accounts
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.platform IS NOT NEW.platform OR OLD.closed_day IS NOT NEW.closed_day
BEGIN
  INSERT INTO rollup_dirty (account_id, from_day) VALUES (NEW.id,
    CASE WHEN OLD.org_id IS NOT NEW.org_id OR OLD.platform IS NOT NEW.platform THEN -1000000000
         ELSE min(coalesce(OLD.closed_day, 1000000000), coalesce(NEW.closed_day, 1000000000)) END)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;

CREATE TRIGGER rollup_account_delete AFTER DELETE ON accounts
BEGIN
  INSERT INTO rollup_dirty (account_id, from_day) VALUES (OLD.id, -1000000000)
  ON CONFLICT (account_id) DO UPDATE SET from_day = -1000000000;
END;

-- A moved org changes the chains of all accounts below it: compute compares chains when this is set.
CREATE TRIGGER rollup_org_move AFTER UPDATE OF parent_id ON organisations
WHEN OLD.parent_id IS NOT NEW.parent_id
BEGIN
  INSERT INTO rollup_state (key, value) VALUES ('tree_changed', 1)
  ON CONFLICT (key) DO UPDATE SET value = 1;
END;

-- Bumped on any change to the organisation tree, so readers can cache the tree between changes.
INSERT INTO rollup_state (key, value) VALUES ('org_version', 0);
CREATE TRIGGER rollup_org_version_insert AFTER INSERT ON organisations
BEGIN
  UPDATE rollup_state SET value = value + 1 WHERE key = 'org_version';
END;
CREATE TRIGGER rollup_org_version_update AFTER UPDATE ON organisations
BEGIN
  UPDATE rollup_state SET value = value + 1 WHERE key = 'org_version';
END;
CREATE TRIGGER rollup_org_version_delete AFTER DELETE ON organisations
BEGIN
  UPDATE rollup_state SET value = value + 1 WHERE key = 'org_version';
END;
