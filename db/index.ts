// SQLite connection: pragmas, and numbered migrations applied in order inside a transaction.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export type Db = Database.Database;

const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

export interface Migration {
  id: string; // file name without .sql, e.g. "0001_init"
  sql: string;
}

export function knownMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ id: f.replace(/\.sql$/, ''), sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

export class MigrationMismatchError extends Error {
  constructor(applied: string[], known: string[]) {
    super(
      `database migrations [${applied.join(', ')}] are not a prefix of the ones this version knows ` +
        `[${known.join(', ')}]: the database was made by another version of audience-growth; ` +
        'use that version, or restore a backup made by this one',
    );
    this.name = 'MigrationMismatchError';
  }
}

/** Applies the migrations the database lacks; refuses a database whose history is not a prefix of ours. */
export function migrate(db: Db, migrations = knownMigrations()): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = (db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  const known = migrations.map((m) => m.id);
  if (applied.some((id, i) => known[i] !== id)) throw new MigrationMismatchError(applied, known);
  const pending = migrations.slice(applied.length);
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  for (const m of pending) {
    // A migration that rebuilds a table others refer to starts with `-- foreign_keys: off`: SQLite's
    // way (ALTER TABLE, "other kinds of table schema changes") is to switch the checks off outside the
    // transaction, then check every reference before committing.
    const rebuild = m.sql.startsWith('-- foreign_keys: off');
    const wasOn = db.pragma('foreign_keys', { simple: true }) === 1;
    if (rebuild) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(m.sql);
        if (rebuild) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length) throw new Error(`migration ${m.id} would leave ${broken.length} broken references`);
        }
        record.run(m.id, Date.now());
      }).immediate();
    } finally {
      if (rebuild && wasOn) db.pragma('foreign_keys = ON');
    }
  }
  return pending.map((m) => m.id);
}

/** The file at DATABASE_PATH is a SQLite database of something else: we write nothing into it. */
export class ForeignDatabaseError extends Error {
  constructor(file: string, detail: string) {
    super(`${file} ${detail}: it is not an audience-growth database, and nothing was written to it; check DATABASE_PATH`);
    this.name = 'ForeignDatabaseError';
  }
}

/** The database file does not exist (an empty or mistyped DATABASE_PATH): only import, demo and serve make one. */
export class MissingDatabaseError extends Error {
  constructor(file: string) {
    super(`no database at ${file}: check DATABASE_PATH (it is made by \`import\`, \`demo\` or \`serve\`)`);
    this.name = 'MissingDatabaseError';
  }
}

/** Default wait for another connection's write lock (ms); DATABASE_BUSY_TIMEOUT_MS overrides it. */
export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

export interface OpenOptions {
  readonly?: boolean;
  /** Skip migrations (used by tools that only inspect a file). */
  migrate?: boolean;
  /** Refuse a missing file instead of making a new database (every command but import, demo and serve). */
  mustExist?: boolean;
  /** How long a write waits for another connection's lock (default 10 s). */
  busyTimeoutMs?: number;
}

/**
 * Refuses a file that is neither empty nor ours before anything is written to it (not even the WAL switch,
 * which rewrites the file header): ours has `schema_migrations`, empty has no schema at all.
 */
function refuseForeign(db: Db, file: string): void {
  let names: string[];
  try {
    names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw new ForeignDatabaseError(file, 'is not a SQLite database');
    throw err;
  }
  if (names.length > 0 && !names.includes('schema_migrations')) {
    throw new ForeignDatabaseError(file, `holds other tables (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})`);
  }
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  const memory = file === ':memory:' || file === '';
  if (!memory && opts.mustExist && !fs.existsSync(file)) throw new MissingDatabaseError(file);
  if (!memory && !opts.readonly) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const busy = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const db = new Database(file, { readonly: opts.readonly ?? false, timeout: busy, fileMustExist: opts.mustExist ?? false });
  try {
    if (!memory && !opts.readonly) refuseForeign(db, file);
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${busy}`);
    if (!opts.readonly && opts.migrate !== false) migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
