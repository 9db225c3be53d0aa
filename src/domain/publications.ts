// The measures of information work (DESIGN §11) as pure functions: over a period's summed daily figures
// (posts, ER, VR, rubric shares), over per-account post dates (silence, days since the last post), over the
// orgs of a level (active share), and the committee's standards. No I/O: the figures come from the
// precomputed daily figures (src/posts/figures.ts), and `figuresOfPosts` is the direct computation over raw
// posts that tests hold the precomputed ones against.

/** Sums over the counted posts of some days (field names as in the precomputed daily figures). */
export interface PostFigures {
  /** counted posts */
  posts: number;
  /** Σ interactions over all counted posts (a null counter counts as 0) */
  interactions: number;
  /** Σ views over counted posts whose views are not null */
  views: number;
  /** ER numerator: Σ interactions over counted posts with audience_at > 0 */
  er_interactions: number;
  /** ER denominator: Σ audience_at over the same posts */
  er_audience: number;
  /** VR numerator: Σ views over posts with audience_at > 0 and views not null */
  vr_views: number;
  /** VR denominator: Σ audience_at over the same posts */
  vr_audience: number;
}

export const EMPTY_FIGURES: Readonly<PostFigures> = Object.freeze({ posts: 0, interactions: 0, views: 0, er_interactions: 0, er_audience: 0, vr_views: 0, vr_audience: 0 });

export function addFigures(into: PostFigures, f: Readonly<PostFigures>): PostFigures {
  into.posts += f.posts;
  into.interactions += f.interactions;
  into.views += f.views;
  into.er_interactions += f.er_interactions;
  into.er_audience += f.er_audience;
  into.vr_views += f.vr_views;
  into.vr_audience += f.vr_audience;
  return into;
}

export function sumFigures(days: Iterable<Readonly<PostFigures>>): PostFigures {
  const total = { ...EMPTY_FIGURES };
  for (const d of days) addFigures(total, d);
  return total;
}

/** The §11 measures of one org × platform group × period (`export publications` minus accounts). */
export interface PublicationMeasures {
  posts: number;
  posts_per_week: number;
  interactions: number;
  engagement_rate: number | null;
  view_rate: number | null;
}

/** posts_per_week = posts × 7 / days; ER and VR in percent, null when no post counts toward them. */
export function publicationMeasures(f: Readonly<PostFigures>, days: number): PublicationMeasures {
  if (!(days >= 1)) throw new RangeError(`a period has at least one day, got ${days}`);
  return {
    posts: f.posts,
    posts_per_week: (f.posts * 7) / days,
    interactions: f.interactions,
    engagement_rate: f.er_audience > 0 ? (100 * f.er_interactions) / f.er_audience : null,
    view_rate: f.vr_audience > 0 ? (100 * f.vr_views) / f.vr_audience : null,
  };
}

/**
 * The measures of an org whose posts were never read (no successful posts read of any account of
 * accounts(O, P)): unknown, not 0 — a failed or missing reading is a gap, never "no posts" (DESIGN §11).
 */
export interface UnknownMeasures {
  posts: null;
  posts_per_week: null;
  interactions: null;
  engagement_rate: null;
  view_rate: null;
}
export const UNKNOWN_MEASURES: Readonly<UnknownMeasures> = Object.freeze({ posts: null, posts_per_week: null, interactions: null, engagement_rate: null, view_rate: null });

/** `publicationMeasures`, or unknown when the org's posts were never read. */
export function knownMeasures(f: Readonly<PostFigures>, days: number, postsRead: boolean): PublicationMeasures | UnknownMeasures {
  return postsRead ? publicationMeasures(f, days) : UNKNOWN_MEASURES;
}

/** rubric_share = 100 × rubric_posts / posts; null when there are no posts. */
export function rubricShare(rubricPosts: number, posts: number | null): number | null {
  return posts !== null && posts > 0 ? (100 * rubricPosts) / posts : null;
}

/** Days a post can be old and its account still not silent: [D − 13, D]. */
export const SILENCE_DAYS = 14;
/** An account's posts must have been read on D or one of the days before it (D − 2 … D) to call it silent. */
export const READ_DAYS_BACK = 2;

export type Silence = 'posting' | 'silent' | 'unknown';

/**
 * A tracked account on day D: `posting` when a counted post is dated in [D − 13, D]; else `silent` when its
 * posts were read successfully on D, D − 1 or D − 2; else `unknown` (a failed read is a gap, not silence).
 * `lastPostDay` is the day of its latest counted post dated ≤ D.
 */
export function silenceOn(day: number, lastPostDay: number | null, readOk: (day: number) => boolean): Silence {
  if (lastPostDay !== null && lastPostDay <= day && lastPostDay >= day - (SILENCE_DAYS - 1)) return 'posting';
  for (let d = day; d >= day - READ_DAYS_BACK; d--) if (readOk(d)) return 'silent';
  return 'unknown';
}

/** D − the latest counted post's day (≤ D); null when none. */
export function daysSinceLastPost(day: number, lastPostDay: number | null): number | null {
  return lastPostDay === null || lastPostDay > day ? null : day - lastPostDay;
}

/** An org's own accounts on the platform set, as day D sees them. */
export interface OwnAccountState {
  /** tracked on D (§4: a reading dated ≤ D and not closed on or before D) */
  tracked: boolean;
  /** latest counted post day ≤ D, or null */
  lastPostDay: number | null;
}

export interface LevelOrg {
  level: string;
  accounts: readonly OwnAccountState[];
}

export interface ActiveShare {
  orgs_with_accounts: number;
  active_orgs: number;
  /** 100 × active / with accounts; null when no org of the level has a tracked account */
  active_share: number | null;
}

/**
 * Active organisations of one level on day D among `orgs` (the orgs of O's subtree): those with an own
 * tracked account count; those with an own account that has a counted post in [D − 13, D] are active.
 * The contract asks for "an own account on P that has a counted post" — not necessarily a tracked one (a
 * channel closed today after posting yesterday still made its org active).
 */
export function activeShare(orgs: Iterable<LevelOrg>, level: string, day: number): ActiveShare {
  let withAccounts = 0;
  let active = 0;
  for (const o of orgs) {
    if (o.level !== level || !o.accounts.some((a) => a.tracked)) continue;
    withAccounts++;
    if (o.accounts.some((a) => a.lastPostDay !== null && a.lastPostDay <= day && a.lastPostDay >= day - (SILENCE_DAYS - 1))) active++;
  }
  return { orgs_with_accounts: withAccounts, active_orgs: active, active_share: withAccounts > 0 ? (100 * active) / withAccounts : null };
}

/** A figure beside the same figure of the previous period. */
export interface WithPrevious<T> {
  current: T;
  previous: T;
}

/** The change of a figure against the previous period; null when either side is null. */
export function change(current: number | null, previous: number | null): number | null {
  return current === null || previous === null ? null : current - previous;
}

// ── Direct computation over raw posts (the reference the precomputed figures are held to) ──────────────

export interface RawAccount {
  id: number;
  /** day the account was closed (counted no more from that day), or null */
  closedDay: number | null;
  /** the audience on a day per §4 asOf (latest snapshot ≤ day), or null */
  audienceAt(day: number): number | null;
}

export interface RawPost {
  accountId: number;
  day: number;
  deleted: boolean;
  reactions: number | null;
  comments: number | null;
  shares: number | null;
  views: number | null;
}

/** A post counts when it is not deleted and its account was not closed on or before its date. */
export function isCounted(p: RawPost, account: RawAccount): boolean {
  return !p.deleted && (account.closedDay === null || p.day < account.closedDay);
}

export function interactionsOf(p: RawPost): number {
  return (p.reactions ?? 0) + (p.comments ?? 0) + (p.shares ?? 0);
}

/** The figures of the posts dated in [from, to] of the given accounts, straight from the §11 definitions. */
export function figuresOfPosts(posts: Iterable<RawPost>, accounts: ReadonlyMap<number, RawAccount>, from: number, to: number): PostFigures {
  const f = { ...EMPTY_FIGURES };
  for (const p of posts) {
    const a = accounts.get(p.accountId);
    if (!a || p.day < from || p.day > to || !isCounted(p, a)) continue;
    const inter = interactionsOf(p);
    f.posts++;
    f.interactions += inter;
    if (p.views !== null) f.views += p.views;
    const aud = a.audienceAt(p.day);
    if (aud !== null && aud > 0) {
      f.er_interactions += inter;
      f.er_audience += aud;
      if (p.views !== null) {
        f.vr_views += p.views;
        f.vr_audience += aud;
      }
    }
  }
  return f;
}

// ── Standards ────────────────────────────────────────────────────────────────────────────────────────

/** A standard as the committee sets it (config `standards:` or the admin targets page). */
export interface Standard {
  level: string;
  platform: string;
  posts_per_week?: number;
  active_share?: number;
  rubric_share?: Readonly<Record<string, number>>;
  decision?: string | null;
}

/** An org's figures over a period, as the standards read them. */
export interface StandardFigures {
  posts_per_week: number | null;
  active_share: number | null;
  rubric_share: Readonly<Record<string, number | null>>;
}

export interface StandardCheck {
  /** `posts_per_week`, `active_share` or `rubric_share:<slug>` */
  measure: string;
  required: number;
  actual: number | null;
  /** actual − required (negative: short by that much); null when actual is */
  margin: number | null;
  /** met when actual ≥ required; null when actual is null (no posts or no accounts: nothing to judge) */
  met: boolean | null;
}

/** Each criterion of a standard checked against an org's figures. */
export function checkStandard(s: Standard, f: StandardFigures): StandardCheck[] {
  const out: StandardCheck[] = [];
  const add = (measure: string, required: number, actual: number | null): void => {
    out.push({ measure, required, actual, margin: actual === null ? null : actual - required, met: actual === null ? null : actual >= required });
  };
  if (s.posts_per_week !== undefined) add('posts_per_week', s.posts_per_week, f.posts_per_week);
  if (s.active_share !== undefined) add('active_share', s.active_share, f.active_share);
  for (const [rubric, required] of Object.entries(s.rubric_share ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    add(`rubric_share:${rubric}`, required, f.rubric_share[rubric] ?? null);
  }
  return out;
}

/** An org meets a standard when every criterion is met; null when some criterion cannot be judged and none failed. */
export function meetsStandard(checks: readonly StandardCheck[]): boolean | null {
  if (checks.some((c) => c.met === false)) return false;
  if (checks.some((c) => c.met === null)) return null;
  return true;
}

/** The measures a standard can set (one criterion each; `rubric_share` once per rubric). */
export const STANDARD_MEASURES = ['posts_per_week', 'active_share', 'rubric_share'] as const;
export type StandardMeasure = (typeof STANDARD_MEASURES)[number];
/** posts a week above this are a typing error, not a standard */
export const MAX_POSTS_PER_WEEK = 1000;

/** What is wrong with a standard's values: the field (path), an English message, an i18n key (`invalid.<key>`). */
export interface StandardProblem {
  path: (string | number)[];
  message: string;
  key: string;
  vars?: Record<string, string | number>;
}

/**
 * The rule for a standard's values, wherever they come from (the YAML `standards:`, the admin targets page):
 * posts a week 0–1,000, shares 0–100 %, rubric shares only of known rubrics, at least one criterion.
 */
export function standardProblems(s: { posts_per_week?: number | null; active_share?: number | null; rubric_share?: Readonly<Record<string, number>> | null }, rubrics: readonly string[]): StandardProblem[] {
  const out: StandardProblem[] = [];
  const pct = (path: (string | number)[], v: number) => {
    if (!(v >= 0 && v <= 100)) out.push({ path, message: 'must be a percentage 0-100', key: 'percentage' });
  };
  if (s.posts_per_week != null && !(s.posts_per_week >= 0 && s.posts_per_week <= MAX_POSTS_PER_WEEK)) {
    out.push({ path: ['posts_per_week'], message: s.posts_per_week < 0 ? 'must be ≥ 0' : `must be at most ${MAX_POSTS_PER_WEEK}`, key: 'between', vars: { min: 0, max: MAX_POSTS_PER_WEEK } });
  }
  if (s.active_share != null) pct(['active_share'], s.active_share);
  for (const [r, v] of Object.entries(s.rubric_share ?? {})) {
    if (!rubrics.includes(r)) out.push({ path: ['rubric_share', r], message: `no rubric ${r}; rubrics are ${rubrics.join(', ')}`, key: 'no_rubric', vars: { rubric: r } });
    else pct(['rubric_share', r], v);
  }
  if (s.posts_per_week == null && s.active_share == null && Object.keys(s.rubric_share ?? {}).length === 0) {
    out.push({ path: ['posts_per_week'], message: 'give at least one of posts_per_week, active_share, rubric_share', key: 'standard_empty' });
  }
  return out;
}
