// Telegram channel posts from Bot API updates (`channel_post`, `edited_channel_post`; publications-apis §3.1):
// the only source for private channels, and a second one for public channels where the bot is an administrator.
// Whatever polls the Bot API hands the updates here: the bot service in `serve`, or `collect` itself.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { recordPostsRead, savePosts, type AccountPosts, type PostInput, type PostKind } from './store';

/** The update types posts need; set explicitly on getUpdates / setWebhook (the previous setting would be kept otherwise). */
export const POST_UPDATE_TYPES = ['channel_post', 'edited_channel_post'] as const;

interface TgChat {
  id: number;
  type?: string;
  username?: string;
}
export interface TgMessage {
  message_id: number;
  chat: TgChat;
  date: number;
  edit_date?: number;
  text?: string;
  caption?: string;
  media_group_id?: string;
  photo?: unknown[];
  video?: unknown;
  animation?: unknown;
  video_note?: unknown;
  document?: unknown;
  audio?: unknown;
  voice?: unknown;
  poll?: unknown;
  sticker?: unknown;
  entities?: { type: string }[];
  forward_origin?: unknown;
  pinned_message?: unknown;
  new_chat_title?: string;
  new_chat_photo?: unknown;
  delete_chat_photo?: boolean;
  channel_chat_created?: boolean;
  [k: string]: unknown;
}
export interface TgUpdate {
  update_id: number;
  channel_post?: TgMessage;
  edited_channel_post?: TgMessage;
  [k: string]: unknown;
}

/** Service messages (pins, "channel created", title and photo changes) are not posts. */
export function isServiceMessage(m: TgMessage): boolean {
  return m.pinned_message !== undefined || m.channel_chat_created === true || m.new_chat_title !== undefined || m.new_chat_photo !== undefined || m.delete_chat_photo === true;
}

function kindOf(m: TgMessage): PostKind {
  if (m.media_group_id) return 'album';
  if (m.video || m.animation || m.video_note) return 'video';
  if (m.photo) return 'photo';
  if (m.document || m.audio || m.voice || m.poll || m.sticker) return 'other';
  if (m.entities?.some((e) => e.type === 'url' || e.type === 'text_link')) return 'link';
  return 'text';
}

export interface UpdatesResult {
  /** Accounts whose posts arrived. */
  accounts: Set<number>;
  posts: number;
  ignored: number;
}

/**
 * Stores the posts of channel updates for the configured accounts they belong to (by numeric chat id or
 * @username); an album's messages become one post under its first message's id. Views are not in updates:
 * a private channel's posts have none, a public one keeps those read from its preview.
 */
export function savePostUpdates(db: Db, timeZone: string, updates: readonly TgUpdate[], at = Date.now()): UpdatesResult {
  const accounts = db.prepare("SELECT id, platform_id FROM accounts WHERE platform = 'telegram'").all() as { id: number; platform_id: string }[];
  const byKey = new Map<string, number>();
  for (const a of accounts) byKey.set(a.platform_id.toLowerCase(), a.id);
  const albumPost = db.prepare("SELECT post_id FROM posts WHERE account_id = ? AND published_at = ? AND kind = 'album' LIMIT 1").pluck();
  const perAccount = new Map<number, Map<string, PostInput>>();
  const albums = new Map<string, string>(); // account|media_group_id → post id
  const chatIds = new Map<number, string>();
  const out: UpdatesResult = { accounts: new Set(), posts: 0, ignored: 0 };
  for (const u of updates) {
    const m = u.channel_post ?? u.edited_channel_post;
    if (!m || !m.chat) {
      out.ignored++;
      continue;
    }
    const accountId = byKey.get(String(m.chat.id)) ?? (m.chat.username ? byKey.get(`@${m.chat.username.toLowerCase()}`) : undefined);
    if (accountId === undefined || isServiceMessage(m)) {
      out.ignored++;
      continue;
    }
    chatIds.set(accountId, String(m.chat.id));
    let posts = perAccount.get(accountId);
    if (!posts) perAccount.set(accountId, (posts = new Map()));
    const publishedAt = m.date * 1000;
    let postId = String(m.message_id);
    const text = m.text ?? m.caption;
    if (m.media_group_id) {
      const key = `${accountId}|${m.media_group_id}`;
      const known = albums.get(key) ?? (albumPost.get(accountId, publishedAt) as string | undefined);
      if (known !== undefined && Number(known) <= m.message_id) {
        postId = known;
        const p = posts.get(known);
        // a later item: only its caption matters (the caption usually rides on one item)
        if (p) {
          if (text && !p.text) p.text = text;
          continue;
        }
        if (!text) continue;
      } else if (known !== undefined) {
        // an earlier item than the one stored: the album's id is its first message's
        posts.delete(known);
      }
      albums.set(key, postId);
    }
    const username = m.chat.username;
    posts.set(postId, {
      postId,
      publishedAt,
      kind: kindOf(m),
      text: text ?? (m.media_group_id ? undefined : ''),
      url: username ? `https://t.me/${username}/${postId}` : undefined,
      forwarded: m.forward_origin !== undefined,
    });
  }
  const batch: AccountPosts[] = [...perAccount.entries()].map(([accountId, posts]) => ({ accountId, posts: [...posts.values()], source: 'updates', readAt: at }));
  writeTx(db, () => {
    const s = savePosts(db, timeZone, batch);
    out.posts = s.inserted + s.updated + s.unchanged;
    for (const b of batch) {
      out.accounts.add(b.accountId);
      recordPostsRead(db, timeZone, b.accountId, at, { updatesChatId: chatIds.get(b.accountId) });
    }
  });
  return out;
}
