// Publications at scale (issue 14): three years of posts on the scale model (about one post a day per social
// account, texts from the emulator's posts model), then
//  - bytes per post (file size added by the posts and their indexes and figures, ÷ posts),
//  - the full rebuild of the daily figures, and the incremental update after one more day's posts written
//    through the posts writer (src/posts/store.ts),
//  - `export posts` of one region for one month, p95 over repeated runs.
// BENCH_SCALE scales the model (1 = 5,000 accounts, ≈ 5.5 M posts over 3 years). Prints a table, then one JSON line.
// BENCH_DB=/path/model.db keeps the generated model (posts and their full precomputations; what generating
// measured in /path/model.db.posts.json) and measures the day on a copy of it on later runs (see scale-model.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fromEpochDay } from '../src/domain/dates';
import { postsModel } from '../collectors/emulator/posts-model';
import { recordPostsReadDays, savePosts, type AccountPosts } from '../src/posts/store';
import { updatePostFigures } from '../src/posts/figures';
import { classifyPosts } from '../src/publications/classify';
import { updateRubricFigures } from '../src/publications/rubric-figures';
import { updatePostScores } from '../src/publications/best-posts';
import { exportPosts } from '../src/posts/exports';
import { loadConfig } from '../src/config';
import type { Db } from '../db';
import { END, SCALE, START, openScaleModel, type Acc } from './scale-model';

const DAY_MS = 86_400_000;
const model = postsModel('bench', () => END * DAY_MS);
const platformOf = (p: string) => (p === 'facebook' ? 'facebook' : p === 'instagram' ? 'instagram' : 'telegram') as 'facebook' | 'instagram' | 'telegram';

// What generating the model measured (the posts' insert rate, bytes per post, the full rebuilds): kept next to a
// BENCH_DB model, so a run on a copy of it still reports them.
interface Generated {
  posts: number;
  bytesPerPost: number;
  insertMs: number;
  rebuildMs: number;
  classifyFullMs: number;
  rubricScoresFullMs: number;
}
let generated: Generated | undefined;

// three years of posts, straight into the table (the bench's generator; the writer is measured below), then
// the full figures, classification, rubric counts and scores, as after any compute
function generate(db: Db, accounts: Acc[]): number {
  const social = accounts.filter((a) => a.platform !== 'newspaper');
  const file = db.name;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const sizeBefore = fs.statSync(file).size;
  const ins = db.prepare(
    `INSERT INTO posts (account_id, post_id, published_at, day, kind, forwarded, text, url, reactions, comments, shares, views, views_approximate, source, read_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let posts = 0;
  const t1 = performance.now();
  for (let day = START; day < END; day += 30) {
    db.transaction(() => {
      for (let d = day; d < Math.min(END, day + 30); d++) {
        for (const a of social) {
          if (d < a.first) continue;
          for (const p of model.postsOfDay(platformOf(a.platform), `acc${a.id}`, d)) {
            const c = model.counters(p, Math.round(a.audience), END * DAY_MS);
            const tg = a.platform === 'telegram';
            ins.run(a.id, p.id, p.publishedAt, d, p.kind, p.forwarded ? 1 : 0, p.text, tg ? `https://t.me/acc${a.id}/${p.messageId}` : `https://www.facebook.com/${p.id}`, c.reactions, tg ? null : c.comments, tg ? null : c.shares, c.views, tg && c.views >= 1000 ? 1 : 0, tg ? 1 : 0, END * DAY_MS);
            posts++;
          }
        }
      }
    })();
  }
  const insertMs = performance.now() - t1;
  // The daily collect read every channel's posts on the days before (as in bench/posts-model.ts), so the measured
  // day is an ordinary one, not the first successful read of every account ever (which changes "ever read" of
  // every account on every day of its history: a one-off, not the daily cost).
  db.transaction(() => {
    for (const a of social) recordPostsReadDays(db, a.id, END - 3, END - 1);
  })();
  db.exec('DELETE FROM post_dirty');
  const t2 = performance.now();
  updatePostFigures(db, { full: true });
  const rebuildMs = performance.now() - t2;
  const t2b = performance.now();
  classifyPosts(db, config.rubrics, { full: true });
  const classifyFullMs = performance.now() - t2b;
  const t2c = performance.now();
  updateRubricFigures(db, { full: true });
  updatePostScores(db, { full: true });
  const rubricScoresFullMs = performance.now() - t2c;
  db.pragma('wal_checkpoint(TRUNCATE)');
  generated = { posts, bytesPerPost: (fs.statSync(file).size - sizeBefore) / posts, insertMs, rebuildMs, classifyFullMs, rubricScoresFullMs };
  return posts;
}

const config = loadConfig({ env: { DATABASE_PATH: ':memory:' }, file: path.join(__dirname, '../test/helpers/empty-config.yaml') });
const scale = openScaleModel('ag-bench-posts-', { throughDay: END - 1, extraKind: 'posts-bench-read', extra: generate, extraOwnTransactions: true });
const { db, file, accounts } = scale;
const keptFigures = process.env.BENCH_DB ? `${path.resolve(process.env.BENCH_DB)}.posts.json` : undefined;
if (generated && keptFigures) fs.writeFileSync(keptFigures, JSON.stringify(generated));
if (!generated && keptFigures && fs.existsSync(keptFigures)) generated = JSON.parse(fs.readFileSync(keptFigures, 'utf8')) as Generated;
if (!generated) throw new Error(`the kept model has no ${keptFigures}: generate it again`);
const gen = generated;
const social = accounts.filter((a) => a.platform !== 'newspaper');

// one more day, as a daily collect writes it: a reading of every account (a snapshot), then its posts and a
// refresh of the last 7 days' counters through the writer; then the whole daily compute of posts (figures,
// classification of the new posts, rubric counts, scores), each part timed.
const batch: AccountPosts[] = [];
const yesterday = END - 1;
for (const a of social) {
  const list = [];
  for (let d = END - 7; d <= END; d++) {
    for (const p of model.postsOfDay(platformOf(a.platform), `acc${a.id}`, d)) {
      const c = model.counters(p, Math.round(a.audience), (END + 1) * DAY_MS);
      list.push({ postId: p.id, publishedAt: p.publishedAt, kind: p.kind, text: p.text, reactions: c.reactions, comments: c.comments, shares: c.shares, views: c.views });
    }
  }
  batch.push({ accountId: a.id, posts: list, source: 'api', readAt: (END + 1) * DAY_MS });
}
const t3 = performance.now();
const snap = db.prepare('INSERT OR REPLACE INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, ?)');
db.transaction(() => {
  for (const a of social) if (a.first <= END && (a.closed === null || a.closed > END)) snap.run(a.id, END, Math.round(a.audience) + 1, (END + 1) * DAY_MS);
})();
const written = savePosts(db, config.timezone, batch, { updateFigures: false });
// each account's posts read successfully today, as the daily collect records it (silence, account states)
db.transaction(() => {
  for (const a of social) recordPostsReadDays(db, a.id, END, END);
})();
const writeMs = performance.now() - t3;
const part = <T>(f: () => T): [T, number] => {
  const s = performance.now();
  const r = f();
  return [r, performance.now() - s];
};
const [inc, incrementalMs] = part(() => updatePostFigures(db));
const [, classifyMs] = part(() => classifyPosts(db, config.rubrics));
const [, rubricMs] = part(() => updateRubricFigures(db));
const [, scoresMs] = part(() => updatePostScores(db));
const dailyComputeMs = incrementalMs + classifyMs + rubricMs + scoresMs;

// export posts of one region for a month
const times: number[] = [];
let rows = 0;
for (let i = 0; i < 15; i++) {
  const to = fromEpochDay(yesterday - i * 3);
  const from = fromEpochDay(yesterday - i * 3 - 29);
  const s = performance.now();
  rows = exportPosts(db, { org: `region-${(i % 20) + 1}`, platform: 'social', from, to }, config).rows.length;
  times.push(performance.now() - s);
}
times.sort((a, b) => a - b);
const p95 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)];

const figures = {
  scale: SCALE,
  accounts: social.length,
  posts: gen.posts,
  bytes_per_post: Math.round(gen.bytesPerPost),
  db_mb: Math.round(fs.statSync(file).size / 1e6),
  insert_posts_per_s: Math.round(gen.posts / (gen.insertMs / 1000)),
  figures_full_rebuild_ms: Math.round(gen.rebuildMs),
  day_write_ms: Math.round(writeMs),
  day_posts_new: written.inserted,
  day_posts_refreshed: written.updated + written.unchanged,
  classify_full_ms: Math.round(gen.classifyFullMs),
  rubrics_scores_full_ms: Math.round(gen.rubricScoresFullMs),
  day_figures_incremental_ms: Math.round(incrementalMs),
  day_figures_accounts: inc.accounts,
  day_states_ms: Math.round(inc.statesMs),
  day_classify_ms: Math.round(classifyMs),
  day_rubric_figures_ms: Math.round(rubricMs),
  day_scores_ms: Math.round(scoresMs),
  day_compute_total_ms: Math.round(dailyComputeMs),
  export_posts_region_month_p95_ms: Math.round(p95 * 10) / 10,
  export_posts_region_month_rows: rows,
};
for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(36)}${String(v).padStart(14)}`);
console.log(`${(scale.reused ? 'copy the kept model (setup, not measured)' : 'generate (setup, not measured)').padEnd(50)}${scale.setupS.toFixed(1)} s`);
console.log(JSON.stringify(figures));
scale.close();
