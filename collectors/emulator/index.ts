// The Graph API + Bot API emulator: one node:http server on one port, used by tests, the bench and
// the demo. Deterministic audiences from a seed; latency and faults injectable per account or at random.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { URL, URLSearchParams } from 'node:url';
import { audienceModel, chatIdFor, hash32, igIdForName, igIdForPage, isIgId, pageIdForName, prng, splitFields, utcDay } from './model';

export type FaultKind =
  | 'rate_limit'
  | 'server_error'
  | 'timeout'
  | 'batch_null'
  | 'malformed'
  | 'drop'
  | 'expired_token'
  | 'unknown'
  | 'permission';

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
  /** Graph rate-limit code (4, 17, 32, 613, 80001). Default 4 for requests, 80001 for accounts. */
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
  invalidateToken(token: string): void;
  /** Followers of an account on a UTC date (YYYY-MM-DD) or today. */
  audience(id: string, date?: string): number;
  readonly messages: SentMessage[];
  readonly requestLog: RequestLogEntry[];
  readonly counters: EmulatorCounters;
}

interface Answer {
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

const GRAPH_VERSION = /^\/v\d+\.\d+(?=\/|$)/;
const DAY_S = 86_400;
const MAX_BATCH = 50;
const PAGE_FIELDS = new Set(['id', 'name', 'followers_count', 'fan_count', 'instagram_business_account', 'link', 'category', 'username']);
const IG_FIELDS = new Set(['id', 'name', 'username', 'followers_count', 'follows_count', 'media_count', 'biography', 'profile_picture_url']);

function graphErr(status: number, code: number, message: string, extra: Record<string, unknown> = {}): Answer {
  return {
    status,
    body: { error: { message, type: code === 190 ? 'OAuthException' : code === 100 ? 'GraphMethodException' : 'OAuthException', code, ...extra, fbtrace_id: `A${hash32(message).toString(36)}` } },
  };
}

function botErr(code: number, description: string, parameters?: Record<string, unknown>): Answer {
  return { status: code, body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) } };
}

function fbTime(sec: number): string {
  return new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

function parseTime(v: string | null): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.floor(t / 1000) : undefined;
}

const ALLOWED_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'span', 'tg-emoji']);

/** Bot API HTML check: allowed, balanced tags; returns the plain text or an error description. */
export function parseTelegramHtml(text: string): { text: string } | { error: string } {
  const stack: string[] = [];
  const tagRe = /<\/?([a-zA-Z][\w-]*)[^>]*>|<|&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);)/gi;
  let m: RegExpExecArray | null;
  while ((m = tagRe.exec(text))) {
    const offset = Buffer.byteLength(text.slice(0, m.index));
    if (m[0] === '<') return { error: `Bad Request: can't parse entities: Unexpected end tag at byte offset ${offset}` };
    if (m[0].startsWith('&')) return { error: `Bad Request: can't parse entities: Character '&' is reserved and must be escaped at byte offset ${offset}` };
    const name = m[1].toLowerCase();
    if (!ALLOWED_TAGS.has(name)) return { error: `Bad Request: can't parse entities: Unsupported start tag "${name}" at byte offset ${offset}` };
    if (m[0].startsWith('</')) {
      if (stack.pop() !== name) return { error: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${name}"` };
    } else {
      stack.push(name);
    }
  }
  if (stack.length) return { error: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"` };
  const plain = text
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  return { text: plain };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const seed = options.seed ?? 1;
  const model = audienceModel(seed);
  const now = options.now ?? (() => new Date());
  const hangMs = options.hangMs ?? 120_000;
  const maxPollMs = options.maxPollMs ?? 25_000;
  let webhookUrl = '';
  /** Held long polls: each answers at once when the emulator closes. */
  const held = new Set<() => void>();
  const usageQuota = options.usageQuota ?? 1_000_000;
  let latencyMs = options.latencyMs ?? 0;
  let forcedUsage: number | undefined;
  const unknown = new Set((options.unknownIds ?? []).map((s) => s.toLowerCase()));
  const invalidTokens = new Set(options.invalidTokens ?? []);
  const noInstagram = new Set(options.pagesWithoutInstagram ?? []);
  const disabledMethods = new Set((options.disabledMethods ?? []).map((m) => m.toLowerCase()));

  let rules = new Map<number, FaultRule & { fired: number }>();
  let nextRuleId = 1;
  let random = prng(hash32(`faults|${seed}`));
  const messages: SentMessage[] = [];
  const requestLog: RequestLogEntry[] = [];
  const counters: EmulatorCounters = { graphRequests: 0, graphCalls: 0, graphBatches: 0, telegramRequests: 0, byMethod: {} };
  const callTimes: number[] = [];
  let nextMessageId = 1;

  const addRule = (r: FaultRule): number => {
    const id = nextRuleId++;
    rules.set(id, { ...r, fired: 0 });
    return id;
  };
  (options.faults ?? []).forEach(addRule);

  /** The first rule that fires for this API and scope (a target, or undefined for whole requests). */
  function fault(api: 'graph' | 'telegram', target: string | undefined): (FaultRule & { fired: number }) | undefined {
    for (const r of rules.values()) {
      if (r.api && r.api !== api) continue;
      if (target === undefined ? r.target !== undefined : r.target === undefined || (r.target !== '*' && r.target.toLowerCase() !== target.toLowerCase())) continue;
      if (r.times !== undefined && r.fired >= r.times) continue;
      if (r.probability !== undefined && r.probability < 1 && random() >= r.probability) continue;
      r.fired++;
      return r;
    }
    return undefined;
  }

  const today = () => utcDay(now());
  const isUnknown = (id: string) => unknown.has(id.toLowerCase());
  /** Usernames of Pages and IG accounts looked up by name, for their `username` field. */
  const usernames = new Map<string, string>();

  // ------------------------------------------------------------------ Graph API

  function usagePercent(): number {
    if (forcedUsage !== undefined) return forcedUsage;
    const cutoff = Date.now() - 3_600_000;
    while (callTimes.length && callTimes[0] < cutoff) callTimes.shift();
    return Math.min(100, Math.floor((callTimes.length * 100) / usageQuota));
  }

  function usageHeaders(objectId: string): Record<string, string> {
    const p = usagePercent();
    return {
      'x-app-usage': JSON.stringify({ call_count: p, total_time: Math.floor(p / 2), total_cputime: Math.floor(p / 2) }),
      'x-business-use-case-usage': JSON.stringify({
        [objectId]: [{ type: 'pages', call_count: p, total_cputime: Math.floor(p / 2), total_time: Math.floor(p / 2), estimated_time_to_regain_access: p >= 100 ? 1 : 0 }],
      }),
    };
  }

  function graphFaultAnswer(r: FaultRule, perAccount: boolean, id?: string): Answer {
    switch (r.kind) {
      case 'rate_limit': {
        const code = r.code ?? (perAccount ? 80001 : 4);
        const msg =
          code === 80001
            ? '(#80001) There have been too many calls to this Page account. Wait a bit and try again.'
            : code === 32
              ? '(#32) Page request limit reached'
              : code === 17
                ? '(#17) User request limit reached'
                : code === 613
                  ? '(#613) Calls to this api have exceeded the rate limit.'
                  : '(#4) Application request limit reached';
        return graphErr(400, code, msg, { is_transient: true });
      }
      case 'server_error':
        return perAccount ? graphErr(500, 1, 'An unknown error occurred', { error_subcode: 99 }) : graphErr(500, 2, 'Service temporarily unavailable', { is_transient: true });
      case 'timeout':
        return { status: 0, body: null, hang: true };
      case 'batch_null':
        return { status: 0, body: null, hang: true };
      case 'malformed':
        return { status: 200, body: null, raw: '{"data": [{"followers_count": 12' };
      case 'drop':
        return { status: 0, body: null, drop: true };
      case 'expired_token':
        return graphErr(400, 190, 'Error validating access token: Session has expired on Tuesday, 10-Nov-26 03:00:00 PST. The current time is Wednesday, 11-Nov-26 00:00:00 PST.', { error_subcode: 463 });
      case 'unknown':
        return unknownObject(id ?? '0');
      case 'permission':
        return graphErr(403, 10, '(#10) This endpoint requires the \'pages_read_engagement\' permission or the \'Page Public Content Access\' feature.');
    }
  }

  function unknownObject(id: string): Answer {
    return graphErr(400, 100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`, { error_subcode: 33 });
  }

  function tokenAnswer(token: string | undefined): Answer | undefined {
    if (!token) return graphErr(400, 104, 'An access token is required to request this resource.');
    if (invalidTokens.has(token)) {
      return graphErr(400, 190, 'Error validating access token: Session has expired on Tuesday, 10-Nov-26 03:00:00 PST.', { error_subcode: 463 });
    }
    return undefined;
  }

  /**
   * `business_discovery.username(name){fields}` on an IG user node: another professional account's public
   * fields, looked up by username (an unknown one is code 110, subcode 2207013, as Graph answers).
   */
  function businessDiscovery(spec: string): Answer {
    const m = /^business_discovery\.username\(([A-Za-z0-9._]{1,30})\)(?:\{(.*)\})?$/.exec(spec);
    if (!m) return graphErr(400, 100, '(#100) Syntax error in business_discovery: expected business_discovery.username(<name>){<fields>}');
    const [, name, sub] = m;
    if (isUnknown(name) || isUnknown(`@${name}`)) {
      return graphErr(400, 110, 'Invalid user id', { error_subcode: 2207013, error_user_title: 'Cannot find User', error_user_msg: `The user with username: ${name} cannot be found.` });
    }
    const id = igIdForName(name, seed);
    usernames.set(id, name);
    const a = nodeFields(id, sub ?? 'id,username');
    return a.status === 200 ? { status: 200, body: a.body } : a;
  }

  function nodeFields(id: string, fieldsParam: string | null): Answer {
    const ig = isIgId(id);
    const allowed = ig ? IG_FIELDS : PAGE_FIELDS;
    const fields = splitFields(fieldsParam ?? 'name');
    const day = today();
    const followers = model.audience(id, day);
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      if (ig && f.startsWith('business_discovery')) {
        const a = businessDiscovery(f);
        if (a.status !== 200) return a;
        out.business_discovery = a.body;
        continue;
      }
      if (!allowed.has(f)) return graphErr(400, 100, `(#100) Tried accessing nonexisting field (${f}) on node type (${ig ? 'IGUser' : 'Page'})`);
      switch (f) {
        case 'followers_count':
          out[f] = followers;
          break;
        case 'fan_count':
          out[f] = Math.round(followers * 0.93);
          break;
        case 'follows_count':
          out[f] = hash32(`${seed}|follows|${id}`) % 500;
          break;
        case 'media_count':
          out[f] = hash32(`${seed}|media|${id}`) % 2000;
          break;
        case 'name':
          out[f] = ig ? `Instagram ${id.slice(-4)}` : `Page ${id}`;
          break;
        case 'username':
          out[f] = usernames.get(id) ?? (ig ? `ig_${id.slice(-6)}` : `page${id.slice(-6)}`);
          break;
        case 'instagram_business_account':
          if (!noInstagram.has(id)) out[f] = { id: igIdForPage(id, seed) };
          break;
        case 'link':
          out[f] = `https://www.facebook.com/${id}`;
          break;
        case 'category':
          out[f] = 'Nonprofit organization';
          break;
      }
    }
    out.id = id;
    return { status: 200, body: out };
  }

  /** `GET /me`: the token's own node (a system user: id and name). */
  function me(token: string, fieldsParam: string | null): Answer {
    callTimes.push(Date.now());
    counters.graphCalls++;
    const out: Record<string, unknown> = {};
    for (const f of (fieldsParam ?? 'id,name').split(',').map((s) => s.trim()).filter(Boolean)) {
      if (f !== 'id' && f !== 'name') return graphErr(400, 100, `(#100) Tried accessing nonexisting field (${f}) on node type (User)`);
      if (f === 'name') out.name = 'Audience Growth (emulator system user)';
    }
    out.id = `6100${String(hash32(`${seed}|me|${token}`)).padStart(10, '0')}`;
    return { status: 200, body: out };
  }

  /** `GET /debug_token?input_token=…`: valid tokens never expire and hold the scopes the collectors need. */
  function debugToken(input: string | null): Answer {
    callTimes.push(Date.now());
    counters.graphCalls++;
    if (!input) return graphErr(400, 100, '(#100) The parameter input_token is required');
    const common = { app_id: '100000000000001', type: 'SYSTEM_USER', application: 'Audience Growth (emulator)', user_id: `6100${String(hash32(`${seed}|me|${input}`)).padStart(10, '0')}` };
    if (invalidTokens.has(input)) {
      const expired = Math.floor(now().getTime() / 1000) - DAY_S;
      return {
        status: 200,
        body: { data: { ...common, data_access_expires_at: expired, expires_at: expired, is_valid: false, error: { code: 190, message: 'Error validating access token: Session has expired.', subcode: 463 }, scopes: [] } },
      };
    }
    return {
      status: 200,
      body: {
        data: {
          ...common,
          data_access_expires_at: 0,
          expires_at: 0,
          is_valid: true,
          issued_at: Math.floor(now().getTime() / 1000) - 30 * DAY_S,
          scopes: ['pages_show_list', 'pages_read_engagement', 'read_insights', 'instagram_basic', 'business_management'],
        },
      },
    };
  }

  function insights(id: string, q: URLSearchParams, origin: string, versionPrefix: string, token: string, metricFromPath?: string): Answer {
    const metric = metricFromPath ?? q.get('metric') ?? '';
    const ig = isIgId(id);
    const valid = ig ? ['follower_count'] : ['page_follows', 'page_daily_follows', 'page_daily_follows_unique', 'page_daily_unfollows_unique'];
    if (!valid.includes(metric)) return graphErr(400, 100, '(#100) The value must be a valid insights metric');
    const period = q.get('period') ?? 'day';
    if (period !== 'day') return graphErr(400, 100, `(#100) Invalid period for ${metric}: ${period}`);
    const nowS = Math.floor(now().getTime() / 1000);
    const until = parseTime(q.get('until')) ?? nowS;
    const since = parseTime(q.get('since')) ?? until - 2 * DAY_S;
    if (until < since) return graphErr(400, 100, '(#100) The since parameter must be before until');
    const maxDays = ig ? 30 : 93;
    if (until - since > maxDays * DAY_S) {
      return graphErr(400, 100, `(#100) There cannot be more than ${maxDays} days (${maxDays * DAY_S} s) between since and until`);
    }
    if (since < nowS - 2 * 366 * DAY_S) return graphErr(400, 100, '(#100) Insights data is kept for two years: since is too old');
    // end_time is midnight Pacific time (07:00 UTC); the first one is the day after `since`.
    const first = Math.floor((since - 7 * 3600) / DAY_S) * DAY_S + 7 * 3600 + DAY_S;
    const values: Array<{ value: number; end_time: string }> = [];
    for (let t = first; t <= until && t <= nowS + DAY_S; t += DAY_S) {
      const day = utcDay(t * 1000) - 1;
      const total = model.audience(id, day);
      const prev = model.audience(id, day - 1);
      const value =
        metric === 'page_follows'
          ? total
          : metric === 'page_daily_unfollows_unique'
            ? Math.max(0, prev - total)
            : Math.max(0, total - prev);
      values.push({ value, end_time: fbTime(t) });
    }
    const span = until - since;
    const link = (s: number, u: number) =>
      `${origin}${versionPrefix}/${id}/insights?access_token=${encodeURIComponent(token)}&metric=${metric}&period=day&since=${s}&until=${u}`;
    const titles: Record<string, string> = {
      page_follows: 'Lifetime Total Follows',
      page_daily_follows: 'Daily New Follows',
      page_daily_follows_unique: 'Daily New Follows',
      page_daily_unfollows_unique: 'Daily New Unfollows',
      follower_count: 'Follower Count',
    };
    return {
      status: 200,
      body: {
        data: [{ name: metric, period: 'day', values, title: titles[metric], description: `${titles[metric]} (emulated)`, id: `${id}/insights/${metric}/day` }],
        paging: { previous: link(since - span, since), next: link(until, until + span) },
      },
    };
  }

  /** One Graph GET, as a direct request or a batch entry. */
  function graphGet(pathname: string, q: URLSearchParams, token: string, origin: string): Answer {
    const vm = GRAPH_VERSION.exec(pathname);
    const versionPrefix = vm ? vm[0] : '/v24.0';
    const rest = (vm ? pathname.slice(vm[0].length) : pathname).replace(/^\/+/, '').replace(/\/+$/, '');
    const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);

    if (parts.length === 0) {
      const ids = q.get('ids');
      if (!ids) return graphErr(400, 100, '(#100) Missing object id');
      const list = ids.split(',').map((s) => s.trim()).filter(Boolean);
      const missing = list.filter(isUnknown);
      if (missing.length) return graphErr(404, 803, `(#803) Some of the aliases you requested do not exist: ${missing.join(',')}`);
      const out: Record<string, unknown> = {};
      for (const id of list) {
        callTimes.push(Date.now());
        counters.graphCalls++;
        const f = fault('graph', id);
        if (f) return graphFaultAnswer(f, true, id);
        const a = nodeFields(id, q.get('fields'));
        if (a.status !== 200) return a;
        out[id] = a.body;
      }
      return { status: 200, body: out };
    }

    // What `doctor` asks first: whose token this is, and what Graph knows about it.
    if (parts.length === 1 && parts[0] === 'me') return me(token, q.get('fields'));
    if (parts.length === 1 && parts[0] === 'debug_token') return debugToken(q.get('input_token'));

    let id = parts[0];
    callTimes.push(Date.now());
    counters.graphCalls++;
    // A Page may be asked for by its username (facebook.com/<name>): Graph answers the Page, with its
    // numeric id; a name no Page has is the alias error.
    if (!/^\d+$/.test(id)) {
      if (isUnknown(id)) return graphErr(404, 803, `(#803) Some of the aliases you requested do not exist: ${id}`);
      const name = id;
      id = pageIdForName(name, seed);
      usernames.set(id, name);
    }
    const f = fault('graph', id);
    if (f) return graphFaultAnswer(f, true, id);
    if (isUnknown(id)) return unknownObject(id);
    if (parts.length === 1) return nodeFields(id, q.get('fields'));
    if (parts[1] === 'insights' && parts.length <= 3) return insights(id, q, origin, versionPrefix, token, parts[2]);
    return graphErr(400, 100, `(#100) Unknown path components: /${parts.slice(1).join('/')}`);
  }

  function graphBatch(params: Record<string, unknown>, token: string, origin: string): Answer | Promise<Answer> {
    let batch = params.batch;
    if (typeof batch === 'string') {
      try {
        batch = JSON.parse(batch);
      } catch {
        return graphErr(400, 100, '(#100) The parameter batch must be a JSON array');
      }
    }
    if (!Array.isArray(batch)) return graphErr(400, 100, '(#100) The parameter batch is required');
    if (batch.length > MAX_BATCH) return graphErr(400, 100, `(#100) Too many requests in batch message. Maximum batch size is ${MAX_BATCH}`);
    counters.graphBatches++;
    const includeHeaders = String(params.include_headers ?? 'true') !== 'false';
    const out: unknown[] = [];
    for (const entry of batch as Array<{ method?: string; relative_url?: string }>) {
      const method = String(entry?.method ?? 'GET').toUpperCase();
      const rel = String(entry?.relative_url ?? '');
      let a: Answer;
      if (method !== 'GET') {
        a = graphErr(400, 100, '(#100) The emulator answers GET batch entries only');
      } else {
        const u = new URL(rel.startsWith('/') ? rel : `/${rel}`, 'http://batch.invalid');
        a = graphGet(u.pathname, u.searchParams, token, origin);
      }
      if (a.drop) return a;
      if (a.hang) {
        out.push(null);
        continue;
      }
      const body = a.raw ?? JSON.stringify(a.body);
      const item: Record<string, unknown> = { code: a.status, body };
      if (includeHeaders) item.headers = [{ name: 'Content-Type', value: 'text/javascript; charset=UTF-8' }];
      out.push(item);
    }
    return { status: 200, body: out };
  }

  function handleGraph(method: string, url: URL, params: Record<string, unknown>, authHeader: string | undefined, origin: string): Answer {
    const token = String(url.searchParams.get('access_token') ?? params.access_token ?? (authHeader?.match(/^Bearer\s+(.+)$/i)?.[1] ?? '')) || undefined;
    const f = fault('graph', undefined);
    if (f) return graphFaultAnswer(f, false);
    const bad = tokenAnswer(token);
    if (bad) return bad;
    if (forcedUsage !== undefined && forcedUsage >= 100) return graphErr(400, 4, '(#4) Application request limit reached', { is_transient: true });
    const bareRoot = url.pathname.replace(GRAPH_VERSION, '').replace(/\/+$/, '') === '';
    if (method === 'POST' && bareRoot) return graphBatch(params, token!, origin) as Answer;
    if (method === 'GET' || (method === 'POST' && params.method === 'GET')) {
      const q = new URLSearchParams(url.searchParams);
      for (const [k, v] of Object.entries(params)) if (!q.has(k) && typeof v !== 'object') q.set(k, String(v));
      return graphGet(url.pathname, q, token!, origin);
    }
    return graphErr(400, 100, `(#100) Unsupported ${method} request`);
  }

  // ------------------------------------------------------------------ Bot API

  function chatInfo(chat: string): { id: number; title: string; username?: string } {
    if (chat.startsWith('@')) {
      const name = chat.slice(1);
      return { id: chatIdFor(name, seed), title: `Channel ${name}`, username: name };
    }
    const id = Number(chat);
    return { id: Number.isFinite(id) ? id : -1_000_000_000_001, title: `Channel ${chat}` };
  }

  function botFaultAnswer(r: FaultRule): Answer {
    switch (r.kind) {
      case 'rate_limit': {
        const s = r.retryAfter ?? 1;
        return botErr(429, `Too Many Requests: retry after ${s}`, { retry_after: s });
      }
      case 'server_error':
        return { status: 502, body: null, raw: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } };
      case 'timeout':
      case 'batch_null':
        return { status: 0, body: null, hang: true };
      case 'malformed':
        return { status: 200, body: null, raw: '{"ok":true,"result":' };
      case 'drop':
        return { status: 0, body: null, drop: true };
      case 'expired_token':
        return botErr(401, 'Unauthorized');
      case 'unknown':
        return botErr(400, 'Bad Request: chat not found');
      case 'permission':
        return botErr(403, 'Forbidden: bot was kicked from the channel chat');
    }
  }

  function handleBot(token: string, methodName: string, params: Record<string, unknown>): Answer {
    const f = fault('telegram', undefined);
    if (f) return botFaultAnswer(f);
    if (!token || invalidTokens.has(token)) return botErr(401, 'Unauthorized');
    const m = methodName.toLowerCase();
    if (disabledMethods.has(m)) return botErr(404, 'Not Found: method not found');
    const chat = params.chat_id === undefined || params.chat_id === null ? '' : String(params.chat_id);
    const needsChat = ['getchat', 'getchatmembercount', 'getchatmemberscount', 'sendmessage'].includes(m);
    if (needsChat) {
      if (!chat) return botErr(400, 'Bad Request: chat_id is empty');
      const cf = fault('telegram', chat);
      if (cf) return botFaultAnswer(cf);
      if (isUnknown(chat)) return botErr(400, 'Bad Request: chat not found');
    }
    switch (m) {
      case 'getme':
        return { status: 200, body: { ok: true, result: { id: 7_000_000_000 + (hash32(token) % 1_000_000), is_bot: true, first_name: 'Audience Growth (emulator)', username: 'audience_growth_emulator_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false } } };
      case 'getchat': {
        const c = chatInfo(chat);
        return {
          status: 200,
          body: {
            ok: true,
            result: {
              id: c.id,
              type: 'channel',
              title: c.title,
              ...(c.username ? { username: c.username, active_usernames: [c.username] } : {}),
              accent_color_id: hash32(chat) % 7,
              max_reaction_count: 11,
              accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false },
            },
          },
        };
      }
      // What telegraf's launch() needs for long polling. No updates are ever pending: getUpdates waits up
      // to its `timeout` (at most maxPollMs) and answers an empty list, so a polling bot idles quietly.
      case 'getupdates': {
        const timeout = Number(params.timeout ?? 0);
        const holdMs = Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout * 1000, maxPollMs) : 0;
        if (webhookUrl) return botErr(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
        return { status: 200, body: { ok: true, result: [] }, holdMs };
      }
      case 'deletewebhook':
        webhookUrl = '';
        return { status: 200, body: { ok: true, result: true, description: 'Webhook was deleted' } };
      case 'setwebhook':
        webhookUrl = typeof params.url === 'string' ? params.url : '';
        return { status: 200, body: { ok: true, result: true, description: webhookUrl ? 'Webhook was set' : 'Webhook was deleted' } };
      case 'getwebhookinfo':
        return { status: 200, body: { ok: true, result: { url: webhookUrl, has_custom_certificate: false, pending_update_count: 0 } } };
      case 'getchatmembercount':
      case 'getchatmemberscount':
        return { status: 200, body: { ok: true, result: model.audience(chat.toLowerCase(), today()) } };
      case 'sendmessage': {
        const text = typeof params.text === 'string' ? params.text : params.text === undefined ? '' : String(params.text);
        const parseMode = typeof params.parse_mode === 'string' ? params.parse_mode : undefined;
        let plain = text;
        if (parseMode?.toUpperCase() === 'HTML') {
          const p = parseTelegramHtml(text);
          if ('error' in p) return botErr(400, p.error);
          plain = p.text;
        }
        if (plain.trim().length === 0) return botErr(400, 'Bad Request: message text is empty');
        if ([...plain].length > 4096) return botErr(400, 'Bad Request: message is too long');
        const c = chatInfo(chat);
        const msg: SentMessage = { messageId: nextMessageId++, chatId: chat, text, parseMode, at: Date.now() };
        messages.push(msg);
        const chatObj = { id: c.id, type: 'channel', title: c.title, ...(c.username ? { username: c.username } : {}) };
        return { status: 200, body: { ok: true, result: { message_id: msg.messageId, sender_chat: chatObj, chat: chatObj, date: Math.floor(msg.at / 1000), text: plain } } };
      }
      default:
        return botErr(404, 'Not Found: method not found');
    }
  }

  // ------------------------------------------------------------------ HTTP plumbing

  async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 10 * 1024 * 1024) throw new Error('body too large');
      chunks.push(c as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text.trim()) return {};
    const type = String(req.headers['content-type'] ?? '');
    if (type.includes('json') || /^\s*[{[]/.test(text)) {
      const v = JSON.parse(text) as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    }
    return Object.fromEntries(new URLSearchParams(text));
  }

  function send(res: http.ServerResponse, a: Answer, extraHeaders: Record<string, string> = {}): void {
    const body = a.raw ?? JSON.stringify(a.body);
    res.writeHead(a.status, { 'content-type': 'application/json; charset=UTF-8', ...extraHeaders, ...(a.headers ?? {}) });
    res.end(body);
  }

  const sanitize = (p: string) => p.replace(/\/bot[^/]+\//, '/bot[token]/').replace(/access_token=[^&]*/g, 'access_token=[token]');

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const origin = `http://${req.headers.host ?? `127.0.0.1:${port}`}`;
    const url = new URL(req.url ?? '/', origin);
    const method = (req.method ?? 'GET').toUpperCase();
    const at = Date.now();

    if (url.pathname.startsWith('/__emulator/')) {
      const what = url.pathname.slice('/__emulator/'.length);
      if (what === 'messages') return send(res, { status: 200, body: messages });
      if (what === 'stats') return send(res, { status: 200, body: { counters, requests: requestLog.length } });
      if (what === 'reset' && method === 'POST') {
        reset();
        return send(res, { status: 200, body: { ok: true } });
      }
      if (what === 'faults' && method === 'POST') {
        const rule = (await readBody(req)) as unknown as FaultRule;
        return send(res, { status: 200, body: { id: addRule(rule) } });
      }
      if (what === 'faults' && method === 'DELETE') {
        rules.clear();
        return send(res, { status: 200, body: { ok: true } });
      }
      return send(res, { status: 404, body: { error: 'unknown emulator endpoint' } });
    }

    let params: Record<string, unknown> = {};
    let parseError = false;
    try {
      params = await readBody(req);
    } catch {
      parseError = true;
    }

    const bot = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/.exec(url.pathname);
    let answer: Answer;
    let api: 'graph' | 'telegram';
    let entries: number | undefined;
    let headers: Record<string, string> = {};
    if (bot) {
      api = 'telegram';
      counters.telegramRequests++;
      counters.byMethod[bot[2].toLowerCase()] = (counters.byMethod[bot[2].toLowerCase()] ?? 0) + 1;
      const q = Object.fromEntries(url.searchParams);
      answer = parseError ? botErr(400, 'Bad Request: invalid request body') : handleBot(decodeURIComponent(bot[1]), bot[2], { ...q, ...params });
    } else {
      api = 'graph';
      counters.graphRequests++;
      if (parseError) {
        answer = graphErr(400, 100, '(#100) Invalid request body');
      } else {
        answer = handleGraph(method, url, params, req.headers.authorization, origin);
        if (Array.isArray(params.batch)) entries = params.batch.length;
        else if (typeof params.batch === 'string') entries = (params.batch.match(/relative_url/g) ?? []).length;
      }
      const key = `graph ${method === 'POST' ? 'batch' : url.pathname.split('/').length > 3 ? 'edge' : 'node'}`;
      counters.byMethod[key] = (counters.byMethod[key] ?? 0) + 1;
      headers = usageHeaders(url.pathname.replace(GRAPH_VERSION, '').split('/')[1] || 'app');
    }
    requestLog.push({ at, api, method, path: sanitize(url.pathname + url.search), status: answer.drop || answer.hang ? 0 : answer.status, entries });
    // Latency is time to the answer, as a client sees it: the work above happens inside it.
    const wait = at + latencyMs - Date.now();
    if (latencyMs > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));

    if (answer.drop) {
      req.socket.destroy();
      return;
    }
    if (answer.hang) {
      const t = setTimeout(() => req.socket.destroy(), hangMs);
      req.socket.once('close', () => clearTimeout(t));
      return;
    }
    if (answer.holdMs) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          held.delete(done);
          req.socket.off('close', done);
          resolve();
        };
        const t = setTimeout(done, answer.holdMs);
        held.add(done);
        req.socket.once('close', done);
      });
      if (req.socket.destroyed) return;
    }
    send(res, answer, headers);
  }

  function reset(): void {
    rules = new Map();
    random = prng(hash32(`faults|${seed}`));
    messages.length = 0;
    requestLog.length = 0;
    callTimes.length = 0;
    forcedUsage = undefined;
    Object.assign(counters, { graphRequests: 0, graphCalls: 0, graphBatches: 0, telegramRequests: 0, byMethod: {} });
    nextMessageId = 1;
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: { message: String((e as Error)?.message ?? e), code: 1 } } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';

  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Answer held long polls first (empty), so a polling client stops cleanly instead of seeing a reset.
        for (const done of [...held]) done();
        server.close(() => resolve());
        // Idle keep-alive connections close with the server; a request still open (a held fault) gets a moment.
        setTimeout(() => server.closeAllConnections(), 50).unref();
      }),
    reset,
    setFault: addRule,
    clearFault: (id) => void rules.delete(id),
    clearFaults: () => rules.clear(),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setUsage: (p) => {
      forcedUsage = p;
    },
    addUnknown: (id) => void unknown.add(id.toLowerCase()),
    invalidateToken: (t) => void invalidTokens.add(t),
    audience: (id, date) => model.audience(id.startsWith('@') ? id.toLowerCase() : id, date ? Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000) : today()),
    messages,
    requestLog,
    counters,
  };
}
