// Instagram professional accounts not linked to a Facebook Page, read through the Instagram API with
// Instagram Login (graph.instagram.com, reference/platform-apis.md §1.8): one request per account with its
// own token (`IGAA…`), `GET /me?fields=user_id,username,followers_count`. No batch endpoint exists there.
// Tokens live 60 days; refreshInstagramToken() renews one (the job decides when, and stores it).
// When the run reads posts too (ctx.posts), the same request expands `media.since(…){…}`, and the pages that
// follow are read with `paging.next`.
import { GraphClient, type GraphTransport } from './graph';
import axios from 'axios';
import { CollectorError, MalformedResponseError, errorMessage, fromNetworkError, graphError, isCollectorError, registerSecret, withRetry, type GraphErrorBody } from './http';
import { readCount } from './facebook';
import { insightsRefused, postsExpansion, readPostsDirect, splitWorthy, type GraphPostsTarget } from './posts/graph-posts';
import type { AccountTarget, CollectContext } from './types';

/** Reads every Instagram Login account, one request each (paced by the transport's concurrency). */
export async function collectInstagramLogin(transport: GraphTransport, accounts: readonly AccountTarget[], ctx: CollectContext): Promise<void> {
  const root = transport.settings.instagramGraphUrl;
  await Promise.all(
    accounts.map(async (a) => {
      const client = new GraphClient(a.token, transport, (n) => ctx.countRequest(n), { baseUrl: root, instagramLogin: true });
      const what = `Instagram account ${a.platformId} (Instagram Login)`;
      const sinceMs = ctx.posts?.sinceOf(a.accountId);
      const target: GraphPostsTarget | undefined = sinceMs === undefined ? undefined : { accountId: a.accountId, platform: 'instagram', nodeId: a.platformId, sinceMs, views: true };
      const me = (withMedia: boolean) =>
        withRetry(() => client.request('GET', ['me'], { fields: `user_id,username,followers_count${withMedia && target ? `,${postsExpansion(target)}` : ''}` }, what), transport.retryPolicy) as Promise<Record<string, unknown>>;
      let postsApart = false;
      try {
        let body: Record<string, unknown>;
        try {
          body = await me(true);
        } catch (e) {
          if (!target || !isCollectorError(e)) throw e;
          if (insightsRefused(e)) {
            target.views = false; // views refused: the same request without them
            body = await me(true).catch((e2: unknown) => {
              if (!isCollectorError(e2) || !splitWorthy(e2)) throw e2;
              postsApart = true;
              return me(false);
            });
          } else if (splitWorthy(e)) {
            postsApart = true; // one part refused: the audience alone, the posts apart
            body = await me(false);
          } else throw e;
        }
        const audience = readCount(body, 'followers_count');
        if (audience === undefined) throw new MalformedResponseError(`${what}: the answer has no followers_count`);
        const userId = typeof body.user_id === 'string' ? body.user_id : typeof body.user_id === 'number' ? String(body.user_id) : undefined;
        if (userId !== undefined && userId !== a.platformId) {
          throw new CollectorError('other', `${what}: its token reads Instagram user ${userId}, not ${a.platformId} — fix: give this account the token of its own Instagram login`);
        }
        const username = typeof body.username === 'string' ? `@${body.username}` : undefined;
        ctx.report({ ok: true, reading: { accountId: a.accountId, audience, at: Date.now(), title: username } });
        if (target) {
          const first = postsApart ? undefined : body.media && typeof body.media === 'object' ? (body.media as Record<string, unknown>) : { data: [] };
          ctx.posts!.report(await readPostsDirect(client, target, first));
        }
      } catch (e) {
        const error = isCollectorError(e) ? e : new CollectorError('other', `${what}: ${errorMessage(e)}`);
        ctx.report({ ok: false, accountId: a.accountId, error });
        if (target) ctx.posts!.report({ ok: false, accountId: a.accountId, error, posts: [] });
      }
    }),
  );
}

export interface RefreshedToken {
  token: string;
  /** Unix ms. */
  expiresAt: number;
}

/**
 * `GET /refresh_access_token?grant_type=ig_refresh_token`: a long-lived token at least 24 h old and not expired
 * becomes a new one valid 60 days. The new token is registered for redaction before it is returned.
 */
export async function refreshInstagramToken(transport: GraphTransport, token: string, what: string): Promise<RefreshedToken> {
  registerSecret(token);
  const root = transport.settings.instagramGraphUrl.replace(/\/+$/, '');
  let body: Record<string, unknown>;
  try {
    const res = await axios.get(`${root}/refresh_access_token`, {
      params: { grant_type: 'ig_refresh_token', access_token: token },
      timeout: transport.settings.timeoutMs,
      validateStatus: () => true,
    });
    body = res.data && typeof res.data === 'object' ? (res.data as Record<string, unknown>) : {};
    if (res.status !== 200 || body.error) throw graphError(body.error as GraphErrorBody | undefined, res.status, what);
  } catch (e) {
    throw isCollectorError(e) ? e : fromNetworkError(e, what);
  }
  const fresh = typeof body.access_token === 'string' ? body.access_token : undefined;
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : undefined;
  if (!fresh || expiresIn === undefined) throw new MalformedResponseError(`${what}: the refresh answer has no access_token or expires_in`);
  registerSecret(fresh);
  return { token: fresh, expiresAt: Date.now() + expiresIn * 1000 };
}
