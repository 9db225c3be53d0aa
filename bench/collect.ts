// bench:collect — one daily collect run, audience AND posts (DESIGN §10, §11), against the in-process emulator
// with injected latency: 2,000 Facebook Pages, 1,000 Instagram accounts, 500 public Telegram channels in a temp
// database, each already read the day before (so the run reads the posts of the refresh window, about one a day).
// Prints HTTP requests per account per platform and wall time ÷ the bound of DESIGN §10, Telegram preview
// requests per channel and peak RSS; the last line is one JSON object with the figures. Tunables (env):
// BENCH_LATENCY_MS (40), BENCH_CONCURRENCY (4), BENCH_TELEGRAM_RATE (25 requests/s), BENCH_PREVIEW_RATE
// (25 requests/s), BENCH_FB (2000), BENCH_IG (1000), BENCH_TG (500), BENCH_POSTS (1; 0 = audience only).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator } from '../collectors/emulator';
import { openDatabase } from '../db';
import { loadConfig } from '../src/config';
import { setLogSink } from '../src/log';
import { runCollect } from '../src/jobs/collect';
import { updateRollups } from '../src/services';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

async function main(): Promise<void> {
  const latencyMs = num('BENCH_LATENCY_MS', 40);
  const concurrency = num('BENCH_CONCURRENCY', 4);
  const telegramRate = num('BENCH_TELEGRAM_RATE', 25);
  const nFb = num('BENCH_FB', 2000);
  const nIg = num('BENCH_IG', 1000);
  const nTg = num('BENCH_TG', 500);
  const previewRate = num('BENCH_PREVIEW_RATE', 25);
  const withPosts = process.env.BENCH_POSTS !== '0';

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-bench-collect-'));
  // the system user has a task on every Page (Page tokens for posts), as a real one must
  const emu = await startEmulator({ seed: 'bench', latencyMs, pageTasks: { EAAbench: '*' } });
  const db = openDatabase(path.join(dir, 'bench.db'));
  const logLines: string[] = [];
  setLogSink((line) => logLines.push(line));
  try {
    const now = Date.now();
    db.prepare("INSERT INTO organisations (id, slug, level, name_ru, created_at, updated_at) VALUES (1, 'kz', 'council', 'kz', ?, ?)").run(now, now);
    const add = db.prepare('INSERT INTO accounts (org_id, platform, platform_id, title, created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < nFb; i++) add.run('facebook', `10000${String(i).padStart(10, '0')}`, null, now, now);
      for (let i = 0; i < nIg; i++) add.run('instagram', `17841${String(i).padStart(12, '0')}`, null, now, now);
      // Titles as imported from the config: a daily run reads one count per channel (getChat only for untitled ones).
      for (let i = 0; i < nTg; i++) add.run('telegram', `@bench_channel_${i}`, `Channel ${i}`, now, now);
      // read the day before: one known post 8 days old each, so today's run reads the refresh window (7 days)
      db.prepare(
        `INSERT INTO posts (account_id, post_id, published_at, day, kind, source, read_at)
         SELECT id, 'known', ?, ?, 'text', 0, ? FROM accounts`,
      ).run(now - 8 * 86_400_000, Math.floor((now - 8 * 86_400_000) / 86_400_000), now - 86_400_000);
      // and their history read in full once (else the run reads the whole posts.history_days again)
      db.prepare('INSERT INTO post_collect_state (account_id, last_ok_at, history_from) SELECT id, ?, ? FROM accounts').run(now - 86_400_000, Math.floor(now / 86_400_000) - 91);
    })();

    const config = loadConfig({
      env: { FACEBOOK_GRAPH_URL: emu.url, TELEGRAM_API_ROOT: emu.url, TELEGRAM_PREVIEW_ROOT: emu.url, FACEBOOK_ACCESS_TOKEN: 'EAAbench', TELEGRAM_BOT_TOKEN: '1:bench' },
      file: path.join(__dirname, '..', 'test/helpers/empty-config.yaml'),
    });
    const t0 = process.hrtime.bigint();
    const result = await runCollect({
      db,
      config,
      onSnapshotsChanged: updateRollups,
      settings: { concurrency, telegramRatePerSecond: telegramRate },
      trigger: 'manual',
      posts: withPosts,
      previewSettings: { ratePerSecond: previewRate },
    });
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;

    const fb = result.perPlatform.facebook!;
    const ig = result.perPlatform.instagram!;
    const tg = result.perPlatform.telegram!;
    const graphRequests = emu.counters.graphRequests;
    const graphAccounts = fb.accounts + ig.accounts;
    const graphWallS = Math.max(fb.wallMs, ig.wallMs) / 1000;
    const graphBoundS = (graphRequests * latencyMs) / 1000 / concurrency;
    const tgWallS = tg.wallMs / 1000;
    const tgBoundS = tg.accounts / telegramRate;
    const snapshots = (db.prepare('SELECT COUNT(*) AS n FROM snapshots').get() as { n: number }).n;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const posts = result.posts;
    const previewRequests = posts?.previewRequests ?? 0;
    const storedPosts = (db.prepare("SELECT COUNT(*) AS n FROM posts WHERE post_id <> 'known'").get() as { n: number }).n;

    const rows: Array<[string, number, number, number, string, string, string, string]> = [
      ['facebook', fb.accounts, fb.ok, fb.requests, (fb.requests / fb.accounts).toFixed(4), (fb.wallMs / 1000).toFixed(2), '', ''],
      ['instagram', ig.accounts, ig.ok, ig.requests, (ig.requests / ig.accounts).toFixed(4), (ig.wallMs / 1000).toFixed(2), '', ''],
      ['graph total', graphAccounts, fb.ok + ig.ok, graphRequests, (graphRequests / graphAccounts).toFixed(4), graphWallS.toFixed(2), graphBoundS.toFixed(2), (graphWallS / graphBoundS).toFixed(2)],
      ['telegram', tg.accounts, tg.ok, emu.counters.telegramRequests, (emu.counters.telegramRequests / tg.accounts).toFixed(4), tgWallS.toFixed(2), tgBoundS.toFixed(2), (tgWallS / tgBoundS).toFixed(2)],
    ];
    const head = ['platform', 'accounts', 'ok', 'requests', 'req/account', 'wall s', 'bound s', 'wall÷bound'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    const fmt = (cells: Array<string | number>) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
    console.log(`collect bench: latency ${latencyMs} ms, Graph concurrency ${concurrency}, Telegram ${telegramRate} req/s; ${nFb} FB pages, ${nIg} IG accounts, ${nTg} Telegram channels`);
    console.log(fmt(head));
    for (const r of rows) console.log(fmt(r));
    if (posts) {
      const pw = posts.wallMs / 1000;
      const pb = previewRequests / previewRate;
      console.log(
        `posts: ${posts.ok}/${posts.accounts} accounts, ${storedPosts} posts (${posts.inserted} new), Graph requests apart from the audience entries ${posts.graphRequests}, ` +
          `Telegram preview ${previewRequests} requests (${(previewRequests / tg.accounts).toFixed(3)}/channel), posts step wall ${pw.toFixed(2)} s, preview bound ${pb.toFixed(2)} s`,
      );
    }
    console.log(`Graph bound = requests × latency ÷ concurrency; Telegram bound = channels ÷ rate (DESIGN §10).`);
    console.log(
      `goals: ≤ ${withPosts ? '0.04' : '0.02'} Graph requests/account (${(graphRequests / graphAccounts).toFixed(4)}), Graph ≤ 1.5× bound (${(graphWallS / graphBoundS).toFixed(2)}), ` +
        `Telegram ≤ 1.2× bound (${(tgWallS / tgBoundS).toFixed(2)})`,
    );
    console.log(`run: ${result.accountsOk}/${result.accountsTotal} accounts, ${snapshots} snapshots, ${result.accountsFailed} failed, wall ${wallS.toFixed(2)} s, peak RSS ${peakRssMb.toFixed(0)} MB`);
    console.log(
      JSON.stringify({
        graph_requests_per_account: Number((graphRequests / graphAccounts).toFixed(5)),
        graph_requests: graphRequests,
        graph_wall_s: Number(graphWallS.toFixed(3)),
        graph_bound_s: Number(graphBoundS.toFixed(3)),
        graph_bound_ratio: Number((graphWallS / graphBoundS).toFixed(3)),
        telegram_requests_per_account: Number((emu.counters.telegramRequests / tg.accounts).toFixed(4)),
        telegram_wall_s: Number(tgWallS.toFixed(3)),
        telegram_bound_s: Number(tgBoundS.toFixed(3)),
        telegram_bound_ratio: Number((tgWallS / tgBoundS).toFixed(3)),
        with_posts: withPosts,
        posts_ok: posts?.ok,
        posts_failed: posts?.failed,
        posts_stored: storedPosts,
        posts_graph_requests_apart: posts?.graphRequests,
        preview_requests_per_channel: posts ? Number((previewRequests / tg.accounts).toFixed(4)) : undefined,
        posts_wall_s: posts ? Number((posts.wallMs / 1000).toFixed(3)) : undefined,
        preview_bound_s: posts ? Number((previewRequests / previewRate).toFixed(3)) : undefined,
        accounts_ok: result.accountsOk,
        accounts_failed: result.accountsFailed,
        latency_ms: latencyMs,
        concurrency,
        telegram_rate: telegramRate,
        wall_s: Number(wallS.toFixed(3)),
        peak_rss_mb: Number(peakRssMb.toFixed(1)),
      }),
    );
    if (result.accountsFailed > 0 || (posts?.failed ?? 0) > 0) {
      for (const f of [...result.failures, ...(posts?.failures ?? [])].slice(0, 5)) console.error(`failed: ${f.platform} ${f.platformId}: ${f.message}`);
      process.exitCode = 1;
    }
  } finally {
    db.close();
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
