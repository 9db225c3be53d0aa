-- Base schema: the organisation tree, accounts, snapshots, collection runs, targets, users, audit.
-- Local dates are stored as whole days since 1970-01-01 (INTEGER "day" columns); instants as unix
-- milliseconds (INTEGER "*_at" columns).

CREATE TABLE organisations (
  id            INTEGER PRIMARY KEY,
  slug          TEXT    NOT NULL UNIQUE CHECK (slug GLOB '[a-z0-9]*' AND slug NOT GLOB '*[^a-z0-9-]*'),
  parent_id     INTEGER REFERENCES organisations(id),
  level         TEXT    NOT NULL CHECK (level IN ('council', 'region', 'branch', 'primary')),
  name_ru       TEXT    NOT NULL,
  name_kk       TEXT,
  name_en       TEXT,
  members       INTEGER CHECK (members IS NULL OR members >= 0),
  telegram_chat TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE accounts (
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
  UNIQUE (platform, platform_id)
);
CREATE INDEX accounts_org ON accounts(org_id);

-- One reading per account per local date. ~5.5 M rows on the scale model: no rowid, integer day,
-- integer source code (0 api, 1 backfill, 2 manual, 3 import).
CREATE TABLE snapshots (
  account_id   INTEGER NOT NULL REFERENCES accounts(id),
  day          INTEGER NOT NULL,
  audience     INTEGER NOT NULL CHECK (audience >= 0),
  source       INTEGER NOT NULL CHECK (source BETWEEN 0 AND 3),
  collected_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, day)
) WITHOUT ROWID;

CREATE TABLE collection_runs (
  id              INTEGER PRIMARY KEY,
  started_at      INTEGER NOT NULL,
  finished_at     INTEGER,
  status          TEXT    NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
  trigger         TEXT    NOT NULL DEFAULT 'manual',  -- schedule, manual, admin, demo
  platform        TEXT,
  org_slug        TEXT,
  backfill_days   INTEGER,
  accounts_total  INTEGER NOT NULL DEFAULT 0,
  accounts_ok     INTEGER NOT NULL DEFAULT 0,
  accounts_failed INTEGER NOT NULL DEFAULT 0,
  requests        INTEGER NOT NULL DEFAULT 0,
  duration_ms     INTEGER,
  error           TEXT
);

CREATE TABLE collection_failures (
  run_id     INTEGER NOT NULL REFERENCES collection_runs(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  kind       TEXT    NOT NULL,  -- rate_limit, invalid_token, permission, not_found, transient, malformed, timeout, other
  message    TEXT    NOT NULL,
  at         INTEGER NOT NULL,
  PRIMARY KEY (run_id, account_id)
);
CREATE INDEX collection_failures_account ON collection_failures(account_id, at);

-- A target is identified by org, platform and due date; each edit is a new version.
CREATE TABLE targets (
  id       INTEGER PRIMARY KEY,
  org_id   INTEGER NOT NULL REFERENCES organisations(id),
  platform TEXT    NOT NULL CHECK (platform IN ('facebook', 'instagram', 'telegram', 'newspaper', 'social')),
  due_day  INTEGER NOT NULL,
  UNIQUE (org_id, platform, due_day)
);

CREATE TABLE target_versions (
  id             INTEGER PRIMARY KEY,
  target_id      INTEGER NOT NULL REFERENCES targets(id),
  version        INTEGER NOT NULL,
  baseline_day   INTEGER NOT NULL,
  baseline       INTEGER NOT NULL,   -- frozen when the target is first set
  target         INTEGER NOT NULL,
  target_percent REAL,               -- when entered as +N % of baseline
  decision       TEXT,
  set_by         TEXT    NOT NULL,
  set_at         INTEGER NOT NULL,
  UNIQUE (target_id, version)
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  login         TEXT    NOT NULL UNIQUE,
  password_hash TEXT    NOT NULL,
  role          TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  org_id        INTEGER REFERENCES organisations(id),
  language      TEXT,
  created_at    INTEGER NOT NULL,
  disabled_at   INTEGER
);

CREATE TABLE sessions (
  id_hash    TEXT    PRIMARY KEY,     -- sha256 of the cookie value
  user_id    INTEGER NOT NULL REFERENCES users(id),
  csrf_token TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT,
  token_hash   TEXT    NOT NULL UNIQUE,  -- sha256 of the token; the token itself is shown once
  role         TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  org_id       INTEGER REFERENCES organisations(id),
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);

CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  actor   TEXT    NOT NULL,   -- login, 'cli', 'import', 'system'
  action  TEXT    NOT NULL,   -- e.g. org.create, account.close, target.set
  subject TEXT    NOT NULL,   -- e.g. org:pavlodar
  before  TEXT,               -- JSON
  after   TEXT                -- JSON
);
CREATE INDEX audit_log_at ON audit_log(at);
