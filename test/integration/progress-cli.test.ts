// Progress of long work as a user sees it when stderr is not a terminal (cron, CI, a pipe): plain
// lines on stderr, stdout untouched, and the same progress reported by import-audience and compute.
import fs from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { configFor, fixture, spawnCli, type Fixture } from '../helpers/collect';
import { importAudience } from '../../src/import';
import { computeRollups } from '../../src/jobs/compute';

let emu: Emulator;
let fx: Fixture;

beforeAll(async () => {
  emu = await startEmulator({ seed: 'progress-test', pageTasks: { 'EAAprogress-token': '*' } });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  fx = fixture();
});
afterEach(() => fx.db.close());

test('collect without a terminal prints plain progress lines on stderr, and stdout holds only the result', async () => {
  for (let i = 0; i < 30; i++) fx.addAccount('telegram', `@progress_${i}`, { title: `t${i}` });
  for (let i = 0; i < 5; i++) fx.addAccount('facebook', `71000000000000${i}`);
  fx.db.close();
  const configFile = path.join(fx.dir, 'config.yaml');
  // 10 Bot API requests a second: the run takes about 3 s, long enough for progress to show.
  fs.writeFileSync(configFile, 'collect:\n  telegram_rate: 10\n');
  const run = await spawnCli(['collect', '--backfill', '30', '--no-posts'], {
    DATABASE_PATH: fx.dbPath,
    AUDIENCE_GROWTH_CONFIG: configFile,
    FACEBOOK_GRAPH_URL: emu.url,
    TELEGRAM_API_ROOT: emu.url,
    FACEBOOK_ACCESS_TOKEN: 'EAAprogress-token',
    TELEGRAM_BOT_TOKEN: '100:progress-bot-token',
    LOG_LEVEL: 'warn',
  }).done;
  expect(run.code).toBe(0);

  const lines = run.stderr.trim().split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(3);
  for (const l of lines) expect(l).toMatch(/^collect( --backfill)?: \d+\/(35 accounts|5 Page histories) \(\d+%\)$/);
  expect(lines).toContain('collect: 35/35 accounts (100%)');
  expect(lines[lines.length - 1]).toBe('collect --backfill: 5/5 Page histories (100%)');
  // no bar: a bar redraws with carriage returns and escape codes
  expect(run.stderr).not.toContain('\r');
  expect(run.stderr).not.toContain('\u001b');

  expect(run.stdout).toMatch(/^collect run #1 on \d{4}-\d\d-\d\d: 35 of 35 accounts read, 0 failed/);
  expect(run.stdout).not.toMatch(/%\)/);
});

test('import-audience and compute --full report their progress to the end, phase by phase', () => {
  const ids = Array.from({ length: 4 }, (_, i) => fx.addAccount('telegram', `@imported_${i}`));
  const rows = ['org,platform,account,date,audience'];
  for (let i = 0; i < ids.length; i++) {
    for (let d = 0; d < 3000; d++) rows.push(`kz,telegram,@imported_${i},${new Date(Date.UTC(2017, 0, 1) + d * 86_400_000).toISOString().slice(0, 10)},${1000 + d}`);
  }
  const csv = path.join(fx.dir, 'readings.csv');
  fs.writeFileSync(csv, rows.join('\n') + '\n');

  const seen: string[] = [];
  const result = importAudience(fx.db, csv, { config: configFor('http://127.0.0.1:1'), onSnapshotsChanged: () => undefined, onProgress: (done, total, phase) => seen.push(`${phase} ${done}/${total}`) });
  expect(result.written).toBe(12_000);
  expect(seen).toEqual([
    'check 5000/12000',
    'check 10000/12000',
    'check 12000/12000',
    'write 5000/12000',
    'write 10000/12000',
    'write 12000/12000',
  ]);

  const computed: string[] = [];
  const s = computeRollups(fx.db, { full: true, onProgress: (done, total, phase) => computed.push(`${phase} ${done}/${total}`) });
  expect(computed[0]).toBe('accounts 0/4');
  expect(computed).toContain('accounts 4/4');
  expect(computed[computed.length - 1]).toBe(`series ${s.pairs}/${s.pairs}`);
});
