// What the information-work pages show (UX "Publications", "Best posts", the overview panel), built from the
// measures module (src/publications/measures-data.ts): routes stay thin, templates only format.
import type { Db } from '../db';
import type { OrgRow } from '../db/orgs';
import { LEVELS, type AppConfig, type Language } from '../src/config';
import { addDays, fromEpochDay, toEpochDay } from '../src/domain/dates';
import type { Platform, PlatformGroup } from '../src/domain/growth';
import { change, checkStandard, daysSinceLastPost, knownMeasures, meetsStandard, publicationMeasures, rubricShare, sumFigures, type PostFigures, type PublicationMeasures, type Standard, type StandardCheck, type UnknownMeasures } from '../src/domain/publications';
import { isoWeek, isoWeekday } from '../src/domain/periods';
import type { RubricDefinition } from '../src/domain/rubrics';
import { loadTree, type OrgNode } from '../src/growth/tree';
import { allOrgsPostFigures, lastPostDay, orgPostDaily, orgPostFigures, ZERO_FIGURES } from '../src/posts/figures';
import { orgStatesOn, silentAccountsOn } from '../src/posts/states';
import { asStandard, currentStandards } from '../src/publications/standards-store';
import { ensureInformationWork, orgActiveShare, orgCompliance, postsReadOrgs } from '../src/publications/measures-data';
import { rubricPostsOf } from '../src/publications/rubric-figures';
import { bestPosts, type BestPost } from '../src/publications/best-posts';
import type { PagePeriod } from './params';

export const POST_GROUPS = ['social', 'facebook', 'instagram', 'telegram'] as const;
const PLATFORM_COLOURS: Record<string, string> = { facebook: '#1877F2', instagram: '#C13584', telegram: '#229ED9', social: '#111827' };
/** Weeks the posts-per-week bars and the ER/VR lines show, ending with the period's last week. */
export const CHART_WEEKS = 26;

export function rubricName(r: RubricDefinition, lang: Language): string {
  return r.name[lang] ?? r.name.ru;
}

type Measures = PublicationMeasures | UnknownMeasures;

type Headline = Measures & {
  silent: number;
  accounts: number;
  /** false when the org's posts were never read: its figures are unknown ("no data"), not 0 */
  postsRead: boolean;
  prev: Measures;
  posts_change: number | null;
};

export interface ThemeRow {
  slug: string;
  name: string;
  rubric_posts: number | null;
  share: number | null;
  prev_share: number | null;
  standard: number | null;
  met: boolean | null;
}

export interface ChildRow {
  org: OrgNode & { name_ru: string; name_kk: string | null; name_en: string | null };
  /** null (and posts_per_week, ER): the child's posts were never read — no data, judged by no standard */
  posts: number | null;
  posts_per_week: number | null;
  prev_posts_per_week: number | null;
  engagement_rate: number | null;
  active_share: number | null;
  silent: number;
  met: boolean | null;
  /** which standard criteria failed, as text keys for the tooltip */
  failed: string[];
}

function weeksEnding(to: string): { from: string; to: string; label: string }[] {
  const lastMonday = addDays(to, 1 - isoWeekday(to));
  const out: { from: string; to: string; label: string }[] = [];
  for (let i = CHART_WEEKS - 1; i >= 0; i--) {
    const from = addDays(lastMonday, -7 * i);
    const w = isoWeek(from);
    out.push({ from, to: addDays(from, 6), label: `${w.year}-W${String(w.week).padStart(2, '0')}` });
  }
  return out;
}

function weekly(daily: PostFigures[], firstDay: number, weeks: { from: string }[]): PostFigures[] {
  return weeks.map((w) => {
    const start = toEpochDay(w.from) - firstDay;
    return sumFigures(daily.slice(start, start + 7));
  });
}

/** Everything the Publications page of one org shows. */
export function publicationsPageData(db: Db, config: AppConfig, org: OrgRow, period: PagePeriod, group: PlatformGroup, lang: Language) {
  ensureInformationWork(db, config.rubrics);
  const tree = loadTree(db);
  const node = tree.byId.get(org.id)!;
  const rowsById = tree.byId;
  const from = toEpochDay(period.from);
  const to = toEpochDay(period.to);
  const pFrom = toEpochDay(period.prev.from);
  const pTo = toEpochDay(period.prev.to);
  const days = to - from + 1;
  const prevDays = pTo - pFrom + 1;
  // the figures of the org and its children only, each read by its own key range
  const shown = [node, ...node.children];
  const figuresOf = (f: number, t: number) => new Map(shown.map((o) => [o.id, orgPostFigures(db, o.id, group, f, t)]));
  const figures = figuresOf(from, to);
  const prevFigures = figuresOf(pFrom, pTo);
  // the precomputed account states of the org and its children (src/posts/states.ts): a row each
  const states = orgStatesOn(db, group, to, shown.map((o) => o.id));
  const own = states.get(org.id)!;
  const prevOwn = orgStatesOn(db, group, pTo, [org.id]).get(org.id)!;
  const read = postsReadOrgs(states);

  const m = knownMeasures(figures.get(org.id) ?? ZERO_FIGURES, days, read.has(org.id));
  const prev = knownMeasures(prevFigures.get(org.id) ?? ZERO_FIGURES, prevDays, read.has(org.id));
  const headline: Headline = {
    ...m,
    postsRead: read.has(org.id),
    accounts: own.tracked,
    silent: own.silent,
    prev,
    posts_change: change(m.posts, prev.posts),
  };

  // standards of this org's level on this platform group
  const standards = currentStandards(db, { day: period.to }).map(asStandard).filter((s) => s.platform === group);
  const ownStandards = standards.filter((s) => s.level === org.level);

  // themes: the org's rubric shares beside the previous period and its standard
  const orgs = [node, ...node.children];
  const rubricNow = rubricPostsOf(db, orgs, group, from, to);
  const rubricPrev = rubricPostsOf(db, [node], group, pFrom, pTo).get(node.id)!;
  const required = new Map<string, number>();
  for (const s of ownStandards) for (const [r, v] of Object.entries(s.rubric_share ?? {})) required.set(r, v);
  const themes: ThemeRow[] = config.rubrics.map((r) => {
    const n = m.posts === null ? null : (rubricNow.get(node.id)!.get(r.slug) ?? 0);
    const share = n === null ? null : rubricShare(n, m.posts);
    const standard = required.get(r.slug) ?? null;
    return {
      slug: r.slug,
      name: rubricName(r, lang),
      rubric_posts: n,
      share,
      prev_share: rubricShare(rubricPrev.get(r.slug) ?? 0, prev.posts),
      standard,
      met: standard === null || share === null ? null : share >= standard,
    };
  });

  // charts: posts per week by platform, ER and VR per week (social), over the weeks ending with the period
  const weeks = weeksEnding(period.to);
  const firstDay = toEpochDay(weeks[0].from);
  const lastDay = toEpochDay(weeks[weeks.length - 1].to);
  const barGroups = group === 'social' ? (['facebook', 'instagram', 'telegram'] as const) : [group];
  const bars = barGroups.map((g) => ({ key: g, color: PLATFORM_COLOURS[g], data: weekly(orgPostDaily(db, org.id, g, firstDay, lastDay), firstDay, weeks).map((f) => f.posts) }));
  const rates = weekly(orgPostDaily(db, org.id, group, firstDay, lastDay), firstDay, weeks).map((f) => publicationMeasures(f, 7));

  // children, with active share (of the level below each) and the standards of their level
  const childStandards = standards.filter((s) => node.children.some((c) => c.level === s.level));
  const children: ChildRow[] = node.children.map((c) => {
    const cm = knownMeasures(figures.get(c.id) ?? ZERO_FIGURES, days, read.has(c.id));
    const cp = knownMeasures(prevFigures.get(c.id) ?? ZERO_FIGURES, prevDays, read.has(c.id));
    // an org whose posts were never read: nothing to judge (its active share would read "no post" as 0)
    const active = read.has(c.id) ? orgActiveShare(c, states.get(c.id)!).active_share : null;
    const cr = rubricNow.get(c.id)!;
    const rubricShares: Record<string, number | null> = {};
    for (const r of config.rubrics) rubricShares[r.slug] = rubricShare(cr.get(r.slug) ?? 0, cm.posts);
    const results = orgCompliance(childStandards, c, group, { posts_per_week: cm.posts_per_week, active_share: active, rubric_share: rubricShares });
    const failed = results.flatMap((x) => x.checks.filter((k) => k.met === false).map((k) => k.measure));
    const met = results.length === 0 ? null : results.some((x) => x.met === false) ? false : results.every((x) => x.met === true) ? true : null;
    return {
      org: c as ChildRow['org'],
      posts: cm.posts,
      posts_per_week: cm.posts_per_week,
      prev_posts_per_week: cp.posts_per_week,
      engagement_rate: cm.engagement_rate,
      active_share: active,
      silent: states.get(c.id)!.silent,
      met,
      failed,
    };
  });

  // silent channels of the subtree, longest silence first
  const silent = silentChannels(db, node, group, to)
    .sort((a, b) => (b.days_since_last_post ?? Infinity) - (a.days_since_last_post ?? Infinity) || a.id - b.id)
    .map((a) => ({ ...a, org: rowsById.get(a.org_id)!, last_post_date: a.last_post_day === null ? null : fromEpochDay(a.last_post_day) }));

  const activeLevel = node.children.length ? (node.children[0].level as string) : null;
  const active = activeLevel ? own.active(activeLevel) : null;
  const prevActive = activeLevel ? prevOwn.active(activeLevel) : null;
  const compliance = ownStandards.map((s) => {
    const rs: Record<string, number | null> = {};
    for (const t of themes) rs[t.slug] = t.share;
    const ownActive = read.has(node.id) ? orgActiveShare(node, own).active_share : null;
    const r = orgCompliance([s], node, group, { posts_per_week: m.posts_per_week, active_share: ownActive, rubric_share: rs })[0];
    return { ...r, checks: r.checks.map((k) => ({ ...k, rubricName: k.measure.startsWith('rubric_share:') ? (themes.find((x) => `rubric_share:${x.slug}` === k.measure)?.name ?? k.measure.slice(13)) : null })) };
  });

  return {
    headline,
    themes,
    children,
    levels: complianceByLevel(db, config, node, group, from, to, standards, lang),
    silent,
    active,
    prevActive,
    activeLevel,
    compliance,
    chart: {
      weeks: weeks.map((w) => w.label),
      weekStarts: weeks.map((w) => w.from),
      bars,
      er: rates.map((r) => r.engagement_rate),
      vr: rates.map((r) => r.view_rate),
    },
  };
}

export type PublicationsPageData = ReturnType<typeof publicationsPageData>;

/** Orgs not meeting a standard listed on the page (worst first); the counts cover them all. */
export const COMPLIANCE_LIST = 25;

export interface LevelCompliance {
  level: string;
  standard: Standard;
  /** orgs of the level in the subtree */
  orgs: number;
  met: number;
  not_met: number;
  /** nothing to judge (no posts, no accounts) */
  unknown: number;
  /** those not meeting it, the largest shortfall first: each failed criterion with its figure and by how much */
  failing: { org: OrgNode; checks: (StandardCheck & { rubricName: string | null })[]; worst: number }[];
}

/**
 * The compliance view (DESIGN §11 standards): for each standard of a level below the org, how many of the
 * subtree's orgs of that level meet it, how many do not and by how much.
 */
function complianceByLevel(
  db: Db,
  config: AppConfig,
  node: OrgNode,
  group: PlatformGroup,
  from: number,
  to: number,
  standards: readonly Standard[],
  lang: Language,
): LevelCompliance[] {
  const below = standards.filter((s) => s.level !== node.level && LEVELS.indexOf(s.level as (typeof LEVELS)[number]) > LEVELS.indexOf(node.level as (typeof LEVELS)[number]));
  if (below.length === 0) return [];
  const days = to - from + 1;
  const all: OrgNode[] = [];
  const walk = (n: OrgNode) => {
    all.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  const figures = allOrgsPostFigures(db, group, from, to);
  // each judged org's precomputed states (its active share over the level below it; whether its posts were read)
  const judged = all.filter((o) => below.some((s) => s.level === o.level));
  const states = orgStatesOn(db, group, to, judged.map((o) => o.id));
  const read = postsReadOrgs(states);
  const names = new Map(config.rubrics.map((r) => [r.slug, rubricName(r, lang)]));
  return below.map((standard) => {
    const orgs = all.filter((o) => o.level === standard.level);
    const rubricCounts = standard.rubric_share ? rubricPostsOf(db, orgs, group, from, to) : undefined;
    let met = 0;
    let notMet = 0;
    let unknown = 0;
    const failing: LevelCompliance['failing'] = [];
    for (const o of orgs) {
      // never read: unknown on every criterion, not a failure
      const known = read.has(o.id);
      const m = knownMeasures(figures.get(o.id) ?? ZERO_FIGURES, days, known);
      const rs: Record<string, number | null> = {};
      for (const r of Object.keys(standard.rubric_share ?? {})) rs[r] = rubricShare(rubricCounts?.get(o.id)?.get(r) ?? 0, m.posts);
      const checks = checkStandard(standard, { posts_per_week: m.posts_per_week, active_share: known && standard.active_share !== undefined ? orgActiveShare(o, states.get(o.id)!).active_share : null, rubric_share: rs });
      const result = meetsStandard(checks);
      if (result === true) met++;
      else if (result === null) unknown++;
      else {
        notMet++;
        const failed = checks.filter((k) => k.met === false);
        failing.push({
          org: o,
          checks: failed.map((k) => ({ ...k, rubricName: k.measure.startsWith('rubric_share:') ? (names.get(k.measure.slice(13)) ?? k.measure.slice(13)) : null })),
          // the shortfall as a share of what is required, so posts a week and percentages compare
          worst: Math.max(...failed.map((k) => (k.required > 0 ? -(k.margin ?? 0) / k.required : 0))),
        });
      }
    }
    failing.sort((a, b) => b.worst - a.worst || a.org.slug.localeCompare(b.org.slug));
    return { level: standard.level, standard, orgs: orgs.length, met, not_met: notMet, unknown, failing: failing.slice(0, COMPLIANCE_LIST) };
  });
}

/** The overview's compact information-work panel: posts of the period, active share of primaries, the least-covered theme. */
export function informationPanel(db: Db, config: AppConfig, org: OrgRow, period: PagePeriod, lang: Language) {
  ensureInformationWork(db, config.rubrics);
  const tree = loadTree(db);
  const node = tree.byId.get(org.id);
  if (!node) return null;
  const from = toEpochDay(period.from);
  const to = toEpochDay(period.to);
  const st = orgStatesOn(db, 'social', to, [org.id]).get(org.id)!;
  const postsRead = st.everRead > 0;
  const f = orgPostFigures(db, org.id, 'social', from, to);
  const p = orgPostFigures(db, org.id, 'social', toEpochDay(period.prev.from), toEpochDay(period.prev.to));
  const active = st.active('primary');
  const counts = rubricPostsOf(db, [node], 'social', from, to).get(node.id)!;
  let least: { name: string; share: number | null } | null = null;
  for (const r of postsRead ? config.rubrics : []) {
    const share = rubricShare(counts.get(r.slug) ?? 0, f.posts);
    if (least === null || (share ?? 0) < (least.share ?? 0)) least = { name: rubricName(r, lang), share };
  }
  // never read: "no data", not 0 posts
  return { posts: postsRead ? f.posts : null, posts_change: postsRead ? f.posts - p.posts : null, active, least, postsRead };
}

export interface BestQuery {
  from: string;
  to: string;
  group: PlatformGroup;
  rubric?: string;
  level?: string;
  org?: OrgRow;
}

/** The best posts page: cards of the most engaging posts of the period across the tree (or an org's subtree). */
export function bestPostsData(db: Db, config: AppConfig, q: BestQuery, lang: Language): (BestPost & { excerpt: string; rubricNames: string[]; date: string; interactions: number })[] {
  ensureInformationWork(db, config.rubrics);
  let orgIds: number[] | undefined;
  if (q.org) {
    const tree = loadTree(db);
    orgIds = [];
    const walk = (n: OrgNode) => {
      orgIds!.push(n.id);
      n.children.forEach(walk);
    };
    walk(tree.byId.get(q.org.id)!);
  }
  const names = new Map(config.rubrics.map((r) => [r.slug, rubricName(r, lang)]));
  return bestPosts(db, { from: toEpochDay(q.from), to: toEpochDay(q.to), group: q.group, rubric: q.rubric, level: q.level, orgIds, limit: 30 }).map((p) => ({
    ...p,
    excerpt: p.text.length > 320 ? `${p.text.slice(0, 317).trimEnd()}…` : p.text,
    rubricNames: p.rubrics.filter((r) => names.has(r)).map((r) => names.get(r)!),
    date: fromEpochDay(p.day),
    interactions: (p.reactions ?? 0) + (p.comments ?? 0) + (p.shares ?? 0),
  }));
}

/** The subtree's channels silent on the day, with their latest post (the page's list). */
function silentChannels(db: Db, node: OrgNode, group: PlatformGroup, day: number) {
  const ids: number[] = [];
  const walk = (n: OrgNode) => {
    ids.push(n.id);
    n.children.forEach(walk);
  };
  walk(node);
  // (the whole tree: every account, without a list of 50,000 org ids at ten times the union)
  const whole = ids.length === loadTree(db).byId.size;
  const silent = silentAccountsOn(db, group, day, whole ? undefined : ids);
  if (silent.length === 0) return [];
  const rows = db.prepare('SELECT id, org_id, platform, platform_id, title FROM accounts WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(silent)) as {
    id: number;
    org_id: number;
    platform: Platform;
    platform_id: string;
    title: string | null;
  }[];
  return rows.map((a) => {
    const last = lastPostDay(db, a.id, day);
    return { ...a, last_post_day: last, days_since_last_post: daysSinceLastPost(day, last) };
  });
}
