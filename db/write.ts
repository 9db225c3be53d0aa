// Every write transaction goes through here: IMMEDIATE (the write lock is taken at BEGIN, so the busy timeout
// applies and a transaction that reads first is never refused half-way), SQLite failures turned into one
// error with a plain reason (DatabaseWriteError), and, for jobs, a busy database retried with backoff
// within a bound before the run is given up.
//
//   writeTx(db, fn)          a write transaction now (web requests, CLI commands): waits up to the busy timeout
//   retryBusy(db, work)      a job's write (collect, compute, the outbox): retried with backoff while the
//                            database is busy, for at most 6 busy timeouts (60 s by default), the event loop
//                            free between tries
//   sqliteFault(err)         'busy' | 'full' | 'io' | 'corrupt' | 'readonly' | undefined
import type { Db } from './index';

export type SqliteFault = 'busy' | 'full' | 'io' | 'corrupt' | 'readonly';

/** What kind of SQLite failure an error is (undefined: not a SQLite failure of the file). */
export function sqliteFault(err: unknown): SqliteFault | undefined {
  if (err instanceof DatabaseWriteError) return err.fault;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_IOERR')) return 'io';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  if (code.startsWith('SQLITE_READONLY')) return 'readonly';
  return undefined;
}

const REASONS: Record<SqliteFault, string> = {
  busy: 'the database is busy: another program (a backup, an import, an admin edit) held its write lock for too long; nothing was written, try again later',
  full: 'the disk holding the database is full (or the database reached its size limit): nothing was written; free some space and run again',
  io: 'the database file could not be read or written (input/output error): check the disk',
  corrupt: 'the database file is damaged: restore a backup (see `doctor`)',
  readonly: 'the database file is read-only for this process: check its owner and permissions',
};

/** A write that SQLite refused, with a reason in plain words (the SQLite code stays in `code`). */
export class DatabaseWriteError extends Error {
  constructor(
    readonly fault: SqliteFault,
    readonly code: string,
  ) {
    super(REASONS[fault]);
    this.name = 'DatabaseWriteError';
  }
}

/** The error as a DatabaseWriteError when it is a SQLite failure of the file; otherwise unchanged. */
export function classify(err: unknown): unknown {
  if (err instanceof DatabaseWriteError) return err;
  const fault = sqliteFault(err);
  return fault ? new DatabaseWriteError(fault, String((err as { code: string }).code)) : err;
}

/** Runs `fn` in one IMMEDIATE transaction (all its writes land, or none); SQLite failures come out classified. */
export function writeTx<T>(db: Db, fn: () => T): T {
  try {
    return db.transaction(fn).immediate();
  } catch (err) {
    throw classify(err);
  }
}

export interface RetryOptions {
  /** Most time spent waiting for the lock, all tries together (default 6 × the connection's busy timeout). */
  boundMs?: number;
  /** First pause between tries; doubles up to maxDelayMs. */
  delayMs?: number;
  maxDelayMs?: number;
  /** Told of each busy try (the caller logs it once). */
  onBusy?: (attempt: number, waitedMs: number) => void;
}

const busyTimeoutOf = (db: Db) => Number(db.pragma('busy_timeout', { simple: true })) || 0;

/** The default bound of retryBusy: 6 busy timeouts (60 s with the default 10 s), at least 1 s. */
export function busyBound(db: Db): number {
  return Math.max(6 * busyTimeoutOf(db), 1_000);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a job's write, retrying while the database is busy: each try waits at most a short while for the
 * lock (so the web server is not held up by a long wait), then the event loop is free until the next.
 * Busy for longer than the bound, or any other SQLite failure: a DatabaseWriteError with a plain reason.
 */
export async function retryBusy<T>(db: Db, work: () => T, opts: RetryOptions = {}): Promise<T> {
  const timeout = busyTimeoutOf(db);
  const bound = opts.boundMs ?? busyBound(db);
  const tryWait = Math.min(timeout, 250);
  const started = Date.now();
  let delay = opts.delayMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    db.pragma(`busy_timeout = ${tryWait}`);
    try {
      return work();
    } catch (err) {
      const e = classify(err);
      const waited = Date.now() - started;
      if (sqliteFault(e) !== 'busy' || waited + delay > bound) throw e;
      opts.onBusy?.(attempt, waited);
    } finally {
      db.pragma(`busy_timeout = ${timeout}`);
    }
    await sleep(delay);
    delay = Math.min(delay * 2, opts.maxDelayMs ?? 2_000);
  }
}

/** retryBusy of one IMMEDIATE transaction. */
export function retryWriteTx<T>(db: Db, fn: () => T, opts?: RetryOptions): Promise<T> {
  return retryBusy(db, () => writeTx(db, fn), opts);
}
