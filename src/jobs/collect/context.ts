// One collect run's shared state: the run record, the snapshot writer and its write queue, the failures,
// the per-platform figures and the progress count. Token resolution, per-platform collection and the
// backfill all work through it; runCollect (index.ts) opens and closes it.
import type { Db } from '../../../db';
import { retryWriteTx } from '../../../db/write';
import type { AccountRow } from '../../../db/orgs';
import { snapshotWriter, type SnapshotWriter } from '../../../db/snapshots';
import type { AppConfig } from '../../config';
import type { Logger } from '../../log';
import { redact, type CollectorError, type FailureKind } from '../../../collectors/http';
import type { CollectedPlatform, CollectContext, PostsAlongside } from '../../../collectors/types';
import type { CollectFailure, CollectJobOptions, PlatformStats } from './types';

export class CollectRun {
  readonly failures: CollectFailure[] = [];
  readonly perPlatform: Partial<Record<CollectedPlatform, PlatformStats>> = {};
  readonly byId: Map<number, AccountRow>;
  readonly writer: SnapshotWriter;
  /** Set when the run reads posts too: the Graph collectors read them in the audience entries. */
  postsAlongside?: PostsAlongside;
  private done = 0;
  private queue: Array<() => void> = [];
  /** The flush under way (it may be waiting for a busy database). */
  private flushing?: Promise<void>;
  /** Why the run's writes stopped (a busy database past the bound, a full disk): the run fails with it. */
  private writeFailure?: unknown;
  private readonly insertFailure;
  private readonly setTitle;
  private readonly setResolved;

  constructor(
    readonly db: Db,
    readonly config: AppConfig,
    readonly opts: CollectJobOptions,
    readonly runId: number,
    readonly rows: AccountRow[],
    readonly log: Logger,
  ) {
    this.byId = new Map(rows.map((r) => [r.id, r]));
    this.writer = snapshotWriter(db, (changedFrom) => opts.onSnapshotsChanged(db, config, changedFrom));
    this.insertFailure = db.prepare('INSERT INTO collection_failures (run_id, account_id, kind, message, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(run_id, account_id) DO NOTHING');
    this.setTitle = db.prepare('UPDATE accounts SET title = ?, updated_at = ? WHERE id = ? AND title IS NULL');
    this.setResolved = db.prepare('UPDATE accounts SET resolved_id = ?, updated_at = ? WHERE id = ? AND resolved_id IS NOT ?');
  }

  get timezone(): string {
    return this.config.timezone;
  }

  stats(platform: CollectedPlatform): PlatformStats {
    return (this.perPlatform[platform] ??= { accounts: 0, ok: 0, failed: 0, requests: 0, wallMs: 0 });
  }

  /**
   * Readings arrive ~50 at a time (one Graph batch): they are written together, one transaction per turn
   * of the event loop, so a killed process loses at most the batch in hand and never half of one. A busy
   * database is waited for (db/write.ts retryBusy); a write that still fails stops the run's writes, and
   * `flush()` then throws it, so the run is recorded as failed (never an uncaught exception).
   */
  write(w: () => void): void {
    if (this.writeFailure) return;
    this.queue.push(w);
    if (this.queue.length === 1 && !this.flushing) {
      this.flushing = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.drain())
        .finally(() => (this.flushing = undefined));
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length && !this.writeFailure) {
      const batch = this.queue;
      this.queue = [];
      try {
        await retryWriteTx(this.db, () => batch.forEach((w) => w()), {
          onBusy: (attempt) => attempt === 1 && this.log.warn('the database is busy; the readings wait for it', { run: this.runId }),
        });
      } catch (err) {
        this.writeFailure = err;
        this.queue = [];
      }
    }
  }

  /** Writes what is queued; throws the failure that stopped the run's writes, if any. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.queue.length) await this.drain();
    if (this.writeFailure) throw this.writeFailure;
  }

  /** Stores the API reading of an account (and the title / IG user id it revealed). */
  storeReading(row: AccountRow, day: number, audience: number, at: number, title?: string, resolvedId?: string): void {
    this.write(() => {
      this.writer.put({ accountId: row.id, day, audience, source: 'api', at });
      if (title && !row.title) this.setTitle.run(title, Date.now(), row.id);
      if (resolvedId && resolvedId !== row.resolved_id) this.setResolved.run(resolvedId, Date.now(), row.id, resolvedId);
    });
  }

  /** Records one account's failure (redacted) for the run. */
  fail(row: AccountRow, error: CollectorError | { kind: FailureKind; message: string }, backfill = false): void {
    const message = redact(backfill ? `backfill: ${error.message}` : error.message);
    this.failures.push({ accountId: row.id, platform: row.platform as CollectedPlatform, platformId: row.platform_id, kind: error.kind, message, backfill: backfill || undefined });
    const at = Date.now();
    this.write(() => this.insertFailure.run(this.runId, row.id, error.kind, message, at));
  }

  /** One more account read (or failed). */
  progress(): void {
    this.opts.onProgress?.(++this.done, this.rows.length);
  }

  readonly collectorLog: NonNullable<CollectContext['log']> = (level, msg, fields) => this.log[level](msg, fields);
}
