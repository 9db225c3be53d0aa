// The bot keeps trying to start (issue 17, item 3): a 502 on getMe (the emulator's fault injection) no longer
// leaves the bot dead while `serve` runs — it tries again with a growing pause, then polls; each failure is
// logged once per change of state, and the collection health page shows the state.
import request from 'supertest';
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { createBotService } from '../../src/bot/service';
import { botState } from '../../src/bot/state';
import { botPolling } from '../../src/posts/bot-polling';
import { createServices } from '../../src/services';
import { createApp } from '../../web/app';
import { setLogSink } from '../../src/log';
import { botFixture, type BotFixture } from '../helpers/bot';
import { withSession } from '../helpers/web-auth';

let emu: Emulator;
let f: BotFixture;
let restoreSink: (l: string) => void;
const lines: string[] = [];

beforeAll(async () => {
  restoreSink = setLogSink((l) => lines.push(l));
  emu = await startEmulator({ port: 0, maxPollMs: 200 });
  f = botFixture(emu.url);
});
afterAll(async () => {
  f.db.close();
  await emu.close();
  setLogSink(restoreSink);
});
beforeEach(() => {
  emu.reset();
  lines.length = 0;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const calls = (method: string) => emu.requestLog.filter((r) => r.api === 'telegram' && r.path.toLowerCase().endsWith(`/${method.toLowerCase()}`));

test('a 502 on getMe: the bot tries again and then polls; the health page shows it retrying, then running', async () => {
  emu.setFault({ kind: 'server_error', api: 'telegram', times: 1 });
  const service = createBotService({ db: f.db, config: f.config }, { retry: { firstMs: 400, maxMs: 2_000 } })!;
  const page = withSession(createApp({ ...createServices(f.db, f.config), cache: false }), f.db);
  await service.start();
  try {
    await until('the failed start recorded', () => botState(f.db)?.state === 'retrying');
    expect(botState(f.db)).toMatchObject({ state: 'retrying', attempts: 1 });
    expect(botPolling(f.db)).toBe(false); // collect still takes the channel posts meanwhile
    const retrying = await request(page).get('/health?lang=en');
    expect(retrying.text).toMatch(/The Telegram bot is not running: .*Failed tries: 1; the next at/);

    await until('getUpdates after the retry', () => calls('getUpdates').length > 0);
    expect(calls('getMe').length).toBe(2);
    expect(botState(f.db)).toMatchObject({ state: 'polling', attempts: 0, last_error: null });
    expect(botPolling(f.db)).toBe(true);
    const running = await request(page).get('/health?lang=en');
    expect(running.text).toContain('The Telegram bot has been taking commands since');
  } finally {
    await service.stop();
  }
  expect(botState(f.db)?.state).toBe('stopped');
  expect(botPolling(f.db)).toBe(false);
});

test('the same failure again and again is logged once; the pause grows to its cap', async () => {
  emu.setFault({ kind: 'server_error', api: 'telegram', times: 4 });
  const service = createBotService({ db: f.db, config: f.config }, { retry: { firstMs: 50, maxMs: 200 } })!;
  await service.start();
  try {
    await until('polling after four failed starts', () => calls('getMe').length === 5 && calls('getUpdates').length > 0);
  } finally {
    await service.stop();
  }
  const failures = lines.filter((l) => l.includes('the bot could not start or stopped'));
  expect(failures).toHaveLength(1);
  expect(lines.filter((l) => l.includes('bot polling for updates'))).toHaveLength(1);
  const gaps = calls('getMe').map((c, i, all) => (i ? c.at - all[i - 1].at : 0)).slice(1);
  expect(gaps).toHaveLength(4);
  // 50, 100, 200, 200 ms: doubling, capped
  expect(gaps[3]).toBeLessThan(gaps[2] + 150);
  expect(gaps[2]).toBeGreaterThanOrEqual(190);
});
