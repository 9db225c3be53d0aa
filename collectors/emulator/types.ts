// The emulator's public shapes: options, fault rules, the handle tests use, and one answer.
export type FaultKind =
  | 'rate_limit'
  | 'server_error'
  | 'timeout'
  | 'batch_null'
  | 'malformed'
  | 'drop'
  | 'expired_token'
  | 'unknown'
  | 'permission'
  /** Graph: an error with an unusual code but `is_transient: true` (code from `code`, default 3). */
  | 'transient_flag'
  /** Telegram preview: a 200 page saying "No posts found" (what t.me reportedly answers under load). */
  | 'empty_preview';

export interface FaultRule {
  kind: FaultKind;
  /** Which API; both when omitted. */
  api?: 'graph' | 'telegram';
  /**
   * A Page / IG id or a chat (`@name`, `-100…`): the fault hits that account only (a batch entry, a
   * node read, a chat). `'*'`: any account, per account. Omitted: whole HTTP requests.
   */
  target?: string;
  /** Chance that a matching request/account is hit (seeded, so runs repeat). Default 1. */
  probability?: number;
  /** Fire at most this many times. Default: unlimited. */
  times?: number;
  /** Bot API 429: seconds in `retry_after` (default 1). */
  retryAfter?: number;
  /** Graph rate-limit code (4, 17, 32, 341, 368, 613, 80001). Default 4 for requests, 80001 for accounts. */
  code?: number;
}

export interface EmulatorOptions {
  port?: number;
  host?: string;
  seed?: string | number;
  latencyMs?: number;
  /** Clock of the audience model (the demo can move it). */
  now?: () => Date;
  /** Ids (Page/IG ids, chats) that do not exist. Everything else is readable. */
  unknownIds?: string[];
  /** Tokens answered as expired (Graph 190/463, Bot API 401). Any other token is accepted. */
  invalidTokens?: string[];
  /** Pages without a linked Instagram account. */
  pagesWithoutInstagram?: string[];
  /** Bot API method names answered with 404 (e.g. an old server without getChatMemberCount). */
  disabledMethods?: string[];
  /** Graph calls per hour that make 100 % in the usage headers. */
  usageQuota?: number;
  /** How long a `timeout` fault holds the request before closing it. */
  hangMs?: number;
  /** Longest a getUpdates long poll is held, whatever its `timeout` (default 25 s). */
  maxPollMs?: number;
  faults?: FaultRule[];
  /** Telegram channels (names without @) whose public preview is off (302); also any name starting with "private". */
  privateChannels?: string[];
  /** Channels (`@name` or `-100…`) where the bot is an administrator: their posts arrive as channel_post updates. */
  adminChannels?: string[];
  /**
   * Which Pages each system-user (or user) token has a task on: only those get a Page access token from
   * `/{page}?fields=access_token` (else the real #200). `'*'`: every Page. Default: none.
   */
  pageTasks?: Record<string, string[] | '*'>;
  /** FACEBOOK_APP_SECRET of the emulated app: when set, every Graph call needs a correct `appsecret_proof`. */
  appSecret?: string;
  /** Telegram chats the bot is not a member of (private channels): 403 "bot is not a member of the channel chat". */
  privateChats?: string[];
  /** Instagram Login tokens (`IGAA…`, graph.instagram.com at `<url>/instagram`): the IG user each reads and its expiry. */
  instagramTokens?: Record<string, { userId: string; expiresAt: number; issuedAt?: number }>;
  /** Permissions debug_token reports for every valid token (default: all the collectors need). */
  scopes?: string[];
  /** Pages debug_token's `granular_scopes` lists as covered (default: every Page the token has a task on, or all). */
  coveredPages?: string[];
}

export interface SentMessage {
  messageId: number;
  chatId: string;
  text: string;
  parseMode?: string;
  at: number;
}

export interface RequestLogEntry {
  at: number;
  api: 'graph' | 'telegram' | 'internal';
  method: string;
  /** Path with the token removed. */
  path: string;
  status: number;
  /** Graph batch: number of entries. */
  entries?: number;
}

export interface EmulatorCounters {
  graphRequests: number;
  /** Calls as Graph counts them: each batch entry and each `ids` id is one call. */
  graphCalls: number;
  graphBatches: number;
  telegramRequests: number;
  byMethod: Record<string, number>;
}

export interface Emulator {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Forget faults, logs, counters, forced usage and the PRNG state (options are kept). */
  reset(): void;
  setFault(rule: FaultRule): number;
  clearFault(id: number): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Force the usage headers to this percentage (≥ 100 also answers Graph code 4); undefined: computed. */
  setUsage(percent: number | undefined): void;
  addUnknown(id: string): void;
  /** Gives a token tasks on Pages (`'*'`: every Page). */
  grantPageTasks(token: string, pages: string[] | '*'): void;
  /** Registers an Instagram Login token. */
  addInstagramToken(token: string, userId: string, expiresAt: number, issuedAt?: number): void;
  /** The Instagram Login root (graph.instagram.com) of this emulator. */
  readonly instagramUrl: string;
  invalidateToken(token: string): void;
  /** Followers of an account on a UTC date (YYYY-MM-DD) or today. */
  audience(id: string, date?: string): number;
  readonly messages: SentMessage[];
  readonly requestLog: RequestLogEntry[];
  readonly counters: EmulatorCounters;
  /** Publications (issue 14): delete a post, make the bot a channel's administrator, edit a channel post. */
  readonly posts: {
    delete(platform: 'facebook' | 'instagram' | 'telegram', account: string, postId: string): void;
    addAdminChannel(chat: string): void;
    editChannelPost(chat: string, messageId: number, text: string): void;
    /** Requests to the public preview `/s/…`. */
    readonly previewRequests: number;
  };
}

/** One emulated answer, before it is sent. */
export interface Answer {
  status: number;
  body: unknown;
  /** Raw text instead of JSON (malformed bodies). */
  raw?: string;
  headers?: Record<string, string>;
  /** Hold, then close without an answer. */
  hang?: boolean;
  /** Close the connection at once without an answer. */
  drop?: boolean;
  /** Long polling: send this answer after so many ms, or at once when the emulator closes. */
  holdMs?: number;
}
