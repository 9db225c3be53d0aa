// The bot's commands (/start, /help, /stats, /top, /targets, /lang), answered in the chat's language.
// An unknown organisation gets the closest matches; unknown or malformed input gets help; nothing crashes.
import { Telegraf, type Context, type Telegram } from 'telegraf';
import type { Db } from '../../db';
import { allOrgs, orgName, type OrgRow } from '../../db/orgs';
import { LANGUAGES, type AppConfig, type Language, type PlatformGroup } from '../config';
import { addDays, localDate } from '../domain/dates';
import { periodContaining } from '../domain/periods';
import { growthRows } from '../growth/growth';
import { rankingTable } from '../growth/rankings';
import { targetRows, type TargetRow } from '../growth/targets';
import { childrenById, loadTree, subtreeIds } from '../growth/tree';
import { formatDate, formatDelta, formatNumber, formatPercent } from '../i18n/format';
import { createLogger, type Logger } from '../log';
import { chatLanguage, defaultOrg, orgForChat, setChatLanguage } from './chats';
import { messages, parsePeriodWord, type Catalog, type PeriodWord } from './messages';
import { escapeHtml, splitMessage } from './split';
import { SUMMARY_PLATFORMS, targetLine } from './summary';
import { postsAnswer } from './info-work';
import { telegramOptions } from './telegram';

// ---------------------------------------------------------------------------------------------------------
// Parsing

export interface ParsedCommand {
  name: string;
  /** The bot the command was addressed to (`/stats@union_bot`), if any. */
  botName?: string;
  args: string;
}

/** `/name[@bot] [args]`; undefined when the text is not a well-formed command. */
export function parseCommand(text: string): ParsedCommand | undefined {
  const m = /^\/([A-Za-z][A-Za-z0-9_]{0,31})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return undefined;
  return { name: m[1].toLowerCase(), botName: m[2], args: (m[3] ?? '').trim() };
}

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

const norm = (s: string) => s.toLowerCase().replace(/ё/g, 'е').replace(/[«»"“”]/g, '').replace(/\s+/g, ' ').trim();

export type OrgLookup = { org: OrgRow } | { suggestions: OrgRow[] };

/**
 * Finds an organisation by slug or by name in any language. An exact slug or name wins; then a single
 * organisation whose slug or name contains the query; otherwise up to `limit` closest matches (substring
 * matches first, then by edit distance to the slug, the name or one of its words).
 */
export function findOrg(orgs: readonly OrgRow[], query: string, limit = 3): OrgLookup {
  const q = norm(query);
  const keys = (o: OrgRow) => [o.slug, o.name_ru, o.name_kk, o.name_en].filter((k): k is string => !!k).map(norm);
  const exact = orgs.filter((o) => keys(o).includes(q));
  if (exact.length === 1) return { org: exact[0] };
  const containing = orgs.filter((o) => keys(o).some((k) => k.includes(q)));
  if (containing.length === 1 && q.length >= 3) return { org: containing[0] };
  const scored = orgs
    .map((o) => {
      const ks = keys(o);
      const sub = ks.some((k) => k.includes(q)) ? 0 : 1;
      const dist = Math.min(...ks.flatMap((k) => [k, ...k.split(/[^\p{L}\p{N}-]+/u).filter(Boolean)].map((w) => levenshtein(q, w))));
      return { o, sub, dist };
    })
    .filter((x) => x.sub === 0 || x.dist <= Math.max(2, Math.floor(q.length / 3)))
    .sort((a, b) => a.sub - b.sub || a.dist - b.dist || a.o.slug.localeCompare(b.o.slug));
  return { suggestions: scored.slice(0, limit).map((x) => x.o) };
}

// ---------------------------------------------------------------------------------------------------------
// Answers (pure: db + config + chat → Telegram HTML)

export interface ChatInfo {
  id: string;
  username?: string;
  private: boolean;
}

export interface CommandContext {
  db: Db;
  config: AppConfig;
  chat: ChatInfo;
  now: Date;
}

function chatIds(chat: ChatInfo): string[] {
  return [chat.id, ...(chat.username ? [`@${chat.username}`] : [])];
}

function languageOf(c: CommandContext): Language {
  return chatLanguage(c.db, c.config, chatIds(c.chat));
}

function helpText(m: Catalog): string {
  return m.help;
}

function orgLink(o: OrgRow, lang: Language): string {
  return `• ${escapeHtml(orgName(o, lang))} — <code>${o.slug}</code>`;
}

/** The org a command is about: the argument, else the chat's own org, else the root; or an error answer. */
function resolveOrgArg(c: CommandContext, arg: string, m: Catalog, lang: Language): { org: OrgRow } | { answer: string } {
  const chatOrg = orgForChat(c.db, c.chat.id, c.chat.username);
  if (!arg) {
    const org = defaultOrg(c.db, chatOrg);
    return org ? { org } : { answer: m.topEmpty };
  }
  const found = findOrg(allOrgs(c.db), arg);
  if ('org' in found) return found;
  const lines = [m.unknownOrg(escapeHtml(arg))];
  if (found.suggestions.length) lines.push(m.didYouMean, ...found.suggestions.map((o) => orgLink(o, lang)));
  else lines.push('', helpText(m));
  return { answer: lines.join('\n') };
}

function platformsPresent(db: Db, org: OrgRow): PlatformGroup[] {
  const rows = db
    .prepare(
      'SELECT DISTINCT platform FROM accounts WHERE org_id IN (SELECT value FROM json_each(?))',
    )
    .all(JSON.stringify(subtreeIds(db, org.id))) as { platform: string }[];
  const have = new Set(rows.map((r) => r.platform));
  return SUMMARY_PLATFORMS.filter((p) => (p === 'social' ? ['facebook', 'instagram', 'telegram'].some((x) => have.has(x)) : have.has(p)));
}

export function statsAnswer(c: CommandContext, arg: string): string {
  const lang = languageOf(c);
  const m = messages(lang);
  const r = resolveOrgArg(c, arg, m, lang);
  if ('answer' in r) return r.answer;
  const today = localDate(c.config.timezone, c.now);
  const from = addDays(today, -6);
  const lines = [m.statsTitle(escapeHtml(orgName(r.org, lang)), formatDate(from, lang), formatDate(today, lang)), '', m.audienceAsOf(formatDate(today, lang))];
  const platforms = platformsPresent(c.db, r.org);
  for (const p of platforms) {
    const row = growthRows(c.db, { org: r.org.slug, platform: p, from, to: today }).find((x) => x.org === r.org.slug);
    if (!row || row.audience_end === null) lines.push(`${m.platform[p]}: ${m.noData}`);
    else {
      lines.push(m.audienceLine(m.platform[p], formatNumber(row.audience_end, lang), formatDelta(row.net_growth, lang), formatPercent(row.growth_percent, lang, true)));
      if (p === 'social' && row.per_1000_members !== null) lines.push(`   ${m.per1000(formatDelta(row.per_1000_members, lang, 1))}`);
    }
  }
  if (!platforms.length) lines.push(m.noData);
  return lines.join('\n');
}

export function topAnswer(c: CommandContext, arg: string): string {
  const lang = languageOf(c);
  const m = messages(lang);
  let word: PeriodWord = 'week';
  if (arg) {
    const w = parsePeriodWord(arg);
    if (!w) return [m.badPeriod(escapeHtml(arg)), '', helpText(m)].join('\n');
    word = w;
  }
  const today = localDate(c.config.timezone, c.now);
  const period = periodContaining(word, today);
  const to = period.to > today ? today : period.to;
  const scope = defaultOrg(c.db, orgForChat(c.db, c.chat.id, c.chat.username));
  const title = m.topTitle(m.period[word], formatDate(period.from, lang), formatDate(to, lang));
  const tree = loadTree(c.db);
  const child = scope ? childrenById(tree).get(scope.id)?.[0] : undefined;
  if (!scope || !child) return [title, m.topEmpty].join('\n');
  const names = tree.bySlug;
  // the ranked orgs come first in the ranking's order: rows are made for the ten shown
  const table = rankingTable(c.db, { level: child.level, platform: 'social', from: period.from, to, org: scope.slug });
  if (!table.ranked) return [title, m.topEmpty].join('\n');
  const lines = [title];
  for (const row of table.rows(0, Math.min(10, table.ranked))) {
    const move = row.rank_change ? (row.rank_change > 0 ? ` ▲${row.rank_change}` : ` ▼${-row.rank_change}`) : '';
    const o = names.get(row.org) as OrgRow;
    lines.push(`${row.rank}. ${escapeHtml(orgName(o, lang))}: ${formatPercent(row.growth_percent, lang, true)} (${formatDelta(row.net_growth, lang)})${move}`);
  }
  if (table.ranked > 10) lines.push(m.more(table.ranked - 10));
  return lines.join('\n');
}

const SEVERITY: Record<string, number> = { behind: 0, at_risk: 1, missed: 2, no_data: 3, on_track: 4, achieved: 5 };

export function targetsAnswer(c: CommandContext, arg: string): string {
  const lang = languageOf(c);
  const m = messages(lang);
  const r = resolveOrgArg(c, arg, m, lang);
  if ('answer' in r) return r.answer;
  const today = localDate(c.config.timezone, c.now);
  const byslug = loadTree(c.db).bySlug;
  const rows = targetRows(c.db, today, { org: r.org.slug });
  const lines = [m.targetsTitle(escapeHtml(orgName(r.org, lang)), formatDate(today, lang))];
  if (!rows.length) return [...lines, m.noTargets].join('\n');
  const counts = Object.keys(SEVERITY)
    .map((s) => [s, rows.filter((t) => t.status === s).length] as const)
    .filter(([, n]) => n > 0);
  lines.push(m.targetCounts(counts.map(([s, n]) => `${m.status[s as TargetRow['status']]}: ${formatNumber(n, lang)}`)), '');
  const sorted = [...rows].sort((a, b) => SEVERITY[a.status] - SEVERITY[b.status] || a.org.localeCompare(b.org));
  for (const t of sorted.slice(0, 15)) lines.push(`• ${targetLine({ ...t, orgRow: byslug.get(t.org) as OrgRow }, lang, m)} — ${m.status[t.status]}`);
  if (sorted.length > 15) lines.push(m.more(sorted.length - 15));
  return lines.join('\n');
}

export function langAnswer(c: CommandContext, arg: string): string {
  const want = arg.trim().toLowerCase();
  if (!(LANGUAGES as readonly string[]).includes(want)) return messages(languageOf(c)).badLanguage;
  setChatLanguage(c.db, c.chat.id, want as Language);
  return messages(want as Language).languageSet;
}

/**
 * The answer to one incoming text, or undefined when the bot should stay quiet (a command for another bot,
 * or ordinary talk in a group that does not mention the bot).
 */
export function answer(c: CommandContext, text: string, botUsername?: string): string | undefined {
  const lang = languageOf(c);
  const m = messages(lang);
  const cmd = parseCommand(text);
  if (!cmd) {
    const mentioned = botUsername !== undefined && text.toLowerCase().includes(`@${botUsername.toLowerCase()}`);
    if (c.chat.private || mentioned || text.trim().startsWith('/')) return helpText(m);
    return undefined;
  }
  if (cmd.botName && botUsername && cmd.botName.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  switch (cmd.name) {
    case 'start':
      return `${m.start}\n${helpText(m)}`;
    case 'help':
      return helpText(m);
    case 'stats':
      return statsAnswer(c, cmd.args);
    case 'top':
      return topAnswer(c, cmd.args);
    case 'targets':
      return targetsAnswer(c, cmd.args);
    case 'posts': {
      const r = resolveOrgArg(c, cmd.args, m, lang);
      return 'answer' in r ? r.answer : postsAnswer(c.db, c.config, r.org, localDate(c.config.timezone, c.now), lang);
    }
    case 'lang':
    case 'language':
      return langAnswer(c, cmd.args);
    default:
      return `${m.unknownCommand(escapeHtml('/' + cmd.name))}\n\n${helpText(m)}`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The telegraf bot

export interface BotOptions {
  db: Db;
  config: AppConfig;
  now?: () => Date;
  /** Least time between two posts of one reply that was split (Telegram's ≈1 message/s per chat). */
  replyIntervalMs?: number;
  log?: Logger;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends an answer, split into posts; a 429 is waited out (up to 30 s) and the post tried again. */
export async function sendAnswer(telegram: Telegram, chatId: number | string, html: string, intervalMs = 1000): Promise<void> {
  const posts = splitMessage(html);
  for (let i = 0; i < posts.length; i++) {
    if (i > 0 && intervalMs > 0) await sleep(intervalMs);
    for (let attempt = 0; ; attempt++) {
      try {
        await telegram.sendMessage(chatId, posts[i], { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
        break;
      } catch (err) {
        const ra = (err as { response?: { parameters?: { retry_after?: number } } }).response?.parameters?.retry_after;
        if (typeof ra !== 'number' || ra > 30 || attempt >= 2) throw err;
        await sleep(ra * 1000);
      }
    }
  }
}

/** A telegraf bot answering the commands; not started (serve launches it, tests feed it updates). */
export function createBot(opts: BotOptions): Telegraf {
  const { db, config } = opts;
  const log = opts.log ?? createLogger('bot');
  const token = config.env.telegramBotToken;
  if (!token) throw new Error('TELEGRAM_BOT_TOKEN is not set');
  const bot = new Telegraf(token, { telegram: telegramOptions(config) });
  const respond = async (ctx: Context, text: string) => {
    const chat = ctx.chat;
    if (!chat) return;
    const info: ChatInfo = { id: String(chat.id), username: 'username' in chat ? chat.username : undefined, private: chat.type === 'private' };
    let reply: string | undefined;
    try {
      reply = answer({ db, config, chat: info, now: opts.now?.() ?? new Date() }, text, ctx.botInfo?.username);
    } catch (err) {
      log.error('command failed', { chat: info.id, error: err as Error });
      reply = messages(chatLanguage(db, config, [info.id])).error;
    }
    if (reply === undefined) return;
    await sendAnswer(ctx.telegram, chat.id, reply, opts.replyIntervalMs ?? 1000);
    log.info('answered', { chat: info.id, command: text.split(/\s/)[0].slice(0, 40) });
  };
  bot.on('message', async (ctx) => {
    const msg = ctx.message as { text?: string; caption?: string };
    const text = msg.text ?? msg.caption;
    if (text === undefined) {
      if (ctx.chat.type === 'private') await respond(ctx, '');
      return;
    }
    await respond(ctx, text);
  });
  bot.catch((err) => log.error('update failed', { error: err as Error }));
  return bot;
}
