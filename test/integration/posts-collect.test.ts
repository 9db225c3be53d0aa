// Posts collection (issue 14) through the real SDK (facebook-nodejs-business-sdk), a real HTTP client and the
// real HTML parser against the emulator on port 0: all three platforms, counters refreshed, albums once, service
// messages skipped, deletions marked and not counted, a private channel through updates, a Page without a
// token failing alone, a preview 302 shown with its fix, and a failed read leaving a gap.
import { startEmulator, type Emulator } from '../../collectors/emulator';
import { igIdForPage } from '../../collectors/emulator/model';
import { postsModel } from '../../collectors/emulator/posts-model';
import { runCollect, type CollectJobOptions } from '../../src/jobs/collect';
import { createServices, updateRollups } from '../../src/services';
import request from 'supertest';
import { createApp } from '../../web/app';
import { runExport } from '../../src/exports';
import { withSession } from '../helpers/web-auth';
import { orgPostFigures } from '../../src/posts/figures';
import { postsReadOn } from '../../src/posts/figures';
import { localDate, toEpochDay } from '../../src/domain/dates';
import { FAST, configFor, fixture, type Fixture } from '../helpers/collect';

const DAY = 86_400_000;
let clock = Date.now() - DAY;
let emu: Emulator;
let fx: Fixture;

beforeAll(async () => {
  // the test token has a task on every Page of these tests but 100000000099999
  const pages = ['100000000012345', '100000000054321', '100000000011111', '100000000022222', '100000000033333'];
  emu = await startEmulator({ seed: 'posts-test', now: () => new Date(clock), pageTasks: { 'EAAtest-fb-token': pages }, privateChannels: ['closed_union'] });
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

function run(extra: Partial<CollectJobOptions> = {}) {
  return runCollect({ db: fx.db, config: configFor(emu.url, { TELEGRAM_PREVIEW_ROOT: emu.url }), onSnapshotsChanged: updateRollups, settings: FAST, env: {}, posts: true, previewSettings: { ratePerSecond: 1000, retry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 20 } }, ...extra });
}

type PostRow = { post_id: string; kind: string; text: string; reactions: number | null; comments: number | null; shares: number | null; views: number | null; views_approximate: number; deleted_at: number | null; read_at: number; day: number };
const postsOf = (accountId: number) => fx.db.prepare('SELECT * FROM posts WHERE account_id = ? ORDER BY published_at').all(accountId) as PostRow[];
const today = () => toEpochDay(localDate('Asia/Almaty'));

describe('posts collection', () => {
  test('reads all three platforms; albums once, service messages skipped, counters refreshed', async () => {
    const fb = fx.addAccount('facebook', '100000000012345');
    const ig = fx.addAccount('instagram', igIdForPage('100000000012345', 'posts-test'));
    const tg = fx.addAccount('telegram', '@union_news_kz');
    const r1 = await run({ postsHistoryDays: 60 });
    expect(r1.posts!.failures).toEqual([]);
    expect(r1.posts!.ok).toBe(3);
    const [fbPosts, igPosts, tgPosts] = [postsOf(fb), postsOf(ig), postsOf(tg)];
    for (const list of [fbPosts, igPosts, tgPosts]) expect(list.length).toBeGreaterThan(20);
    expect(fbPosts.every((p) => p.post_id.startsWith('100000000012345_'))).toBe(true);
    expect(fbPosts.some((p) => p.views !== null)).toBe(true); // post_media_view read with the Page token
    expect(igPosts.every((p) => p.shares === null)).toBe(true); // Instagram gives no shares
    expect(tgPosts.every((p) => p.shares === null && p.comments === null)).toBe(true);
    expect(tgPosts.some((p) => p.kind === 'album')).toBe(true);
    expect(tgPosts.some((p) => p.views_approximate === 1)).toBe(true);
    // album items are one post under the first id: no stored id is another album's second item
    const ids = new Set(tgPosts.map((p) => Number(p.post_id)));
    for (const p of tgPosts.filter((x) => x.kind === 'album')) expect(ids.has(Number(p.post_id) + 1)).toBe(false);
    // service messages sit at slot 7 of a day (pins): never stored
    expect(tgPosts.some((p) => (Number(p.post_id) - 2) % 8 === 7)).toBe(false);
    expect(tgPosts.some((p) => /[әіңғүұқөһ]/i.test(p.text))).toBe(true); // Kazakh texts too
    expect(postsReadOn(fx.db, tg, today())).toBe(true);

    // a day later: new posts arrive, counters of the refresh window grow, nothing is duplicated
    const before = new Map(tgPosts.map((p) => [p.post_id, p]));
    clock += DAY;
    const r2 = await run();
    expect(r2.posts!.failures).toEqual([]);
    const after = postsOf(tg);
    expect(new Set(after.map((p) => p.post_id)).size).toBe(after.length);
    const recent = after.filter((p) => before.has(p.post_id) && p.day >= today() - 6);
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.some((p) => (p.views ?? 0) > (before.get(p.post_id)!.views ?? 0))).toBe(true);
    expect(recent.every((p) => p.read_at > before.get(p.post_id)!.read_at)).toBe(true);
    // figures count exactly the stored, counted posts
    const counted = fx.db.prepare('SELECT count(*) FROM posts WHERE deleted_at IS NULL').pluck().get() as number;
    expect(orgPostFigures(fx.db, fx.orgId, 'social', 0, 100_000).posts).toBe(counted);
  });

  test('a deleted post is marked after two reads without it and counted nowhere', async () => {
    const fb = fx.addAccount('facebook', '100000000054321');
    await run({ postsHistoryDays: 10 });
    const victim = postsOf(fb).filter((p) => p.day >= today() - 5)[0];
    expect(victim).toBeDefined();
    const n = orgPostFigures(fx.db, fx.orgId, 'facebook', 0, 100_000).posts;
    emu.posts.delete('facebook', '100000000054321', victim.post_id);
    await run();
    expect(postsOf(fb).find((p) => p.post_id === victim.post_id)!.deleted_at).toBeNull(); // one miss is not enough
    await run();
    expect(postsOf(fb).find((p) => p.post_id === victim.post_id)!.deleted_at).toEqual(expect.any(Number));
    expect(orgPostFigures(fx.db, fx.orgId, 'facebook', 0, 100_000).posts).toBe(n - 1);
  });

  test('a private channel arrives through channel_post updates, without views', async () => {
    // a channel of the emulator's model that publishes in the next day (most do; some are silent)
    const model = postsModel('posts-test', () => clock + DAY);
    const chan = Array.from({ length: 20 }, (_, i) => `-10012345678${String(i).padStart(2, '0')}`).find((c) =>
      [0, 1].some((d) => model.postsOfDay('telegram', c, Math.floor(clock / DAY) + d).some((p) => p.publishedAt > clock && p.publishedAt <= clock + DAY)),
    )!;
    const priv = fx.addAccount('telegram', chan);
    emu.posts.addAdminChannel(chan);
    clock += DAY; // the channel publishes while the bot is its administrator
    const r = await run({ takeUpdates: true, postsOnly: true });
    expect(r.posts!.failures).toEqual([]);
    const posts = postsOf(priv);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((p) => p.views === null)).toBe(true);
    const albums = posts.filter((p) => p.kind === 'album');
    const ids = new Set(posts.map((p) => Number(p.post_id)));
    for (const a of albums) expect(ids.has(Number(a.post_id) + 1)).toBe(false);
    // an edit arrives as edited_channel_post and replaces the text
    emu.posts.editChannelPost(chan, Number(posts[0].post_id), 'Исправлено: коллективный договор подписан');
    await run({ takeUpdates: true, postsOnly: true });
    expect(postsOf(priv)[0].text).toBe('Исправлено: коллективный договор подписан');
  });

  test('a Page without a Page token and a channel without a public preview fail alone, with their fix', async () => {
    const good = fx.addAccount('facebook', '100000000011111');
    fx.addAccount('facebook', '100000000099999');
    fx.addAccount('telegram', '@closed_union');
    const tg = fx.addAccount('telegram', '@open_union');
    const r = await run({ postsOnly: true });
    expect(r.posts!.ok).toBe(2);
    const byId = Object.fromEntries(r.posts!.failures.map((f) => [f.platformId, f]));
    expect(byId['100000000099999'].kind).toBe('permission');
    expect(byId['100000000099999'].message).toMatch(/100000000099999.*task/);
    expect(byId['@closed_union']).toMatchObject({ noPreview: true });
    expect(byId['@closed_union'].message).toMatch(/no public web preview.*add the bot as an administrator/);
    expect(postsOf(good).length).toBeGreaterThan(0);
    expect(postsOf(tg).length).toBeGreaterThan(0);
    const state = fx.db.prepare("SELECT no_preview, last_error FROM post_collect_state s JOIN accounts a ON a.id = s.account_id WHERE a.platform_id = '@closed_union'").get() as { no_preview: number; last_error: string };
    expect(state.no_preview).toBe(1);
    expect(fx.db.prepare('SELECT count(*) FROM post_failures WHERE run_id = ?').pluck().get(r.runId)).toBe(2);
  });

  test('the daily run reads audience and posts in the same Graph entries; a Page without a task fails alone', async () => {
    const good = fx.addAccount('facebook', '100000000011111');
    const other = fx.addAccount('facebook', '100000000033333');
    const noTask = fx.addAccount('facebook', '100000000099999');
    const ig = fx.addAccount('instagram', igIdForPage('100000000011111', 'posts-test'));
    const r = await run({ postsHistoryDays: 30 });
    // audiences of all four, the Page without a task included (read with the configured token)
    expect(r.accountsOk).toBe(4);
    expect(fx.db.prepare('SELECT count(*) FROM snapshots').pluck().get()).toBe(4);
    // posts of the others; the Page without a task fails alone, with its fix
    expect(r.posts!.failures.map((f) => f.accountId)).toEqual([noTask]);
    expect(r.posts!.failures[0].message).toMatch(/100000000099999.*task/);
    for (const id of [good, other, ig]) expect(postsOf(id).length).toBeGreaterThan(10);
    expect(postsOf(good).some((p) => p.views !== null)).toBe(true);
    // Page tokens: one multi-id entry, refused as a whole for the Page without a task, then one entry per Page;
    // one batch of Pages (audience + posts), one of Instagram (and one more when an Instagram album refuses
    // views: its media are read again without them); nothing read apart
    expect(r.posts!.graphRequests).toBe(0);
    expect(emu.counters.graphBatches).toBeLessThanOrEqual(5);
  });

  test('Instagram Login accounts: media read on graph.instagram.com with their own token, alongside the audience and alone', async () => {
    emu.addInstagramToken('IGAAposts-login', '17841400000000777', Date.now() + 50 * DAY);
    const ig = fx.addAccount('instagram', '17841400000000777', { tokenEnv: 'SCHOOL_IG' });
    fx.db.prepare("UPDATE accounts SET api = 'instagram_login' WHERE id = ?").run(ig);
    const withLogin = (extra: Partial<CollectJobOptions>) =>
      runCollect({
        db: fx.db,
        config: configFor(emu.url, { TELEGRAM_PREVIEW_ROOT: emu.url, INSTAGRAM_GRAPH_URL: emu.instagramUrl }),
        onSnapshotsChanged: updateRollups,
        settings: FAST,
        env: { SCHOOL_IG: 'IGAAposts-login' },
        posts: true,
        ...extra,
      });
    const r = await withLogin({ postsHistoryDays: 40 });
    expect([r.accountsOk, r.posts!.ok, r.posts!.failures]).toEqual([1, 1, []]);
    const stored = postsOf(ig);
    expect(stored.length).toBeGreaterThan(20);
    expect(stored.every((p) => p.shares === null && p.reactions !== null)).toBe(true);
    // every request went to graph.instagram.com: the audience with the first page of media, then the next pages
    const paths = emu.requestLog.map((l) => l.path);
    expect(paths.every((p) => p.startsWith('/instagram/'))).toBe(true);
    expect(paths[0]).toMatch(/^\/instagram\/v\d+\.\d+\/me\?.*media\.since/);
    // alone (--posts-only): me/media, the same posts, nothing duplicated
    emu.reset();
    const r2 = await withLogin({ postsOnly: true, postsHistoryDays: 40 });
    expect(r2.posts!.failures).toEqual([]);
    expect(emu.requestLog[0].path).toMatch(/^\/instagram\/v\d+\.\d+\/me\/media\?/);
    expect(postsOf(ig).map((p) => p.post_id)).toEqual(stored.map((p) => p.post_id));
  });

  test('a failed read is a gap: no posts lost, no read day, figures unchanged', async () => {
    const fb = fx.addAccount('facebook', '100000000022222');
    await run({ postsHistoryDays: 20 });
    const stored = postsOf(fb);
    const figures = orgPostFigures(fx.db, fx.orgId, 'social', 0, 100_000);
    fx.db.prepare('DELETE FROM post_read_days').run();
    emu.setFault({ api: 'graph', target: '100000000022222', kind: 'server_error' });
    const r = await run({ postsOnly: true });
    expect(r.posts!.failed).toBe(1);
    expect(r.posts!.failures[0].kind).toBe('transient');
    expect(postsOf(fb)).toEqual(stored);
    expect(orgPostFigures(fx.db, fx.orgId, 'social', 0, 100_000)).toEqual(figures);
    expect(postsReadOn(fx.db, fb, today())).toBe(false);
  });
});

describe('export posts and GET /api/v1/posts', () => {
  test('rows equal what the emulator served, counted posts only, the same through the API', async () => {
    const page = '100000000033333';
    const fbId = fx.addAccount('facebook', page);
    fx.addAccount('telegram', '@export_union');
    await run({ postsHistoryDays: 15, postsOnly: true });
    const from = localDate('Asia/Almaty', new Date(Date.now() - 10 * DAY));
    // one reading 5 days ago: audience_at is that value from then on, undefined (null) before
    const readingDay = toEpochDay(from) + 5;
    fx.db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, 4321, 3, 0)').run(fbId, readingDay);
    const to = localDate('Asia/Almaty');
    const services = createServices(fx.db, configFor(emu.url));
    const exported = runExport(services.exporters, 'posts', fx.db, { from, to }, services.config);
    expect(exported.columns).toEqual(['org', 'platform', 'account', 'post_id', 'date', 'published_at', 'kind', 'url', 'reactions', 'comments', 'shares', 'views', 'views_approximate', 'interactions', 'audience_at', 'rubrics', 'text']);

    // what the emulator serves now, read straight over HTTP with the Page token
    const fields = 'id,created_time,message,shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),insights.metric(post_media_view)';
    const since = Math.floor(Date.parse(`${from}T00:00:00+05:00`) / 1000);
    const until = Math.floor(Date.parse(`${to}T23:59:59+05:00`) / 1000);
    const pageToken = ((await (await fetch(`${emu.url}/v25.0/${page}?fields=access_token&access_token=EAAtest-fb-token`)).json()) as { access_token: string }).access_token;
    const served = (await (await fetch(`${emu.url}/v25.0/${page}/published_posts?fields=${encodeURIComponent(fields)}&limit=100&since=${since}&until=${until}&access_token=${pageToken}`)).json()) as {
      data: { id: string; message?: string; shares?: { count: number }; reactions: { summary: { total_count: number } }; comments: { summary: { total_count: number } }; insights: { data: { values: { value: number }[] }[] } }[];
    };
    const fbRows = exported.rows.filter((r) => r.platform === 'facebook');
    // --org reads its subtree's accounts (the whole tree here): the same rows
    expect(runExport(services.exporters, 'posts', fx.db, { org: 'kz', from, to }, services.config).rows).toEqual(exported.rows);
    expect(fbRows.map((r) => r.post_id).sort()).toEqual(served.data.map((p) => p.id).sort());
    for (const p of served.data) {
      const row = fbRows.find((r) => r.post_id === p.id)!;
      expect(row).toMatchObject({
        org: 'kz',
        account: page,
        reactions: p.reactions.summary.total_count,
        comments: p.comments.summary.total_count,
        shares: p.shares?.count ?? 0,
        views: p.insights.data[0].values[0].value,
        text: p.message ?? '',
        audience_at: toEpochDay(String(row.date)) >= readingDay ? 4321 : null,
      });
      expect(row.interactions).toBe(p.reactions.summary.total_count + p.comments.summary.total_count + (p.shares?.count ?? 0));
    }
    // Telegram rows: every stored post of the period (the preview served them), rounded views flagged
    const tgRows = exported.rows.filter((r) => r.platform === 'telegram');
    expect(tgRows.length).toBe(fx.db.prepare("SELECT count(*) FROM posts p JOIN accounts a ON a.id = p.account_id WHERE a.platform = 'telegram' AND p.day BETWEEN ? AND ?").pluck().get(toEpochDay(from), toEpochDay(to)));
    expect(tgRows.every((r) => r.shares === null && typeof r.views_approximate === 'boolean')).toBe(true);

    // a deleted post is not a row; --platform narrows; the API gives the same rows
    fx.db.prepare('UPDATE posts SET deleted_at = 1 WHERE post_id = ?').run(fbRows[0].post_id);
    const after = runExport(services.exporters, 'posts', fx.db, { from, to, platform: 'facebook' }, services.config).rows;
    expect(after.map((r) => r.post_id)).toEqual(fbRows.slice(1).map((r) => r.post_id));
    const app = withSession(createApp({ ...services, now: () => new Date() }), fx.db);
    const api = await request(app).get(`/api/v1/posts?platform=facebook&from=${from}&to=${to}`);
    expect(api.status).toBe(200);
    // (the app brings derived data up to date first, rubrics included: the export after it gives the same rows)
    const now = runExport(services.exporters, 'posts', fx.db, { from, to, platform: 'facebook' }, services.config).rows;
    expect(now.map((r) => r.post_id)).toEqual(after.map((r) => r.post_id));
    expect(api.body).toEqual(JSON.parse(JSON.stringify(now)));
    const bad = await request(app).get('/api/v1/posts?from=2026-02-30');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/from/);
  });
});

describe('the channel page', () => {
  test('lists a channel posts newest first with counters and links; a channel without preview says how to fix it', async () => {
    const tg = fx.addAccount('telegram', '@page_union', { title: 'Профсоюз Павлодара' });
    const closed = fx.addAccount('telegram', '@closed_union');
    await run({ postsHistoryDays: 10, postsOnly: true });
    const services = createServices(fx.db, configFor(emu.url));
    const app = withSession(createApp({ ...services, now: () => new Date() }), fx.db);
    const res = await request(app).get(`/org/kz/channel/${tg}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Профсоюз Павлодара');
    const stored = fx.db.prepare('SELECT post_id, url FROM posts WHERE account_id = ? ORDER BY day DESC, published_at DESC').all(tg) as { post_id: string; url: string }[];
    expect(stored.length).toBeGreaterThan(0);
    const positions = stored.map((p) => res.text.indexOf(`href="${p.url}"`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions); // newest first
    expect(res.text).toContain('Публикации');
    const none = await request(app).get(`/org/kz/channel/${closed}?lang=kk`);
    expect(none.status).toBe(200);
    expect(none.text).toContain('ботты арна әкімшісі етіп қосыңыз');
    expect((await request(app).get('/org/kz/channel/99999')).status).toBe(404);
  });
});
