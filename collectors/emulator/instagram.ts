// The emulated Instagram API with Instagram Login (graph.instagram.com, reference/platform-apis.md §1.8), served
// under `<emulator url>/instagram`: `GET /v*/me` (or `/v*/{ig-user-id}`) with `user_id,username,followers_count,
// media_count`, and `GET /refresh_access_token?grant_type=ig_refresh_token`. Tokens (`IGAA…`) expire; an expired
// one answers 190/463 and cannot be refreshed; a refresh needs a token at least 24 h old. No batch endpoint.
import { URLSearchParams } from 'node:url';
import { hash32 } from './model';
import { GRAPH_VERSION, graphErr } from './graph';
import type { EmulatorState } from './state';
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

export function handleInstagram(st: EmulatorState, method: string, pathname: string, q: URLSearchParams): Answer {
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
  if (parts.length !== 1 || (parts[0] !== 'me' && parts[0] !== t.userId)) {
    return graphErr(400, 100, `Unsupported get request. Object with ID '${parts.join('/')}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`, { error_subcode: 33 }, 'IGApiException');
  }
  const out: Record<string, unknown> = {};
  for (const f of (q.get('fields') ?? 'id').split(',').map((s) => s.trim()).filter(Boolean)) {
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
