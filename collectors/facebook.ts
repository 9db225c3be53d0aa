// Facebook Pages: `followers_count` of the Page node (not `fan_count`, which counts likes), read in
// Graph batches of up to 50; backfill from Page Insights `page_follows` in windows of ≤ 90 days.
// When the run reads posts too (ctx.posts), each Page's entry reads its audience and its recent posts at once,
// with the Page's own token (Page posts need it); a Page without a Page token is read as before, and its posts
// fail alone with their fix.
import { CollectorError, MalformedResponseError } from './http';
import { BatchItem, GraphClient, GraphTransport, readInBatches } from './graph';
import { resolvePageTokens } from './page-tokens';
import { GraphPostsRead, type GraphPostsTarget } from './posts/graph-posts';
import type { AccountTarget, CollectContext, Collector, HistoryContext, HistoryPoint } from './types';

const PAGE_AUDIENCE_FIELDS = 'followers_count,name';

export const MAX_INSIGHTS_WINDOW_DAYS = 90;
export const MAX_BACKFILL_DAYS = 730;
const DAY_S = 86_400;

/** Accounts grouped by the token that reads them. */
export function byToken(accounts: readonly AccountTarget[]): AccountTarget[][] {
  const groups = new Map<string, AccountTarget[]>();
  for (const a of accounts) {
    const key = `${a.tokenKey}\u0000${a.token}`;
    const g = groups.get(key);
    if (g) g.push(a);
    else groups.set(key, [a]);
  }
  return [...groups.values()];
}

/** A count from a node body, or undefined when it is missing: a missing count is a gap, never a zero. */
export function readCount(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

/** [since, until] unix-second windows of at most 90 days covering the last `days` days before `now`. */
export function insightsWindows(days: number, now: Date): Array<[number, number]> {
  const until = Math.floor(now.getTime() / 1000);
  const start = until - Math.min(days, MAX_BACKFILL_DAYS) * DAY_S;
  const out: Array<[number, number]> = [];
  for (let s = start; s < until; s += MAX_INSIGHTS_WINDOW_DAYS * DAY_S) {
    out.push([s, Math.min(until, s + MAX_INSIGHTS_WINDOW_DAYS * DAY_S)]);
  }
  return out;
}

export function parseInsightsValues(body: Record<string, unknown>, metric: string): HistoryPoint[] | undefined {
  const data = body.data;
  if (!Array.isArray(data)) return undefined;
  const series = data.find((d) => d && typeof d === 'object' && (d as { name?: string }).name === metric) as { values?: unknown } | undefined;
  if (!series) return [];
  if (!Array.isArray(series.values)) return undefined;
  const points: HistoryPoint[] = [];
  for (const v of series.values as Array<{ value?: unknown; end_time?: unknown }>) {
    const t = typeof v?.end_time === 'string' ? Date.parse(v.end_time.replace(/\+0000$/, 'Z')) : NaN;
    if (typeof v?.value === 'number' && Number.isInteger(v.value) && v.value >= 0 && Number.isFinite(t)) points.push({ endTime: t, audience: v.value });
  }
  return points;
}

export class FacebookCollector implements Collector {
  readonly platform = 'facebook' as const;
  constructor(private readonly transport: GraphTransport) {}

  async collect(accounts: readonly AccountTarget[], ctx: CollectContext): Promise<void> {
    await Promise.all(
      byToken(accounts).map(async (group) => {
        const client = new GraphClient(group[0].token, this.transport, (n) => ctx.countRequest(n));
        const audience = (accountId: number, label: string, res: { ok: true; body: Record<string, unknown> } | { ok: false; error: CollectorError }) => {
          if (!res.ok) return ctx.report({ ok: false, accountId, error: res.error });
          const count = readCount(res.body, 'followers_count');
          if (count === undefined) return ctx.report({ ok: false, accountId, error: new MalformedResponseError(`${label}: the answer has no followers_count`) });
          const name = typeof res.body.name === 'string' ? res.body.name : undefined;
          ctx.report({ ok: true, reading: { accountId, audience: count, at: Date.now(), title: name } });
        };
        // posts alongside: the Pages whose posts are wanted, each with its own Page token (one batch entry per Page, once a run)
        const wanted = ctx.posts ? group.filter((a) => ctx.posts!.sinceOf(a.accountId) !== undefined) : [];
        const pageTokens = wanted.length ? await resolvePageTokens(client, wanted.map((a) => a.platformId)) : undefined;
        const targets: GraphPostsTarget[] = [];
        for (const a of wanted) {
          const pt = pageTokens!.get(a.platformId)!;
          if (pt.ok) targets.push({ accountId: a.accountId, platform: 'facebook', nodeId: a.platformId, entryToken: pt.token, sinceMs: ctx.posts!.sinceOf(a.accountId)!, views: true });
          else ctx.posts!.report({ ok: false, accountId: a.accountId, error: pt.error, posts: [] });
        }
        const merged = new Set(targets.map((t) => t.accountId));
        const pageOf = new Map(group.map((a) => [a.accountId, a.platformId]));
        const read = new GraphPostsRead(targets, (u, t) => client.withToken(u, t), 100, {
          fields: PAGE_AUDIENCE_FIELDS,
          report: (accountId, res) => audience(accountId, `Facebook Page ${pageOf.get(accountId)}`, res),
        });
        const items: BatchItem[] = [
          ...read.firstItems(),
          ...group
            .filter((a) => !merged.has(a.accountId))
            .map((a) => ({ key: a.accountId, relativeUrl: `${encodeURIComponent(a.platformId)}?fields=${PAGE_AUDIENCE_FIELDS}`, label: `Facebook Page ${a.platformId}` })),
        ];
        await readInBatches(client, items, (item, res) => (read.owns(item) ? read.accept(item, res) : audience(item.key, item.label, res)));
        if (targets.length) for (const r of await read.finish(client)) ctx.posts!.report(r);
      }),
    );
  }

  async backfill(accounts: readonly AccountTarget[], days: number, ctx: HistoryContext, now: Date = new Date()): Promise<void> {
    const windows = insightsWindows(days, now);
    await Promise.all(
      byToken(accounts).map(async (group) => {
        const client = new GraphClient(group[0].token, this.transport, (n) => ctx.countRequest(n));
        // Insights need each Page's own token (reference §1.7); a Page without one fails alone, with its fix.
        const pageTokens = await resolvePageTokens(
          client,
          group.map((a) => a.platformId),
        );
        const items: BatchItem[] = [];
        const state = new Map<number, { left: number; points: HistoryPoint[]; error?: CollectorError }>();
        group.forEach((a) => {
          const pt = pageTokens.get(a.platformId)!;
          if (!pt.ok) return ctx.report({ ok: false, accountId: a.accountId, error: pt.error });
          state.set(a.accountId, { left: windows.length, points: [] });
          windows.forEach(([since, until]) =>
            items.push({
              key: a.accountId,
              relativeUrl: client.withToken(`${encodeURIComponent(a.platformId)}/insights?metric=page_follows&period=day&since=${since}&until=${until}`, pt.token),
              label: `Facebook Page ${a.platformId} insights`,
              ownToken: true,
            }),
          );
        });
        await readInBatches(client, items, (item, res) => {
          const st = state.get(item.key)!;
          if (res.ok) {
            const pts = parseInsightsValues(res.body, 'page_follows');
            if (pts) st.points.push(...pts);
            else st.error = new MalformedResponseError(`${item.label}: unexpected insights shape`);
          } else {
            st.error = res.error;
          }
          if (--st.left === 0) {
            st.points.sort((a, b) => a.endTime - b.endTime);
            if (st.error) ctx.report({ ok: false, accountId: item.key, error: st.error, points: st.points });
            else ctx.report({ ok: true, accountId: item.key, points: st.points });
          }
        });
      }),
    );
  }
}
