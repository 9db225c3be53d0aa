// Chats the bot talks to: which organisation a chat belongs to and which language it is answered in.
import type { Db } from '../../db';
import { rootOrgs, type OrgRow } from '../../db/orgs';
import { LANGUAGES, type AppConfig, type Language } from '../config';

/** Chat ids as typed in config (`@name`, `-100…`) compare without case for usernames. */
export function sameChat(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * The organisation whose `telegram_chat` this chat is, given the chat's numeric id and, for public
 * chats, its @username.
 */
export function orgForChat(db: Db, chatId: string, username?: string): OrgRow | undefined {
  const candidates = [chatId, ...(username ? [`@${username.replace(/^@/, '')}`] : [])];
  const orgs = db
    .prepare('SELECT id, slug, parent_id, level, name_ru, name_kk, name_en, members, telegram_chat FROM organisations WHERE telegram_chat IS NOT NULL ORDER BY id')
    .all() as OrgRow[];
  return orgs.find((o) => candidates.some((c) => sameChat(c, o.telegram_chat as string)));
}

/** The language a chat chose with /lang; undefined when it never did. */
export function chosenLanguage(db: Db, chatIds: readonly string[]): Language | undefined {
  for (const id of chatIds) {
    const row = db.prepare('SELECT language FROM bot_chats WHERE chat_id = ? COLLATE NOCASE').get(id) as { language: string | null } | undefined;
    if (row?.language && (LANGUAGES as readonly string[]).includes(row.language)) return row.language as Language;
  }
  return undefined;
}

export function setChatLanguage(db: Db, chatId: string, language: Language, now = Date.now()): void {
  db.prepare(
    'INSERT INTO bot_chats (chat_id, language, updated_at) VALUES (?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at',
  ).run(chatId, language, now);
}

/**
 * The language of a chat: the one it chose with /lang (under its id or @username), else the bot's
 * configured language, else the default language.
 */
export function chatLanguage(db: Db, config: AppConfig, chatIds: readonly string[]): Language {
  return chosenLanguage(db, chatIds) ?? config.telegram.language ?? config.language;
}

/** The organisation a chat talks about by default: its own, else the root of the tree. */
export function defaultOrg(db: Db, chatOrg: OrgRow | undefined): OrgRow | undefined {
  return chatOrg ?? rootOrgs(db)[0];
}
