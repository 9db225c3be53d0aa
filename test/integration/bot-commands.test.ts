// Commands fed to the bot as Telegram updates (bot.handleUpdate); replies read from the emulator's
// sendMessage log. Every command, malformed ones included, gets an answer in the chat's language.
import type { Telegraf } from 'telegraf';
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { createBot } from '../../src/bot/commands';
import { growthRows } from '../../src/growth/growth';
import { rankings } from '../../src/growth/rankings';
import { setLogSink } from '../../src/log';
import { botFixture, parseFigure, postsTo, textUpdate, TRICKY_NAME, type BotFixture } from '../helpers/bot';

let emu: Emulator;
let f: BotFixture;
let bot: Telegraf;
let restoreSink: (l: string) => void;
const NOW = new Date('2026-03-10T06:00:00Z'); // 11:00 in Almaty, Tuesday of 2026-W11
const TODAY = '2026-03-10';

beforeAll(async () => {
  restoreSink = setLogSink(() => {});
  emu = await startEmulator({ port: 0 });
  f = botFixture(emu.url);
  bot = createBot({ db: f.db, config: f.config, now: () => NOW, replyIntervalMs: 0 });
});
afterAll(async () => {
  f.db.close();
  await emu.close();
  setLogSink(restoreSink);
});
beforeEach(() => emu.reset());

/** Sends a text as a user in a chat and returns the bot's replies (plain text). */
async function say(text: string, chat: Parameters<typeof textUpdate>[1] = { id: 555 }): Promise<string[]> {
  const before = emu.messages.length;
  await bot.handleUpdate(textUpdate(text, chat) as never);
  const key = chat?.id !== undefined ? String(chat.id) : '555';
  return postsTo({ ...emu, messages: emu.messages.slice(before) } as Emulator, key);
}

test('/start greets and lists the commands', async () => {
  const [reply] = await say('/start');
  expect(reply).toMatch(/^Здравствуйте!/);
  expect(reply).toContain('/stats [организация]');
  expect(reply).toContain('/top [неделя|месяц|квартал|год]');
});

test('/help lists the commands in Russian by default', async () => {
  const [reply] = await say('/help');
  expect(reply).toContain('/targets [организация] — цели и их выполнение');
});

test('/stats without an org shows the root: audience and 7-day net growth equal to growthRows', async () => {
  const [reply] = await say('/stats');
  expect(reply).toContain('Профсоюз образования');
  const row = growthRows(f.db, { org: 'kz', platform: 'social', from: '2026-03-04', to: TODAY }).find((r) => r.org === 'kz')!;
  const m = /^Соцсети всего: ([\d\s]+) \(([+−]?[\d\s]+), /m.exec(reply)!;
  expect(parseFigure(m[1])).toBe(row.audience_end);
  expect(parseFigure(m[2])).toBe(row.net_growth);
});

test('/stats with a slug, and with a unique part of a name, answer about that org', async () => {
  const [bySlug] = await say('/stats gamma');
  expect(bySlug).toContain('Гамма городская');
  const [byName] = await say('/stats Союз <Учителей>');
  expect(byName).toContain(TRICKY_NAME);
  const [byKazakhName] = await say('/stats Бета облыстық ұйымы');
  expect(byKazakhName).toContain('Бета областная');
});

test('/stats with an unknown org suggests the closest matches', async () => {
  const [reply] = await say('/stats gama');
  expect(reply).toContain('Организация «gama» не найдена.');
  expect(reply).toContain('Возможно, вы имели в виду:');
  expect(reply).toContain('Гамма городская — gamma');
  const [ambiguous] = await say('/stats альфа');
  expect(ambiguous).toContain('alpha-city');
  expect(ambiguous).toContain('alpha-district');
  const [nothing] = await say('/stats qqqqqqqqqqqq');
  expect(nothing).toContain('не найдена');
  expect(nothing).toContain('/help — эта справка');
});

test('/top ranks the regions by growth % for the period so far, as rankings() does', async () => {
  const [week] = await say('/top');
  const rows = rankings(f.db, { level: 'region', platform: 'social', from: '2026-03-09', to: TODAY, org: 'kz' }).filter((r) => r.rank !== null);
  expect(week).toContain('неделя: 09.03.2026 – 10.03.2026');
  const lines = week.split('\n').filter((l) => /^\d+\. /.test(l));
  expect(lines).toHaveLength(rows.length);
  const first = /^1\. (.+): ([+−]?[\d,]+)\s% \(([+−]?[\d\s]+)\)/.exec(lines[0])!;
  expect(parseFigure(first[2])).toBe(Math.round((rows[0].growth_percent as number) * 10) / 10);
  expect(parseFigure(first[3])).toBe(rows[0].net_growth);
  const [month] = await say('/top месяц');
  expect(month).toContain('месяц: 01.03.2026 – 10.03.2026');
  const [quarter] = await say('/top quarter');
  expect(quarter).toContain('квартал: 01.01.2026 – 10.03.2026');
});

test('/top with a period it does not know says so and shows help', async () => {
  const [reply] = await say('/top fortnight');
  expect(reply).toContain('Непонятный период «fortnight»');
  expect(reply).toContain('/help');
});

test('/targets lists the targets with their status; an unknown org gets suggestions', async () => {
  const [reply] = await say('/targets');
  expect(reply).toContain('Цели: Профсоюз образования');
  expect(reply.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(4);
  const [gamma] = await say('/targets gamma');
  expect(gamma.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(1);
  const m = /Гамма городская · Telegram: ([\d\s]+) из ([\d\s]+) /.exec(gamma)!;
  expect(parseFigure(m[2])).toBe(1000);
  const [unknown] = await say('/targets bta');
  expect(unknown).toContain('beta');
});

test('/lang switches the chat to Kazakh; later answers use the glossary words', async () => {
  const chat = { id: 777 };
  const [set] = await say('/lang kk', chat);
  expect(set).toBe('Осы чаттағы жауап тілі: қазақша.');
  const [help] = await say('/help', chat);
  expect(help).toContain('/stats [ұйым]');
  const [targets] = await say('/targets', chat);
  expect(targets).toContain('Мақсаттар: Білім кәсіподағы');
  expect(targets).toMatch(/кесте бойынша|қауіп бар|артта қалуда|орындалды|деректер жоқ/);
  const [bad] = await say('/lang de', chat);
  expect(bad).toBe('Тілді көрсетіңіз: /lang ru, /lang kk немесе /lang en.');
  await say('/lang en', chat);
  const [top] = await say('/top month', chat);
  expect(top).toContain('Ranking by growth %');
  expect(top).toContain('Alpha & <Co>');
});

test('an org’s own chat talks about that org by default', async () => {
  const [reply] = await say('/stats', { id: -100777, type: 'supergroup', username: 'alpha_chat' });
  expect(reply).toContain(TRICKY_NAME);
  const [top] = await say('/top', { id: -100777, type: 'supergroup', username: 'alpha_chat' });
  expect(top).toContain('Альфа-город');
  expect(top).not.toContain('Гамма');
});

test.each([
  ['/foo', 'Неизвестная команда /foo.'],
  ['/', 'Я публикую'],
  ['/статистика', 'Я публикую'],
  ['hello', 'Я публикую'],
  ['/stats@audience_growth_emulator_bot gamma', 'Гамма городская'],
])('malformed or unknown input %j gets an answer (%s), never a crash', async (text, expected) => {
  const replies = await say(text);
  expect(replies).toHaveLength(1);
  expect(replies[0]).toContain(expected);
});

test('a message without text in a private chat gets help', async () => {
  const before = emu.messages.length;
  await bot.handleUpdate({ update_id: 999_001, message: { message_id: 1, date: 0, chat: { id: 556, type: 'private', first_name: 'T' }, from: { id: 1, is_bot: false, first_name: 'T' }, sticker: { file_id: 'x' } } } as never);
  expect(emu.messages.slice(before).map((m) => m.chatId)).toEqual(['556']);
});

test('the bot stays quiet for commands to another bot and for ordinary talk in groups', async () => {
  expect(await say('/stats@some_other_bot')).toEqual([]);
  expect(await say('good morning everyone', { id: -100555, type: 'group' })).toEqual([]);
  const [mentioned] = await say('@audience_growth_emulator_bot hi', { id: -100555, type: 'group' });
  expect(mentioned).toContain('/help');
});
