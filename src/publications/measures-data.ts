// The §11 measures of an org subtree from the precomputed figures: `export publications` and `export rubrics`
// rows (and their /api/v1 twins), accounts' silence, active share per level and standards compliance. The one
// place pages, exports, the API and the bot read information-work figures through.
import type { Db } from '../../db';
import { fromEpochDay, toEpochDay } from '../domain/dates';
import { CHUNK_DAYS, chunkOf, chunkStart } from '../domain/rollup';
import { platformsOf, type Platform, type PlatformGroup } from '../domain/growth';
import { previousPeriod, type Period } from '../domain/periods';
import {
  activeShare,
  checkStandard,
  daysSinceLastPost,
  meetsStandard,
  knownMeasures,
  READ_DAYS_BACK,
  rubricShare,
  silenceOn,
  type ActiveShare,
  type PostFigures,
  type Silence,
  type Standard,
  type StandardCheck,
} from '../domain/publications';
import type { RubricDefinition } from '../domain/rubrics';
import { loadTree, preorder, type OrgNode } from '../growth/tree';
import { allOrgsPostFigures, ensurePostFigures, lastPostDay, lastPostDays, accountsReadOn, ZERO_FIGURES } from '../posts/figures';
import { orgStatesOn, type OrgStates } from '../posts/states';
import { classifyPosts, rubricsChanged } from './classify';
import { rubricFiguresStale, rubricPostsOf, updateRubricFigures } from './rubric-figures';
import { updatePostScores } from './best-posts';

/** Brings everything information work reads up to date: post figures, rubrics of new posts, rubric counts, scores. Cheap when nothing changed. */
export function ensureInformationWork(db: Db, rubrics: readonly RubricDefinition[]): void {
  ensurePostFigures(db);
  // new or edited posts, or rubrics changed in the config since the stored classification (then all posts)
  if (db.prepare('SELECT 1 FROM rubric_pending LIMIT 1').get() !== undefined || rubricsChanged(db, rubrics)) classifyPosts(db, rubrics);
  if (rubricFiguresStale(db)) updateRubricFigures(db);
  if (db.prepare('SELECT 1 FROM score_dirty LIMIT 1').get() !== undefined) updatePostScores(db);
}

export const PUBLICATION_COLUMNS = ['org', 'platform', 'from', 'to', 'posts', 'posts_per_week', 'accounts', 'silent_accounts', 'interactions', 'engagement_rate', 'view_rate'] as const;
export const RUBRIC_COLUMNS = ['org', 'platform', 'from', 'to', 'rubric', 'posts', 'rubric_posts', 'share_percent'] as const;

export interface PublicationRow {
  org: string;
  platform: PlatformGroup;
  from: string;
  to: string;
  /** null (with posts_per_week, interactions, ER, VR) when the org's posts were never read: unknown, not 0 */
  posts: number | null;
  posts_per_week: number | null;
  accounts: number;
  silent_accounts: number;
  interactions: number | null;
  engagement_rate: number | null;
  view_rate: number | null;
}

export interface RubricRow {
  org: string;
  platform: PlatformGroup;
  from: string;
  to: string;
  rubric: string;
  /** null (with rubric_posts and share_percent) when the org's posts were never read */
  posts: number | null;
  rubric_posts: number | null;
  share_percent: number | null;
}

export interface AccountState {
  id: number;
  org_id: number;
  platform: Platform;
  platform_id: string;
  title: string | null;
  /** tracked on the day (a reading dated ≤ it, not closed on or before it) */
  tracked: boolean;
  last_post_day: number | null;
  days_since_last_post: number | null;
  silence: Silence;
}

/**
 * The latest counted post day ≤ `day` of every account with a post in the two chunks up to `day` (which hold
 * the 14-day silence window), in one range read of the per-account figures (their leading 32-day mask).
 */
function recentLastPostDays(db: Db, day: number): Map<number, number> {
  const out = new Map<number, number>();
  const last = chunkOf(day);
  for (const [accountId, chunk, data] of db.prepare('SELECT account_id, chunk, data FROM post_account_series WHERE chunk BETWEEN ? AND ?').raw().all(last - 1, last) as [number, number, Buffer][]) {
    let mask = data.readUInt32LE(0);
    const start = chunkStart(chunk);
    if (day - start < CHUNK_DAYS - 1) mask &= (2 ** (day - start + 1) - 1) | 0;
    if (mask === 0) continue;
    const d = start + 31 - Math.clz32(mask);
    if ((out.get(accountId) ?? -Infinity) < d) out.set(accountId, d);
  }
  return out;
}

/**
 * Every account on the group's platforms as `day` sees it: tracked, last counted post, silent / posting /
 * unknown (`silence: false` skips the read-success lookups when only activity is wanted).
 */
export function accountStates(db: Db, group: PlatformGroup, day: number, opts: { silence?: boolean; orgIds?: readonly number[] } = {}): AccountState[] {
  const rows = db
    .prepare(
      // the first reading as the rollups keep it (up to date: pages, exports and the bot compute first); read
      // from the snapshots only for an account the rollups have not seen
      `SELECT a.id, a.org_id, a.platform, a.platform_id, a.title, a.closed_day,
              coalesce(r.first_day, (SELECT min(s.day) FROM snapshots s WHERE s.account_id = a.id)) AS first_day
       FROM accounts a LEFT JOIN rollup_accounts r ON r.account_id = a.id WHERE a.platform IN (SELECT value FROM json_each(?)) ${opts.orgIds ? 'AND a.org_id IN (SELECT value FROM json_each(?))' : ''} ORDER BY a.id`,
    )
    .all(JSON.stringify(platformsOf(group)), ...(opts.orgIds ? [JSON.stringify(opts.orgIds)] : [])) as {
    id: number;
    org_id: number;
    platform: Platform;
    platform_id: string;
    title: string | null;
    closed_day: number | null;
    first_day: number | null;
  }[];
  const latest = lastPostDays(db);
  let read: Set<number> | undefined;
  const readOnce = (accountId: number) => () => (read ??= accountsReadOn(db, day, READ_DAYS_BACK)).has(accountId);
  let recent: Map<number, number> | undefined;
  return rows.map((a) => {
    const tracked = a.first_day !== null && a.first_day <= day && (a.closed_day === null || a.closed_day > day);
    const known = latest.get(a.id) ?? null;
    // the stored latest post is today's view; a period that ends earlier reads its own
    let last = known;
    if (known !== null && known > day) {
      recent ??= recentLastPostDays(db, day);
      last = recent.get(a.id) ?? lastPostDay(db, a.id, day);
    }
    const silence: Silence = !tracked ? 'unknown' : opts.silence === false ? (last !== null && last >= day - 13 ? 'posting' : 'unknown') : silenceOn(day, last, readOnce(a.id));
    return { id: a.id, org_id: a.org_id, platform: a.platform, platform_id: a.platform_id, title: a.title, tracked, last_post_day: last, days_since_last_post: daysSinceLastPost(day, last), silence };
  });
}

/**
 * The orgs of `orgIds` whose posts on the group's platforms are known: some account of accounts(O, P) (in O's
 * subtree, open or closed) has had its posts read successfully at least once (every successful read, complete
 * or through Bot API updates, records a read day). Any other org's posts are unknown: shown as "no data" and
 * judged by no standard, never as 0 posts (DESIGN §11: a failed reading is a gap, never "no posts").
 */
export function postsReadOrgs(states: ReadonlyMap<number, OrgStates>): Set<number> {
  return new Set([...states].filter(([, st]) => st.everRead > 0).map(([id]) => id));
}

/** The subtree of `slug` (all orgs when undefined), parents before children. */
export function scope(db: Db, slug?: string): OrgNode[] {
  const tree = loadTree(db);
  if (slug === undefined) return tree.all;
  const node = tree.bySlug.get(slug);
  return node ? preorder(node) : [];
}

export interface PeriodQuery {
  org?: string;
  group: PlatformGroup;
  from: string;
  to: string;
}

/** `export publications`: one row per org of the subtree. */
export function publicationRows(db: Db, q: PeriodQuery): PublicationRow[] {
  const from = toEpochDay(q.from);
  const to = toEpochDay(q.to);
  const figures = allOrgsPostFigures(db, q.group, from, to);
  const orgs = scope(db, q.org);
  const states = orgStatesOn(db, q.group, to, orgs.map((o) => o.id));
  return orgs.map((o) => {
    const f: PostFigures = figures.get(o.id) ?? ZERO_FIGURES;
    const st = states.get(o.id)!;
    const m = knownMeasures(f, to - from + 1, st.everRead > 0);
    return { org: o.slug, platform: q.group, from: q.from, to: q.to, posts: m.posts, posts_per_week: m.posts_per_week, accounts: st.tracked, silent_accounts: st.silent, interactions: m.interactions, engagement_rate: m.engagement_rate, view_rate: m.view_rate };
  });
}

/** `export rubrics`: one row per org of the subtree and rubric (in the configured order). */
export function rubricRows(db: Db, rubrics: readonly RubricDefinition[], q: PeriodQuery): RubricRow[] {
  const from = toEpochDay(q.from);
  const to = toEpochDay(q.to);
  const orgs = scope(db, q.org);
  const figures = allOrgsPostFigures(db, q.group, from, to);
  const counts = rubricPostsOf(db, orgs, q.group, from, to);
  const read = postsReadOrgs(orgStatesOn(db, q.group, to, orgs.map((o) => o.id)));
  const out: RubricRow[] = [];
  for (const o of orgs) {
    const known = read.has(o.id);
    const posts = known ? (figures.get(o.id)?.posts ?? 0) : null;
    const byRubric = counts.get(o.id)!;
    for (const r of rubrics) {
      const n = known ? (byRubric.get(r.slug) ?? 0) : null;
      out.push({ org: o.slug, platform: q.group, from: q.from, to: q.to, rubric: r.slug, posts, rubric_posts: n, share_percent: n === null ? null : rubricShare(n, posts) });
    }
  }
  return out;
}

/** Active share of one level under an org on a day, from every account's state: the direct computation the precomputed states (src/posts/states.ts) are held to. */
export function activeShareUnder(db: Db, orgSlug: string | undefined, level: string, states: readonly AccountState[], day: number): ActiveShare {
  const orgs = scope(db, orgSlug).filter((o) => o.level === level);
  const byOrg = new Map<number, AccountState[]>();
  for (const a of states) {
    const list = byOrg.get(a.org_id);
    if (list) list.push(a);
    else byOrg.set(a.org_id, [a]);
  }
  return activeShare(
    orgs.map((o) => ({ level: o.level, accounts: (byOrg.get(o.id) ?? []).map((a) => ({ tracked: a.tracked, lastPostDay: a.last_post_day })) })),
    level,
    day,
  );
}

const LEVEL_BELOW: Record<string, string | undefined> = { council: 'region', region: 'branch', branch: 'primary' };

/**
 * An org's `active_share` as the standards read it: over the orgs one level below it in its subtree (a region:
 * its branches); a primary organisation: 100 when it is itself active, 0 when not, null without an account.
 */
export function orgActiveShare(org: OrgNode, states: OrgStates): ActiveShare {
  return states.active(LEVEL_BELOW[org.level] ?? org.level);
}

export interface OrgStandardResult {
  standard: Standard;
  checks: StandardCheck[];
  met: boolean | null;
}

/** Each standard of the org's level and platform group, checked over the period. */
export function orgCompliance(
  standards: readonly Standard[],
  org: OrgNode,
  group: PlatformGroup,
  figures: { posts_per_week: number | null; active_share: number | null; rubric_share: Record<string, number | null> },
): OrgStandardResult[] {
  return standards
    .filter((s) => s.level === org.level && s.platform === group)
    .map((s) => {
      const checks = checkStandard(s, figures);
      return { standard: s, checks, met: meetsStandard(checks) };
    });
}

/** The period before, as growth sets it beside (the same days of the previous month for a running month). */
export function previousOf(p: Period): Period {
  return previousPeriod(p);
}

export const dayString = fromEpochDay;
