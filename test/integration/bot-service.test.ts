// The bot under `serve`: the weekly-summary job (Monday 09:00 in the configured zone) queues and posts the
// week just ended; the `summary` command prints or posts; bad options exit 2.
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { createBotService, lastWeekLabel } from '../../src/bot/service';
import { setLogSink } from '../../src/log';
import { botFixture, postsTo, WEEK, type BotFixture } from '../helpers/bot';
import { spawnCli } from '../helpers/collect';

let emu: Emulator;
let f: BotFixture;
let restoreSink: (l: string) => void;

beforeAll(async () => {
  restoreSink = setLogSink(() => {});
  emu = await startEmulator({ port: 0 });
  f = botFixture(emu.url);
});
afterAll(async () => {
  f.db.close();
  await emu.close();
  setLogSink(restoreSink);
});
beforeEach(() => emu.reset());

test('lastWeekLabel is the ISO week just ended in the configured zone', () => {
  // Monday 00:30 in Almaty is still Sunday in UTC: the week just ended is the one before
  expect(lastWeekLabel(f.config, new Date('2026-03-15T19:30:00Z'))).toBe('2026-W11');
  expect(lastWeekLabel(f.config, new Date('2026-03-16T04:00:00Z'))).toBe('2026-W11');
  expect(lastWeekLabel(f.config, new Date('2026-03-15T18:00:00Z'))).toBe('2026-W10');
});

test('the weekly-summary job is scheduled for Monday 09:00 Asia/Almaty and posts to every destination chat', async () => {
  const service = createBotService({ db: f.db, config: f.config }, { commands: false, sender: { perChatIntervalMs: 20 } })!;
  await service.start();
  try {
    const next = service.nextRuns().find((j) => j.name === 'weekly-summary')!.next!;
    expect(next.getUTCDay()).toBe(1);
    expect(next.getUTCHours()).toBe(4); // 09:00 at UTC+5
    expect(next.getUTCMinutes()).toBe(0);
    expect(await service.runNow('weekly-summary')).toBe('ran');
    const deadline = Date.now() + 10_000;
    while (service.outbox.pendingCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(service.outbox.pendingCount()).toBe(0);
    expect(postsTo(emu, '@union_news').length).toBeGreaterThan(0);
    expect(postsTo(emu, '@alpha_chat').length).toBeGreaterThan(0);
  } finally {
    await service.stop();
  }
});

test('without TELEGRAM_BOT_TOKEN there is no bot service', () => {
  expect(createBotService({ db: f.db, config: { ...f.config, env: { ...f.config.env, telegramBotToken: undefined } } })).toBeNull();
});

test('`summary` prints the week’s summary; `--post` sends it to the chats through the emulator', async () => {
  const printed = await spawnCli(['summary', '--week', WEEK, '--plain'], f.env).done;
  expect(printed.code).toBe(0);
  expect(printed.stdout).toContain('📊 Итоги недели: 10-я неделя 2026');
  expect(printed.stdout).toContain('Союз <Учителей> & Ко');
  const kk = await spawnCli(['summary', '--week', WEEK, '--lang', 'kk', '--org', 'alpha'], f.env).done;
  expect(kk.stdout).toContain('📊 <b>Апта қорытындысы: 2026, 10-апта</b>');
  expect(kk.stdout).not.toContain('Гамма');

  emu.reset();
  const posted = await spawnCli(['summary', '--week', '2026-W09', '--post'], f.env).done;
  expect(posted.code).toBe(0);
  expect(posted.stderr).toContain('sent 2, failed 0, still queued 0');
  expect(postsTo(emu, '@union_news')[0]).toContain('9-я неделя 2026');
  expect(postsTo(emu, '@alpha_chat')).toHaveLength(1);
});

test.each([
  [['summary', '--week', '2026-W60'], '--week'],
  [['summary', '--week', 'last'], '--week'],
  [['summary', '--lang', 'de'], '--lang'],
  [['summary', '--org', 'nowhere'], '--org'],
  [['summary', '--post', '--org', 'beta'], 'has no telegram_chat'],
])('summary %j exits 2 naming the bad option', async (args, named) => {
  const r = await spawnCli(args, f.env).done;
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(named);
});
