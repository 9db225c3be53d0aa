// Instagram professional accounts: `followers_count` of the IG User node, read in Graph batches.
// An account given only by its Facebook Page is first resolved through `instagram_business_account`.
// When the run reads posts too (ctx.posts), each account's entry reads its audience and its recent media at once.
import { MalformedResponseError, NotFoundError } from './http';
import { BatchItem, GraphClient, GraphTransport, readInBatches } from './graph';
import { byToken, readCount } from './facebook';
import { collectInstagramLogin } from './instagram-login';
import { GraphPostsRead, type GraphPostsTarget } from './posts/graph-posts';
import type { CollectorError } from './http';
import type { AccountTarget, CollectContext, Collector } from './types';

const IG_AUDIENCE_FIELDS = 'followers_count,username';

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
    const audience = (accountId: number, label: string, res: { ok: true; body: Record<string, unknown> } | { ok: false; error: CollectorError }) => {
      if (!res.ok) return ctx.report({ ok: false, accountId, error: res.error });
      const count = readCount(res.body, 'followers_count');
      if (count === undefined) return ctx.report({ ok: false, accountId, error: new MalformedResponseError(`${label}: the answer has no followers_count`) });
      const r = info.get(accountId)!;
      const username = typeof res.body.username === 'string' ? `@${res.body.username}` : undefined;
      ctx.report({ ok: true, reading: { accountId, audience: count, at: Date.now(), title: username, resolvedId: r.resolved ? r.igId : undefined } });
    };
    // posts alongside: one entry per account reads its audience and its first page of media
    const targets: GraphPostsTarget[] = [];
    for (const r of ready) {
      const sinceMs = ctx.posts?.sinceOf(r.account.accountId);
      if (sinceMs !== undefined) targets.push({ accountId: r.account.accountId, platform: 'instagram', nodeId: r.igId, sinceMs, views: true });
    }
    const merged = new Set(targets.map((t) => t.accountId));
    const read = new GraphPostsRead(targets, (u) => u, 100, { fields: IG_AUDIENCE_FIELDS, report: (accountId, res) => audience(accountId, `Instagram account ${info.get(accountId)!.igId}`, res) });
    const items: BatchItem[] = [
      ...read.firstItems(),
      ...ready
        .filter((r) => !merged.has(r.account.accountId))
        .map((r) => ({ key: r.account.accountId, relativeUrl: `${encodeURIComponent(r.igId)}?fields=${IG_AUDIENCE_FIELDS}`, label: `Instagram account ${r.igId}` })),
    ];
    await readInBatches(client, items, (item, res) => (read.owns(item) ? read.accept(item, res) : audience(item.key, item.label, res)));
    if (targets.length) for (const r of await read.finish(client)) ctx.posts!.report(r);
  }
}
