// Page access tokens (reference/platform-apis.md §1.7). Page Insights and Page posts must be read with each
// Page's own token, obtained at run time from the configured system-user (or user) token with
// `GET /{page-id}?fields=access_token`, up to 50 Pages per Graph batch. The tokens are kept in memory for the
// run only (on the run's GraphTransport), registered for redaction at once, and never stored, logged or shown.
// A Page whose token cannot be had fails alone, with its fix; the configured token is not taken for dead.
import { CollectorError, GRAPH_FIXES, PermissionError, registerSecret } from './http';
import { GraphClient, readInBatches } from './graph';

export type PageTokenOutcome = { ok: true; token: string } | { ok: false; error: CollectorError };

/** Per configured token: Page id → the Page token (or why there is none). Lives as long as the transport (one run). */
const cacheOf = new WeakMap<object, Map<string, Map<string, Promise<PageTokenOutcome>>>>();

/**
 * Each Page's access token, read with `client`'s (system-user or user) token, in batches of ≤ 50, once per run:
 * a second call for the same Pages (the backfill, then the posts) costs no request.
 * Every Page id of `pageIds` is in the answer, with its token or a setup error naming the fix.
 */
export async function resolvePageTokens(client: GraphClient, pageIds: readonly string[]): Promise<Map<string, PageTokenOutcome>> {
  let byToken = cacheOf.get(client.transport);
  if (!byToken) cacheOf.set(client.transport, (byToken = new Map()));
  let cache = byToken.get(client.token);
  if (!cache) byToken.set(client.token, (cache = new Map()));

  const wanted = [...new Set(pageIds)];
  const missing = wanted.filter((id) => !cache.has(id));
  if (missing.length > 0) {
    const settle = new Map<string, (o: PageTokenOutcome) => void>();
    for (const id of missing) cache.set(id, new Promise((resolve) => settle.set(id, resolve)));
    const keyOf = new Map(missing.map((id, i) => [i, id]));
    await readInBatches(
      client,
      missing.map((id, i) => ({ key: i, relativeUrl: `${encodeURIComponent(id)}?fields=access_token`, label: `Facebook Page ${id} (Page access token)` })),
      (item, res) => {
        const id = keyOf.get(item.key)!;
        let outcome: PageTokenOutcome;
        if (!res.ok) {
          const e = res.error;
          outcome = { ok: false, error: e.kind === 'permission' && e.code !== 190 ? new PermissionError(`${e.message.split(' — fix: ')[0]} — fix: ${GRAPH_FIXES.pageTask}`, { code: e.code }) : e };
        } else if (typeof res.body.access_token === 'string' && res.body.access_token.length > 0) {
          registerSecret(res.body.access_token);
          outcome = { ok: true, token: res.body.access_token };
        } else {
          outcome = { ok: false, error: new PermissionError(`${item.label}: ${GRAPH_FIXES.pageTask}`) };
        }
        settle.get(id)!(outcome);
      },
    );
    // readInBatches answers every item; a Page still pending would be a bug: fail it rather than hang.
    for (const [id, resolve] of settle) resolve({ ok: false, error: new CollectorError('other', `Facebook Page ${id}: no answer for its Page access token`) });
  }
  const out = new Map<string, PageTokenOutcome>();
  for (const id of wanted) out.set(id, await cache.get(id)!);
  return out;
}
