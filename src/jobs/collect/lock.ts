// The collect job's lock: one row in `job_locks`, with a heartbeat. A lock left by a dead process (or one
// whose heartbeat is older than `staleMs`) is taken over; a live one makes the new run fail with CollectBusyError.
import { writeTx } from '../../../db/write';
import os from 'node:os';
import crypto from 'node:crypto';
import type { Db } from '../../../db';

/** Another collect run holds the lock. */
export class CollectBusyError extends Error {
  constructor(readonly holder: { pid: number; host: string; since: number }) {
    super(`another collect run is in progress (pid ${holder.pid} on ${holder.host}, since ${new Date(holder.since).toISOString()})`);
    this.name = 'CollectBusyError';
  }
}

const heldHere = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockRow {
  owner: string;
  pid: number;
  host: string;
  acquired_at: number;
  heartbeat_at: number;
}

/** Takes the job lock or throws CollectBusyError; a lock left by a dead process is taken over. */
export function acquireLock(db: Db, name: string, staleMs: number): string {
  const owner = crypto.randomUUID();
  const host = os.hostname();
  writeTx(db, () => {
    const row = db.prepare('SELECT owner, pid, host, acquired_at, heartbeat_at FROM job_locks WHERE name = ?').get(name) as LockRow | undefined;
    if (row) {
      const fresh = Date.now() - row.heartbeat_at < staleMs;
      const holderAlive = row.host !== host ? fresh : row.pid === process.pid ? heldHere.has(row.owner) : pidAlive(row.pid) && fresh;
      if (holderAlive) throw new CollectBusyError({ pid: row.pid, host: row.host, since: row.acquired_at });
    }
    const now = Date.now();
    db.prepare(
      `INSERT INTO job_locks (name, owner, pid, host, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
         acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
    ).run(name, owner, process.pid, host, now, now);
  });
  heldHere.add(owner);
  return owner;
}

export function releaseLock(db: Db, name: string, owner: string): void {
  heldHere.delete(owner);
  db.prepare('DELETE FROM job_locks WHERE name = ? AND owner = ?').run(name, owner);
}

/** Keeps the lock's heartbeat fresh until the returned function is called. */
export function keepAlive(db: Db, name: string, owner: string, everyMs: number, onError: (e: Error) => void): () => void {
  const timer = setInterval(() => {
    try {
      db.prepare('UPDATE job_locks SET heartbeat_at = ? WHERE name = ? AND owner = ?').run(Date.now(), name, owner);
    } catch (e) {
      onError(e as Error);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
