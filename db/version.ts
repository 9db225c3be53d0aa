// The database's version as one string: SQLite's data_version (commits by other connections, e.g. a `collect`
// process) plus this connection's total_changes (writes made here). Any write anywhere changes it.
import type { Db } from './index';

export function databaseVersion(db: Db): () => string {
  const changes = db.prepare('SELECT total_changes()').pluck();
  return () => `${db.pragma('data_version', { simple: true })}:${changes.get()}`;
}
