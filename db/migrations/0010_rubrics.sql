-- Information work (DESIGN §11): rubric classification state, rubric counts per org × platform group × day,
-- each post's engagement rate for the best-posts page, and the committee's standards (versioned like targets).
-- Days are local dates as days since 1970-01-01; instants unix milliseconds.

-- Posts whose text is new or changed since they were last classified (post_rubrics origin 0 rows).
CREATE TABLE rubric_pending (post_id INTEGER PRIMARY KEY);
CREATE TRIGGER rubric_post_insert AFTER INSERT ON posts
BEGIN
  INSERT INTO rubric_pending (post_id) VALUES (NEW.id) ON CONFLICT (post_id) DO NOTHING;
END;
CREATE TRIGGER rubric_post_text AFTER UPDATE OF text ON posts WHEN OLD.text IS NOT NEW.text
BEGIN
  INSERT INTO rubric_pending (post_id) VALUES (NEW.id) ON CONFLICT (post_id) DO NOTHING;
END;
-- The rubrics the stored classification was made with (JSON); another set means re-classify everything.
INSERT INTO rollup_state (key, value) VALUES ('rubrics_tree_changed', 0);
CREATE TABLE rubric_config (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL);

-- rubric_posts per org × platform group (grp as in post_series) × rubric, for orgs above the primary level
-- (a primary's few posts are read directly): 32 days to a BLOB, a 32-bit mask of the days with posts of the
-- rubric, then one unsigned varint count per such day (src/publications/rubric-figures.ts).
CREATE TABLE rubric_series (
  grp    INTEGER NOT NULL,
  chunk  INTEGER NOT NULL,
  org_id INTEGER NOT NULL,
  rubric TEXT    NOT NULL,
  data   BLOB    NOT NULL,
  PRIMARY KEY (org_id, grp, chunk, rubric)
) WITHOUT ROWID;
CREATE INDEX rubric_series_chunk ON rubric_series(grp, chunk);

-- Chunks whose rubric counts may have changed; recomputed whole from the posts of the chunk.
CREATE TABLE rubric_dirty (chunk INTEGER PRIMARY KEY);
CREATE TRIGGER rubric_dirty_post_insert AFTER INSERT ON posts
BEGIN
  INSERT INTO rubric_dirty (chunk) VALUES (NEW.day >> 5) ON CONFLICT (chunk) DO NOTHING;
END;
CREATE TRIGGER rubric_dirty_post_update AFTER UPDATE OF account_id, day, deleted_at ON posts
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.day IS NOT NEW.day OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
  INSERT INTO rubric_dirty (chunk) VALUES (OLD.day >> 5), (NEW.day >> 5) ON CONFLICT (chunk) DO NOTHING;
END;
CREATE TRIGGER rubric_dirty_post_delete AFTER DELETE ON posts
BEGIN
  INSERT INTO rubric_dirty (chunk) VALUES (OLD.day >> 5) ON CONFLICT (chunk) DO NOTHING;
END;
-- post_rubrics has one writer (src/publications/classify.ts), which marks the chunks it changes itself: a
-- trigger per rubric row would cost a posts lookup for each of millions of rows when everything is re-classified.
CREATE TRIGGER rubric_dirty_account AFTER UPDATE OF org_id, platform, closed_day ON accounts
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.platform IS NOT NEW.platform OR OLD.closed_day IS NOT NEW.closed_day
BEGIN
  INSERT INTO rubric_dirty (chunk) SELECT DISTINCT day >> 5 FROM posts WHERE account_id = NEW.id ON CONFLICT (chunk) DO NOTHING;
END;
CREATE TRIGGER rubric_org_move AFTER UPDATE OF parent_id ON organisations
WHEN OLD.parent_id IS NOT NEW.parent_id
BEGIN
  UPDATE rollup_state SET value = 1 WHERE key = 'rubrics_tree_changed';
END;

-- Each counted post's engagement rate (100 × interactions / audience_at, audience_at > 0), for the best
-- posts across the tree; a post that is not counted or has no audience has no row.
CREATE TABLE post_scores (
  post_id     INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  day         INTEGER NOT NULL,
  audience_at INTEGER NOT NULL,
  er          REAL    NOT NULL
);
CREATE INDEX post_scores_day_er ON post_scores(day, er);
CREATE INDEX post_scores_er ON post_scores(er);
CREATE INDEX post_scores_account ON post_scores(account_id, day);
-- Accounts whose posts' scores may have changed, with the day range (as post_dirty does for the figures).
CREATE TABLE score_dirty (
  account_id INTEGER PRIMARY KEY,
  from_day   INTEGER NOT NULL,
  to_day     INTEGER NOT NULL
);
CREATE TRIGGER score_post_insert AFTER INSERT ON posts
BEGIN
  INSERT INTO score_dirty (account_id, from_day, to_day) VALUES (NEW.account_id, NEW.day, NEW.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = max(to_day, excluded.to_day);
END;
CREATE TRIGGER score_post_update AFTER UPDATE OF account_id, day, reactions, comments, shares, deleted_at ON posts
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.day IS NOT NEW.day OR OLD.reactions IS NOT NEW.reactions
  OR OLD.comments IS NOT NEW.comments OR OLD.shares IS NOT NEW.shares OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
  INSERT INTO score_dirty (account_id, from_day, to_day) VALUES (OLD.account_id, OLD.day, OLD.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = max(to_day, excluded.to_day);
  INSERT INTO score_dirty (account_id, from_day, to_day) VALUES (NEW.account_id, NEW.day, NEW.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = max(to_day, excluded.to_day);
END;
CREATE TRIGGER score_post_delete AFTER DELETE ON posts
BEGIN
  DELETE FROM post_scores WHERE post_id = OLD.id;
END;
CREATE TRIGGER score_snapshot_insert AFTER INSERT ON snapshots
WHEN EXISTS (SELECT 1 FROM posts WHERE account_id = NEW.account_id AND day >= NEW.day)
BEGIN
  INSERT INTO score_dirty (account_id, from_day, to_day) VALUES (NEW.account_id, NEW.day, 1000000000)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = 1000000000;
END;
CREATE TRIGGER score_snapshot_update AFTER UPDATE OF account_id, day, audience ON snapshots
BEGIN
  INSERT INTO score_dirty (account_id, from_day, to_day)
    SELECT a, min(OLD.day, NEW.day), 1000000000 FROM (SELECT OLD.account_id AS a UNION SELECT NEW.account_id)
    WHERE EXISTS (SELECT 1 FROM posts WHERE account_id = a)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = 1000000000;
END;
CREATE TRIGGER score_snapshot_delete AFTER DELETE ON snapshots
WHEN EXISTS (SELECT 1 FROM posts WHERE account_id = OLD.account_id AND day >= OLD.day)
BEGIN
  INSERT INTO score_dirty (account_id, from_day, to_day) VALUES (OLD.account_id, OLD.day, 1000000000)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = 1000000000;
END;
CREATE TRIGGER score_account AFTER UPDATE OF closed_day ON accounts
WHEN OLD.closed_day IS NOT NEW.closed_day AND EXISTS (SELECT 1 FROM posts WHERE account_id = NEW.id)
BEGIN
  INSERT INTO score_dirty (account_id, from_day, to_day) VALUES (NEW.id, -1000000000, 1000000000)
  ON CONFLICT (account_id) DO UPDATE SET from_day = -1000000000, to_day = 1000000000;
END;

-- Standards of information work set by the committee (config `standards:` or the admin targets page),
-- identified by level and platform group; every change is a new version with the decision it comes from.
CREATE TABLE standards (
  id       INTEGER PRIMARY KEY,
  level    TEXT NOT NULL CHECK (level IN ('council', 'region', 'branch', 'primary')),
  platform TEXT NOT NULL CHECK (platform IN ('facebook', 'instagram', 'telegram', 'social')),
  UNIQUE (level, platform)
);
CREATE TABLE standard_versions (
  standard_id    INTEGER NOT NULL REFERENCES standards(id),
  version        INTEGER NOT NULL,
  posts_per_week REAL,
  active_share   REAL,
  rubric_share   TEXT,            -- JSON object rubric slug → percent, or NULL
  retired        INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),  -- a version that lifts the standard
  decision       TEXT,
  set_by         TEXT    NOT NULL,
  set_at         INTEGER NOT NULL,
  PRIMARY KEY (standard_id, version)
) WITHOUT ROWID;
