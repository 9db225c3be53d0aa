// View models for the overview and organisation pages, built from the growth engine's read side
// (src/growth/*) so pages, exports and the API show the same numbers; accounts and their
// latest readings come from web/queries.ts.
import type { Db } from '../db';
import type { OrgRow } from '../db/orgs';
import type { Language, Platform, PlatformGroup } from '../src/config';
import { addDays, fromEpochDay, toEpochDay } from '../src/domain/dates';
import type { TargetStatus } from '../src/domain/targets';
import { suspiciousFlags } from '../src/growth/accounts';
import { orgsGrowth } from '../src/growth/growth';
import { audienceSeriesDays } from '../src/growth/series';
import { targetRows, targetVersions, type TargetRow } from '../src/growth/targets';
import { childrenById, isWithin, loadTree, type OrgNode } from '../src/growth/tree';
import { formatDate, formatNumber } from '../src/i18n/format';
import type { Translate } from './i18n';
import type { PagePeriod } from './params';
import { accountAudienceOn, accountStates, isClosed, isFailing, isStale, subtreeProblems } from './queries';

export const GROUPS: PlatformGroup[] = ['social', 'facebook', 'instagram', 'telegram', 'newspaper'];
export const COLORS: Record<PlatformGroup, string> = {
  social: '#111827',
  facebook: '#1877F2',
  instagram: '#C13584',
  telegram: '#229ED9',
  newspaper: '#6B7280',
};
/** Worst first when a status column is sorted ascending. */
export const STATUS_ORDER: Record<TargetStatus, number> = { missed: 0, behind: 1, at_risk: 2, no_data: 3, on_track: 4, achieved: 5 };
export const CHART_RANGES = { '90d': 90, '1y': 365, '3y': 3 * 365 } as const;
export type ChartRange = keyof typeof CHART_RANGES;

export interface OrgIndex {
  bySlug: Map<string, OrgNode>;
  byId: Map<number, OrgNode>;
  /** children ordered by id */
  children: Map<number, OrgNode[]>;
}

const indexes = new WeakMap<object, OrgIndex>();

/** Every organisation by slug, by id and by parent: a view of the one org tree (src/growth/tree.ts), cached with it. */
export function orgIndex(db: Db): OrgIndex {
  const tree = loadTree(db);
  let index = indexes.get(tree);
  if (!index) indexes.set(tree, (index = { bySlug: tree.bySlug, byId: tree.byId, children: childrenById(tree) }));
  return index;
}

export interface GroupCard {
  group: PlatformGroup;
  audience: number | null;
  net_growth: number | null;
  growth_percent: number | null;
  prev_net_growth: number | null;
  prev_growth_percent: number | null;
}

export interface TargetView extends TargetRow {
  expected_percent: number | null;
  status_order: number;
}

export function targetView(r: TargetRow): TargetView {
  const span = r.target - r.baseline;
  return { ...r, expected_percent: r.expected === null || span === 0 ? null : ((r.expected - r.baseline) / span) * 100, status_order: STATUS_ORDER[r.status] };
}

/** The target a row shows for an org: the next one due, else the last one that was due. */
function pickTarget(rows: TargetRow[], today: string): TargetRow | undefined {
  const upcoming = rows.filter((r) => r.due_date >= today).sort((a, b) => a.due_date.localeCompare(b.due_date));
  if (upcoming.length) return upcoming[0];
  return [...rows].sort((a, b) => b.due_date.localeCompare(a.due_date))[0];
}

function sparkPoints(values: Array<number | null>): string {
  const defined = values.filter((v): v is number => v !== null);
  if (defined.length < 2) return '';
  const min = Math.min(...defined);
  const max = Math.max(...defined);
  const span = max - min || 1;
  const step = 100 / (values.length - 1);
  return values
    .map((v, i) => (v === null ? null : `${(i * step).toFixed(1)},${(22 - ((v - min) / span) * 20).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
}

export function channelUrl(platform: Platform, id: string): string | null {
  if (platform === 'facebook' && /^\d+$/.test(id)) return `https://www.facebook.com/${id}`;
  if (platform === 'telegram' && id.startsWith('@')) return `https://t.me/${id.slice(1)}`;
  return null;
}

export interface OrgPageInput {
  db: Db;
  index: OrgIndex;
  org: OrgRow;
  period: PagePeriod;
  platform: PlatformGroup;
  today: string;
  chartRange: ChartRange;
  lang: Language;
  t: Translate;
  /** List every channel of the children too, not only those that need attention (`?accounts=all`). */
  allAccounts?: boolean;
  /** List every suspicious-growth flag, not only the latest ones (`?flags=all`). */
  allFlags?: boolean;
}

/** Suspicious-growth flags listed before "show all". */
export const FLAGS_SHOWN = 10;

export function orgPageData(input: OrgPageInput) {
  const { db, index, org, period, platform, today } = input;
  const tree = loadTree(db);
  const kids = index.children.get(org.id) ?? [];

  // Headline cards: every group for this org, this period and the previous one.
  const groups: GroupCard[] = GROUPS.map((g) => {
    const cur = orgsGrowth(db, [org], g, period.from, period.to).get(org.id);
    const prev = orgsGrowth(db, [org], g, period.prev.from, period.prev.to).get(org.id);
    return {
      group: g,
      audience: cur?.audience_end ?? null,
      net_growth: cur?.net_growth ?? null,
      growth_percent: cur?.growth_percent ?? null,
      prev_net_growth: prev?.net_growth ?? null,
      prev_growth_percent: prev?.growth_percent ?? null,
    };
  });
  const selected = orgsGrowth(db, kids, platform, period.from, period.to);

  // Targets of the subtree on `today`.
  // (only the org's own and its children's: the page shows no deeper target)
  const allTargets = targetRows(db, today, { org: org.slug, orgIds: [org.id, ...kids.map((k) => k.id)] });
  const ownTargets = allTargets.filter((r) => r.org === org.slug).map(targetView);

  // Children table for the selected platform.
  const sparkFrom = toEpochDay(addDays(period.to, -89));
  const children = kids.map((c) => {
    const g = selected.get(c.id);
    const tg = pickTarget(allTargets.filter((r) => r.org === c.slug && r.platform === platform), today);
    const series = audienceSeriesDays(db, c.id, platform, sparkFrom, sparkFrom + 89).filter((_, i) => i % 3 === 0 || i === 89);
    return {
      org: c,
      audience: g?.audience_end ?? null,
      net_growth: g?.net_growth ?? null,
      growth_percent: g?.growth_percent ?? null,
      per_1000_members: g?.per_1000_members ?? null,
      target: tg ? targetView(tg) : null,
      spark: sparkPoints(series),
    };
  });

  // Accounts: this org's own and those of the organisations directly below it.
  const scopeIds = [org.id, ...kids.map((k) => k.id)];
  const flagFrom = period.from < addDays(today, -89) ? period.from : addDays(today, -89);
  const flagRows = suspiciousFlags(db, { org: org.slug, from: flagFrom, to: today });
  const flagCount = new Map<string, number>();
  for (const f of flagRows) flagCount.set(`${f.platform}:${f.account}`, (flagCount.get(`${f.platform}:${f.account}`) ?? 0) + 1);
  const states = accountStates(db, scopeIds);
  const dayBefore = addDays(period.from, -1);
  const allAccountRows = states.map((a) => {
    const end = accountAudienceOn(db, a.id, period.to);
    const start = accountAudienceOn(db, a.id, dayBefore);
    const closed = isClosed(a, today);
    return {
      ...a,
      org: index.byId.get(a.org_id)!,
      url: channelUrl(a.platform, a.platform_id),
      audience: a.last_audience,
      delta: end !== null && start !== null ? end - start : null,
      last_date: a.last_day === null ? null : fromEpochDay(a.last_day),
      state: closed ? 'closed' : isStale(a, today) ? 'stale' : 'ok',
      failing: isFailing(a, today),
      flags: flagCount.get(`${a.platform}:${a.platform_id}`) ?? 0,
    };
  });
  // The national overview had 65 channel rows (9,700 px): by default the org's own channels, and of its
  // children's only those that need attention (not updating, failing, flagged); the rest a click away.
  const needsAttention = (a: (typeof allAccountRows)[number]) => a.org_id === org.id || a.state === 'stale' || a.failing || a.flags > 0;
  const accounts = input.allAccounts ? allAccountRows : allAccountRows.filter(needsAttention);
  // Stale and failing counts cover the whole subtree (the accounts table shows two levels).
  const { stale: staleCount, failing: failingCount } = kids.length ? subtreeProblems(db, (id) => isWithin(tree, org.id, id), today) : {
    stale: states.filter((a) => isStale(a, today)).length,
    failing: states.filter((a) => isFailing(a, today)).length,
  };

  const flags = flagRows.slice(0, input.allFlags ? 100 : FLAGS_SHOWN).map((f) => ({ ...f, day: toEpochDay(f.date), org: index.bySlug.get(f.org)! }));

  return {
    groups,
    targets: ownTargets,
    children,
    accounts,
    accountsTotal: allAccountRows.length,
    accountsAll: !!input.allAccounts || accounts.length === allAccountRows.length,
    accountsScope: kids.length ? 'own_and_children' : 'own',
    flagsTotal: Math.min(flagRows.length, 100),
    staleCount,
    failingCount,
    flags,
    flagFrom,
    chartJson: chartJson(input, ownTargets, db),
  };
}

// The chart formats its axis in the browser, whose ICU may lack Kazakh number data (Chromium prints
// 1,400,000 for kk-KZ); Kazakh writes numbers as Russian does (1 400 000), so kk charts use ru-RU.
export const CHART_LOCALES: Record<Language, string> = { ru: 'ru-RU', kk: 'ru-RU', en: 'en-GB' };

/** The audience chart's data: one line per platform group, and per target its straight path, forecast and point. */
function chartJson(input: OrgPageInput, targets: TargetView[], db: Db): string {
  const { org, today, chartRange, lang, t } = input;
  const from = addDays(today, -CHART_RANGES[chartRange] + 1);
  const fromDay = toEpochDay(from);
  const toDay = toEpochDay(today);
  const dates = Array.from({ length: Math.max(0, toDay - fromDay + 1) }, (_, i) => fromEpochDay(fromDay + i)); // shared by the five lines
  const series = GROUPS.map((g) => ({
    key: g,
    label: t(`platform.${g}`),
    color: COLORS[g],
    data: audienceSeriesDays(db, org.id, g, fromDay, toDay).map((y, i) => ({ x: dates[i], y })),
  })).filter((s) => s.data.some((p) => p.y !== null));
  const versions = targetVersions(db, { org: org.slug });
  let xMax = today;
  const chartTargets = targets.map((r) => {
    if (r.due_date > xMax) xMax = r.due_date;
    const decision = versions.find((v) => v.platform === r.platform && v.due_date === r.due_date)?.decision ?? null;
    const name = t(`platform.${r.platform}`);
    return {
      color: COLORS[r.platform],
      pathLabel: `${t('chart.target_path')}: ${name}`,
      forecastLabel: `${t('chart.forecast')}: ${name}`,
      pointLabel: `${t('col.target')}: ${name}`,
      path: [
        { x: r.baseline_date, y: r.baseline },
        { x: r.due_date, y: r.target },
      ],
      forecast: r.forecast !== null && r.current !== null && r.date < r.due_date ? [{ x: r.date, y: r.current }, { x: r.due_date, y: r.forecast }] : null,
      point: { x: r.due_date, y: r.target },
      details: [
        `${t('col.due_date')}: ${formatDate(r.due_date, lang)}`,
        `${t('col.status')}: ${t(`status.${r.status}`)}`,
        `${t('col.forecast')}: ${formatNumber(r.forecast, lang)}`,
        decision ? `${t('col.decision')}: ${decision}` : `${t('col.decision')}: —`,
      ],
    };
  });
  const data = { lang, locale: CHART_LOCALES[lang], xMin: from, xMax, today, series, targets: chartTargets };
  // Inside a <script type="application/json"> block: no "<" may end it early.
  return JSON.stringify(data).replace(/</g, '\\u003c');
}
