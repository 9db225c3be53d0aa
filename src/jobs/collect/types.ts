// The collect job's public shapes: its options, its result, and one failure.
import type { Db } from '../../../db';
import type { AppConfig } from '../../config';
import type { Logger } from '../../log';
import type { SnapshotsChanged } from '../hooks';
import type { CollectorRegistry } from '../../../collectors/registry';
import type { FailureKind } from '../../../collectors/http';
import type { CollectedPlatform, CollectSettings } from '../../../collectors/types';
import type { PreviewSettings } from '../../../collectors/posts/telegram-preview';
import type { PostsCollectResult } from './posts';

export type CollectTrigger = 'schedule' | 'manual' | 'admin' | 'demo';

export interface CollectJobOptions {
  db: Db;
  config: AppConfig;
  /** What follows the run's snapshot writes (the rollups): called once per run, when anything changed. */
  onSnapshotsChanged: SnapshotsChanged;
  /** Where per-account `token_env` variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  platform?: CollectedPlatform;
  orgSlug?: string;
  /** One account: its platform id as configured (`@channel`, a Page id…) or its accounts.id. */
  account?: string;
  /** Also read this many days of Page Insights history for Facebook Pages (1…730). */
  backfillDays?: number;
  trigger?: CollectTrigger;
  /** Overrides of the collector settings (tests and the bench use short delays). */
  settings?: Partial<CollectSettings>;
  /** Replaces the default collectors (tests). */
  registry?: CollectorRegistry;
  logger?: Logger;
  /** A lock whose heartbeat is older than this is taken over (default 2 min). */
  lockStaleMs?: number;
  /** Called after the run is recorded, with its result; failures are logged, never fatal. */
  afterCollect?: (result: CollectResult) => void | Promise<void>;
  /** Accounts read so far; with `--backfill`, then the Pages whose history is read ('backfill'), then posts ('posts'). */
  onProgress?: (done: number, total: number, phase?: 'accounts' | 'backfill' | 'posts') => void;
  /** Read posts too (DESIGN §11; the CLI, scheduler and demo ask for it), or only posts (`--posts-only`). */
  posts?: boolean;
  postsOnly?: boolean;
  /** `--posts-history DAYS`: read this many days of posts back, whatever is known. */
  postsHistoryDays?: number;
  /** Take channel posts from getUpdates (only when no bot service is polling; default false). */
  takeUpdates?: boolean;
  /** Overrides of the Telegram preview reader (tests and the bench). */
  previewSettings?: Partial<PreviewSettings>;
}

export interface CollectFailure {
  accountId: number;
  platform: CollectedPlatform;
  platformId: string;
  kind: FailureKind;
  message: string;
  /** True when the failure is of the history (backfill) read only. */
  backfill?: boolean;
}

export interface PlatformStats {
  accounts: number;
  ok: number;
  failed: number;
  requests: number;
  wallMs: number;
}

export interface BackfillStats {
  accounts: number;
  failed: number;
  snapshotsWritten: number;
  requests: number;
  wallMs: number;
}

export interface CollectResult {
  runId: number;
  status: 'finished' | 'failed';
  /** Local date (YYYY-MM-DD, configured time zone) the run started on. */
  date: string;
  accountsTotal: number;
  accountsOk: number;
  accountsFailed: number;
  requests: number;
  durationMs: number;
  perPlatform: Partial<Record<CollectedPlatform, PlatformStats>>;
  backfill?: BackfillStats;
  failures: CollectFailure[];
  /** account id → earliest local day written (what the rollups must recompute from). */
  changedFrom: Map<number, number>;
  /** The posts read, when posts were read. */
  posts?: PostsCollectResult;
}
