// Statements prepared once per connection (preparing costs more than running most of the growth reads).
import type BetterSqlite3 from 'better-sqlite3';
import type { Db } from '../../db';

type Statement = BetterSqlite3.Statement<unknown[]>;
const statements = new WeakMap<Db, Map<string, Statement>>();

/** `text` prepared on `db`, once. */
export function sql(db: Db, text: string): Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let s = m.get(text);
  if (!s) m.set(text, (s = db.prepare(text)));
  return s;
}
