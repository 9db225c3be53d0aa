// Page access tokens (reference/platform-apis.md §1.7). Page Insights and Page posts must be read with each
// Page's own token, obtained at run time from the configured system-user (or user) token with
// `GET /?ids=…&fields=access_token` (50 Pages an entry, 50 entries a batch; one entry per Page for a group
// that is refused). The tokens are kept in memory for the
// run only (on the run's GraphTransport), registered for redaction at once, and never stored, logged or shown.
// A Page whose token cannot be had fails alone, with its fix; the configured token is not taken for dead.
import { CollectorError, GRAPH_FIXES, PermissionError, registerSecret } from './http';
import { GraphClient, readInBatches } from './graph';

export type PageTokenOutcome = { ok: true; token: string } | { ok: false; error: CollectorError };

/** Graph's limit of ids in one multi-id read. */
const MULTI_ID_MAX = 50;

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
    const outcomeOf = (label: string, res: { ok: true; body: Record<string, unknown> } | { ok: false; error: CollectorError }): PageTokenOutcome => {
      if (!res.ok) {
        const e = res.error;
        return { ok: false, error: e.kind === 'permission' && e.code !== 190 ? new PermissionError(`${e.message.split(' — fix: ')[0]} — fix: ${GRAPH_FIXES.pageTask}`, { code: e.code }) : e };
      }
      if (typeof res.body.access_token === 'string' && res.body.access_token.length > 0) {
        registerSecret(res.body.access_token);
        return { ok: true, token: res.body.access_token };
      }
      return { ok: false, error: new PermissionError(`${label}: ${GRAPH_FIXES.pageTask}`) };
    };
    const label = (id: string) => `Facebook Page ${id} (Page access token)`;
    // First up to 50 Pages per batch entry, as one multi-id read (`?ids=a,b,…&fields=access_token`): 2,000 Pages in
    // one request. Graph refuses a multi-id read as a whole when one of its Pages is refused (no task), so a
    // group that fails is read again one entry per Page: that Page fails alone, with its fix.
    const groups: string[][] = [];
    for (let i = 0; i < missing.length; i += MULTI_ID_MAX) groups.push(missing.slice(i, i + MULTI_ID_MAX));
    const singles: string[] = [];
    await readInBatches(
      client,
      groups.map((ids, i) => ({ key: i, relativeUrl: `?${new URLSearchParams({ ids: ids.join(','), fields: 'access_token' }).toString()}`, label: `Facebook Pages ${ids[0]}… (Page access tokens)` })),
      (item, res) => {
        const ids = groups[item.key];
        if (!res.ok && client.deadError) {
          for (const id of ids) settle.get(id)!(outcomeOf(label(id), res));
          return;
        }
        for (const id of ids) {
          const node = res.ok ? res.body[id] : undefined;
          if (node && typeof node === 'object') settle.get(id)!(outcomeOf(label(id), { ok: true, body: node as Record<string, unknown> }));
          else singles.push(id);
        }
      },
    );
    if (singles.length > 0) {
      await readInBatches(
        client,
        singles.map((id, i) => ({ key: i, relativeUrl: `${encodeURIComponent(id)}?fields=access_token`, label: label(id) })),
        (item, res) => settle.get(singles[item.key])!(outcomeOf(item.label, res)),
      );
    }
    // readInBatches answers every item; a Page still pending would be a bug: fail it rather than hang.
    for (const [id, resolve] of settle) resolve({ ok: false, error: new CollectorError('other', `Facebook Page ${id}: no answer for its Page access token`) });
  }
  const out = new Map<string, PageTokenOutcome>();
  for (const id of wanted) out.set(id, await cache.get(id)!);
  return out;
}
