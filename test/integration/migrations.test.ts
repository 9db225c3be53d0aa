// The migrations as a whole: numbered once each, and every trigger and index they create still there at
// the end. A later migration that rebuilds a table (SQLite drops a table's triggers with it) must not
// silently take away an earlier migration's triggers: the rollups and post figures would stop following
// closings and moves, with no error anywhere.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { knownMigrations, openDatabase } from '../../db';

function created(kind: 'TRIGGER' | 'INDEX'): Set<string> {
  const names = new Set<string>();
  const create = new RegExp(`CREATE\\s+(?:UNIQUE\\s+)?${kind}\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?([a-z0-9_]+)`, 'gi');
  const drop = new RegExp(`DROP\\s+${kind}\\s+(?:IF\\s+EXISTS\\s+)?([a-z0-9_]+)`, 'gi');
  for (const m of knownMigrations()) {
    // In file order: a name dropped and created again later is expected at the end.
    const events: { at: number; name: string; add: boolean }[] = [];
    for (const x of m.sql.matchAll(create)) events.push({ at: x.index!, name: x[1].toLowerCase(), add: true });
    for (const x of m.sql.matchAll(drop)) events.push({ at: x.index!, name: x[1].toLowerCase(), add: false });
    events.sort((a, b) => a.at - b.at);
    for (const e of events) {
      if (e.add) names.add(e.name);
      else names.delete(e.name);
    }
  }
  return names;
}

describe('migrations', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-migrations-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('each number is used once', () => {
    const numbers = knownMigrations().map((m) => m.id.slice(0, 4));
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  test('every trigger and index a migration creates exists after all of them ran', () => {
    const db = openDatabase(path.join(dir, 'all.db'));
    try {
      for (const kind of ['TRIGGER', 'INDEX'] as const) {
        const present = new Set((db.prepare('SELECT name FROM sqlite_master WHERE type = ?').pluck().all(kind.toLowerCase()) as string[]).map((n) => n.toLowerCase()));
        const missing = [...created(kind)].filter((n) => !present.has(n));
        expect({ kind, missing }).toEqual({ kind, missing: [] });
      }
    } finally {
      db.close();
    }
  });

  test('closing an account marks the audience rollups, the post figures and the rubric counts for an update', () => {
    const db = openDatabase(path.join(dir, 'close.db'));
    try {
      const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'accounts'").pluck().all() as string[];
      expect(triggers).toEqual(expect.arrayContaining(['rollup_account_update', 'post_account_update', 'rubric_dirty_account', 'score_account']));
    } finally {
      db.close();
    }
  });
});
