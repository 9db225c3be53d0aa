// The bot's information work on a real SQLite file: the weekly summary's section has the figures of `export
// publications` for the same week, the week's three best posts with links and the least-covered theme; `/posts
// [org]` answers; a region whose channels all fell silent for 14 days is alerted to the admin chat once.
import { runExport } from '../../src/exports';
import { checkAlerts } from '../../src/bot/alerts';
import { answer } from '../../src/bot/commands';
import { Outbox } from '../../src/bot/outbox';
import { renderSummary, weeklySummaryData } from '../../src/bot/summary';
import { orgBySlug } from '../../db/orgs';
import { formatNumber, formatPercent } from '../../src/i18n/format';
import { bestPosts } from '../../src/publications/best-posts';
import { toEpochDay } from '../../src/domain/dates';
import { createExporters } from '../../src/services';
import { buildWebFixture, NOW, TODAY, type WebFixture } from '../helpers/web-fixture';
import { addFixturePosts } from '../helpers/posts-fixture';

const WEEK = '2026-W46'; // 2026-11-09 … 2026-11-15
let f: WebFixture;

beforeAll(() => {
  f = buildWebFixture();
  addFixturePosts(f.db, f.config.timezone, TODAY, { silentSlug: 'akmola' });
});
afterAll(() => f.close());

const plain = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\u00a0|\u202f/g, ' ');

test("the weekly summary's information work equals export publications for the same week", () => {
  const kz = orgBySlug(f.db, 'kz')!;
  const d = weeklySummaryData(f.db, f.config, kz, WEEK, NOW);
  const row = runExport(createExporters(), 'publications', f.db, { org: 'kz', from: '2026-11-09', to: '2026-11-15' }, f.config).rows[0];
  expect(d.info.row).toEqual(row);
  expect(row.posts as number).toBeGreaterThan(10);
  const html = renderSummary(d, 'ru');
  const text = plain(html);
  expect(text).toContain('Информационная работа');
  expect(text).toContain(plain(`Публикаций: ${formatNumber(row.posts as number, 'ru')} (${formatNumber(row.posts_per_week as number, 'ru', 1)} в неделю), вовлечённость ${formatPercent(row.engagement_rate as number, 'ru')}`));
  // the three best posts of the week, with links, as the best posts page orders them
  const best = bestPosts(f.db, { from: toEpochDay('2026-11-09'), to: toEpochDay('2026-11-15'), limit: 3 });
  expect(best).toHaveLength(3);
  for (const [i, p] of best.entries()) expect(html).toContain(`${i + 1}. <a href="${p.url}">`);
  // the least-covered theme of the week, by export rubrics
  const shares = runExport(createExporters(), 'rubrics', f.db, { org: 'kz', from: '2026-11-09', to: '2026-11-15' }, f.config).rows.filter((r) => r.org === 'kz');
  const least = shares.reduce((a, b) => ((b.share_percent as number) < (a.share_percent as number) ? b : a));
  const name = f.config.rubrics.find((r) => r.slug === least.rubric)!.name;
  expect(text).toContain(plain(`Меньше всего освещается: ${name.ru} (${formatPercent(least.share_percent as number, 'ru')})`));
  // the same in Kazakh and English
  expect(plain(renderSummary(d, 'kk'))).toContain(`Ең аз қамтылған тақырып: ${name.kk}`);
  expect(plain(renderSummary(d, 'en'))).toContain(`Least covered theme: ${name.en}`);
});

test('a region whose posts were never read says "no data" in the summary and /posts, not "no posts"', () => {
  const ulytau = orgBySlug(f.db, 'ulytau')!;
  const d = weeklySummaryData(f.db, f.config, ulytau, WEEK, NOW);
  expect(d.info.row.posts).toBeNull();
  expect(plain(renderSummary(d, 'ru'))).toContain('Публикаций: нет данных');
  expect(plain(renderSummary(d, 'ru'))).not.toContain('Публикаций нет.');
  expect(plain(renderSummary(d, 'kk'))).toContain('Жарияланымдар: деректер жоқ');
  const c = { db: f.db, config: f.config, chat: { id: '42', private: true }, now: NOW };
  expect(plain(answer(c, '/posts ulytau')!)).toContain('Публикаций: нет данных');
});

test('/posts [org] answers with the last 7 days, best posts and silent channels', () => {
  const c = { db: f.db, config: f.config, chat: { id: '42', private: true }, now: NOW };
  const text = plain(answer(c, '/posts akmola')!);
  expect(text).toMatch(/^Публикации: /);
  expect(text).toMatch(/Молчащих каналов \(14 дней без публикаций\): [1-9]/);
  expect(text).toMatch(/\d+ дн\. без публикаций/);
  const unknown = answer(c, '/posts nosuchorg')!;
  expect(unknown).toMatch(/nosuchorg/);
  expect(answer(c, '/help')).toContain('/posts');
});

test("a region whose channels all fell silent for 14 days is alerted once", () => {
  const config = { ...f.config, telegram: { ...f.config.telegram, adminChat: '-100777' } };
  const outbox = new Outbox(f.db);
  const counts = checkAlerts(f.db, config, outbox, NOW);
  expect(counts.silent).toBe(1); // akmola stopped posting 30 days ago
  const queued = f.db.prepare("SELECT text FROM bot_outbox WHERE chat_id = '-100777' ORDER BY id").pluck().all() as string[];
  expect(queued.some((t) => /Все каналы организации «Акмолинск[^»]*» молчат (\d+) дней/.test(plain(t)))).toBe(true);
  expect(checkAlerts(f.db, config, outbox, NOW).silent).toBe(0);
});
