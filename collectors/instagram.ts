// Instagram professional accounts: `followers_count` of the IG User node, read in Graph batches.
// An account given only by its Facebook Page is first resolved through `instagram_business_account`.
import { MalformedResponseError, NotFoundError } from './http';
import { BatchItem, GraphClient, GraphTransport, readInBatches } from './graph';
import { byToken, readCount } from './facebook';
import { collectInstagramLogin } from './instagram-login';
import type { AccountTarget, CollectContext, Collector } from './types';

/** The IG user id to read, when it is already known. */
export function knownIgUserId(a: AccountTarget): string | undefined {
  if (a.resolvedId) return a.resolvedId;
  // Accounts configured by their Page only are stored as `page:<page id>`.
  if (!a.platformId.startsWith('page:')) return a.platformId;
  return undefined;
}

export class InstagramCollector implements Collector {
  readonly platform = 'instagram' as const;
  constructor(private readonly transport: GraphTransport) {}

  async collect(accounts: readonly AccountTarget[], ctx: CollectContext): Promise<void> {
    // Accounts without a Facebook Page are read through graph.instagram.com, each with its own token.
    const login = accounts.filter((a) => a.api === 'instagram_login');
    const viaPage = accounts.filter((a) => a.api !== 'instagram_login');
    await Promise.all([collectInstagramLogin(this.transport, login, ctx), ...byToken(viaPage).map((group) => this.collectGroup(group, ctx))]);
  }

  private async collectGroup(group: readonly AccountTarget[], ctx: CollectContext): Promise<void> {
    const client = new GraphClient(group[0].token, this.transport, (n) => ctx.countRequest(n));
    const ready: Array<{ account: AccountTarget; igId: string; resolved: boolean }> = [];
    const toResolve = group.filter((a) => knownIgUserId(a) === undefined);
    for (const a of group) {
      const id = knownIgUserId(a);
      if (id !== undefined) ready.push({ account: a, igId: id, resolved: false });
    }

    if (toResolve.length > 0) {
      const byId = new Map(toResolve.map((a) => [a.accountId, a]));
      await readInBatches(
        client,
        toResolve.map((a) => ({
          key: a.accountId,
          relativeUrl: `${encodeURIComponent(a.pageId ?? a.platformId.slice('page:'.length))}?fields=instagram_business_account`,
          label: `Facebook Page ${a.pageId ?? a.platformId.slice('page:'.length)} (Instagram link)`,
        })),
        (item, res) => {
          if (!res.ok) return ctx.report({ ok: false, accountId: item.key, error: res.error });
          const link = res.body.instagram_business_account as { id?: unknown } | undefined;
          if (!link || typeof link.id !== 'string') {
            return ctx.report({ ok: false, accountId: item.key, error: new NotFoundError(`${item.label}: no Instagram professional account is linked to this Page`) });
          }
          ready.push({ account: byId.get(item.key)!, igId: link.id, resolved: true });
        },
      );
    }

    const info = new Map(ready.map((r) => [r.account.accountId, r]));
    const items: BatchItem[] = ready.map((r) => ({
      key: r.account.accountId,
      relativeUrl: `${encodeURIComponent(r.igId)}?fields=followers_count,username`,
      label: `Instagram account ${r.igId}`,
    }));
    await readInBatches(client, items, (item, res) => {
      if (!res.ok) return ctx.report({ ok: false, accountId: item.key, error: res.error });
      const audience = readCount(res.body, 'followers_count');
      if (audience === undefined) {
        return ctx.report({ ok: false, accountId: item.key, error: new MalformedResponseError(`${item.label}: the answer has no followers_count`) });
      }
      const r = info.get(item.key)!;
      const username = typeof res.body.username === 'string' ? `@${res.body.username}` : undefined;
      ctx.report({ ok: true, reading: { accountId: item.key, audience, at: Date.now(), title: username, resolvedId: r.resolved ? r.igId : undefined } });
    });
  }
}
