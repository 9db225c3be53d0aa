// The compute job: brings the growth rollups (src/growth/rollups.ts) up to date in one write transaction,
// incrementally or by a full rebuild, and logs what it did.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { computeInTransaction, rollupsStale, type ComputeProgress, type ComputeSummary } from '../growth/rollups';
import { createLogger } from '../log';
import { postFiguresStale, updatePostFigures } from '../posts/figures';

export type { ComputeProgress, ComputeSummary } from '../growth/rollups';

const log = createLogger('compute');

/** Runs compute only when something changed; cheap to call before reading rollups. */
export function ensureRollups(db: Db): ComputeSummary | null {
  return rollupsStale(db) || postFiguresStale(db) ? computeRollups(db) : null;
}

/** Updates the rollups in one transaction. `full` rebuilds everything from the raw snapshots. */
export function computeRollups(db: Db, opts: { full?: boolean; onProgress?: ComputeProgress } = {}): ComputeSummary {
  const t0 = performance.now();
  // IMMEDIATE: take the write lock before reading what to do, so a concurrent writer cannot make us retry halfway
  // the post figures (src/posts/figures.ts) follow the same snapshots, accounts and tree: updated alongside
  const summary = writeTx(db, () => {
    const s = computeInTransaction(db, opts.full ?? false, opts.onProgress);
    if (opts.full || postFiguresStale(db)) updatePostFigures(db, { full: opts.full });
    return s;
  });
  summary.ms = performance.now() - t0;
  log.info('compute finished', { mode: summary.mode, accounts: summary.accounts, pairs: summary.pairs, chunks: summary.chunks, ms: Math.round(summary.ms) });
  return summary;
}
