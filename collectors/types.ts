// The one interface every platform collector implements. Collectors never touch the database:
// they take accounts and report readings or typed failures, one per account, through a sink.
import type { CollectorError } from './http';
import type { PostInput } from '../src/posts/store';

export type CollectedPlatform = 'facebook' | 'instagram' | 'telegram';
export const COLLECTED_PLATFORMS: readonly CollectedPlatform[] = ['facebook', 'instagram', 'telegram'];

/** One account to read, with the token that reads it (never stored, never logged). */
export interface AccountTarget {
  /** accounts.id */
  accountId: number;
  platform: CollectedPlatform;
  /** As configured: Page id, IG user id, `@channel` or `-100…`. */
  platformId: string;
  /** Instagram only: the Facebook Page through which the IG account is found. */
  pageId?: string | null;
  /** Instagram only: the IG user id once looked up through the Page. */
  resolvedId?: string | null;
  /** Instagram only: `instagram_login` for an account read through graph.instagram.com with its own token. */
  api?: 'instagram_login' | null;
  title?: string | null;
  token: string;
  /** Groups accounts sharing a token (e.g. the env var name); an invalid token stops its group only. */
  tokenKey: string;
}

export interface Reading {
  accountId: number;
  audience: number;
  /** Unix ms when read. */
  at: number;
  title?: string;
  /** Instagram given by its Page: the IG user id found. */
  resolvedId?: string;
}

/** One day of history (Page Insights `page_follows`): the total as of `endTime` (unix ms). */
export interface HistoryPoint {
  endTime: number;
  audience: number;
}

export type CollectOutcome =
  | { ok: true; reading: Reading }
  | { ok: false; accountId: number; error: CollectorError };

export type HistoryOutcome =
  | { ok: true; accountId: number; points: HistoryPoint[] }
  /** points: the windows that did arrive, kept even though the account failed. */
  | { ok: false; accountId: number; error: CollectorError; points?: HistoryPoint[] };

/** One account's posts read through the Graph API (collectors/posts/graph-posts.ts). */
export type GraphPostsResult =
  | { ok: true; accountId: number; posts: PostInput[]; complete: { fromMs: number; toMs: number }; viewsRefused: boolean }
  | { ok: false; accountId: number; error: CollectorError; posts: PostInput[] };

/**
 * Posts read in the same Graph requests as the audience (DESIGN §11: one batch entry per account), when the run
 * collects posts. Collectors that cannot read an account's posts alongside simply leave it unreported.
 */
export interface PostsAlongside {
  /** Read the posts of this account published at or after this instant (unix ms); undefined: not here. */
  sinceOf(accountId: number): number | undefined;
  /** At most once per account. */
  report(result: GraphPostsResult): void;
}

export interface CollectContext {
  /** Called once per account, as soon as its outcome is known. */
  report(outcome: CollectOutcome): void;
  /** Counts HTTP requests sent (for the run record and the bench). */
  countRequest(n?: number): void;
  log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
  /** Set when the run also reads posts: Graph collectors read them in the audience entries. */
  posts?: PostsAlongside;
}

export interface HistoryContext extends Omit<CollectContext, 'report' | 'posts'> {
  report(outcome: HistoryOutcome): void;
}

export interface Collector {
  readonly platform: CollectedPlatform;
  /** Read the current audience of every account; report() exactly once per account. Never throws for one account's fault. */
  collect(accounts: readonly AccountTarget[], ctx: CollectContext): Promise<void>;
  /** Daily history for the last `days` days, when the platform has it (Facebook Page Insights). */
  backfill?(accounts: readonly AccountTarget[], days: number, ctx: HistoryContext, now?: Date): Promise<void>;
}

/** Tunables shared by the collectors; defaults in DEFAULT_COLLECT_SETTINGS (collectors/registry.ts). */
export interface CollectSettings {
  graphUrl: string;
  /** Root of the Instagram API with Instagram Login (`graph.instagram.com`). */
  instagramGraphUrl: string;
  /** FACEBOOK_APP_SECRET: when set, every Graph call carries `appsecret_proof` (never logged, never stored). */
  appSecret?: string;
  telegramApiRoot: string;
  /** Graph HTTP requests in flight at once (shared by Facebook and Instagram). */
  concurrency: number;
  /** Entries per Graph batch request (≤ 50). */
  batchSize: number;
  /** Bot API requests started per second, per bot token. */
  telegramRatePerSecond: number;
  /** Bot API requests in flight at once. */
  telegramConcurrency: number;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Largest spacing between Graph requests when usage headers report high usage. */
  usageMaxSpacingMs: number;
  /** Pause after a Graph rate-limit answer without a regain time. */
  rateLimitPauseMs: number;
}
