// The one writer of snapshots: collect, backfill, import-audience, newspaper figures and every other path
// that stores an audience reading goes through a SnapshotWriter. It keeps, per account, the earliest
// local day written (what the rollups must be recomputed from) and, when the batch is finished, calls the
// compute hook ONCE with that map (not at all when nothing changed).
//
// Rules (DESIGN §1 "snapshot"): one snapshot per account per local date, a later reading replaces an earlier
// one; a history (backfill) value never replaces a reading taken by the API, entered by hand or imported.
import { countProblem } from '../src/domain/ranges';
import type { Db } from './index';
import { writeTx } from './write';
import { SOURCE_CODES, type SnapshotSource } from '../src/domain/sources';

export interface SnapshotInput {
  accountId: number;
  /** Local date as an epoch day. */
  day: number;
  audience: number;
  source: SnapshotSource;
  /** When the reading was taken (ms); default now. */
  at?: number;
}

/** Called once per finished batch with account id → earliest changed epoch day. */
export type ChangedCallback = (changedFrom: Map<number, number>) => void;

export class SnapshotWriter {
  /** Account id → earliest epoch day written in this batch. */
  readonly changedFrom = new Map<number, number>();
  /** Rows inserted or changed. */
  written = 0;
  private finished = false;
  private readonly upsert;
  private readonly upsertHistory;

  constructor(
    private readonly db: Db,
    private readonly onChanged: ChangedCallback,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, day) DO UPDATE SET audience = excluded.audience, source = excluded.source, collected_at = excluded.collected_at`,
    );
    this.upsertHistory = db.prepare(
      `INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, ${SOURCE_CODES.backfill}, ?)
       ON CONFLICT (account_id, day) DO UPDATE SET audience = excluded.audience, collected_at = excluded.collected_at
       WHERE snapshots.source = ${SOURCE_CODES.backfill} AND snapshots.audience <> excluded.audience`,
    );
  }

  /** Stores one reading; returns whether a row was inserted or changed. Call inside `transaction` for speed. */
  put(s: SnapshotInput): boolean {
    if (this.finished) throw new Error('this snapshot batch is finished: open a new writer');
    const problem = countProblem(s.audience);
    if (problem) throw new Error(`a snapshot's audience ${problem.message}`);
    const at = s.at ?? Date.now();
    const changes =
      s.source === 'backfill' ? this.upsertHistory.run(s.accountId, s.day, s.audience, at).changes : this.upsert.run(s.accountId, s.day, s.audience, SOURCE_CODES[s.source], at).changes;
    if (changes === 0) return false;
    this.written++;
    this.markChanged(s.accountId, s.day);
    return true;
  }

  /** Records that an account's figures change from `day` on without a snapshot write (an account closed or reopened). */
  markChanged(accountId: number, day: number): void {
    const prev = this.changedFrom.get(accountId);
    if (prev === undefined || day < prev) this.changedFrom.set(accountId, day);
  }

  /** Runs `fn` in one IMMEDIATE transaction (all its writes land, or none; SQLite failures classified). */
  transaction<T>(fn: () => T): T {
    return writeTx(this.db, fn);
  }

  /** Ends the batch: fires the compute hook once if anything changed. Later calls do nothing. */
  finish(): Map<number, number> {
    if (this.finished) return this.changedFrom;
    this.finished = true;
    if (this.changedFrom.size > 0) this.onChanged(this.changedFrom);
    return this.changedFrom;
  }
}

/** Opens a batch whose end calls `onChanged` once. */
export function snapshotWriter(db: Db, onChanged: ChangedCallback): SnapshotWriter {
  return new SnapshotWriter(db, onChanged);
}

/** The snapshot stored for an account on a day, if any. */
export function snapshotOn(db: Db, accountId: number, day: number): number | null {
  return (db.prepare('SELECT audience FROM snapshots WHERE account_id = ? AND day = ?').pluck().get(accountId, day) as number | undefined) ?? null;
}
