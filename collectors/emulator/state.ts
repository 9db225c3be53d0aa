// The emulator's state: options, the audience model, fault rules (seeded), counters, the request and
// message logs, and the usage window. The Graph API (graph.ts), the Bot API (bot.ts) and the server
// (server.ts) all read and change it through this one object.
import { audienceModel, chatIdFor, hash32, prng, utcDay } from './model';
import { postsModel } from './posts-model';
import { newPostsState, type PostsApiDeps, type PostsState } from './posts-api';
import type { EmulatorCounters, EmulatorOptions, FaultRule, RequestLogEntry, SentMessage } from './types';

export type ActiveRule = FaultRule & { fired: number };

export class EmulatorState {
  readonly seed: string | number;
  readonly model: ReturnType<typeof audienceModel>;
  readonly now: () => Date;
  readonly hangMs: number;
  readonly maxPollMs: number;
  readonly usageQuota: number;
  webhookUrl = '';
  /** Held long polls: each answers at once when the emulator closes. */
  readonly held = new Set<() => void>();
  latencyMs: number;
  forcedUsage: number | undefined;
  readonly unknown: Set<string>;
  readonly invalidTokens: Set<string>;
  readonly noInstagram: Set<string>;
  readonly disabledMethods: Set<string>;
  /** Token → Pages it has a task on (or every Page). */
  readonly pageTasks = new Map<string, Set<string> | '*'>();
  /** Page tokens issued: token → Page id. */
  readonly pageTokens = new Map<string, string>();
  readonly appSecret?: string;
  readonly privateChats: Set<string>;
  readonly instagramTokens = new Map<string, { userId: string; expiresAt: number; issuedAt: number }>();
  rules = new Map<number, ActiveRule>();
  private nextRuleId = 1;
  private random: () => number;
  readonly messages: SentMessage[] = [];
  readonly requestLog: RequestLogEntry[] = [];
  readonly counters: EmulatorCounters = { graphRequests: 0, graphCalls: 0, graphBatches: 0, telegramRequests: 0, byMethod: {} };
  readonly callTimes: number[] = [];
  nextMessageId = 1;
  // Publications (issue 14): the posts model's endpoints, their state, Page tokens, private channels.
  readonly posts: PostsApiDeps;
  readonly postsState: PostsState = newPostsState();
  readonly privateChannels: Set<string>;
  previewRequests = 0;
  /** getUpdates' allowed_updates, kept from the last call that gave it (empty: the default set). */
  allowedUpdates: string[] = [];
  updatesSince: number;

  constructor(readonly options: EmulatorOptions) {
    this.seed = options.seed ?? 1;
    this.model = audienceModel(this.seed);
    this.now = options.now ?? (() => new Date());
    this.hangMs = options.hangMs ?? 120_000;
    this.maxPollMs = options.maxPollMs ?? 25_000;
    this.usageQuota = options.usageQuota ?? 1_000_000;
    this.latencyMs = options.latencyMs ?? 0;
    this.unknown = new Set((options.unknownIds ?? []).map((s) => s.toLowerCase()));
    this.invalidTokens = new Set(options.invalidTokens ?? []);
    this.noInstagram = new Set(options.pagesWithoutInstagram ?? []);
    this.disabledMethods = new Set((options.disabledMethods ?? []).map((m) => m.toLowerCase()));
    this.random = prng(hash32(`faults|${this.seed}`));
    (options.faults ?? []).forEach((r) => this.addRule(r));
    this.privateChannels = new Set((options.privateChannels ?? []).map((c) => c.replace(/^@/, '').toLowerCase()));
    this.posts = {
      model: postsModel(this.seed, () => this.now().getTime()),
      audience: (account, day) => this.model.audience(account.startsWith('@') ? account.toLowerCase() : account, day),
      now: () => this.now().getTime(),
      isPageToken: (token, pageId) => token !== undefined && this.pageTokens.get(token) === pageId,
      isPrivateChannel: (name) => name.startsWith('private') || this.privateChannels.has(name) || this.unknown.has(`@${name}`),
      chatId: (name) => chatIdFor(name, this.seed),
    };
    for (const c of options.adminChannels ?? []) this.postsState.adminChannels.set(c, this.now().getTime() - 86_400_000);
    this.updatesSince = this.now().getTime() - 86_400_000;
    for (const [token, pages] of Object.entries(options.pageTasks ?? {})) this.grantPageTasks(token, pages);
    this.appSecret = options.appSecret;
    this.privateChats = new Set((options.privateChats ?? []).map((c) => c.toLowerCase()));
    for (const [token, t] of Object.entries(options.instagramTokens ?? {})) this.instagramTokens.set(token, { issuedAt: Date.now() - 2 * 86_400_000, ...t });
  }

  grantPageTasks(token: string, pages: string[] | '*'): void {
    if (pages === '*') return void this.pageTasks.set(token, '*');
    const had = this.pageTasks.get(token);
    if (had === '*') return;
    this.pageTasks.set(token, new Set([...(had ?? []), ...pages]));
  }

  hasTask(token: string, pageId: string): boolean {
    const t = this.pageTasks.get(token);
    return t === '*' || (t !== undefined && t.has(pageId));
  }

  addRule(r: FaultRule): number {
    const id = this.nextRuleId++;
    this.rules.set(id, { ...r, fired: 0 });
    return id;
  }

  /** The first rule that fires for this API and scope (a target, or undefined for whole requests). */
  fault(api: 'graph' | 'telegram', target: string | undefined): ActiveRule | undefined {
    for (const r of this.rules.values()) {
      if (r.api && r.api !== api) continue;
      if (target === undefined ? r.target !== undefined : r.target === undefined || (r.target !== '*' && r.target.toLowerCase() !== target.toLowerCase())) continue;
      if (r.times !== undefined && r.fired >= r.times) continue;
      if (r.probability !== undefined && r.probability < 1 && this.random() >= r.probability) continue;
      r.fired++;
      return r;
    }
    return undefined;
  }

  today(): number {
    return utcDay(this.now());
  }

  isUnknown(id: string): boolean {
    return this.unknown.has(id.toLowerCase());
  }

  /** One Graph call as Graph counts them (usage headers, counters). */
  countGraphCall(): void {
    this.callTimes.push(Date.now());
    this.counters.graphCalls++;
  }

  usagePercent(): number {
    if (this.forcedUsage !== undefined) return this.forcedUsage;
    const cutoff = Date.now() - 3_600_000;
    while (this.callTimes.length && this.callTimes[0] < cutoff) this.callTimes.shift();
    return Math.min(100, Math.floor((this.callTimes.length * 100) / this.usageQuota));
  }

  /** Forget faults, logs, counters, forced usage and the PRNG state (options are kept). */
  reset(): void {
    this.rules = new Map();
    this.random = prng(hash32(`faults|${this.seed}`));
    this.messages.length = 0;
    this.requestLog.length = 0;
    this.callTimes.length = 0;
    this.forcedUsage = undefined;
    Object.assign(this.counters, { graphRequests: 0, graphCalls: 0, graphBatches: 0, telegramRequests: 0, byMethod: {} });
    this.nextMessageId = 1;
    this.pageTasks.clear();
    for (const [token, pages] of Object.entries(this.options.pageTasks ?? {})) this.grantPageTasks(token, pages);
  }
}
