// The emulator's publications endpoints (issue 14), as strict as the real ones (publications-apis.md):
//  - Graph `/{page}/published_posts` (Page tokens only) and `/{ig-user}/media`: field expansion with
//    `reactions.summary(total_count).limit(0)`, `insights.metric(…)`, omitted zero/missing fields, cursor
//    paging with `paging.next`, `since`/`until`, limit ≤ 100, invalid metrics refused;
//  - the Telegram public preview `/s/<name>` with the real markup (albums, forwards, service messages,
//    rounded views, reactions, 302 for private or unknown channels, `?before=` paging);
//  - `channel_post` / `edited_channel_post` updates of channels where the bot is an administrator.
// The server (collectors/emulator) mounts these; they hold no HTTP plumbing.
import { hash32 } from './model';
import { formatPreviewCount, POSTS_DAY0, TG_SLOTS_PER_DAY, type ModelPlatform, type ModelPost, type PostsModel } from './posts-model';

const DAY_MS = 86_400_000;
const MAX_LIMIT = 100;
const PREVIEW_PAGE_MESSAGES = 20;

export interface PostsAnswer {
  status: number;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

export interface PostsApiDeps {
  model: PostsModel;
  /** Followers of an account (as the audience endpoints answer) on a UTC day. */
  audience(account: string, day: number): number;
  now(): number;
  /** True when `token` is a Page access token of `pageId`. */
  isPageToken(token: string | undefined, pageId: string): boolean;
  /** Telegram channels (lower case, no @) whose preview is off: private, or not public. */
  isPrivateChannel(name: string): boolean;
  /** The numeric chat id of a channel (-100…). */
  chatId(name: string): number;
}

/** Runtime state the tests and the demo drive: posts deleted by hand, channels where the bot is an admin. */
export interface PostsState {
  deleted: Set<string>;
  /** Channel (`@name` or `-100…`) → since when the bot is its administrator (unix ms). */
  adminChannels: Map<string, number>;
  /** Next update_id for channel posts; updates already handed out are not repeated after an offset confirms them. */
  nextUpdateId: number;
  /** Last message id of each admin channel already delivered as an update. */
  delivered: Map<string, number>;
  pending: { update_id: number; [k: string]: unknown }[];
}

export function newPostsState(): PostsState {
  return { deleted: new Set(), adminChannels: new Map(), nextUpdateId: 900_000_001, delivered: new Map(), pending: [] };
}

const keyOf = (p: ModelPost) => `${p.platform}:${p.account}:${p.id}`;

/** A Graph answer: always a JSON body. */
export interface GraphAnswer {
  status: number;
  body: unknown;
}

function graphErr(status: number, code: number, message: string, extra: Record<string, unknown> = {}): GraphAnswer {
  return { status, body: { error: { message, type: code === 100 ? 'GraphMethodException' : 'OAuthException', code, ...extra, fbtrace_id: `A${hash32(message).toString(36)}` } } };
}

const fbTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');

function parseTime(v: string | null): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/** Top-level fields of a `fields=` parameter: commas inside {…} and (…) do not split. */
export function splitFields(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '{' || ch === '(') depth++;
    if (ch === '}' || ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const FB_METRICS = new Set(['post_media_view', 'post_total_media_view_unique', 'post_clicks', 'post_reactions_by_type_total', 'post_video_views']);
const IG_METRICS = new Set(['views', 'reach', 'saved', 'shares', 'likes', 'comments', 'total_interactions']);

/** Posts of an account visible now in [fromMs, toMs], newest first. */
function visiblePosts(deps: PostsApiDeps, state: PostsState, platform: ModelPlatform, account: string, fromMs: number, toMs: number, cursor?: { day: number; k: number }): ModelPost[] {
  const now = deps.now();
  const out: ModelPost[] = [];
  const lastDay = Math.floor(Math.min(now, toMs) / DAY_MS);
  const firstDay = Math.max(POSTS_DAY0, Math.floor(fromMs / DAY_MS));
  for (let day = cursor ? cursor.day : lastDay; day >= firstDay; day--) {
    const posts = deps.model.postsOfDay(platform, account, day);
    for (let i = posts.length - 1; i >= 0; i--) {
      const p = posts[i];
      if (cursor && day === cursor.day && p.k >= cursor.k) continue;
      if (p.publishedAt > now || p.publishedAt > toMs || p.publishedAt < fromMs) continue;
      if ((p.deletedAt !== null && p.deletedAt <= now) || state.deleted.has(keyOf(p))) continue;
      out.push(p);
    }
    if (out.length > MAX_LIMIT) break;
  }
  return out;
}

function encodeCursor(p: ModelPost): string {
  return Buffer.from(`${p.day}:${p.k}`).toString('base64url');
}
function decodeCursor(s: string): { day: number; k: number } | undefined {
  const m = /^(\d+):(\d+)$/.exec(Buffer.from(s, 'base64url').toString());
  return m ? { day: Number(m[1]), k: Number(m[2]) } : undefined;
}

/**
 * `GET /{page-id}/published_posts` or `/{ig-user-id}/media`. `origin` + `versionPrefix` build `paging.next`;
 * `token` is the entry's (or request's) access token.
 */
export function listPosts(
  deps: PostsApiDeps,
  state: PostsState,
  platform: 'facebook' | 'instagram',
  nodeId: string,
  q: URLSearchParams,
  token: string | undefined,
  origin: string,
  versionPrefix: string,
): GraphAnswer {
  if (platform === 'facebook' && !deps.isPageToken(token, nodeId)) {
    return graphErr(400, 190, '(#190) This method must be called with a Page Access Token');
  }
  const limit = q.has('limit') ? Number(q.get('limit')) : 25;
  if (!Number.isInteger(limit) || limit < 1) return graphErr(400, 100, '(#100) The parameter limit must be a positive integer');
  if (limit > MAX_LIMIT) return graphErr(400, 100, `(#100) The limit parameter should not exceed ${MAX_LIMIT}`);
  const fields = splitFields(q.get('fields') ?? 'id,created_time,message');
  const node = platform === 'facebook' ? 'PagePost' : 'IGMedia';
  const allowed = platform === 'facebook'
    ? ['id', 'created_time', 'message', 'permalink_url', 'status_type', 'attachments', 'shares', 'reactions', 'comments', 'insights', 'updated_time', 'full_picture']
    : ['id', 'timestamp', 'caption', 'media_type', 'media_product_type', 'permalink', 'like_count', 'comments_count', 'insights', 'media_url', 'thumbnail_url'];
  let metrics: string[] = [];
  for (const f of fields) {
    const name = f.split(/[.{(]/)[0];
    if (!allowed.includes(name)) return graphErr(400, 100, `(#100) Tried accessing nonexisting field (${name}) on node type (${node})`);
    if (name === 'insights') {
      const m = /metric\(([^)]*)\)/.exec(f);
      metrics = (m?.[1] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      const valid = platform === 'facebook' ? FB_METRICS : IG_METRICS;
      const bad = metrics.find((x) => !valid.has(x));
      if (bad || metrics.length === 0) return graphErr(400, 100, '(#100) The value must be a valid insights metric');
    }
  }
  const since = parseTime(q.get('since')) ?? 0;
  const until = parseTime(q.get('until')) ?? Number.POSITIVE_INFINITY;
  const after = q.get('after');
  const cursor = after ? decodeCursor(after) : undefined;
  if (after && !cursor) return graphErr(400, 100, '(#100) Invalid cursor');
  const account = nodeId;
  const posts = visiblePosts(deps, state, platform, account, since, until, cursor);
  const page = posts.slice(0, limit);
  const now = deps.now();
  const data = page.map((p) => {
    const c = deps.model.counters(p, deps.audience(account, p.day), now);
    const o: Record<string, unknown> = {};
    for (const f of fields) {
      const name = f.split(/[.{(]/)[0];
      if (platform === 'facebook') {
        switch (name) {
          case 'id':
            o.id = p.id;
            break;
          case 'created_time':
            o.created_time = fbTime(p.publishedAt);
            break;
          case 'updated_time':
            o.updated_time = fbTime(p.publishedAt + 3_600_000);
            break;
          case 'message':
            if (p.kind !== 'photo' || hash32(p.id) % 10 !== 0) o.message = p.text; // media-only posts have none
            break;
          case 'permalink_url':
            o.permalink_url = `https://www.facebook.com/${nodeId}/posts/pfbid0${hash32(p.id).toString(36)}${p.day.toString(36)}`;
            break;
          case 'status_type':
            o.status_type = p.kind === 'photo' || p.kind === 'album' ? 'added_photos' : p.kind === 'video' ? 'added_video' : p.kind === 'link' ? 'shared_story' : 'mobile_status_update';
            break;
          case 'attachments':
            if (p.kind !== 'text') o.attachments = { data: [{ media_type: p.kind === 'link' ? 'link' : p.kind, type: p.kind === 'video' ? 'video_inline' : p.kind === 'link' ? 'share' : p.kind }] };
            break;
          case 'shares':
            if (c.shares > 0) o.shares = { count: c.shares };
            break;
          case 'reactions':
            o.reactions = { data: [], summary: { total_count: c.reactions } };
            break;
          case 'comments':
            o.comments = { data: [], summary: { total_count: c.comments } };
            break;
          case 'full_picture':
            if (p.kind !== 'text') o.full_picture = `https://scontent.example/${hash32(p.id)}.jpg`;
            break;
          case 'insights':
            o.insights = { data: metrics.map((m) => ({ name: m, period: 'lifetime', values: [{ value: m === 'post_media_view' ? c.views : Math.floor(c.views * 0.7) }], title: m, id: `${p.id}/insights/${m}/lifetime` })) };
            break;
        }
      } else {
        switch (name) {
          case 'id':
            o.id = p.id;
            break;
          case 'timestamp':
            o.timestamp = fbTime(p.publishedAt);
            break;
          case 'caption':
            o.caption = p.text;
            break;
          case 'media_type':
            o.media_type = p.kind === 'album' ? 'CAROUSEL_ALBUM' : p.kind === 'video' ? 'VIDEO' : 'IMAGE';
            break;
          case 'media_product_type':
            o.media_product_type = p.kind === 'video' ? 'REELS' : 'FEED';
            break;
          case 'permalink':
            o.permalink = `https://www.instagram.com/${p.kind === 'video' ? 'reel' : 'p'}/${Buffer.from(p.id).toString('base64url').slice(0, 11)}/`;
            break;
          case 'like_count':
            o.like_count = c.reactions;
            break;
          case 'comments_count':
            o.comments_count = c.comments;
            break;
          case 'media_url':
          case 'thumbnail_url':
            o[name] = `https://scontent.cdninstagram.example/${hash32(p.id)}.jpg`;
            break;
          case 'insights':
            // no insights data on albums (publications-apis §2.3): the whole call is refused with views asked of one
            if (p.kind === 'album' && metrics.includes('views')) return null;
            o.insights = { data: metrics.map((m) => ({ name: m, period: 'lifetime', values: [{ value: m === 'views' ? c.views : Math.floor(c.views * 0.6) }], title: m, id: `${p.id}/insights/${m}/lifetime` })) };
            break;
        }
      }
    }
    return o;
  });
  if (data.includes(null)) return graphErr(400, 100, '(#100) The Media Insights API does not support the views metric for carousel album media; request it separately');
  const body: Record<string, unknown> = { data };
  if (page.length) {
    const paging: Record<string, unknown> = { cursors: { before: encodeCursor(page[0]), after: encodeCursor(page[page.length - 1]) } };
    if (posts.length > limit) {
      const nq = new URLSearchParams(q);
      nq.set('after', encodeCursor(page[page.length - 1]));
      nq.set('limit', String(limit));
      paging.next = `${origin}${versionPrefix}/${encodeURIComponent(nodeId)}/${platform === 'facebook' ? 'published_posts' : 'media'}?${nq.toString()}`;
    }
    body.paging = paging;
  }
  return { status: 200, body };
}

// ----------------------------------------------------------------------------------------------- Telegram

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const isoSec = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');

interface Block {
  id: number;
  html: string;
  /** Message ids it stands for (an album: one per item). */
  weight: number;
}

function dataView(deps: PostsApiDeps, name: string, id: number | string, now: number): string {
  const c = -Number(String(deps.chatId(name)).replace(/^-100/, ''));
  return Buffer.from(JSON.stringify({ c, p: id, t: Math.floor(now / 1000), h: hash32(`${name}|${id}`).toString(16) })).toString('base64');
}

function postBlock(deps: PostsApiDeps, name: string, root: string, p: ModelPost, now: number): string {
  const c = deps.model.counters(p, deps.audience(`@${name}`, p.day), now);
  const link = `${root}/${name}/${p.messageId}`;
  const parts: string[] = [];
  parts.push(`<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="${root}/${name}"><span dir="auto">${esc(name)}</span></a></div>`);
  if (p.forwarded) parts.push(`<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from <a class="tgme_widget_message_forwarded_from_name" href="${root}/union_kz_central/${100 + (p.messageId % 900)}"><span dir="auto">Центральный совет профсоюза</span></a></div>`);
  const img = (i: number) => `https://cdn4.telesco.pe/file/${hash32(`${p.id}|${i}`).toString(36)}.jpg`;
  if (p.kind === 'album') {
    const items = Array.from({ length: p.items }, (_, i) => `<a class="tgme_widget_message_photo_wrap grouped_media_wrap blured js-message_photo" style="width:${Math.floor(100 / p.items)}%;background-image:url('${img(i)}')" href="${root}/${name}/${p.messageId + i}?single"></a>`);
    parts.push(`<div class="tgme_widget_message_grouped_wrap js-message_grouped_wrap"><div class="tgme_widget_message_grouped js-message_grouped"><div class="tgme_widget_message_grouped_layer js-message_grouped_layer">${items.join('')}</div></div></div>`);
  } else if (p.kind === 'photo') {
    parts.push(`<a class="tgme_widget_message_photo_wrap blured js-message_photo" style="width:800px;background-image:url('${img(0)}')" href="${link}"><div class="tgme_widget_message_photo" style="padding-top:75%"></div></a>`);
  } else if (p.kind === 'video') {
    parts.push(`<a class="tgme_widget_message_video_player js-message_video_player" href="${link}"><i class="tgme_widget_message_video_thumb" style="background-image:url('${img(0)}')"></i><div class="tgme_widget_message_video_wrap"><video class="tgme_widget_message_video js-message_video" src="https://cdn4.telesco.pe/file/${hash32(p.id).toString(36)}.mp4" width="100%" height="100%"></video></div></a>`);
  }
  const textHtml = esc(p.text).replace(/\n/g, '<br/>').replace(/(#[\p{L}\p{N}_-]+)/gu, (t) => `<a href="?q=${encodeURIComponent(t)}">${t}</a>`);
  parts.push(p.kind === 'album' ? `<div class="tgme_widget_message_text js-message_text" dir="auto"><div class="tgme_widget_message_text js-message_text" dir="auto">${textHtml}</div></div>` : `<div class="tgme_widget_message_text js-message_text" dir="auto">${textHtml}</div>`);
  if (p.kind === 'link') parts.push(`<a class="tgme_widget_message_link_preview" href="https://kasipodak.kz/news/${p.day}"><div class="link_preview_site_name accent_color" dir="auto">kasipodak.kz</div><div class="link_preview_title" dir="auto">Новости профсоюза</div></a>`);
  if (c.emoji.length || c.paidReactions) {
    const r = c.emoji.map(([e, n]) => `<span class="tgme_reaction"><i class="emoji" style="background-image:url('//telegram.org/img/emoji/40/${Buffer.from(e).toString('hex').toUpperCase()}.png')"><b>${e}</b></i>${formatPreviewCount(n)}</span>`);
    if (c.paidReactions) r.push(`<span class="tgme_reaction tgme_reaction_paid"><i class="icon icon-telegram-stars"></i>${c.paidReactions}</span>`);
    parts.push(`<div class="tgme_widget_message_reactions js-message_reactions">${r.join('')}</div>`);
  }
  const edited = hash32(`${p.id}|edited`) % 9 === 0 ? 'edited &nbsp;' : '';
  parts.push(
    `<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short js-message_info"><span class="tgme_widget_message_views">${formatPreviewCount(c.views)}</span><span class="copyonly"> views</span><span class="tgme_widget_message_meta">${edited}<a class="tgme_widget_message_date" href="${link}"><time datetime="${isoSec(p.publishedAt)}" class="time">${hhmm(p.publishedAt)}</time></a></span></div></div>`,
  );
  return `<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="${esc(name)}/${p.messageId}" data-view="${dataView(deps, name, p.kind === 'album' ? `${p.messageId}g` : p.messageId, now)}"><div class="tgme_widget_message_bubble">${parts.join('\n')}</div></div></div>`;
}

function serviceBlock(deps: PostsApiDeps, name: string, root: string, id: number, at: number, text: string, now: number): string {
  return `<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message text_not_supported_wrap js-widget_message service_message" data-post="${esc(name)}/${id}" data-view="${dataView(deps, name, id, now)}"><div class="tgme_widget_message_bubble"><div class="tgme_widget_message_text js-message_text" dir="auto">${esc(text)}</div><div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short js-message_info"><span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="${root}/${name}/${id}"><time datetime="${isoSec(at)}" class="time">${hhmm(at)}</time></a></span></div></div></div></div></div>`;
}

/** The message blocks of a channel with ids < before (newest first), until `count` ids are covered. */
function blocksBefore(deps: PostsApiDeps, state: PostsState, name: string, root: string, before: number, count: number): Block[] {
  const now = deps.now();
  const blocks: Block[] = [];
  let ids = 0;
  const todayDay = Math.floor(now / DAY_MS);
  const startDay = Math.min(todayDay, POSTS_DAY0 + Math.floor((before - 2) / TG_SLOTS_PER_DAY));
  for (let day = startDay; day >= POSTS_DAY0 && ids < count; day--) {
    const items: Block[] = [];
    for (const p of deps.model.postsOfDay('telegram', name, day)) {
      if (p.messageId >= before || p.publishedAt > now) continue;
      if ((p.deletedAt !== null && p.deletedAt <= now) || state.deleted.has(keyOf(p))) continue;
      items.push({ id: p.messageId, html: postBlock(deps, name, root, p, now), weight: p.items });
    }
    for (const s of deps.model.serviceOfDay(name, day)) {
      if (s.messageId >= before || s.at > now) continue;
      items.push({ id: s.messageId, html: serviceBlock(deps, name, root, s.messageId, s.at, s.text, now), weight: 1 });
    }
    items.sort((a, b) => b.id - a.id);
    for (const b of items) {
      if (ids >= count) break;
      blocks.push(b);
      ids += b.weight;
    }
  }
  return blocks;
}

/** `GET /s/<name>[?before=N]`: the preview page, or 302 to t.me/<name> for a channel without one. */
export function previewPage(deps: PostsApiDeps, state: PostsState, rawName: string, q: URLSearchParams, root: string): PostsAnswer {
  const name = rawName.toLowerCase();
  if (!/^[a-z][a-z0-9_]{3,31}$/.test(name) || deps.isPrivateChannel(name)) {
    return { status: 302, raw: '', headers: { location: `https://t.me/${rawName}` } };
  }
  const beforeParam = q.get('before');
  const before = beforeParam && /^\d+$/.test(beforeParam) ? Number(beforeParam) : Number.MAX_SAFE_INTEGER;
  // a page shows the newest blocks before `before` up to 20 message ids (album items count singly), oldest first
  const shown = blocksBefore(deps, state, name, root, before, PREVIEW_PAGE_MESSAGES).reverse();
  const head: string[] = [`<meta charset="utf-8">`, `<title>${esc(name)} – Telegram</title>`];
  let body: string;
  if (shown.length === 0) {
    body = `<section class="tgme_channel_history js-message_history"><div class="tme_no_messages_found">No posts found</div></section>`;
  } else {
    const smallest = shown[0].id;
    const more = smallest > 1 ? `<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/${esc(name)}?before=${smallest}" class="tme_messages_more js-messages_more" data-before="${smallest}"></a></div>` : '';
    if (smallest > 1) head.push(`<link rel="prev" href="/s/${esc(name)}?before=${smallest}">`);
    head.push(`<link rel="canonical" href="/s/${esc(name)}${beforeParam ? `?before=${before}` : ''}">`);
    body = `<section class="tgme_channel_history js-message_history">${more}\n${shown.map((b) => b.html).join('\n')}\n</section>`;
  }
  const html = `<!DOCTYPE html>\n<html><head>${head.join('')}</head><body class="widget_frame_base tgme_webpreview_body"><main class="tgme_main"><div class="tgme_container">${body}</div></main></body></html>`;
  return { status: 200, raw: html, headers: { 'content-type': 'text/html; charset=utf-8' } };
}

/**
 * New `channel_post` updates of the channels where the bot is an administrator (the posts published since the
 * last delivery, albums as one message per item sharing a media_group_id). Call before answering getUpdates.
 */
export function channelPostUpdates(deps: PostsApiDeps, state: PostsState, sinceMs: number): void {
  const now = deps.now();
  for (const [chan, adminSince] of state.adminChannels) {
    // a channel by @username, or a private one by its numeric id (the model's posts are keyed by that id)
    const numeric = /^-\d+$/.test(chan);
    const name = numeric ? chan : chan.replace(/^@/, '').toLowerCase();
    const chat = { id: numeric ? Number(chan) : deps.chatId(name), title: `Канал ${name}`, type: 'channel', ...(numeric || deps.isPrivateChannel(name) ? {} : { username: name }) };
    const last = state.delivered.get(name) ?? 0;
    let maxId = last;
    const from = Math.max(sinceMs, adminSince, now - DAY_MS); // updates are kept 24 hours
    for (let day = Math.floor(from / DAY_MS); day <= Math.floor(now / DAY_MS); day++) {
      for (const p of deps.model.postsOfDay('telegram', name, day)) {
        if (p.messageId <= last || p.publishedAt > now || p.publishedAt < from) continue;
        for (let i = 0; i < p.items; i++) {
          const msg: Record<string, unknown> = { message_id: p.messageId + i, sender_chat: chat, chat, date: Math.floor(p.publishedAt / 1000) };
          if (p.kind === 'album') msg.media_group_id = `1${String(hash32(p.id + name)).padStart(11, '0')}`;
          const textual = i === 0 ? p.text : undefined;
          if (p.kind === 'text' || p.kind === 'link') msg.text = p.text;
          else {
            if (textual) msg.caption = textual;
            if (p.kind === 'video') msg.video = { file_id: `v${hash32(p.id)}`, file_unique_id: `u${hash32(p.id)}`, width: 1280, height: 720, duration: 42 };
            else msg.photo = [{ file_id: `p${hash32(`${p.id}|${i}`)}`, file_unique_id: `u${hash32(`${p.id}|${i}`)}`, width: 1280, height: 960 }];
          }
          if (p.forwarded) msg.forward_origin = { type: 'channel', date: Math.floor(p.publishedAt / 1000) - 3600, chat: { id: -1001000000001, title: 'Центральный совет', type: 'channel', username: 'union_kz_central' }, message_id: 100 + (p.messageId % 900) };
          state.pending.push({ update_id: state.nextUpdateId++, channel_post: msg });
        }
        maxId = Math.max(maxId, p.messageId + p.items - 1);
      }
    }
    state.delivered.set(name, maxId);
  }
}

/** An edit of a channel post, as `edited_channel_post` (the demo and tests use it). */
export function editChannelPost(deps: PostsApiDeps, state: PostsState, channel: string, messageId: number, text: string): void {
  const numeric = /^-\d+$/.test(channel);
  const name = numeric ? channel : channel.replace(/^@/, '').toLowerCase();
  const chat = { id: numeric ? Number(channel) : deps.chatId(name), title: `Канал ${name}`, type: 'channel' };
  // the edited message keeps its original date; edit_date is now
  const day = POSTS_DAY0 + Math.floor((messageId - 2) / TG_SLOTS_PER_DAY);
  const original = deps.model.postsOfDay('telegram', name, day).find((p) => p.messageId === messageId);
  const date = Math.floor((original?.publishedAt ?? deps.now() - 3_600_000) / 1000);
  const album = original?.kind === 'album' ? { media_group_id: `1${String(hash32(original.id + name)).padStart(11, '0')}` } : {};
  const body = original && original.kind !== 'text' && original.kind !== 'link' ? { ...album, caption: text, photo: [{ file_id: `p${hash32(original.id)}`, file_unique_id: `u${hash32(original.id)}`, width: 1280, height: 960 }] } : { text };
  state.pending.push({ update_id: state.nextUpdateId++, edited_channel_post: { message_id: messageId, sender_chat: chat, chat, date, edit_date: Math.floor(deps.now() / 1000), ...body } });
}

/** getUpdates: pending updates with update_id ≥ offset (confirmed ones dropped), filtered by allowed_updates. */
export function takeUpdates(state: PostsState, offset: number | undefined, limit: number, allowed: string[] | undefined): unknown[] {
  if (offset !== undefined) state.pending = state.pending.filter((u) => u.update_id >= offset);
  const types = allowed && allowed.length ? new Set(allowed) : null;
  return state.pending.filter((u) => !types || Object.keys(u).some((k) => k !== 'update_id' && types.has(k))).slice(0, Math.max(1, Math.min(100, limit)));
}
