// The emulated Instagram API with Instagram Login (graph.instagram.com, reference/platform-apis.md §1.8), served
// under `<emulator url>/instagram`: `GET /v*/me` (or `/v*/{ig-user-id}`) with `user_id,username,followers_count,
// media_count`, and `GET /refresh_access_token?grant_type=ig_refresh_token`. Tokens (`IGAA…`) expire; an expired
// one answers 190/463 and cannot be refreshed; a refresh needs a token at least 24 h old. No batch endpoint.
// Publications: `GET /v*/me/media` (or `/{ig-user-id}/media`) and `media.since(…).limit(…){…}` in the user's
// fields, answered by the same listing as Graph's `/{ig-user}/media` (posts-api.ts), with paging.next back here.
import { URLSearchParams } from 'node:url';
import { hash32 } from './model';
import { GRAPH_VERSION, graphErr } from './graph';
import type { EmulatorState } from './state';
import { listPosts, splitFields } from './posts-api';
import type { Answer } from './types';

export const INSTAGRAM_PREFIX = '/instagram';
const DAY_MS = 86_400_000;
const LONG_LIVED_MS = 60 * DAY_MS;
const FIELDS = new Set(['id', 'user_id', 'username', 'name', 'followers_count', 'follows_count', 'media_count', 'account_type', 'profile_picture_url']);

function tokenCheck(st: EmulatorState, token: string | undefined): Answer | { userId: string; expiresAt: number; issuedAt: number } {
  if (!token) return graphErr(400, 190, 'Invalid OAuth access token - Cannot parse access token');
  const t = st.instagramTokens.get(token);
  if (!t || st.invalidTokens.has(token)) return graphErr(400, 190, 'Invalid OAuth access token - Cannot parse access token');
  if (t.expiresAt <= st.now().getTime()) {
    const at = new Date(t.expiresAt).toUTCString();
    return graphErr(400, 190, `Error validating access token: Session has expired on ${at}.`, { error_subcode: 463 });
  }
  return t;
}

export function handleInstagram(st: EmulatorState, method: string, pathname: string, q: URLSearchParams, origin = ''): Answer {
  if (method !== 'GET') return graphErr(400, 100, `(#100) Unsupported ${method} request`);
  const rest = pathname.slice(INSTAGRAM_PREFIX.length).replace(GRAPH_VERSION, '').replace(/^\/+|\/+$/g, '');
  const token = q.get('access_token') ?? undefined;
  const t = tokenCheck(st, token);
  if ('status' in t) return t;
  st.countGraphCall();

  if (rest === 'refresh_access_token') {
    if (q.get('grant_type') !== 'ig_refresh_token') return graphErr(400, 100, '(#100) grant_type must be ig_refresh_token');
    if (st.now().getTime() - t.issuedAt < DAY_MS) return graphErr(400, 100, '(#100) The access token must be at least 24 hours old to be refreshed');
    const fresh = `IGAA${hash32(`${token}|${st.now().getTime()}`).toString(36)}${hash32(`${st.seed}|${t.userId}|${st.now().getTime()}`).toString(36)}`;
    st.instagramTokens.set(fresh, { userId: t.userId, issuedAt: st.now().getTime(), expiresAt: st.now().getTime() + LONG_LIVED_MS });
    return { status: 200, body: { access_token: fresh, token_type: 'bearer', expires_in: Math.floor(LONG_LIVED_MS / 1000) } };
  }
  const parts = rest.split('/').filter(Boolean);
  const versionPrefix = GRAPH_VERSION.exec(pathname.slice(INSTAGRAM_PREFIX.length))?.[0] ?? '/v24.0';
  const base = `${origin}${INSTAGRAM_PREFIX}`;
  if (parts.length === 2 && (parts[0] === 'me' || parts[0] === t.userId) && parts[1] === 'media') {
    return listPosts(st.posts, st.postsState, 'instagram', t.userId, q, token, base, versionPrefix) as Answer;
  }
  if (parts.length !== 1 || (parts[0] !== 'me' && parts[0] !== t.userId)) {
    return graphErr(400, 100, `Unsupported get request. Object with ID '${parts.join('/')}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`, { error_subcode: 33 }, 'IGApiException');
  }
  const out: Record<string, unknown> = {};
  for (const f of splitFields(q.get('fields') ?? 'id')) {
    const edge = /^media((?:\.[a-z_]+\([^(){}]*\))*)(?:\{(.*)\})?$/s.exec(f);
    if (edge) {
      const eq = new URLSearchParams();
      for (const mm of (edge[1] ?? '').matchAll(/\.([a-z_]+)\(([^(){}]*)\)/g)) {
        if (!['since', 'until', 'limit'].includes(mm[1])) return graphErr(400, 100, `(#100) Unknown modifier ${mm[1]} on field media`, {}, 'IGApiException');
        eq.set(mm[1], mm[2]);
      }
      if (edge[2] !== undefined) eq.set('fields', edge[2]);
      const a = listPosts(st.posts, st.postsState, 'instagram', t.userId, eq, token, base, versionPrefix) as Answer;
      if (a.status !== 200) return a;
      if ((a.body as { data: unknown[] }).data.length) out.media = a.body;
      continue;
    }
    if (!FIELDS.has(f)) return graphErr(400, 100, `(#100) Tried accessing nonexisting field (${f}) on node type (User)`, {}, 'IGApiException');
    if (f === 'user_id') out.user_id = t.userId;
    else if (f === 'username') out.username = `ig_${t.userId.slice(-6)}`;
    else if (f === 'name') out.name = `Instagram ${t.userId.slice(-4)}`;
    else if (f === 'followers_count') out.followers_count = st.model.audience(t.userId, st.today());
    else if (f === 'follows_count') out.follows_count = hash32(`${st.seed}|follows|${t.userId}`) % 500;
    else if (f === 'media_count') out.media_count = hash32(`${st.seed}|media|${t.userId}`) % 2000;
    else if (f === 'account_type') out.account_type = 'BUSINESS';
  }
  out.id = `${hash32(`${st.seed}|iglogin|${t.userId}`)}`;
  return { status: 200, body: out };
}
