-- Publications (DESIGN §11): posts with their counters as last read, and daily figures per org × platform
-- group kept up to date incrementally (src/posts/figures.ts), so pages, exports and the API never scan raw posts.
-- Days are local dates as days since 1970-01-01; instants are unix milliseconds (as in 0001_init).

-- One row per publication of one account. post_id: Facebook `{page-id}_{post-id}`, Instagram media id,
-- Telegram message id (an album: its first message's id). Counters are NULL when the platform cannot give
-- them (never made up); a counter the platform omits because it is zero is 0.
CREATE TABLE posts (
  id                INTEGER PRIMARY KEY,
  account_id        INTEGER NOT NULL REFERENCES accounts(id),
  post_id           TEXT    NOT NULL,
  published_at      INTEGER NOT NULL,
  day               INTEGER NOT NULL,              -- local date of published_at in the configured zone
  kind              TEXT    NOT NULL CHECK (kind IN ('text', 'photo', 'video', 'album', 'link', 'other')),
  forwarded         INTEGER NOT NULL DEFAULT 0 CHECK (forwarded IN (0, 1)),
  text              TEXT    NOT NULL DEFAULT '',
  url               TEXT,
  reactions         INTEGER CHECK (reactions IS NULL OR reactions >= 0),
  comments          INTEGER CHECK (comments IS NULL OR comments >= 0),
  shares            INTEGER CHECK (shares IS NULL OR shares >= 0),
  views             INTEGER CHECK (views IS NULL OR views >= 0),
  views_approximate INTEGER NOT NULL DEFAULT 0 CHECK (views_approximate IN (0, 1)),
  source            INTEGER NOT NULL CHECK (source BETWEEN 0 AND 2),  -- 0 API, 1 Telegram preview, 2 Bot API updates
  read_at           INTEGER NOT NULL,              -- when its counters were last read
  missed            INTEGER NOT NULL DEFAULT 0,    -- consecutive full reads of its window it was absent from
  deleted_at        INTEGER,                       -- set when found deleted (kept, counted nowhere)
  UNIQUE (account_id, post_id)
);
CREATE INDEX posts_account_day ON posts(account_id, day);
-- "every post of a period" (export posts of a region for a month): a day range, then the account filter
CREATE INDEX posts_day ON posts(day, account_id);

-- Rubrics of a post (the rubrics engineer's classifier writes these): origin 0 = matched by keywords,
-- 1 = added by an editor, 2 = removed by an editor (a removed rubric is kept as a row so that
-- re-classification does not bring it back). A post has rubric r when a row with origin 0 or 1 exists.
CREATE TABLE post_rubrics (
  post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  rubric     TEXT    NOT NULL,
  origin     INTEGER NOT NULL CHECK (origin IN (0, 1, 2)),
  set_by     TEXT,
  set_at     INTEGER,
  PRIMARY KEY (post_id, rubric)
) WITHOUT ROWID;
CREATE INDEX post_rubrics_rubric ON post_rubrics(rubric, post_id);

-- Daily figures per org × platform group (grp as in rollup_series: 0 facebook, 1 instagram, 2 telegram,
-- 4 social), over the org's subtree, packed 32 days to a BLOB (src/posts/figures-codec.ts): a 32-bit mask of
-- the days with counted posts, then for each such day 7 unsigned varints, in this order:
--   posts            counted posts (not deleted, account not closed on or before the post's date)
--   interactions     Σ reactions + comments + shares (a null counts as 0)
--   views            Σ views over posts whose views are not null
--   er_interactions  Σ interactions over posts whose audience_at is defined and > 0   (ER numerator)
--   er_audience      Σ audience_at over the same posts                                  (ER denominator)
--   vr_views         Σ views over posts with audience_at > 0 and views not null         (VR numerator)
--   vr_audience      Σ audience_at over the same posts                                  (VR denominator)
-- audience_at(p) = asOf(account of p, date of p) (§4). A chunk with no counted post has no row.
CREATE TABLE post_series (
  grp    INTEGER NOT NULL,
  chunk  INTEGER NOT NULL,            -- days chunk*32 … chunk*32+31
  org_id INTEGER NOT NULL,
  data   BLOB    NOT NULL,
  PRIMARY KEY (grp, chunk, org_id)
) WITHOUT ROWID;
CREATE INDEX post_series_org ON post_series(org_id, grp, chunk);

-- Each account's own daily figures as last computed (same codec): the "before" an incremental update
-- subtracts, and per-account figures (silence, days since the last post) without reading posts.
CREATE TABLE post_account_series (
  chunk      INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  data       BLOB    NOT NULL,
  PRIMARY KEY (chunk, account_id)
) WITHOUT ROWID;
CREATE INDEX post_account_series_account ON post_account_series(account_id, chunk);

-- Each account with posts as last computed: where it counted (org chain, root first), and the date of
-- its latest counted post (days_since_last_post, silence today).
CREATE TABLE post_accounts (
  account_id    INTEGER PRIMARY KEY,
  org_id        INTEGER NOT NULL,
  chain         TEXT    NOT NULL,
  platform      TEXT    NOT NULL,
  last_post_day INTEGER
);

-- Days on which an account's posts were read successfully (silence needs a success on D, D-1 or D-2;
-- otherwise the account is "unknown", not silent): bit i of `bits` = day chunk*32 + i.
CREATE TABLE post_read_days (
  account_id INTEGER NOT NULL,
  chunk      INTEGER NOT NULL,
  bits       INTEGER NOT NULL,
  PRIMARY KEY (account_id, chunk)
) WITHOUT ROWID;

-- Per-account state of posts collection: the last success, the last failure (shown like audience failures),
-- Telegram preview availability, and how far back history has been read.
CREATE TABLE post_collect_state (
  account_id      INTEGER PRIMARY KEY REFERENCES accounts(id),
  last_ok_at      INTEGER,
  last_failed_at  INTEGER,
  last_error_kind TEXT,
  last_error      TEXT,
  no_preview      INTEGER NOT NULL DEFAULT 0,   -- Telegram: the public preview answered 302 (private, or preview off)
  history_from    INTEGER,                      -- earliest day whose posts have been read (history read down to it)
  updates_chat_id TEXT                          -- Telegram: the numeric chat id seen in Bot API updates
);

-- Posts reading failures per run and account (collection_failures holds the audience reading's; an
-- account can fail one and not the other in the same run).
CREATE TABLE post_failures (
  run_id     INTEGER NOT NULL REFERENCES collection_runs(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  kind       TEXT    NOT NULL,
  message    TEXT    NOT NULL,
  at         INTEGER NOT NULL,
  PRIMARY KEY (run_id, account_id)
);
CREATE INDEX post_failures_account ON post_failures(account_id, at);

-- What changed since the figures were last computed, per account: the day range to recompute. Written by
-- triggers, so every writer (posts writer, snapshots writers, account admin, deletions) is covered.
CREATE TABLE post_dirty (
  account_id INTEGER PRIMARY KEY,
  from_day   INTEGER NOT NULL,
  to_day     INTEGER NOT NULL
);
INSERT INTO rollup_state (key, value) VALUES ('posts_tree_changed', 0);

CREATE TRIGGER post_insert AFTER INSERT ON posts
WHEN NOT EXISTS (SELECT 1 FROM post_dirty WHERE account_id = NEW.account_id AND from_day <= NEW.day AND to_day >= NEW.day)
BEGIN
  INSERT INTO post_dirty (account_id, from_day, to_day) VALUES (NEW.account_id, NEW.day, NEW.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = max(to_day, excluded.to_day);
END;

CREATE TRIGGER post_update AFTER UPDATE OF account_id, day, reactions, comments, shares, views, deleted_at ON posts
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.day IS NOT NEW.day OR OLD.reactions IS NOT NEW.reactions
  OR OLD.comments IS NOT NEW.comments OR OLD.shares IS NOT NEW.shares OR OLD.views IS NOT NEW.views
  OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
  INSERT INTO post_dirty (account_id, from_day, to_day) VALUES (OLD.account_id, OLD.day, OLD.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = max(to_day, excluded.to_day);
  INSERT INTO post_dirty (account_id, from_day, to_day) VALUES (NEW.account_id, NEW.day, NEW.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = max(to_day, excluded.to_day);
END;

CREATE TRIGGER post_delete AFTER DELETE ON posts
BEGIN
  INSERT INTO post_dirty (account_id, from_day, to_day) VALUES (OLD.account_id, OLD.day, OLD.day)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = max(to_day, excluded.to_day);
END;

-- A snapshot changes audience_at of the account's posts from its day on (values carry forward). Only
-- accounts with posts on or after that day are marked, so bulk snapshot loads stay cheap.
CREATE TRIGGER post_snapshot_insert AFTER INSERT ON snapshots
WHEN EXISTS (SELECT 1 FROM posts WHERE account_id = NEW.account_id AND day >= NEW.day)
  AND NOT EXISTS (SELECT 1 FROM post_dirty WHERE account_id = NEW.account_id AND from_day <= NEW.day AND to_day >= 1000000000)
BEGIN
  INSERT INTO post_dirty (account_id, from_day, to_day) VALUES (NEW.account_id, NEW.day, 1000000000)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = 1000000000;
END;

CREATE TRIGGER post_snapshot_update AFTER UPDATE OF account_id, day, audience ON snapshots
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.day IS NOT NEW.day OR OLD.audience IS NOT NEW.audience
BEGIN
  INSERT INTO post_dirty (account_id, from_day, to_day)
    SELECT OLD.account_id, min(OLD.day, NEW.day), 1000000000 WHERE EXISTS (SELECT 1 FROM posts WHERE account_id = OLD.account_id)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = 1000000000;
  INSERT INTO post_dirty (account_id, from_day, to_day)
    SELECT NEW.account_id, min(OLD.day, NEW.day), 1000000000 WHERE EXISTS (SELECT 1 FROM posts WHERE account_id = NEW.account_id)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = 1000000000;
END;

CREATE TRIGGER post_snapshot_delete AFTER DELETE ON snapshots
WHEN EXISTS (SELECT 1 FROM posts WHERE account_id = OLD.account_id AND day >= OLD.day)
BEGIN
  INSERT INTO post_dirty (account_id, from_day, to_day) VALUES (OLD.account_id, OLD.day, 1000000000)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = 1000000000;
END;

-- Another org or platform: the whole account; a changed closing: from the earlier closing date on.
CREATE TRIGGER post_account_update AFTER UPDATE OF org_id, platform, closed_day ON accounts
WHEN (OLD.org_id IS NOT NEW.org_id OR OLD.platform IS NOT NEW.platform OR OLD.closed_day IS NOT NEW.closed_day)
  AND EXISTS (SELECT 1 FROM post_accounts WHERE account_id = NEW.id UNION ALL SELECT 1 FROM posts WHERE account_id = NEW.id)
BEGIN
  INSERT INTO post_dirty (account_id, from_day, to_day) VALUES (NEW.id,
    CASE WHEN OLD.org_id IS NOT NEW.org_id OR OLD.platform IS NOT NEW.platform THEN -1000000000
         ELSE min(coalesce(OLD.closed_day, 1000000000), coalesce(NEW.closed_day, 1000000000)) END, 1000000000)
  ON CONFLICT (account_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = 1000000000;
END;

CREATE TRIGGER post_account_delete AFTER DELETE ON accounts
WHEN EXISTS (SELECT 1 FROM post_accounts WHERE account_id = OLD.id)
BEGIN
  INSERT INTO post_dirty (account_id, from_day, to_day) VALUES (OLD.id, -1000000000, 1000000000)
  ON CONFLICT (account_id) DO UPDATE SET from_day = -1000000000, to_day = 1000000000;
END;

CREATE TRIGGER post_org_move AFTER UPDATE OF parent_id ON organisations
WHEN OLD.parent_id IS NOT NEW.parent_id
BEGIN
  UPDATE rollup_state SET value = 1 WHERE key = 'posts_tree_changed';
END;
