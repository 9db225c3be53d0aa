// Telegram public channels' posts through the public web preview `<root>/s/<username>` (publications-apis §3.2):
// the page parser (a real HTML parser and CSS selectors, no regular expressions over markup) and the reader
// that pages back with `?before=` at a polite rate. Undocumented markup: every assumption is named below.
import axios, { type AxiosInstance } from 'axios';
import { parseDocument } from 'htmlparser2';
import { compile as cssCompile, selectAll as cssAll, selectOne as cssOne } from 'css-select';
import { getAttributeValue, textContent } from 'domutils';
import type { AnyNode, Element } from 'domhandler';
import { CollectorError, MalformedResponseError, NotFoundError, RateLimitError, RateLimiter, TransientError, fromNetworkError, withRetry, type RetryPolicy } from '../http';
import type { PostInput, PostKind } from '../../src/posts/store';

/** A Telegram channel whose public preview is off, private, or missing: the preview answers 302 to t.me/<name>. */
export class NoPublicPreviewError extends CollectorError {
  constructor(channel: string) {
    super(
      'not_found',
      `@${channel} has no public web preview (t.me/s/${channel} redirects to t.me/${channel}): the channel is private, ` +
        'restricted or not a channel. Make it public, or add the bot as an administrator of the channel so its posts arrive as updates',
    );
    this.name = 'NoPublicPreviewError';
  }
}

/** "4.85K" → 4850 (approximate), "957" → 957 (exact); undefined when not a count. */
export function parseCount(raw: string): { value: number; approximate: boolean } | undefined {
  const s = raw.replace(/\s+/g, '').replace(',', '.');
  const m = /^(\d+(?:\.\d+)?)([KM])?$/i.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!m[2]) return Number.isInteger(n) ? { value: n, approximate: false } : undefined;
  const mul = m[2].toUpperCase() === 'K' ? 1_000 : 1_000_000;
  return { value: Math.round(n * mul), approximate: true };
}

export interface PreviewPost extends PostInput {
  /** Telegram message id (for an album: its first item's). */
  messageId: number;
  /** Views as shown ("4.85K"), null when the block shows none. */
  viewsRaw: string | null;
  edited: boolean;
}

export interface PreviewPage {
  /** Posts of the page, oldest first; service messages left out, an album once. */
  posts: PreviewPost[];
  /** Ids of the message blocks on the page, service messages included (album items each): for paging. */
  smallestId: number | null;
  /** The cursor for older messages (`?before=`), null at the start of the channel's history. */
  before: number | null;
  /** The page says "No posts found". */
  empty: boolean;
}

// Each selector is compiled once (css-select compiles a string query at every call: most of a page's parse time).
type Compiled = Exclude<Parameters<typeof cssAll<AnyNode, Element>>[0], string>;
const compiled = new Map<string, Compiled>();
const query = (q: string): Compiled => {
  let c = compiled.get(q);
  if (!c) compiled.set(q, (c = cssCompile<AnyNode, Element>(q) as unknown as Compiled));
  return c;
};
const selectAll = (q: string, root: AnyNode | AnyNode[]): Element[] => cssAll<AnyNode, Element>(query(q), root);
const selectOne = (q: string, root: AnyNode | AnyNode[]): Element | null => cssOne<AnyNode, Element>(query(q), root);

const hasClass = (el: Element, cls: string): boolean => (getAttributeValue(el, 'class') ?? '').split(/\s+/).includes(cls);

/** Text of a message's text block: line breaks kept, entities decoded by the parser. */
function messageText(node: AnyNode): string {
  const parts: string[] = [];
  const walk = (n: AnyNode) => {
    if (n.type === 'text') parts.push((n as unknown as { data: string }).data);
    else if (n.type === 'tag') {
      const el = n as Element;
      if (el.name === 'br') parts.push('\n');
      else el.children.forEach(walk);
    }
  };
  walk(node);
  return parts.join('').replace(/\u00a0/g, ' ').trim();
}

function kindOf(block: Element): PostKind {
  if (selectOne('.tgme_widget_message_grouped_wrap', block)) return 'album';
  if (selectOne('.tgme_widget_message_video_player, .tgme_widget_message_roundvideo, video', block)) return 'video';
  if (selectOne('.tgme_widget_message_photo_wrap', block)) return 'photo';
  if (
    selectOne(
      '.tgme_widget_message_document_wrap, .tgme_widget_message_poll, .tgme_widget_message_sticker_wrap, audio, .tgme_widget_message_voice, .message_media_not_supported',
      block,
    )
  )
    return 'other';
  if (selectOne('.tgme_widget_message_link_preview', block)) return 'link';
  return 'text';
}

/** Parses one preview page of channel `channel` (username without @). Throws MalformedResponseError when it is not one. */
export function parsePreviewPage(html: string, channel: string, previewRoot = 'https://t.me'): PreviewPage {
  const doc = parseDocument(html);
  const history = selectOne('section.tgme_channel_history', doc.children);
  if (!history) throw new MalformedResponseError(`t.me/s/${channel}: the page has no channel history (not a channel preview)`);
  const empty = selectOne('.tme_no_messages_found', history) !== null;
  const posts: PreviewPost[] = [];
  let smallestId: number | null = null;
  for (const block of selectAll('div.tgme_widget_message[data-post]', history)) {
    const dataPost = getAttributeValue(block, 'data-post') ?? '';
    const id = Number(dataPost.slice(dataPost.lastIndexOf('/') + 1));
    if (!Number.isSafeInteger(id) || id <= 0) continue;
    smallestId = smallestId === null ? id : Math.min(smallestId, id);
    // album items' ids: they page like separate messages
    for (const a of selectAll('a.grouped_media_wrap', block)) {
      const m = Number((getAttributeValue(a, 'href') ?? '').split('?')[0].split('/').pop());
      if (Number.isSafeInteger(m) && m > 0) smallestId = Math.min(smallestId, m);
    }
    if (hasClass(block, 'service_message')) continue;
    const time = selectOne('.tgme_widget_message_date time[datetime]', block);
    const publishedAt = Date.parse(time ? (getAttributeValue(time, 'datetime') ?? '') : '');
    if (!Number.isFinite(publishedAt)) throw new MalformedResponseError(`t.me/s/${channel}: message ${id} has no date`);
    // the message's own text: not a reply quote's, and the outermost of nested text blocks (album captions)
    const textEl = selectAll('.tgme_widget_message_text', block).find((el) => {
      for (let p = el.parent; p && p !== block; p = p.parent) {
        const pe = p as Element;
        if (pe.type === 'tag' && (hasClass(pe, 'tgme_widget_message_reply') || hasClass(pe, 'tgme_widget_message_text'))) return false;
      }
      return true;
    });
    const viewsEl = selectOne('.tgme_widget_message_views', block);
    const viewsRaw = viewsEl ? textContent(viewsEl).trim() : null;
    const views = viewsRaw !== null ? parseCount(viewsRaw) : undefined;
    let reactions = 0;
    for (const r of selectAll('.tgme_widget_message_reactions .tgme_reaction', block)) {
      if (hasClass(r, 'tgme_reaction_paid')) continue; // Stars, not people
      const own = r.children.filter((c) => c.type === 'text').map((c) => (c as unknown as { data: string }).data).join('');
      const n = parseCount(own.trim());
      if (n) reactions += n.value;
    }
    const meta = selectOne('.tgme_widget_message_meta', block);
    const dateLink = selectOne('a.tgme_widget_message_date', block);
    posts.push({
      postId: String(id),
      messageId: id,
      publishedAt,
      kind: kindOf(block),
      text: textEl ? messageText(textEl) : '',
      url: (dateLink && getAttributeValue(dateLink, 'href')) || `${previewRoot.replace(/\/+$/, '')}/${channel}/${id}`,
      forwarded: selectOne('.tgme_widget_message_forwarded_from', block) !== null,
      reactions,
      comments: null,
      shares: null,
      views: views ? views.value : null,
      viewsApproximate: views?.approximate ?? false,
      viewsRaw,
      edited: meta ? /\bedited\b/.test(textContent(meta)) : false,
    });
  }
  posts.sort((a, b) => a.messageId - b.messageId);
  // the older-messages cursor: a.tme_messages_more[data-before], else <link rel="prev">
  let before: number | null = null;
  const more = selectOne('a.tme_messages_more[data-before]', doc.children);
  const prev = selectOne('link[rel="prev"][href]', doc.children);
  if (more) before = Number(getAttributeValue(more, 'data-before'));
  else if (prev) before = Number(new URL(getAttributeValue(prev, 'href') ?? '', 'https://t.me').searchParams.get('before'));
  if (before !== null && !(Number.isSafeInteger(before) && before > 0)) before = null;
  return { posts, smallestId, before, empty };
}

export interface PreviewSettings {
  previewRoot: string;
  /** Preview requests started per second (politeness: the preview is not an API). */
  ratePerSecond: number;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Stop after this many pages per channel in one read. */
  maxPages: number;
}

export const DEFAULT_PREVIEW_SETTINGS: PreviewSettings = {
  previewRoot: 'https://t.me',
  ratePerSecond: 2,
  timeoutMs: 15_000,
  retry: { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 10_000 },
  maxPages: 200,
};

/** The channel's username for the preview, or null for an account configured by numeric id (no preview). */
export function previewName(platformId: string): string | null {
  const s = platformId.trim();
  if (/^-?\d+$/.test(s)) return null;
  return s.replace(/^@/, '').replace(/^https?:\/\/t\.me\//, '');
}

/** Reads preview pages of public channels; one instance per run shares the rate limit. */
export class TelegramPreviewReader {
  private readonly http: AxiosInstance;
  private readonly limiter: RateLimiter;
  constructor(
    private readonly settings: PreviewSettings,
    private readonly countRequest: (n?: number) => void = () => {},
  ) {
    this.http = axios.create({ timeout: settings.timeoutMs, maxRedirects: 0, validateStatus: () => true, responseType: 'text', transformResponse: (d) => d });
    this.limiter = new RateLimiter(settings.ratePerSecond);
  }

  /** One page: the newest, or the messages with ids below `before`. */
  async page(channel: string, before?: number): Promise<PreviewPage> {
    const root = this.settings.previewRoot.replace(/\/+$/, '');
    const url = `${root}/s/${encodeURIComponent(channel)}${before ? `?before=${before}` : ''}`;
    return withRetry(
      async () => {
        await this.limiter.acquire();
        this.countRequest(1);
        let res;
        try {
          res = await this.http.get<string>(url);
        } catch (e) {
          throw fromNetworkError(e, `t.me/s/${channel}`);
        }
        if (res.status >= 300 && res.status < 400) {
          const location = String(res.headers.location ?? '');
          if (!location.includes('/s/')) throw new NoPublicPreviewError(channel);
          throw new TransientError(`t.me/s/${channel}: redirected to ${location}`);
        }
        if (res.status === 429) {
          const ra = Number(res.headers['retry-after']);
          const retryAfterMs = Number.isFinite(ra) ? ra * 1000 : undefined;
          this.limiter.pause(retryAfterMs ?? 5_000);
          throw new RateLimitError(`t.me/s/${channel}: too many requests`, { retryAfterMs });
        }
        if (res.status === 404) throw new NotFoundError(`t.me/s/${channel}: not found`);
        if (res.status >= 500) throw new TransientError(`t.me/s/${channel}: HTTP ${res.status}`);
        if (res.status !== 200) throw new CollectorError('other', `t.me/s/${channel}: HTTP ${res.status}`);
        return parsePreviewPage(String(res.data ?? ''), channel, root);
      },
      this.settings.retry,
    );
  }

  /**
   * The channel's posts published at or after `sinceMs`, newest pages first until a page reaches back
   * before `sinceMs` or the history starts. `complete` is true when the whole window was listed.
   * An empty page is asked again once: t.me is known to answer "No posts found" under load. When the newest
   * page is still empty while `expectPosts` (posts are known in the window), the read fails — a failed read
   * is a gap, never "no posts" (nor a reason to mark known posts deleted); an empty page further back ends
   * the read as incomplete.
   */
  async postsSince(channel: string, sinceMs: number, expectPosts = false): Promise<{ posts: PreviewPost[]; complete: boolean; pages: number }> {
    const byId = new Map<number, PreviewPost>();
    const blank = (p: PreviewPage) => p.empty || p.smallestId === null;
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      let page = await this.page(channel, before);
      pages++;
      if (blank(page) && before !== 1) {
        page = await this.page(channel, before);
        pages++;
      }
      for (const p of page.posts) if (p.publishedAt >= sinceMs) byId.set(p.messageId, p);
      const oldest = page.posts.length ? page.posts[0].publishedAt : null;
      if (page.empty || page.smallestId === null) {
        if (before === undefined && expectPosts) throw new TransientError(`t.me/s/${channel}: the preview lists no posts, though posts of the period are known`);
        return { posts: [...byId.values()], complete: before === undefined || before === 1, pages };
      }
      if (oldest !== null && oldest < sinceMs) return { posts: [...byId.values()], complete: true, pages };
      const next = page.before ?? null;
      if (next === null || next >= (before ?? Number.POSITIVE_INFINITY) || page.smallestId <= 1) return { posts: [...byId.values()], complete: true, pages };
      if (pages >= this.settings.maxPages) return { posts: [...byId.values()], complete: false, pages };
      before = Math.min(next, page.smallestId);
    }
  }
}
