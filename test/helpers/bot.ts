// Fixture for the bot tests: a temp database filled through the real import path (tree + targets from YAML,
// readings from CSV), a config whose Bot API root is the emulator, and helpers to read what was posted.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from '../../db';
import { loadConfig, type AppConfig } from '../../src/config';
import { addDays } from '../../src/domain/dates';
import { importAudience, importTree, readTreeFile } from '../../src/import';
import { ensureRollups } from '../../src/jobs/compute';
import { parseTelegramHtml, type Emulator } from '../../collectors/emulator';
import { tempDir } from './cli';
import { updateRollups } from '../../src/services';
import { importTargets } from '../../src/growth/targets';

export const BOT_TOKEN = '123456:TEST-bot-token-abcdef';
/** Readings run from FIRST_DAY to LAST_DAY; the weeks under test lie inside. */
export const FIRST_DAY = '2026-02-01';
export const LAST_DAY = '2026-03-15';
export const WEEK = '2026-W10'; // 2026-03-02 … 2026-03-08
export const WEEK_FROM = '2026-03-02';
export const WEEK_TO = '2026-03-08';

/** An org name that must be escaped in Telegram HTML. */
export const TRICKY_NAME = 'Союз <Учителей> & Ко';

export const TREE_YAML = `
timezone: Asia/Almaty
language: ru
telegram:
  summary_chat: "@union_news"
  admin_chat: "-1009999"
organisations:
  - slug: kz
    level: council
    name: { ru: "Профсоюз образования", kk: "Білім кәсіподағы", en: "Education union" }
    members: 100000
    accounts:
      - { platform: telegram, id: "@kz_channel", title: "Канал профсоюза" }
      - { platform: newspaper, id: "bilimdi-el", title: "Білімді ел" }
    children:
      - slug: alpha
        level: region
        name: { ru: "${TRICKY_NAME}", kk: "Альфа облыстық ұйымы", en: "Alpha & <Co>" }
        members: 20000
        telegram_chat: "@alpha_chat"
        accounts:
          - { platform: facebook, id: "100000000000101" }
          - { platform: telegram, id: "@alpha_channel" }
        children:
          - slug: alpha-city
            level: branch
            name: { ru: "Альфа-город", kk: "Альфа қалалық ұйымы", en: "Alpha city" }
            members: 5000
            accounts:
              - { platform: telegram, id: "@alpha_city_channel" }
          - slug: alpha-district
            level: branch
            name: { ru: "Альфа-район", kk: "Альфа аудандық ұйымы", en: "Alpha district" }
            members: 3000
            accounts:
              - { platform: instagram, id: "17841400000000101" }
      - slug: beta
        level: region
        name: { ru: "Бета областная", kk: "Бета облыстық ұйымы", en: "Beta region" }
        members: 10000
        accounts:
          - { platform: facebook, id: "100000000000201" }
          - { platform: telegram, id: "@beta_channel" }
      - slug: gamma
        level: region
        name: { ru: "Гамма городская", kk: "Гамма қалалық ұйымы", en: "Gamma city" }
        members: 8000
        accounts:
          - { platform: telegram, id: "@gamma_channel" }
targets:
  - { org: kz, platform: social, baseline_date: 2026-02-01, target: 20000, due_date: 2026-12-31, decision: "Постановление №1" }
  - { org: alpha, platform: telegram, baseline_date: 2026-02-01, target_percent: 5, due_date: 2026-06-30 }
  - { org: beta, platform: social, baseline_date: 2026-02-01, target: 9000, due_date: 2026-04-30 }
  - { org: gamma, platform: telegram, baseline_date: 2026-02-01, target: 1000, due_date: 2026-04-30 }
`;

/** Daily audience per account: a start value and a daily change (gamma shrinks). */
const SERIES: { org: string; platform: string; account: string; start: number; perDay: number }[] = [
  { org: 'kz', platform: 'telegram', account: '@kz_channel', start: 5000, perDay: 12 },
  { org: 'kz', platform: 'newspaper', account: 'bilimdi-el', start: 3000, perDay: 0 },
  { org: 'alpha', platform: 'facebook', account: '100000000000101', start: 2000, perDay: 9 },
  { org: 'alpha', platform: 'telegram', account: '@alpha_channel', start: 800, perDay: 3 },
  { org: 'alpha-city', platform: 'telegram', account: '@alpha_city_channel', start: 300, perDay: 2 },
  { org: 'alpha-district', platform: 'instagram', account: '17841400000000101', start: 400, perDay: 1 },
  { org: 'beta', platform: 'facebook', account: '100000000000201', start: 1500, perDay: 4 },
  { org: 'beta', platform: 'telegram', account: '@beta_channel', start: 600, perDay: 1 },
  { org: 'gamma', platform: 'telegram', account: '@gamma_channel', start: 900, perDay: -3 },
];

export interface BotFixture {
  dir: string;
  dbPath: string;
  configPath: string;
  db: Db;
  config: AppConfig;
  env: Record<string, string>;
}

/** Builds the fixture; `tree` replaces the YAML, `readings` adds CSV lines `org,platform,account,date,audience`. */
export function botFixture(emulatorUrl: string, opts: { tree?: string; readings?: string[]; skipSeries?: boolean } = {}): BotFixture {
  const dir = tempDir('ag-bot-');
  const dbPath = path.join(dir, 'ag.db');
  const configPath = path.join(dir, 'audience-growth.yaml');
  const csvPath = path.join(dir, 'readings.csv');
  fs.writeFileSync(configPath, opts.tree ?? TREE_YAML);
  const lines = ['org,platform,account,date,audience'];
  if (!opts.skipSeries) {
    for (const s of SERIES) {
      for (let i = 0, d = FIRST_DAY; d <= LAST_DAY; i++, d = addDays(d, 1)) lines.push(`${s.org},${s.platform},${s.account},${d},${s.start + s.perDay * i}`);
    }
  }
  lines.push(...(opts.readings ?? []));
  fs.writeFileSync(csvPath, lines.join('\n') + '\n');
  const env = { DATABASE_PATH: dbPath, AUDIENCE_GROWTH_CONFIG: configPath, TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: emulatorUrl };
  const config = loadConfig({ env, file: configPath });
  const db = openDatabase(dbPath);
  const tree = readTreeFile(configPath);
  importTree(db, { ...tree, targets: [] });
  if (lines.length > 1) importAudience(db, csvPath, { config, onSnapshotsChanged: updateRollups, now: new Date('2026-03-16T00:00:00Z') });
  ensureRollups(db);
  importTree(db, tree, 'import', { importTargets }); // targets last: their baselines freeze from the readings
  ensureRollups(db);
  return { dir, dbPath, configPath, db, config, env };
}

/** Posts the emulator received for a chat, as plain text (the HTML is checked as Telegram would). */
export function postsTo(emu: Emulator, chatId: string): string[] {
  return emu.messages
    .filter((m) => m.chatId.toLowerCase() === chatId.toLowerCase())
    .map((m) => {
      const p = parseTelegramHtml(m.text);
      if ('error' in p) throw new Error(`the emulator would have refused: ${p.error}`);
      return p.text;
    });
}

/** A figure as the bot prints it (`1 234`, `−35`, `+2,6`) → a number. */
export function parseFigure(s: string): number {
  return Number(s.replace(/[\s\u00a0\u202f]/g, '').replace('\u2212', '-').replace(',', '.').replace(/^\+/, ''));
}

/** A private-chat text update as Telegram sends it. */
let updateId = 1;
export function textUpdate(text: string, chat: { id: number; type?: 'private' | 'group' | 'supergroup'; username?: string } = { id: 555 }) {
  const type = chat.type ?? 'private';
  const cmd = /^\/\S+/.exec(text);
  return {
    update_id: updateId++,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: type === 'private' ? { id: chat.id, type, first_name: 'Test' } : { id: chat.id, type, title: 'Test group', ...(chat.username ? { username: chat.username } : {}) },
      from: { id: 42, is_bot: false, first_name: 'Test', language_code: 'ru' },
      text,
      ...(cmd && cmd.index === 0 ? { entities: [{ type: 'bot_command', offset: 0, length: cmd[0].length }] } : {}),
    },
  };
}
