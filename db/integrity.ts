// SQLite's `PRAGMA quick_check`, and the last result of it a `serve` process has seen: the scheduler runs it
// at start and daily (src/jobs/schedule.ts), /healthz reports it (503 when it failed), `doctor` runs it too.
import type { Db } from './index';

export interface QuickCheck {
  ok: boolean;
  /** When it ran (unix ms). */
  at: number;
  /** 'ok', or the first problem SQLite reports. */
  detail: string;
}

/** Runs `PRAGMA quick_check`; a file too damaged to be checked counts as failed, with SQLite's message. */
export function quickCheck(db: Db, now = Date.now()): QuickCheck {
  try {
    const rows = db.pragma('quick_check(10)') as { quick_check: string }[];
    const ok = rows.length === 1 && rows[0].quick_check === 'ok';
    return { ok, at: now, detail: ok ? 'ok' : rows.map((r) => r.quick_check)[0] };
  } catch (err) {
    return { ok: false, at: now, detail: err instanceof Error ? err.message : String(err) };
  }
}

/** The last quick_check of this process (none until the scheduler has run one). */
export class IntegrityWatch {
  last?: QuickCheck;

  run(db: Db): QuickCheck {
    this.last = quickCheck(db);
    return this.last;
  }
}
