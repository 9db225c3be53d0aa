-- foreign_keys: off
-- Newspaper subscriptions are per organisation: the same newspaper (its code, e.g. bilimdi-el) may be
-- registered in several organisations, each an account of its own with that organisation's own figures,
-- summed up the tree like any platform (so nothing is counted twice). Channels stay unique by platform and
-- id; newspapers become unique by organisation and code. SQLite cannot drop a table constraint, so the
-- table is rebuilt (ids kept, foreign keys checked before the commit), with its index and triggers.
CREATE TABLE accounts_new (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES organisations(id),
  platform    TEXT    NOT NULL CHECK (platform IN ('facebook', 'instagram', 'telegram', 'newspaper')),
  platform_id TEXT    NOT NULL,          -- as configured: page id, IG user id, @name or -100…, newspaper code
  page_id     TEXT,                      -- instagram only: the Facebook Page the IG account is found through
  resolved_id TEXT,                      -- instagram given by its Page: the IG user id once looked up
  title       TEXT,
  token_env   TEXT,                      -- name of the environment variable holding this account's token
  closed_day  INTEGER,                   -- not counted on and after this local date
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  api         TEXT CHECK (api IS NULL OR api = 'instagram_login'),  -- 0007: Instagram API with Instagram Login
  token_file  TEXT
);
INSERT INTO accounts_new (id, org_id, platform, platform_id, page_id, resolved_id, title, token_env, closed_day, created_at, updated_at, api, token_file)
  SELECT id, org_id, platform, platform_id, page_id, resolved_id, title, token_env, closed_day, created_at, updated_at, api, token_file FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;
CREATE INDEX accounts_org ON accounts(org_id);
CREATE UNIQUE INDEX accounts_channel ON accounts(platform, platform_id) WHERE platform <> 'newspaper';
CREATE UNIQUE INDEX accounts_newspaper ON accounts(org_id, platform_id) WHERE platform = 'newspaper';
CREATE INDEX accounts_platform_id ON accounts(platform, platform_id);

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
