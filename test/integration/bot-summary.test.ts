// The weekly summary posted through the emulator's Bot API: its figures are those of `export growth` /
// `export targets` for the week; HTML is escaped; long summaries are split; 429 is waited out; each org chat
// gets its own subtree only.
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { orgBySlug } from '../../db/orgs';
import { Outbox, Sender } from '../../src/bot/outbox';
import { queueWeeklySummaries, renderSummary, summaryPosts, weeklySummaryData } from '../../src/bot/summary';
import { createTelegram, telegramSendApi } from '../../src/bot/telegram';
import { runExport } from '../../src/exports';
import { lastWeekLabel } from '../../src/bot/service';
import { runCollect } from '../../src/jobs/collect';
import { FAST } from '../helpers/collect';
import { setLogSink } from '../../src/log';
import { botFixture, parseFigure, postsTo, TRICKY_NAME, WEEK, WEEK_FROM, WEEK_TO, type BotFixture } from '../helpers/bot';
import { createExporters, updateRollups } from '../../src/services';

let emu: Emulator;
let f: BotFixture;
let restoreSink: (l: string) => void;

beforeAll(async () => {
  restoreSink = setLogSink(() => {});
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu.close();
  setLogSink(restoreSink);
});
beforeEach(() => {
  emu.reset();
  f = botFixture(emu.url);
});
afterEach(() => f.db.close());

async function postSummaries(opts: { org?: string } = {}) {
  const outbox = new Outbox(f.db);
  const org = opts.org ? orgBySlug(f.db, opts.org) : undefined;
  const queued = queueWeeklySummaries(f.db, f.config, outbox, WEEK, { org });
  const sender = new Sender(outbox, telegramSendApi(createTelegram(f.config)), { perChatIntervalMs: 50 });
  const result = await sender.drain(Date.now() + 30_000);
  return { queued, result, outbox };
}

type Row = Record<string, string | number | null>;
const growth = (org: string, platform: string): Row[] => runExport(createExporters(), 'growth', f.db, { org, platform, from: WEEK_FROM, to: WEEK_TO }, f.config).rows as Row[];
const round1 = (x: number) => Math.round(x * 10) / 10;

test('the posted summary shows exactly the figures of `export growth` and `export targets` for the week', async () => {
  const { result } = await postSummaries();
  expect(result).toMatchObject({ sent: 2, failed: 0, pending: 0 }); // @union_news (whole tree) and @alpha_chat (its subtree)
  const text = postsTo(emu, '@union_news').join('\n');

  // Audience per platform: "Telegram: 5 500 (+84, +1,5 %)"
  const labels: Record<string, string> = { social: 'Соцсети всего', facebook: 'Facebook', instagram: 'Instagram', telegram: 'Telegram', newspaper: 'Подписка на газеты' };
  for (const [platform, label] of Object.entries(labels)) {
    const row = growth('kz', platform).find((r) => r.org === 'kz')!;
    const m = new RegExp(`^${label}: ([\\d\\s]+) \\(([+−]?[\\d\\s]+), ([+−]?[\\d,]+)\\s%\\)$`, 'm').exec(text);
    expect(m).not.toBeNull();
    expect(parseFigure(m![1])).toBe(row.audience_end);
    expect(parseFigure(m![2])).toBe(row.net_growth);
    expect(parseFigure(m![3])).toBe(round1(row.growth_percent as number));
  }

  // Regions by growth % and per 1,000 members, and the one that shrank.
  const regions = growth('kz', 'social').filter((r) => ['alpha', 'beta', 'gamma'].includes(r.org as string));
  const alpha = regions.find((r) => r.org === 'alpha')!;
  const gamma = regions.find((r) => r.org === 'gamma')!;
  const top = /Лидеры по темпу роста\n1\. (.+): ([+−][\d,]+)\s% \(([+−][\d\s]+)\)\n2\. (.+): ([+−][\d,]+)\s% \(([+−][\d\s]+)\)/.exec(text)!;
  const [first, second] = [...regions].filter((r) => (r.net_growth as number) > 0).sort((a, b) => (b.growth_percent as number) - (a.growth_percent as number));
  expect(parseFigure(top[2])).toBe(round1(first.growth_percent as number));
  expect(parseFigure(top[3])).toBe(first.net_growth);
  expect(parseFigure(top[5])).toBe(round1(second.growth_percent as number));
  expect(parseFigure(top[6])).toBe(second.net_growth);
  const per1000 = new RegExp(`Лидеры по приросту на 1 000 членов профсоюза\\n(?:.*\\n)*?\\d\\. ${TRICKY_NAME.replace(/[<>&]/g, (c) => `\\${c}`)}: ([+−][\\d,]+) на 1 000 членов`).exec(text)!;
  expect(parseFigure(per1000[1])).toBe(round1(alpha.per_1000_members as number));
  const shrank = /Аудитория сократилась\n• Гамма городская: (−[\d\s]+) \(([−][\d,]+)\s%\)/.exec(text)!;
  expect(parseFigure(shrank[1])).toBe(gamma.net_growth);
  expect(parseFigure(shrank[2])).toBe(round1(gamma.growth_percent as number));

  // Targets: counts by status, and the figures of the ones most behind.
  const targets = runExport(createExporters(), 'targets', f.db, { date: WEEK_TO }, f.config).rows as Row[];
  expect(targets).toHaveLength(4);
  const statusWords: Record<string, string> = { achieved: 'достигнуто', on_track: 'в графике', at_risk: 'под угрозой', behind: 'отстаёт', missed: 'не достигнуто', no_data: 'нет данных' };
  const countsLine = /^<?Цели\n(.+)$/m.exec(text)![1];
  for (const [status, word] of Object.entries(statusWords)) {
    const n = targets.filter((t) => t.status === status).length;
    if (n) expect(countsLine).toContain(`${word}: ${n}`);
    else expect(countsLine).not.toContain(`${word}:`);
  }
  const behind = targets.filter((t) => t.status === 'behind' || t.status === 'at_risk');
  expect(behind.length).toBeGreaterThan(0);
  for (const t of behind) {
    const name = t.org === 'gamma' ? 'Гамма городская' : t.org === 'beta' ? 'Бета областная' : t.org === 'alpha' ? TRICKY_NAME : 'Профсоюз образования';
    const line = text.split('\n').find((l) => l.startsWith(`• ${name} · `))!;
    // "28 697 из 38 295 · прирост 3,3 % от плана": the progress is named as the share of the planned growth
    const m = /: ([\d\s]+) из ([\d\s]+) · прирост ([+−]?[\d,]+)\s% от плана, срок (\d\d\.\d\d\.\d{4}); нужно ещё ([\d\s]+), по ([\d\s,]+) в день; прогноз: ([+−]?[\d\s]+) — (.+)$/.exec(line)!;
    expect(parseFigure(m[1])).toBe(t.current);
    expect(parseFigure(m[2])).toBe(t.target);
    expect(parseFigure(m[3])).toBe(round1(t.progress_percent as number));
    expect(m[4]).toBe((t.due_date as string).split('-').reverse().join('.'));
    expect(parseFigure(m[5])).toBe((t.target as number) - (t.current as number));
    expect(parseFigure(m[6])).toBe(round1(t.required_per_day as number));
    expect(parseFigure(m[7])).toBe(Math.round(t.forecast as number));
    expect(m[8]).toBe(statusWords[t.status as string]);
  }
});

test('org names with < and & are escaped, so Telegram accepts the post and readers see the name as written', async () => {
  await postSummaries();
  const raw = emu.messages.find((m) => m.chatId === '@union_news')!.text;
  expect(raw).toContain('Союз &lt;Учителей&gt; &amp; Ко');
  expect(raw).not.toContain(TRICKY_NAME);
  expect(postsTo(emu, '@union_news').join('\n')).toContain(TRICKY_NAME);
  const en = summaryPosts(f.db, f.config, orgBySlug(f.db, 'kz')!, WEEK, 'en').join('\n');
  expect(en).toContain('Alpha &amp; &lt;Co&gt;');
});

test('an org with its own chat gets the summary of its subtree only', async () => {
  await postSummaries();
  const alphaText = postsTo(emu, '@alpha_chat').join('\n');
  expect(alphaText).toContain(TRICKY_NAME);
  expect(alphaText).toContain('Альфа-город');
  expect(alphaText).toContain('Альфа-район');
  for (const other of ['Бета областная', 'Гамма городская', 'Профсоюз образования', 'Подписка на газеты']) expect(alphaText).not.toContain(other);
  const social = growth('alpha', 'social').find((r) => r.org === 'alpha')!;
  const m = /^Соцсети всего: ([\d\s]+) \(([+−]?[\d\s]+),/m.exec(alphaText)!;
  expect(parseFigure(m[1])).toBe(social.audience_end);
  expect(parseFigure(m[2])).toBe(social.net_growth);
  // the national chat has every region
  const national = postsTo(emu, '@union_news').join('\n');
  for (const name of ['Бета областная', 'Гамма городская', TRICKY_NAME]) expect(national).toContain(name);
});

test('--org limits posting to that org’s chat; a second run of the same week posts nothing new', async () => {
  const first = await postSummaries({ org: 'alpha' });
  expect(first.queued.map((q) => q.chatId)).toEqual(['@alpha_chat']);
  expect(emu.messages.map((m) => m.chatId)).toEqual(['@alpha_chat']);
  const again = await postSummaries({ org: 'alpha' });
  expect(again.queued[0].queued).toEqual([]);
  expect(emu.messages).toHaveLength(1);
});

test('a 429 from Telegram is waited out for retry_after and the summary is delivered once', async () => {
  emu.setFault({ kind: 'rate_limit', api: 'telegram', target: '@union_news', times: 1, retryAfter: 1 });
  const t0 = Date.now();
  const { result, outbox } = await postSummaries();
  expect(result).toMatchObject({ sent: 2, failed: 0, pending: 0 });
  expect(postsTo(emu, '@union_news')).toHaveLength(1);
  const sends = emu.requestLog.filter((r) => /\/sendmessage$/i.test(r.path) && r.status !== 200);
  expect(sends.map((r) => r.status)).toEqual([429]);
  const delivered = emu.messages.find((m) => m.chatId === '@union_news')!;
  expect(delivered.at - t0).toBeGreaterThanOrEqual(1000);
  const row = f.db.prepare("SELECT status, attempts, last_error FROM bot_outbox WHERE chat_id = '@union_news'").get() as Record<string, unknown>;
  expect(row).toMatchObject({ status: 'sent', attempts: 1 });
  expect(outbox.pendingCount()).toBe(0);
});

test('a summary longer than 4,096 characters is split on line boundaries into posts Telegram accepts', async () => {
  const long = (i: number) => `Первичная профсоюзная организация школы-гимназии номер ${i} имени выдающегося педагога ${'и просветителя '.repeat(12)}`;
  const children = Array.from({ length: 24 }, (_, i) => `      - { slug: school-${i}, level: primary, name: { ru: "${long(i)}" }, members: ${100 + i}, accounts: [ { platform: telegram, id: "@school_${i}_channel" } ] }`).join('\n');
  const tree = `telegram:\n  summary_chat: "@union_news"\norganisations:\n  - slug: kz\n    level: council\n    name: { ru: "Профсоюз" }\n    children:\n${children}\n`;
  const readings = Array.from({ length: 24 }, (_, i) => [
    `school-${i},telegram,@school_${i}_channel,2026-03-01,${1000 + i}`,
    `school-${i},telegram,@school_${i}_channel,2026-03-08,${i % 2 ? 1000 + i + 10 * i : 990 - i}`,
  ]).flat();
  f.db.close();
  f = botFixture(emu.url, { tree, readings, skipSeries: true });
  const posts = summaryPosts(f.db, f.config, orgBySlug(f.db, 'kz')!, WEEK, 'ru');
  expect(posts.length).toBeGreaterThan(1);
  const { result } = await postSummaries();
  expect(result).toMatchObject({ sent: posts.length, failed: 0 });
  const received = emu.messages.map((m) => m.text);
  expect(received).toEqual(posts);
  for (const p of received) expect(p.length).toBeLessThanOrEqual(4096);
  // nothing lost or cut: the posts joined are the whole summary, line for line (only section gaps at the cuts go)
  const nonBlank = (t: string) => t.split('\n').filter((l) => l.trim() !== '');
  const whole = renderSummary(weeklySummaryData(f.db, f.config, orgBySlug(f.db, 'kz')!, WEEK), 'ru');
  expect(nonBlank(received.join('\n'))).toEqual(nonBlank(whole));
  expect(whole.length).toBeGreaterThan(4096);
  expect(postsTo(emu, '@union_news')).toHaveLength(posts.length);
});

test('the members\' summary carries no internal collection problems (they go to the admin chat)', async () => {
  emu.addUnknown('@gamma_channel');
  await runCollect({ db: f.db, config: f.config, onSnapshotsChanged: updateRollups, platform: 'telegram', settings: FAST, env: f.env });
  const text = summaryPosts(f.db, f.config, orgBySlug(f.db, 'kz')!, lastWeekLabel(f.config), 'ru').join('\n');
  expect(text).not.toContain('Проблемы со сбором данных');
  expect(text).not.toContain('@gamma_channel');
  expect(text).not.toContain('канал не найден');
});
