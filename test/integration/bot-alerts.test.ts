// Alerts to the admin chat through the outbox and the emulator: a collect run with failures, channels stale
// for more than 3 days, suspicious growth, a target that left "on track" — each sent once.
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { checkAlerts } from '../../src/bot/alerts';
import { setChatLanguage } from '../../src/bot/chats';
import { Outbox, Sender } from '../../src/bot/outbox';
import { createTelegram, telegramSendApi } from '../../src/bot/telegram';
import { runCollect } from '../../src/jobs/collect';
import { setLogSink } from '../../src/log';
import { botFixture, postsTo, type BotFixture } from '../helpers/bot';
import { FAST } from '../helpers/collect';
import { updateRollups } from '../../src/services';

const ADMIN = '-1009999';
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
beforeEach(() => emu.reset());
afterEach(() => f.db.close());

async function deliver() {
  return new Sender(new Outbox(f.db), telegramSendApi(createTelegram(f.config)), { perChatIntervalMs: 20 }).drain(Date.now() + 20_000);
}

test('suspicious growth and a target that moved from on track to behind are alerted once each', async () => {
  // @beta_channel (642 on 15.03) jumps by 5,002 overnight on 16.03.2026
  f = botFixture(emu.url, { readings: ['beta,telegram,@beta_channel,2026-03-16,5644'] });
  const outbox = new Outbox(f.db);
  const now = new Date('2026-03-16T06:00:00Z');

  expect(checkAlerts(f.db, f.config, outbox, now)).toEqual({ runs: 0, stale: 0, tokens: 0, suspicious: 1, targets: 0, silent: 0 });
  // the committee last saw gamma's target on track; today it is behind
  f.db.prepare("UPDATE bot_target_status SET status = 'on_track' WHERE target_key LIKE 'gamma|%'").run();
  expect(checkAlerts(f.db, f.config, outbox, now)).toEqual({ runs: 0, stale: 0, tokens: 0, suspicious: 0, targets: 1, silent: 0 });
  expect(checkAlerts(f.db, f.config, outbox, now)).toEqual({ runs: 0, stale: 0, tokens: 0, suspicious: 0, targets: 0, silent: 0 });

  await deliver();
  const posts = postsTo(emu, ADMIN);
  expect(posts).toHaveLength(2);
  expect(posts[0]).toMatch(/^🔎 Подозрительный рост: Бета областная · Telegram @beta_channel, 16\.03\.2026: 642 → 5[\s\u00a0]644 \(\+5[\s\u00a0]002\)$/);
  expect(posts[1]).toMatch(/^🎯 Цель перешла из «в графике» в «отстаёт»: Гамма городская · Telegram: .* срок 30\.04\.2026, прогноз: /);
  expect(f.db.prepare("SELECT status FROM bot_target_status WHERE target_key LIKE 'gamma|%'").get()).toEqual({ status: 'behind' });
});

test('a collect run with failures and channels stale for over 3 days are alerted once, in the admin chat’s language', async () => {
  f = botFixture(emu.url);
  setChatLanguage(f.db, ADMIN, 'kk');
  emu.addUnknown('@gamma_channel');
  const run = await runCollect({ db: f.db, config: f.config, onSnapshotsChanged: updateRollups, platform: 'telegram', settings: FAST, env: f.env });
  expect(run.accountsFailed).toBe(1);

  const outbox = new Outbox(f.db);
  const counts = checkAlerts(f.db, f.config, outbox);
  expect(counts.runs).toBe(1);
  // facebook and instagram were last read in March, gamma's channel failed: all stale
  expect(counts.stale).toBe(4);
  expect(checkAlerts(f.db, f.config, outbox)).toEqual({ runs: 0, stale: 0, tokens: 0, suspicious: 0, targets: 0, silent: 0 });

  await deliver();
  const posts = postsTo(emu, ADMIN);
  expect(posts).toHaveLength(2);
  expect(posts[0]).toMatch(/^⚠️ Деректер жинау .*: 5 арнаның 1 арнасынан деректер алынбады\n• Гамма қалалық ұйымы · Telegram @gamma_channel: арна табылмады$/);
  expect(posts[1].split('\n')).toHaveLength(4);
  expect(posts[1]).toContain('⏳ 3 күннен астам жаңа деректер жоқ: Гамма қалалық ұйымы · Telegram @gamma_channel, соңғы деректер: 15.03.2026');
  expect(posts[1]).toContain('Facebook 100000000000201');
});

test('without an admin chat nothing is queued, but target statuses are still remembered', () => {
  f = botFixture(emu.url);
  const config = { ...f.config, telegram: { ...f.config.telegram, adminChat: undefined } };
  const outbox = new Outbox(f.db);
  checkAlerts(f.db, config, outbox, new Date('2026-03-16T06:00:00Z'));
  expect(outbox.pendingCount()).toBe(0);
  expect((f.db.prepare('SELECT COUNT(*) AS n FROM bot_target_status').get() as { n: number }).n).toBe(4);
});

test('an Instagram Login token within 10 days of expiry is alerted once, without the token', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  f = botFixture(emu.url);
  const file = path.join(f.dir, 'school.token');
  const expires = new Date(Date.now() + 6 * 86_400_000 + 3_600_000);
  fs.writeFileSync(file, JSON.stringify({ access_token: 'IGAAalertTokenSecret99', expires_at: expires.toISOString() }), { mode: 0o600 });
  const now = Date.now();
  const org = (f.db.prepare('SELECT id FROM organisations ORDER BY id LIMIT 1').get() as { id: number }).id;
  f.db
    .prepare("INSERT INTO accounts (org_id, platform, platform_id, title, api, token_file, created_at, updated_at) VALUES (?, 'instagram', '17841400000000901', 'School 7', 'instagram_login', ?, ?, ?)")
    .run(org, file, now, now);
  const outbox = new Outbox(f.db);
  expect(checkAlerts(f.db, f.config, outbox).tokens).toBe(1);
  expect(checkAlerts(f.db, f.config, outbox).tokens).toBe(0);
  await deliver();
  const posts = postsTo(emu, ADMIN).filter((p) => p.startsWith('🔑'));
  expect(posts).toEqual([expect.stringMatching(/^🔑 Токен Instagram скоро истечёт: Instagram School 7, до \d\d\.\d\d\.\d{4} \(дней: 6\)/)]);
  expect(posts[0]).not.toContain('IGAA');
});
