// The emulated Graph API: node reads, `ids=`, Page Insights, `me`, `debug_token` and batches, with the
// errors Meta answers (reference/platform-apis.md §1). State lives in state.ts.
import crypto from 'node:crypto';
import { URL, URLSearchParams } from 'node:url';
import { hash32, igIdForName, igIdForPage, isIgId, pageIdForName, splitFields, utcDay } from './model';
import type { EmulatorState } from './state';
import { listPosts } from './posts-api';
import type { Answer, FaultRule } from './types';

export const GRAPH_VERSION = /^\/v\d+\.\d+(?=\/|$)/;
const DAY_S = 86_400;
const MAX_BATCH = 50;
/** Ids in one multi-id read (`?ids=…`). */
const MAX_IDS = 50;
const PAGE_FIELDS = new Set(['id', 'name', 'followers_count', 'fan_count', 'instagram_business_account', 'link', 'category', 'username']);
const IG_FIELDS = new Set(['id', 'name', 'username', 'followers_count', 'follows_count', 'media_count', 'biography', 'profile_picture_url']);

/**
 * A Graph error as Meta answers it (reference §1.3). `type` is OAuthException for token, permission, parameter
 * and rate-limit errors; GraphMethodException for an unsupported request on an object and for appsecret_proof.
 */
export function graphErr(status: number, code: number, message: string, extra: Record<string, unknown> = {}, type = 'OAuthException'): Answer {
  return {
    status,
    body: { error: { message, type, code, ...extra, fbtrace_id: `A${hash32(message).toString(36)}` } },
  };
}

/** The real answer to an Insights or Page-edge read without that Page's own token (reference §1.7). */
export function pageTokenRequired(): Answer {
  return graphErr(400, 190, '(#190) This method must be called with a Page Access Token');
}

/** Page edges (Insights, posts) need the Page's own token: undefined when `token` is one, else the real 190. */
export function requirePageToken(st: EmulatorState, pageId: string, token: string): Answer | undefined {
  return st.pageTokens.get(token) === pageId ? undefined : pageTokenRequired();
}

export function appsecretProof(token: string, secret: string): string {
  return crypto.createHmac('sha256', secret).update(token).digest('hex');
}

/** With an app secret configured ("Require App Secret"), a call needs the correct proof of its token. */
function proofAnswer(st: EmulatorState, token: string, proof: string | null | undefined): Answer | undefined {
  if (!st.appSecret) return undefined;
  if (!proof) return graphErr(400, 100, 'API calls from the server require an appsecret_proof argument', {}, 'GraphMethodException');
  if (proof !== appsecretProof(token, st.appSecret)) return graphErr(400, 100, 'Invalid appsecret_proof provided in the API argument', {}, 'GraphMethodException');
  return undefined;
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


export function usageHeaders(st: EmulatorState, objectId: string): Record<string, string> {
  const p = st.usagePercent();
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
          : code === 341
            ? '(#341) Application limit reached: wait and retry the operation'
            : code === 368
              ? '(#368) The action attempted has been deemed abusive or is otherwise disallowed'
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
    case 'transient_flag':
    case 'empty_preview': // a Telegram preview fault; Graph never matches it in practice
      return graphErr(500, r.code ?? 3, 'An unexpected error has occurred. Please retry your request later.', { is_transient: true });
  }
}

function unknownObject(id: string): Answer {
  return graphErr(400, 100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`, { error_subcode: 33 }, 'GraphMethodException');
}

function tokenAnswer(st: EmulatorState, token: string | undefined): Answer | undefined {
  if (!token) return graphErr(400, 104, 'An access token is required to request this resource.');
  // Instagram Login tokens are for graph.instagram.com only.
  if (token.startsWith('IGAA')) return graphErr(400, 190, 'Invalid OAuth access token - Cannot parse access token');
  if (st.invalidTokens.has(token)) {
    return graphErr(400, 190, 'Error validating access token: Session has expired on Tuesday, 10-Nov-26 03:00:00 PST.', { error_subcode: 463 });
  }
  return undefined;
}

/**
 * `business_discovery.username(name){fields}` on an IG user node: another professional account's public
 * fields, looked up by username (an unknown one is code 110, subcode 2207013, as Graph answers).
 */
function businessDiscovery(st: EmulatorState, spec: string): Answer {
  const m = /^business_discovery\.username\(([A-Za-z0-9._]{1,30})\)(?:\{(.*)\})?$/.exec(spec);
  if (!m) return graphErr(400, 100, '(#100) Syntax error in business_discovery: expected business_discovery.username(<name>){<fields>}');
  const [, name, sub] = m;
  if (st.isUnknown(name) || st.isUnknown(`@${name}`)) {
    return graphErr(400, 110, 'Invalid user id', { error_subcode: 2207013, error_user_title: 'Cannot find User', error_user_msg: `The user with username: ${name} cannot be found.` });
  }
  const id = igIdForName(name, st.seed);
  st.usernames.set(id, name);
  return nodeFields(st, id, sub ?? 'id,username');
}

/** Where a node read was asked: builds the absolute `paging.next` of edges expanded in its fields. */
interface NodeCtx {
  origin: string;
  versionPrefix: string;
}

const EDGE_FIELD = /^(published_posts|media)((?:\.[a-z_]+\([^(){}]*\))*)(?:\{(.*)\})?$/s;

/**
 * An edge in a node's `fields` (field expansion): `published_posts.since(S).limit(N){…}` on a Page,
 * `media.since(S).limit(N){…}` on an IG user. Answered as the edge itself would be (the same token rules,
 * paging, limits and errors), and left out of the node when it has no data, as Graph does.
 */
function edgeField(st: EmulatorState, id: string, ig: boolean, spec: string, token: string, ctx: NodeCtx): { answer?: Answer; value?: unknown } {
  const m = EDGE_FIELD.exec(spec);
  if (!m) return {};
  const [, edge, mods, sub] = m;
  if ((edge === 'media') !== ig) return { answer: graphErr(400, 100, `(#100) Tried accessing nonexisting field (${edge}) on node type (${ig ? 'IGUser' : 'Page'})`) };
  const q = new URLSearchParams();
  for (const mm of (mods ?? '').matchAll(/\.([a-z_]+)\(([^(){}]*)\)/g)) {
    if (!['since', 'until', 'limit'].includes(mm[1])) return { answer: graphErr(400, 100, `(#100) Unknown modifier ${mm[1]} on field ${edge}`) };
    q.set(mm[1], mm[2]);
  }
  if (sub !== undefined) q.set('fields', sub);
  const a = listPosts(st.posts, st.postsState, ig ? 'instagram' : 'facebook', id, q, token, ctx.origin, ctx.versionPrefix) as Answer;
  if (a.status !== 200) return { answer: a };
  const body = a.body as { data: unknown[] };
  return { value: body.data.length ? body : undefined };
}

function nodeFields(st: EmulatorState, id: string, fieldsParam: string | null, token = '', ctx?: NodeCtx): Answer {
  const ig = isIgId(id);
  const allowed = ig ? IG_FIELDS : PAGE_FIELDS;
  const fields = splitFields(fieldsParam ?? 'name');
  const { seed } = st;
  const day = st.today();
  const followers = st.model.audience(id, day);
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (ig && f.startsWith('business_discovery')) {
      const a = businessDiscovery(st, f);
      if (a.status !== 200) return a;
      out.business_discovery = a.body;
      continue;
    }
    if (ctx && EDGE_FIELD.test(f)) {
      const e = edgeField(st, id, ig, f, token, ctx);
      if (e.answer) return e.answer;
      if (e.value !== undefined) out[f.split(/[.{]/)[0]] = e.value;
      continue;
    }
    if (!allowed.has(f) && !(f === 'access_token' && !ig)) return graphErr(400, 100, `(#100) Tried accessing nonexisting field (${f}) on node type (${ig ? 'IGUser' : 'Page'})`);
    switch (f) {
      case 'access_token': {
        // A Page token only for a token with a task on the Page (a Page's own token answers itself).
        if (st.pageTokens.get(token) === id) {
          out[f] = token;
          break;
        }
        if (!st.hasTask(token, id)) return graphErr(403, 200, '(#200) User does not have sufficient administrative permission for this action on this page');
        const pageToken = `EAAP${hash32(`${st.seed}|page-token|${id}|${token}`).toString(36)}${hash32(`${token}|${id}`).toString(36)}ZD`;
        st.pageTokens.set(pageToken, id);
        out[f] = pageToken;
        break;
      }
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
        out[f] = st.usernames.get(id) ?? (ig ? `ig_${id.slice(-6)}` : `page${id.slice(-6)}`);
        break;
      case 'instagram_business_account':
        if (!st.noInstagram.has(id)) out[f] = { id: igIdForPage(id, seed) };
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
function me(st: EmulatorState, token: string, fieldsParam: string | null): Answer {
  st.countGraphCall();
  const out: Record<string, unknown> = {};
  for (const f of (fieldsParam ?? 'id,name').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (f !== 'id' && f !== 'name') return graphErr(400, 100, `(#100) Tried accessing nonexisting field (${f}) on node type (User)`);
    if (f === 'name') out.name = 'Audience Growth (emulator system user)';
  }
  out.id = `6100${String(hash32(`${st.seed}|me|${token}`)).padStart(10, '0')}`;
  return { status: 200, body: out };
}

/** `GET /debug_token?input_token=…`: type, expiry, scopes and the Pages the token covers (`granular_scopes`). */
function debugToken(st: EmulatorState, input: string | null): Answer {
  st.countGraphCall();
  const { seed, now } = st;
  if (!input) return graphErr(400, 100, '(#100) The parameter input_token is required');
  const page = st.pageTokens.get(input);
  const common = {
    app_id: '100000000000001',
    type: page ? 'PAGE' : 'SYSTEM_USER',
    application: 'Audience Growth (emulator)',
    user_id: `6100${String(hash32(`${seed}|me|${input}`)).padStart(10, '0')}`,
    ...(page ? { profile_id: page } : {}),
  };
  if (st.invalidTokens.has(input)) {
    const expired = Math.floor(now().getTime() / 1000) - DAY_S;
    return {
      status: 200,
      body: { data: { ...common, data_access_expires_at: expired, expires_at: expired, is_valid: false, error: { code: 190, message: 'Error validating access token: Session has expired.', subcode: 463 }, scopes: [] } },
    };
  }
  const scopes = st.options.scopes ?? ['pages_show_list', 'pages_read_engagement', 'read_insights', 'instagram_basic', 'business_management', 'ads_read'];
  const tasks = st.pageTasks.get(input);
  const covered = st.options.coveredPages ?? (tasks && tasks !== '*' ? [...tasks] : undefined);
  const granular = scopes
    .filter((s) => s.startsWith('pages_') || s === 'read_insights' || s === 'instagram_basic')
    .map((scope) => (covered ? { scope, target_ids: covered } : { scope }));
  return {
    status: 200,
    body: {
      data: {
        ...common,
        data_access_expires_at: 0,
        expires_at: 0,
        is_valid: true,
        issued_at: Math.floor(now().getTime() / 1000) - 30 * DAY_S,
        scopes,
        granular_scopes: granular,
      },
    },
  };
}

function insights(st: EmulatorState, id: string, q: URLSearchParams, origin: string, versionPrefix: string, token: string, metricFromPath?: string): Answer {
  const metric = metricFromPath ?? q.get('metric') ?? '';
  const ig = isIgId(id);
  const valid = ig ? ['follower_count'] : ['page_follows', 'page_daily_follows', 'page_daily_follows_unique', 'page_daily_unfollows_unique'];
  if (!valid.includes(metric)) return graphErr(400, 100, '(#100) The value must be a valid insights metric');
  const period = q.get('period') ?? 'day';
  if (period !== 'day') return graphErr(400, 100, `(#100) Invalid period for ${metric}: ${period}`);
  const nowS = Math.floor(st.now().getTime() / 1000);
  const until = parseTime(q.get('until')) ?? nowS;
  const since = parseTime(q.get('since')) ?? until - 2 * DAY_S;
  if (until < since) return graphErr(400, 100, '(#100) The since parameter must be before until');
  // Page Insights: at most 90 days a window (reference §1.2); IG user insights: 30.
  const maxDays = ig ? 30 : 90;
  if (until - since > maxDays * DAY_S) {
    return graphErr(400, 100, `(#100) There cannot be more than ${maxDays} days (${maxDays * DAY_S} s) between since and until`);
  }
  if (since < nowS - 2 * 366 * DAY_S) return graphErr(400, 100, '(#100) Insights data is kept for two years: since is too old');
  // end_time is midnight Pacific time (07:00 UTC); the first one is the day after `since`.
  const first = Math.floor((since - 7 * 3600) / DAY_S) * DAY_S + 7 * 3600 + DAY_S;
  const values: Array<{ value: number; end_time: string }> = [];
  for (let t = first; t <= until && t <= nowS + DAY_S; t += DAY_S) {
    const day = utcDay(t * 1000) - 1;
    const total = st.model.audience(id, day);
    const prev = st.model.audience(id, day - 1);
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
function graphGet(st: EmulatorState, pathname: string, q: URLSearchParams, token: string, origin: string): Answer {
  const vm = GRAPH_VERSION.exec(pathname);
  const versionPrefix = vm ? vm[0] : '/v24.0';
  const rest = (vm ? pathname.slice(vm[0].length) : pathname).replace(/^\/+/, '').replace(/\/+$/, '');
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);

  if (parts.length === 0) {
    const ids = q.get('ids');
    if (!ids) return graphErr(400, 100, '(#100) Missing object id');
    const list = ids.split(',').map((s) => s.trim()).filter(Boolean);
    if (list.length > MAX_IDS) return graphErr(400, 100, `(#100) Too many IDs. Maximum: ${MAX_IDS}`);
    const missing = list.filter((x) => st.isUnknown(x));
    if (missing.length) return graphErr(404, 803, `(#803) Some of the aliases you requested do not exist: ${missing.join(',')}`);
    const out: Record<string, unknown> = {};
    for (const id of list) {
      st.countGraphCall();
      const f = st.fault('graph', id);
      if (f) return graphFaultAnswer(f, true, id);
      const a = nodeFields(st, id, q.get('fields'), token, { origin, versionPrefix });
      if (a.status !== 200) return a;
      out[id] = a.body;
    }
    return { status: 200, body: out };
  }

  // What `doctor` asks first: whose token this is, and what Graph knows about it.
  if (parts.length === 1 && parts[0] === 'me') return me(st, token, q.get('fields'));
  if (parts.length === 1 && parts[0] === 'debug_token') return debugToken(st, q.get('input_token'));

  let id = parts[0];
  st.countGraphCall();
  // A Page may be asked for by its username (facebook.com/<name>): Graph answers the Page, with its
  // numeric id; a name no Page has is the alias error.
  if (!/^\d+$/.test(id)) {
    if (st.isUnknown(id)) return graphErr(404, 803, `(#803) Some of the aliases you requested do not exist: ${id}`);
    const name = id;
    id = pageIdForName(name, st.seed);
    st.usernames.set(id, name);
  }
  const f = st.fault('graph', id);
  if (f) return graphFaultAnswer(f, true, id);
  if (st.isUnknown(id)) return unknownObject(id);
  if (parts.length === 1) return nodeFields(st, id, q.get('fields'), token, { origin, versionPrefix });
  if (parts[1] === 'insights' && parts.length <= 3) {
    if (!isIgId(id)) {
      const needPage = requirePageToken(st, id, token);
      if (needPage) return needPage;
    }
    return insights(st, id, q, origin, versionPrefix, token, parts[2]);
  }
  // Publications (posts-api.ts): published_posts answers Page tokens only (it checks), IG media any valid token.
  if (parts.length === 2 && parts[1] === 'published_posts' && !isIgId(id)) return listPosts(st.posts, st.postsState, 'facebook', id, q, token, origin, versionPrefix) as Answer;
  if (parts.length === 2 && parts[1] === 'media' && isIgId(id)) return listPosts(st.posts, st.postsState, 'instagram', id, q, token, origin, versionPrefix) as Answer;
  return graphErr(400, 100, `(#100) Unknown path components: /${parts.slice(1).join('/')}`);
}

function graphBatch(st: EmulatorState, params: Record<string, unknown>, token: string, origin: string): Answer | Promise<Answer> {
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
  st.counters.graphBatches++;
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
      // An entry may carry its own token (a Page token), with its own proof (reference §1.7).
      const own = u.searchParams.get('access_token');
      a = (own && (tokenAnswer(st, own) ?? proofAnswer(st, own, u.searchParams.get('appsecret_proof')))) || graphGet(st, u.pathname, u.searchParams, own ?? token, origin);
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

export function handleGraph(st: EmulatorState, method: string, url: URL, params: Record<string, unknown>, authHeader: string | undefined, origin: string): Answer {
  const token = String(url.searchParams.get('access_token') ?? params.access_token ?? (authHeader?.match(/^Bearer\s+(.+)$/i)?.[1] ?? '')) || undefined;
  const f = st.fault('graph', undefined);
  if (f) return graphFaultAnswer(f, false);
  const bad = tokenAnswer(st, token) ?? proofAnswer(st, token!, url.searchParams.get('appsecret_proof') ?? (typeof params.appsecret_proof === 'string' ? params.appsecret_proof : undefined));
  if (bad) return bad;
  if (st.forcedUsage !== undefined && st.forcedUsage >= 100) return graphErr(400, 4, '(#4) Application request limit reached', { is_transient: true });
  const bareRoot = url.pathname.replace(GRAPH_VERSION, '').replace(/\/+$/, '') === '';
  if (method === 'POST' && bareRoot) return graphBatch(st, params, token!, origin) as Answer;
  if (method === 'GET' || (method === 'POST' && params.method === 'GET')) {
    const q = new URLSearchParams(url.searchParams);
    for (const [k, v] of Object.entries(params)) if (!q.has(k) && typeof v !== 'object') q.set(k, String(v));
    return graphGet(st, url.pathname, q, token!, origin);
  }
  return graphErr(400, 100, `(#100) Unsupported ${method} request`);
}
