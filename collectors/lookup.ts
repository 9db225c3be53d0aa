// A channel as a person gives it — a pasted link (https://t.me/name, https://www.facebook.com/name,
// …/profile.php?id=…, https://www.instagram.com/name/) or an id — read as a reference, then looked up
// through the platform's API to the id the collectors read: a Telegram `@name` (getChat), a Facebook
// Page's numeric id (Graph `GET /{username}`), an Instagram professional account's IG user id (Graph
// business discovery, asked through one of our own IG accounts). The account is then added with that id.
import { Telegram } from 'telegraf';
import { CollectorError, isCollectorError, registerSecret, withRetry } from './http';
import { GraphClient, GraphTransport } from './graph';
import { collectSettings } from './registry';
import { telegramError } from './telegram';
import type { CollectedPlatform, CollectSettings } from './types';

/** What a person typed, read: an id the collectors can use as it is, or a name the API must look up. */
export type ChannelRef = { platform: CollectedPlatform; kind: 'id'; id: string } | { platform: CollectedPlatform; kind: 'name'; name: string };

/** Why a reference cannot be read: not a link or id of the platform, or a link of another platform. */
export type RefProblem = { problem: 'link' } | { problem: 'link_platform'; found: CollectedPlatform };

const TG_NAME = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;
const IG_NAME = /^[A-Za-z0-9._]{1,30}$/;
const FB_NAME = /^[A-Za-z0-9.-]{1,100}$/;
const NUMERIC = /^\d{5,20}$/;
/** Facebook paths that are not Pages. */
const FB_RESERVED = new Set(['groups', 'events', 'watch', 'marketplace', 'gaming', 'stories', 'photo', 'photo.php', 'story.php', 'permalink.php', 'share', 'sharer', 'login', 'home.php', 'people', 'hashtag', 'search']);

function hostPlatform(host: string): CollectedPlatform | undefined {
  const h = host.toLowerCase().replace(/^(www|m|mobile|web)\./, '');
  if (h === 't.me' || h === 'telegram.me' || h === 'telegram.dog') return 'telegram';
  if (h === 'facebook.com' || h === 'fb.com' || h === 'fb.me') return 'facebook';
  if (h === 'instagram.com' || h === 'instagr.am') return 'instagram';
  return undefined;
}

/** Reads a link or an id for `platform`; no network. */
export function parseChannelRef(platform: CollectedPlatform, input: string): ChannelRef | RefProblem {
  const text = input.trim();
  const looksLikeUrl = /^(https?:\/\/)?([a-z0-9-]+\.)*(t\.me|telegram\.me|telegram\.dog|facebook\.com|fb\.com|fb\.me|instagram\.com|instagr\.am)(\/|$)/i.test(text);
  if (looksLikeUrl) {
    let url: URL;
    try {
      url = new URL(/^https?:\/\//i.test(text) ? text : `https://${text}`);
    } catch {
      return { problem: 'link' };
    }
    const found = hostPlatform(url.hostname);
    if (!found) return { problem: 'link' };
    if (found !== platform) return { problem: 'link_platform', found };
    const parts = url.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
    if (platform === 'telegram') {
      // t.me/name, t.me/s/name (the web preview); invite links (t.me/+…, t.me/joinchat/…) name no public channel.
      const name = parts[0] === 's' ? parts[1] : parts[0];
      return name && TG_NAME.test(name) ? { platform, kind: 'id', id: `@${name}` } : { problem: 'link' };
    }
    if (platform === 'facebook') {
      if (parts[0] === 'profile.php') {
        const id = url.searchParams.get('id') ?? '';
        return NUMERIC.test(id) ? { platform, kind: 'id', id } : { problem: 'link' };
      }
      // facebook.com/pages/Some-Title/123456789, facebook.com/p/Some-Title-100064123456789/
      if (parts[0] === 'pages' && parts.length >= 3 && NUMERIC.test(parts[2])) return { platform, kind: 'id', id: parts[2] };
      if (parts[0] === 'p' && parts[1]) {
        const m = /-(\d{5,20})$/.exec(parts[1]);
        return m ? { platform, kind: 'id', id: m[1] } : { problem: 'link' };
      }
      const name = parts[0];
      if (!name || FB_RESERVED.has(name.toLowerCase())) return { problem: 'link' };
      if (NUMERIC.test(name)) return { platform, kind: 'id', id: name };
      return FB_NAME.test(name) ? { platform, kind: 'name', name } : { problem: 'link' };
    }
    const name = parts[0];
    if (!name || ['p', 'reel', 'reels', 'stories', 'explore', 'accounts', 'tv'].includes(name.toLowerCase())) return { problem: 'link' };
    return IG_NAME.test(name) ? { platform, kind: 'name', name } : { problem: 'link' };
  }
  if (platform === 'telegram') {
    if (/^-100\d{5,}$/.test(text)) return { platform, kind: 'id', id: text };
    const name = text.replace(/^@/, '');
    return TG_NAME.test(name) ? { platform, kind: 'id', id: `@${name}` } : { problem: 'link' };
  }
  if (NUMERIC.test(text)) return { platform, kind: 'id', id: text };
  const name = text.replace(/^@/, '');
  if (platform === 'instagram') return IG_NAME.test(name) ? { platform, kind: 'name', name } : { problem: 'link' };
  return FB_NAME.test(name) && !/^\d+$/.test(name) ? { platform, kind: 'name', name } : { problem: 'link' };
}

export interface LookupOptions {
  settings?: Partial<CollectSettings>;
  facebookToken?: string;
  telegramToken?: string;
  /** Instagram: the IG user id of one of our own accounts, through which business discovery is asked. */
  instagramVia?: string;
}

export type LookupResult =
  | { ok: true; id: string; title?: string }
  | { ok: false; problem: 'not_found' | 'not_a_page' | 'no_token' | 'no_instagram' }
  | { ok: false; problem: 'unreachable'; reason: string };

const unreachable = (e: unknown): LookupResult => ({ ok: false, problem: 'unreachable', reason: isCollectorError(e) ? e.kind : 'other' });

/** Looks a reference up through the platform's API: the id to store and the channel's title. */
export async function lookupChannel(ref: ChannelRef, opts: LookupOptions): Promise<LookupResult> {
  const settings = collectSettings({ maxRetries: 1, ...opts.settings });
  if (ref.platform === 'telegram') {
    if (!opts.telegramToken) return { ok: false, problem: 'no_token' };
    registerSecret(opts.telegramToken);
    const chatId = ref.kind === 'id' ? ref.id : `@${ref.name}`;
    const telegram = new Telegram(opts.telegramToken, { apiRoot: settings.telegramApiRoot });
    const policy = { maxRetries: settings.maxRetries, baseDelayMs: settings.retryBaseMs, maxDelayMs: settings.retryMaxMs };
    try {
      const chat = await withRetry(async () => {
        const signal = AbortSignal.timeout(settings.timeoutMs);
        try {
          return (await (telegram.callApi as (m: string, p: object, o: object) => Promise<unknown>)('getChat', { chat_id: chatId }, { signal })) as { title?: unknown; type?: unknown };
        } catch (e) {
          throw telegramError(e, `Telegram ${chatId}`, signal.aborted);
        }
      }, policy);
      return { ok: true, id: chatId, title: typeof chat.title === 'string' ? chat.title : undefined };
    } catch (e) {
      if (isCollectorError(e) && e.kind === 'not_found') return { ok: false, problem: 'not_found' };
      return unreachable(e);
    }
  }

  if (!opts.facebookToken) return { ok: false, problem: 'no_token' };
  const client = new GraphClient(opts.facebookToken, new GraphTransport(settings), () => undefined);
  const get = (path: string, fields: string, what: string) =>
    withRetry(() => client.request('GET', [path], { fields }, what) as Promise<Record<string, unknown>>, client.transport.retryPolicy);
  try {
    if (ref.platform === 'facebook') {
      const target = ref.kind === 'id' ? ref.id : ref.name;
      // A Page answers its followers; a person's profile (or anything else) does not have them.
      const body = await get(target, 'id,name,followers_count', `Facebook ${target}`);
      if (typeof body.id !== 'string' || !NUMERIC.test(body.id)) return { ok: false, problem: 'not_found' };
      return { ok: true, id: body.id, title: typeof body.name === 'string' ? body.name : undefined };
    }
    if (ref.kind === 'id') {
      const body = await get(ref.id, 'id,username', `Instagram ${ref.id}`);
      return { ok: true, id: ref.id, title: typeof body.username === 'string' ? `@${body.username}` : undefined };
    }
    if (!opts.instagramVia) return { ok: false, problem: 'no_instagram' };
    const body = await get(opts.instagramVia, `business_discovery.username(${ref.name}){id,username}`, `Instagram @${ref.name}`);
    const found = body.business_discovery as { id?: unknown; username?: unknown } | undefined;
    if (!found || typeof found.id !== 'string') return { ok: false, problem: 'not_found' };
    return { ok: true, id: found.id, title: `@${typeof found.username === 'string' ? found.username : ref.name}` };
  } catch (e) {
    if (isCollectorError(e) && e.kind === 'not_found') return { ok: false, problem: 'not_found' };
    if (ref.platform === 'facebook' && e instanceof CollectorError && e.code === 100) return { ok: false, problem: 'not_a_page' };
    return unreachable(e);
  }
}
