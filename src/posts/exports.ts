// `export posts` and GET /api/v1/posts (DESIGN §11): one row per counted post of accounts(O, P) dated in the
// period (default: the current month to today), oldest first. A counted post is not deleted and its account
// was not closed on or before its date. `org` is the account's own org; `audience_at` = asOf(account, date).
import type { Db } from '../../db';
import type { AppConfig } from '../config';
import { fromEpochDay, toEpochDay } from '../domain/dates';
import { checkDate, checkOrg, checkPlatform, checkRange, today, type Exporter } from '../exports';
import type { Row } from '../export-format';
import { subtreeIds } from '../growth/tree';
import { ensureInformationWork } from '../publications/measures-data';

export const POST_COLUMNS = [
  'org',
  'platform',
  'account',
  'post_id',
  'date',
  'published_at',
  'kind',
  'url',
  'reactions',
  'comments',
  'shares',
  'views',
  'views_approximate',
  'interactions',
  'audience_at',
  'rubrics',
  'text',
] as const;

export interface PostRow {
  org: string;
  platform: string;
  account: string;
  post_id: string;
  date: string;
  published_at: string;
  kind: string;
  url: string | null;
  reactions: number | null;
  comments: number | null;
  shares: number | null;
  views: number | null;
  views_approximate: boolean;
  interactions: number;
  audience_at: number | null;
  rubrics: string;
  text: string;
}

/** The posts of the subtree of `org` (default all) on `platform` (a platform or social) dated in [from, to]. */
export function postRows(db: Db, q: { org?: string; platform: string; from: string; to: string }): PostRow[] {
  const org = checkOrg(db, q.org);
  const platforms = q.platform === 'social' ? ['facebook', 'instagram', 'telegram'] : [q.platform];
  // With an org: its subtree's accounts, each read through (account_id, day); without: the day range of every account.
  const accountIds = org
    ? (db.prepare('SELECT id FROM accounts WHERE org_id IN (SELECT value FROM json_each(?)) AND platform IN (SELECT value FROM json_each(?))').pluck().all(JSON.stringify(subtreeIds(db, org.id)), JSON.stringify(platforms)) as number[])
    : null;
  const raw = db
    .prepare(
      `SELECT o.slug AS org, a.platform, a.platform_id AS account, p.post_id, p.day, p.published_at, p.kind, p.url,
              p.reactions, p.comments, p.shares, p.views, p.views_approximate, p.text,
              (SELECT s.audience FROM snapshots s WHERE s.account_id = p.account_id AND s.day <= p.day ORDER BY s.day DESC LIMIT 1) AS audience_at,
              (SELECT group_concat(rubric, ';') FROM (SELECT r.rubric FROM post_rubrics r WHERE r.post_id = p.id AND r.origin IN (0, 1) ORDER BY r.rubric)) AS rubrics
       FROM posts p INDEXED BY ${accountIds ? 'posts_account_day' : 'posts_day'}
       JOIN accounts a ON a.id = p.account_id
       JOIN organisations o ON o.id = a.org_id
       WHERE p.day BETWEEN ? AND ? AND p.deleted_at IS NULL
         AND (a.closed_day IS NULL OR p.day < a.closed_day)
         AND a.platform IN (SELECT value FROM json_each(?))
         ${accountIds ? 'AND p.account_id IN (SELECT value FROM json_each(?))' : ''}
       ORDER BY p.published_at, a.id, p.post_id`,
    )
    .all(toEpochDay(q.from), toEpochDay(q.to), JSON.stringify(platforms), ...(accountIds ? [JSON.stringify(accountIds)] : [])) as (Omit<PostRow, 'date' | 'published_at' | 'views_approximate' | 'interactions' | 'rubrics'> & {
    day: number;
    published_at: number;
    views_approximate: number;
    rubrics: string | null;
  })[];
  return raw.map((r) => ({
    org: r.org,
    platform: r.platform,
    account: r.account,
    post_id: r.post_id,
    date: fromEpochDay(r.day),
    published_at: new Date(r.published_at).toISOString(),
    kind: r.kind,
    url: r.url,
    reactions: r.reactions,
    comments: r.comments,
    shares: r.shares,
    views: r.views,
    views_approximate: r.views_approximate === 1,
    interactions: (r.reactions ?? 0) + (r.comments ?? 0) + (r.shares ?? 0),
    audience_at: r.audience_at,
    rubrics: r.rubrics ?? '',
    text: r.text,
  }));
}

/** `export posts [--org] [--platform] [--from] [--to]`. */
export const exportPosts: Exporter = (db: Db, opts, config: AppConfig) => {
  const platform = checkPlatform(opts.platform);
  const to = checkDate(opts.to, 'to') ?? today(config);
  const from = checkDate(opts.from, 'from') ?? `${to.slice(0, 7)}-01`;
  checkRange(from, to);
  if (platform === 'newspaper') return { columns: POST_COLUMNS, rows: [] };
  ensureInformationWork(db, config.rubrics); // the rubrics column: new posts classified first, as pages and the API do
  return { columns: POST_COLUMNS, rows: postRows(db, { org: opts.org, platform, from, to }) as unknown as Row[] };
};
