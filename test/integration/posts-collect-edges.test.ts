// Posts collection at its edges (review of issue 14), against the emulator on port 0 through real HTTP and the
// real HTML parser: t.me's false "No posts found" is a failed read (never "no posts", never deletions), a partial
// first read leaves the history to be read again, a private channel read by the bot service is read, and
// `export posts` right after a collect carries the rubrics column and true/false approximate views in CSV.
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { postsModel } from '../../collectors/emulator/posts-model';
import { runCollect, type CollectJobOptions } from '../../src/jobs/collect';
import { createServices, updateRollups } from '../../src/services';
import { runExport } from '../../src/exports';
import { toCsv } from '../../src/export-format';
import { postsReadOn } from '../../src/posts/figures';
import { localDate, toEpochDay } from '../../src/domain/dates';
import { parse } from 'csv-parse/sync';
import { FAST, configFor, fixture, type Fixture } from '../helpers/collect';

const DAY = 86_400_000;
let clock = Date.now() - DAY;
let emu: Emulator;
let fx: Fixture;

beforeAll(async () => {
  emu = await startEmulator({ seed: 'posts-edges', now: () => new Date(clock) });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  clock = Date.now() - DAY;
  fx = fixture();
});
afterEach(() => fx.db.close());

function run(extra: Partial<CollectJobOptions> = {}, maxPages?: number) {
  return runCollect({
    db: fx.db,
    config: configFor(emu.url, { TELEGRAM_PREVIEW_ROOT: emu.url }),
    onSnapshotsChanged: updateRollups,
    settings: FAST,
    env: {},
    posts: true,
    postsOnly: true,
    previewSettings: { ratePerSecond: 1000, retry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 20 }, ...(maxPages ? { maxPages } : {}) },
    ...extra,
  });
}

const today = () => toEpochDay(localDate('Asia/Almaty'));
const stored = (accountId: number) => fx.db.prepare('SELECT post_id, deleted_at FROM posts WHERE account_id = ? ORDER BY post_id').all(accountId) as { post_id: string; deleted_at: number | null }[];

describe('Telegram preview: "No posts found" while posts are known', () => {
  test('is a failed read: no post marked deleted, no read day; once only, the read is asked again and succeeds', async () => {
    const tg = fx.addAccount('telegram', '@edge_union');
    expect((await run({ postsHistoryDays: 20 })).posts!.failures).toEqual([]);
    const known = stored(tg);
    expect(known.length).toBeGreaterThan(5);
    fx.db.prepare('DELETE FROM post_read_days').run();

    // every request of the channel answers "No posts found": two reads (a deletion needs two misses)
    const rule = emu.setFault({ api: 'telegram', target: '@edge_union', kind: 'empty_preview' });
    for (let i = 0; i < 2; i++) {
      const r = await run();
      expect(r.posts!.failed).toBe(1);
      expect(r.posts!.failures[0]).toMatchObject({ platformId: '@edge_union', kind: 'transient' });
      expect(r.posts!.failures[0].message).toMatch(/lists no posts/);
    }
    expect(stored(tg)).toEqual(known); // nothing deleted
    expect(postsReadOn(fx.db, tg, today())).toBe(false); // a gap, not a silent day
    emu.clearFault(rule);

    // t.me answers "No posts found" once: asked again, read in full
    emu.setFault({ api: 'telegram', target: '@edge_union', kind: 'empty_preview', times: 1 });
    const r = await run();
    expect(r.posts!.failures).toEqual([]);
    expect(postsReadOn(fx.db, tg, today())).toBe(true);
    expect(stored(tg).every((p) => p.deleted_at === null)).toBe(true);
  });
});

describe('the history window', () => {
  test('a partial first read leaves the history unread; the next read goes back the whole history_days', async () => {
    const tg = fx.addAccount('telegram', '@history_union');
    const first = await run({}, 1); // one preview page only: the read stops short of the 90 days
    expect(first.posts!.failures).toEqual([]);
    const firstOldest = fx.db.prepare('SELECT min(day) FROM posts WHERE account_id = ?').pluck().get(tg) as number;
    expect(firstOldest).toBeGreaterThan(today() - 30);

    const second = await run();
    expect(second.posts!.failures).toEqual([]);
    const oldest = fx.db.prepare('SELECT min(day) FROM posts WHERE account_id = ?').pluck().get(tg) as number;
    expect(oldest).toBeLessThan(today() - 80); // default posts.history_days: 90
  });
});

describe('a private channel while the bot service takes the updates', () => {
  test('is read (a read day) once its updates are known, and tells how to fix it before', async () => {
    const model = postsModel('posts-edges', () => clock + DAY);
    const chan = Array.from({ length: 20 }, (_, i) => `-10098765432${String(i).padStart(2, '0')}`).find((c) =>
      [0, 1].some((d) => model.postsOfDay('telegram', c, Math.floor(clock / DAY) + d).some((p) => p.publishedAt > clock && p.publishedAt <= clock + DAY)),
    )!;
    const priv = fx.addAccount('telegram', chan);
    // the bot service polls (collect must not): no update of this channel has arrived yet
    const before = await run({ takeUpdates: false });
    expect(before.posts!.failures).toEqual([expect.objectContaining({ platformId: chan, kind: 'permission', message: expect.stringMatching(/add the bot as an administrator/) })]);

    emu.posts.addAdminChannel(chan);
    clock += DAY;
    await run({ takeUpdates: true }); // the updates arrive (here through collect; in serve, the bot service)
    fx.db.prepare('DELETE FROM post_read_days').run();
    const after = await run({ takeUpdates: false });
    expect(after.posts!.failures).toEqual([]);
    expect(postsReadOn(fx.db, priv, today())).toBe(true);
  });
});

describe('export posts straight after a collect', () => {
  test('has the rubrics column filled, and CSV says true/false for approximate views', async () => {
    fx.addAccount('telegram', '@export_edges');
    await run({ postsHistoryDays: 30 });
    const services = createServices(fx.db, configFor(emu.url));
    const to = localDate('Asia/Almaty');
    const from = localDate('Asia/Almaty', new Date(Date.now() - 29 * DAY));
    const { columns, rows } = runExport(services.exporters, 'posts', fx.db, { from, to }, services.config);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter((r) => r.rubrics !== '').length).toBeGreaterThan(0);
    const csv = parse(toCsv(rows, columns), { columns: true }) as Record<string, string>[];
    expect(csv.some((r) => r.views_approximate === 'true')).toBe(true); // "4.85K" and the like
    expect(csv.every((r) => r.views_approximate === 'true' || r.views_approximate === 'false')).toBe(true);
  });
});
