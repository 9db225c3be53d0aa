// The emulated Telegram Bot API: getMe, getChat, getChatMemberCount, sendMessage (with the HTML check),
// long polling and webhooks, with the errors Telegram answers. State lives in state.ts.
import { chatIdFor, hash32 } from './model';
import type { EmulatorState } from './state';
import { channelPostUpdates, takeUpdates } from './posts-api';
import type { Answer, FaultRule, SentMessage } from './types';

export function botErr(code: number, description: string, parameters?: Record<string, unknown>): Answer {
  return { status: code, body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) } };
}

const ALLOWED_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'span', 'tg-emoji']);

/** Bot API HTML check: allowed, balanced tags; returns the plain text or an error description. */
export function parseTelegramHtml(text: string): { text: string } | { error: string } {
  const stack: string[] = [];
  const tagRe = /<\/?([a-zA-Z][\w-]*)[^>]*>|<|&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);)/gi;
  let m: RegExpExecArray | null;
  while ((m = tagRe.exec(text))) {
    const offset = Buffer.byteLength(text.slice(0, m.index));
    if (m[0] === '<') return { error: `Bad Request: can't parse entities: Unexpected end tag at byte offset ${offset}` };
    if (m[0].startsWith('&')) return { error: `Bad Request: can't parse entities: Character '&' is reserved and must be escaped at byte offset ${offset}` };
    const name = m[1].toLowerCase();
    if (!ALLOWED_TAGS.has(name)) return { error: `Bad Request: can't parse entities: Unsupported start tag "${name}" at byte offset ${offset}` };
    if (m[0].startsWith('</')) {
      if (stack.pop() !== name) return { error: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${name}"` };
    } else {
      stack.push(name);
    }
  }
  if (stack.length) return { error: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"` };
  const plain = text
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  return { text: plain };
}


export function chatInfo(st: EmulatorState, chat: string): { id: number; title: string; username?: string } {
  if (chat.startsWith('@')) {
    const name = chat.slice(1);
    return { id: chatIdFor(name, st.seed), title: `Channel ${name}`, username: name };
  }
  const id = Number(chat);
  return { id: Number.isFinite(id) ? id : -1_000_000_000_001, title: `Channel ${chat}` };
}

function botFaultAnswer(r: FaultRule): Answer {
  switch (r.kind) {
    case 'rate_limit': {
      const s = r.retryAfter ?? 1;
      return botErr(429, `Too Many Requests: retry after ${s}`, { retry_after: s });
    }
    case 'server_error':
      return { status: 502, body: null, raw: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } };
    case 'timeout':
    case 'batch_null':
      return { status: 0, body: null, hang: true };
    case 'malformed':
      return { status: 200, body: null, raw: '{"ok":true,"result":' };
    case 'drop':
      return { status: 0, body: null, drop: true };
    case 'expired_token':
      return botErr(401, 'Unauthorized');
    case 'unknown':
      return botErr(400, 'Bad Request: chat not found');
    case 'permission':
      return botErr(403, 'Forbidden: bot was kicked from the channel chat');
    case 'transient_flag':
    case 'empty_preview': // a preview fault: the Bot API answers as on a gateway error
      return { status: 502, body: null, raw: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } };
  }
}

export function handleBot(st: EmulatorState, token: string, methodName: string, params: Record<string, unknown>): Answer {
  const f = st.fault('telegram', undefined);
  if (f) return botFaultAnswer(f);
  if (!token || st.invalidTokens.has(token)) return botErr(401, 'Unauthorized');
  const m = methodName.toLowerCase();
  if (st.disabledMethods.has(m)) return botErr(404, 'Not Found: method not found');
  const chat = params.chat_id === undefined || params.chat_id === null ? '' : String(params.chat_id);
  const needsChat = ['getchat', 'getchatmembercount', 'getchatmemberscount', 'sendmessage'].includes(m);
  if (needsChat) {
    if (!chat) return botErr(400, 'Bad Request: chat_id is empty');
    const cf = st.fault('telegram', chat);
    if (cf) return botFaultAnswer(cf);
    if (st.isUnknown(chat)) return botErr(400, 'Bad Request: chat not found');
    // A private channel whose bot is not a member: what Telegram answers (a public one is readable by any bot).
    if (st.privateChats.has(chat.toLowerCase())) return botErr(403, 'Forbidden: bot is not a member of the channel chat');
  }
  switch (m) {
    case 'getme':
      return { status: 200, body: { ok: true, result: { id: 7_000_000_000 + (hash32(token) % 1_000_000), is_bot: true, first_name: 'Audience Growth (emulator)', username: 'audience_growth_emulator_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false } } };
    case 'getchat': {
      const c = chatInfo(st, chat);
      return {
        status: 200,
        body: {
          ok: true,
          result: {
            id: c.id,
            type: 'channel',
            title: c.title,
            ...(c.username ? { username: c.username, active_usernames: [c.username] } : {}),
            accent_color_id: hash32(chat) % 7,
            max_reaction_count: 11,
            accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false },
          },
        },
      };
    }
    // What telegraf's launch() needs for long polling. No updates are ever pending: getUpdates waits up
    // to its `timeout` (at most maxPollMs) and answers an empty list, so a polling bot idles quietly.
    case 'getupdates': {
      const timeout = Number(params.timeout ?? 0);
      const holdMs = Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout * 1000, st.maxPollMs) : 0;
      if (st.webhookUrl) return botErr(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
      // allowed_updates: kept from the last call that gave it; an empty list means the default set
      if (params.allowed_updates !== undefined) {
        const a = typeof params.allowed_updates === 'string' ? (JSON.parse(params.allowed_updates) as unknown) : params.allowed_updates;
        st.allowedUpdates = Array.isArray(a) ? a.map(String) : [];
      }
      const t = st.now().getTime();
      channelPostUpdates(st.posts, st.postsState, st.updatesSince);
      st.updatesSince = t;
      const offset = params.offset === undefined ? undefined : Number(params.offset);
      const types = st.allowedUpdates.length ? st.allowedUpdates : ['message', 'channel_post', 'edited_channel_post', 'edited_message', 'callback_query', 'my_chat_member'];
      const result = takeUpdates(st.postsState, offset, Number(params.limit ?? 100), types);
      return { status: 200, body: { ok: true, result }, holdMs: result.length ? 0 : holdMs };
    }
    case 'deletewebhook':
      st.webhookUrl = '';
      return { status: 200, body: { ok: true, result: true, description: 'Webhook was deleted' } };
    case 'setwebhook':
      st.webhookUrl = typeof params.url === 'string' ? params.url : '';
      return { status: 200, body: { ok: true, result: true, description: st.webhookUrl ? 'Webhook was set' : 'Webhook was deleted' } };
    case 'getwebhookinfo':
      return { status: 200, body: { ok: true, result: { url: st.webhookUrl, has_custom_certificate: false, pending_update_count: 0 } } };
    case 'getchatmembercount':
    case 'getchatmemberscount':
      return { status: 200, body: { ok: true, result: st.model.audience(chat.toLowerCase(), st.today()) } };
    case 'sendmessage': {
      const text = typeof params.text === 'string' ? params.text : params.text === undefined ? '' : String(params.text);
      const parseMode = typeof params.parse_mode === 'string' ? params.parse_mode : undefined;
      let plain = text;
      if (parseMode?.toUpperCase() === 'HTML') {
        const p = parseTelegramHtml(text);
        if ('error' in p) return botErr(400, p.error);
        plain = p.text;
      }
      if (plain.trim().length === 0) return botErr(400, 'Bad Request: message text is empty');
      if ([...plain].length > 4096) return botErr(400, 'Bad Request: message is too long');
      const c = chatInfo(st, chat);
      const msg: SentMessage = { messageId: st.nextMessageId++, chatId: chat, text, parseMode, at: Date.now() };
      st.messages.push(msg);
      const chatObj = { id: c.id, type: 'channel', title: c.title, ...(c.username ? { username: c.username } : {}) };
      return { status: 200, body: { ok: true, result: { message_id: msg.messageId, sender_chat: chatObj, chat: chatObj, date: Math.floor(msg.at / 1000), text: plain } } };
    }
    default:
      return botErr(404, 'Not Found: method not found');
  }
}
