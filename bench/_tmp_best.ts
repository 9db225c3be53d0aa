import { openDatabase } from '../db';
import { bestPosts } from '../src/publications/best-posts';
import { ensurePostFigures } from '../src/posts/figures';
import { updatePostScores } from '../src/publications/best-posts';
import { END } from './scale-model';
const db = openDatabase('/tmp/iw/m.db');
let t = performance.now();
ensurePostFigures(db);
if (db.prepare('SELECT 1 FROM score_dirty LIMIT 1').get()) updatePostScores(db);
console.log('ensure', (performance.now() - t).toFixed(0));
const q = { from: END - 364, to: END, rubric: 'legal-protection', level: 'primary', limit: 30 };
for (let i = 0; i < 5; i++) {
  t = performance.now();
  const r = bestPosts(db, q);
  console.log('best filtered', (performance.now() - t).toFixed(1), r.length);
}
const rows = db.prepare('SELECT count(*) FROM post_scores INDEXED BY post_scores_best WHERE day BETWEEN ? AND ? AND audience_at >= 50').pluck().get(END - 364, END);
console.log('rows in year', rows, db.prepare('EXPLAIN QUERY PLAN SELECT post_id, er, account_id FROM post_scores INDEXED BY post_scores_best WHERE day = ? AND er >= ? AND audience_at >= 50 ORDER BY er DESC').all(1, 2));
