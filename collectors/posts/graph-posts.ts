// Facebook Pages' `/{page}/published_posts` and Instagram `/{ig-user}/media` (publications-apis §1, §2): the
// request URLs, the normalisation of their answers into posts, and a read that goes through Graph batches
// (one entry per account; `paging.next` followed only for accounts that have more). With `audience`, an account's
// first entry reads its audience AND its first page of posts through field expansion
// (`?fields=followers_count,name,published_posts.since(…).limit(100){…}`), so the daily run costs one entry per
// account; only the accounts that have more pages (or whose merged entry was refused) cost more.
import type { BatchItem, GraphClient } from '../graph';
import { readInBatches } from '../graph';
import { CollectorError, MalformedResponseError, PermissionError, errorMessage, isCollectorError, withRetry } from '../http';
import type { PostInput, PostKind } from '../../src/posts/store';
import type { GraphPostsResult } from '../types';

export type { GraphPostsResult } from '../types';

export const GRAPH_POSTS_PAGE_SIZE = 100;

const FB_FIELDS = [
  'id',
  'created_time',
  'message',
  'permalink_url',
  'status_type',
  'attachments{media_type,type}',
  'shares',
  'reactions.summary(total_count).limit(0)',
  'comments.summary(total_count).limit(0)',
];
const FB_VIEWS_FIELD = 'insights.metric(post_media_view)';
const IG_FIELDS = ['id', 'timestamp', 'caption', 'media_type', 'media_product_type', 'permalink', 'like_count', 'comments_count'];
const IG_VIEWS_FIELD = 'insights.metric(views)';

export interface GraphPostsTarget {
  accountId: number;
  platform: 'facebook' | 'instagram';
  /** Page id or IG user id. */
  nodeId: string;
  /** Facebook: the Page's own access token (Page posts need it), sent in the entry's query string. */
  entryToken?: string;
  /** Read posts published at or after this instant (unix ms). */
  sinceMs: number;
  /** Ask for views through post/media insights (dropped for the account when refused). */
  views: boolean;
}

/** The first page's relative URL (for a batch entry). */
export function postsRelativeUrl(t: GraphPostsTarget, views = t.views): string {
  const edge = t.platform === 'facebook' ? 'published_posts' : 'media';
  const fields = t.platform === 'facebook' ? [...FB_FIELDS, ...(views ? [FB_VIEWS_FIELD] : [])] : [...IG_FIELDS, ...(views ? [IG_VIEWS_FIELD] : [])];
  const q = new URLSearchParams({ fields: fields.join(','), limit: String(GRAPH_POSTS_PAGE_SIZE), since: String(Math.floor(t.sinceMs / 1000)) });
  return `${encodeURIComponent(t.nodeId)}/${edge}?${q.toString()}`;
}

/** The posts edge as a field expansion of the account's node: `published_posts.since(S).limit(100){…}`. */
export function postsExpansion(t: GraphPostsTarget, views = t.views): string {
  const edge = t.platform === 'facebook' ? 'published_posts' : 'media';
  const fields = t.platform === 'facebook' ? [...FB_FIELDS, ...(views ? [FB_VIEWS_FIELD] : [])] : [...IG_FIELDS, ...(views ? [IG_VIEWS_FIELD] : [])];
  return `${edge}.since(${Math.floor(t.sinceMs / 1000)}).limit(${GRAPH_POSTS_PAGE_SIZE}){${fields.join(',')}}`;
}

/** One entry reading the node's audience fields and the first page of its posts. */
export function mergedRelativeUrl(t: GraphPostsTarget, audienceFields: string, views = t.views): string {
  return `${encodeURIComponent(t.nodeId)}?${new URLSearchParams({ fields: `${audienceFields},${postsExpansion(t, views)}` }).toString()}`;
}

/** `paging.next` (an absolute URL) as a batch entry's relative URL: the path after the version, and the query without the token (the entry is signed again). */
export function relativeFromNext(next: string): string {
  const u = new URL(next);
  const path = u.pathname.replace(/^\/+/, '').replace(/^v\d+\.\d+\//, '');
  u.searchParams.delete('access_token');
  u.searchParams.delete('appsecret_proof');
  const q = u.searchParams.toString();
  return q ? `${path}?${q}` : path;
}

const asObj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);

/** Graph times ("2026-10-06T07:12:09+0000", no colon in the offset) as unix ms. */
export function graphTime(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const t = Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(t) ? t : undefined;
}

/** The lifetime value of one insights metric nested in a post (values[0].value, or total_value.value). */
function insightValue(post: Record<string, unknown>, metric: string): number | null {
  const data = asObj(post.insights)?.data;
  if (!Array.isArray(data)) return null;
  for (const m of data) {
    const o = asObj(m);
    if (!o || o.name !== metric) continue;
    const first = Array.isArray(o.values) ? asObj(o.values[0]) : undefined;
    const v = count(first?.value) ?? count(asObj(o.total_value)?.value);
    if (v !== undefined) return v;
  }
  return null;
}

function facebookKind(p: Record<string, unknown>): PostKind {
  const att = asObj(Array.isArray(asObj(p.attachments)?.data) ? (asObj(p.attachments)!.data as unknown[])[0] : undefined);
  const media = String(att?.media_type ?? '').toLowerCase();
  const type = String(att?.type ?? '').toLowerCase();
  if (media === 'album' || type === 'album') return 'album';
  if (media === 'video' || type.startsWith('video')) return 'video';
  if (media === 'photo' || type === 'photo') return 'photo';
  if (media === 'link' || type === 'share') return 'link';
  if (!att) return p.status_type === 'shared_story' ? 'link' : 'text';
  return 'other';
}

function facebookPost(p: Record<string, unknown>, views: boolean): PostInput {
  const id = typeof p.id === 'string' ? p.id : undefined;
  const at = graphTime(p.created_time);
  if (!id || at === undefined) throw new MalformedResponseError('Facebook post without id or created_time');
  return {
    postId: id,
    publishedAt: at,
    kind: facebookKind(p),
    text: typeof p.message === 'string' ? p.message : '',
    url: typeof p.permalink_url === 'string' ? p.permalink_url : null,
    forwarded: p.status_type === 'shared_story',
    // omitted when zero (publications-apis §1.3)
    reactions: count(asObj(asObj(p.reactions)?.summary)?.total_count) ?? 0,
    comments: count(asObj(asObj(p.comments)?.summary)?.total_count) ?? 0,
    shares: count(asObj(p.shares)?.count) ?? 0,
    views: views ? insightValue(p, 'post_media_view') : null,
    viewsApproximate: false,
  };
}

const IG_KINDS: Record<string, PostKind> = { IMAGE: 'photo', VIDEO: 'video', CAROUSEL_ALBUM: 'album' };

function instagramPost(p: Record<string, unknown>, views: boolean): PostInput | null {
  if (p.media_product_type === 'STORY') return null; // stories are ignored
  const id = typeof p.id === 'string' ? p.id : undefined;
  const at = graphTime(p.timestamp);
  if (!id || at === undefined) throw new MalformedResponseError('Instagram media without id or timestamp');
  return {
    postId: id,
    publishedAt: at,
    kind: IG_KINDS[String(p.media_type)] ?? 'other',
    text: typeof p.caption === 'string' ? p.caption : '',
    url: typeof p.permalink === 'string' ? p.permalink : null,
    forwarded: false,
    reactions: count(p.like_count) ?? 0,
    comments: count(p.comments_count) ?? 0,
    shares: null, // not given by /media
    views: views ? insightValue(p, 'views') : null,
    viewsApproximate: false,
  };
}

/** One page of a listing: its posts, and the next page's URL when there is one. */
export function parsePostsPage(platform: 'facebook' | 'instagram', body: Record<string, unknown>, views: boolean): { posts: PostInput[]; next: string | null } {
  if (!Array.isArray(body.data)) throw new MalformedResponseError(`${platform === 'facebook' ? 'published_posts' : 'media'}: the answer has no data list`);
  const posts: PostInput[] = [];
  for (const raw of body.data) {
    const p = asObj(raw);
    if (!p) throw new MalformedResponseError('a post that is not an object');
    const post = platform === 'facebook' ? facebookPost(p, views) : instagramPost(p, views);
    if (post) posts.push(post);
  }
  const next = asObj(body.paging)?.next;
  return { posts, next: typeof next === 'string' && next ? next : null };
}

/** A refused insights field: the token may not read insights, or the metric is not valid for this media. */
export const insightsRefused = (e: CollectorError) => e instanceof PermissionError || e.code === 100 || e.code === 10;
/** A merged entry refused for a reason that may belong to one part only: read the audience and the posts apart. */
export const splitWorthy = (e: CollectorError) => e.kind === 'permission' || e.kind === 'not_found' || e.kind === 'other' || e.kind === 'malformed';

interface State {
  target: GraphPostsTarget;
  views: boolean;
  posts: PostInput[];
  pages: number;
  error?: CollectorError;
  viewsRefused: boolean;
}

type EntryKind = 'posts' | 'merged' | 'audience';
type EntryResult = { ok: true; body: Record<string, unknown> } | { ok: false; error: CollectorError };

/** The audience read that rides along the posts read (merged entries): its node fields and where its answers go. */
export interface AudienceAlongside {
  /** Node fields of the audience read, e.g. `followers_count,name`. */
  fields: string;
  /** Exactly once per target: the node's body (audience fields) or why it could not be read. */
  report(accountId: number, res: EntryResult): void;
}

/**
 * The posts read of many accounts through one Graph client. Use either read() alone, or firstItems() in the
 * caller's own batches + accept() for their answers + finish() for the pages that follow. With `audience`,
 * the first entries are merged (audience + first page of posts); a merged entry refused for a reason of one part
 * (a permission, an unknown field) is split into an audience-only entry with the batch's own token and a
 * posts-only entry, so one part's failure does not fail the other.
 */
export class GraphPostsRead {
  private readonly states = new Map<number, State>();
  private readonly queue: BatchItem[] = [];
  private readonly itemState = new Map<BatchItem, { st: State; kind: EntryKind }>();
  private readonly toMs = Date.now();

  /**
   * `sign(relativeUrl, token)` adds an entry's own token (a Page token) and its proof: GraphClient.withToken.
   */
  constructor(
    targets: readonly GraphPostsTarget[],
    private readonly sign: (relativeUrl: string, token: string) => string = (u) => u,
    private readonly maxPages = 100,
    private readonly audience?: AudienceAlongside,
  ) {
    for (const t of targets) this.states.set(t.accountId, { target: t, views: t.views, posts: [], pages: 0, viewsRefused: false });
  }

  private item(st: State, kind: EntryKind, relativeUrl: string): BatchItem {
    const t = st.target;
    const what = t.platform === 'facebook' ? 'Facebook Page' : 'Instagram account';
    // the audience-only entry is read with the batch's own (configured) token, as the audience always was
    const signed = t.entryToken && kind !== 'audience' ? this.sign(relativeUrl, t.entryToken) : relativeUrl;
    const it: BatchItem = { key: t.accountId, relativeUrl: signed, label: kind === 'audience' ? `${what} ${t.nodeId}` : `${what} ${t.nodeId} posts`, ownToken: signed !== relativeUrl };
    this.itemState.set(it, { st, kind });
    return it;
  }

  private firstItem(st: State): BatchItem {
    return this.audience ? this.item(st, 'merged', mergedRelativeUrl(st.target, this.audience.fields, st.views)) : this.item(st, 'posts', postsRelativeUrl(st.target, st.views));
  }

  /** One entry per account: the first page of its listing (with its audience when merged). */
  firstItems(): BatchItem[] {
    return [...this.states.values()].map((st) => this.firstItem(st));
  }

  /** True when the item is one of this read's. */
  owns(item: BatchItem): boolean {
    return this.itemState.has(item);
  }

  /** The answer to one of this read's entries; queues the next page, a retry without views when refused, or a split. */
  accept(item: BatchItem, res: EntryResult): void {
    const entry = this.itemState.get(item);
    if (!entry) return;
    this.itemState.delete(item);
    const { st, kind } = entry;
    const accountId = st.target.accountId;
    if (kind === 'audience') return this.audience!.report(accountId, res);
    if (!res.ok) {
      if (st.views && st.pages === 0 && insightsRefused(res.error)) {
        st.views = false;
        st.viewsRefused = true;
        this.queue.push(this.firstItem(st));
      } else if (kind === 'merged' && splitWorthy(res.error)) {
        this.queue.push(this.item(st, 'audience', `${encodeURIComponent(st.target.nodeId)}?${new URLSearchParams({ fields: this.audience!.fields }).toString()}`));
        this.queue.push(this.item(st, 'posts', postsRelativeUrl(st.target, st.views)));
      } else {
        if (kind === 'merged') this.audience!.report(accountId, res);
        st.error = res.error;
      }
      return;
    }
    let body = res.body;
    if (kind === 'merged') {
      this.audience!.report(accountId, res);
      // Graph leaves an empty edge out of a field expansion: no key means no posts in the window
      const edge = body[st.target.platform === 'facebook' ? 'published_posts' : 'media'];
      body = asObj(edge) ?? { data: [] };
    }
    try {
      const page = parsePostsPage(st.target.platform, body, st.views);
      st.pages++;
      st.posts.push(...page.posts);
      const oldest = page.posts.length ? Math.min(...page.posts.map((p) => p.publishedAt)) : null;
      if (page.next && page.posts.length > 0 && (oldest === null || oldest >= st.target.sinceMs)) {
        if (st.pages >= this.maxPages) st.error = new CollectorError('other', `${item.label}: more than ${this.maxPages} pages`);
        else this.queue.push(this.item(st, 'posts', relativeFromNext(page.next)));
      }
    } catch (e) {
      st.error = e instanceof CollectorError ? e : new MalformedResponseError(`${item.label}: ${String(e)}`);
    }
  }

  /** Reads the queued pages until every account is done; then one result per account. */
  async finish(client: GraphClient): Promise<GraphPostsResult[]> {
    while (this.queue.length) {
      const items = this.queue.splice(0);
      await readInBatches(client, items, (it, res) => this.accept(it, res));
    }
    return [...this.states.values()].map((st): GraphPostsResult => {
      const posts = st.posts.filter((p) => p.publishedAt >= st.target.sinceMs);
      if (st.error) return { ok: false, accountId: st.target.accountId, error: st.error, posts };
      return { ok: true, accountId: st.target.accountId, posts, complete: { fromMs: st.target.sinceMs, toMs: this.toMs }, viewsRefused: st.viewsRefused };
    });
  }

  /** The whole read through the client's own batches. */
  async read(client: GraphClient): Promise<GraphPostsResult[]> {
    this.queue.push(...this.firstItems());
    return this.finish(client);
  }
}

/**
 * One Instagram Login account's posts read with plain requests (graph.instagram.com has no batch endpoint):
 * the first page from `first` (a `me` answer that expanded `media`, see postsExpansion) or from `GET me/media`,
 * then `paging.next` for as long as the account has more in the window. Views are dropped when refused.
 */
export async function readPostsDirect(client: GraphClient, t: GraphPostsTarget, first?: Record<string, unknown>, maxPages = 100): Promise<GraphPostsResult> {
  const label = `Instagram account ${t.nodeId} posts`;
  const toMs = Date.now();
  const posts: PostInput[] = [];
  let views = t.views;
  let viewsRefused = !t.views && first !== undefined;
  const get = (path: string[], params: Record<string, unknown>) => withRetry(() => client.request('GET', path, params, label), client.transport.retryPolicy) as Promise<Record<string, unknown>>;
  const firstParams = (v: boolean) => {
    const u = new URL(`http://x/${postsRelativeUrl({ ...t, nodeId: 'me' }, v)}`);
    return Object.fromEntries(u.searchParams);
  };
  try {
    let body = first;
    if (!body) {
      try {
        body = await get(['me', 'media'], firstParams(views));
      } catch (e) {
        if (!(views && isCollectorError(e) && insightsRefused(e))) throw e;
        views = false;
        viewsRefused = true;
        body = await get(['me', 'media'], firstParams(false));
      }
    }
    for (let pages = 1; ; pages++) {
      const page = parsePostsPage('instagram', body, views);
      posts.push(...page.posts);
      const oldest = page.posts.length ? Math.min(...page.posts.map((p) => p.publishedAt)) : null;
      if (!page.next || oldest === null || oldest < t.sinceMs) break;
      if (pages >= maxPages) throw new CollectorError('other', `${label}: more than ${maxPages} pages`);
      const rel = relativeFromNext(page.next);
      const [path, query = ''] = rel.split('?');
      body = await get(path.split('/').filter(Boolean).map(decodeURIComponent), Object.fromEntries(new URLSearchParams(query)));
    }
  } catch (e) {
    const error = isCollectorError(e) ? e : new MalformedResponseError(`${label}: ${errorMessage(e)}`);
    return { ok: false, accountId: t.accountId, error, posts: posts.filter((p) => p.publishedAt >= t.sinceMs) };
  }
  return { ok: true, accountId: t.accountId, posts: posts.filter((p) => p.publishedAt >= t.sinceMs), complete: { fromMs: t.sinceMs, toMs }, viewsRefused };
}
