// View models for the overview and organisation pages, built from the growth engine's read side
// (src/growth/*) so pages, exports and the API show the same numbers; accounts and their
// latest readings come from web/queries.ts.
import type { Db } from '../db';
import type { OrgRow } from '../db/orgs';
import type { Language, Platform, PlatformGroup } from '../src/config';
import { addDays, fromEpochDay, toEpochDay } from '../src/domain/dates';
import { STATUS_SEVERITY, targetGap, type TargetStatus } from '../src/domain/targets';
import { suspiciousFlags } from '../src/growth/accounts';
import { orgsGrowth } from '../src/growth/growth';
import { audienceSeriesDays } from '../src/growth/series';
import { connectedSinceBaseline, targetRows, targetVersions, type TargetRow } from '../src/growth/targets';
import { childrenById, isWithin, loadTree, type OrgNode } from '../src/growth/tree';
import { formatDate, formatNumber } from '../src/i18n/format';
import type { Translate } from './i18n';
import { paging, type PagePeriod } from './params';
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
export const STATUS_ORDER: Record<TargetStatus, number> = STATUS_SEVERITY;
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

/** Headline cards: every platform group for an org, the period and the one it is compared with. */
export function groupCards(db: Db, org: OrgRow, period: Pick<PagePeriod, 'from' | 'to' | 'prev'>): GroupCard[] {
  return GROUPS.map((g) => {
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
}

export interface OrgPageInput {
  db: Db;
  index: OrgIndex;
  org: OrgRow;
  period: PagePeriod;
  platform: PlatformGroup;
  today: string;
  chartRange: ChartRange;
  chartView?: ChartView;
  lang: Language;
  t: Translate;
  /** List every channel of the children too, not only those that need attention (`?accounts=all`). */
  allAccounts?: boolean;
  /** List every suspicious-growth flag, not only the latest ones (`?flags=all`). */
  allFlags?: boolean;
  /** The page of the children table (`?children_page=`), CHILDREN_PER_PAGE rows each; the first when absent. */
  childrenPage?: number;
}

/** Rows of the children table on one page: a branch with 1,400 organisations below it is shown a page at a time. */
export const CHILDREN_PER_PAGE = 100;

/** Suspicious-growth flags listed before "show all". */
export const FLAGS_SHOWN = 10;

export function orgPageData(input: OrgPageInput) {
  const { db, index, org, period, platform, today } = input;
  const tree = loadTree(db);
  const kids = index.children.get(org.id) ?? [];
  // The children table a page at a time, as rankings are: figures, targets and sparklines for the rows shown only.
  const childrenPaging = paging(kids.length, input.childrenPage, CHILDREN_PER_PAGE, 'children_page');
  const shownKids = kids.slice(childrenPaging.start, childrenPaging.end);

  const groups = groupCards(db, org, period);
  const selected = orgsGrowth(db, shownKids, platform, period.from, period.to);
  const before = orgsGrowth(db, shownKids, platform, period.prev.from, period.prev.to);

  // Targets of the subtree on `today`.
  // (only the org's own and its children's shown: the page shows no deeper target)
  const allTargets = targetRows(db, today, { org: org.slug, orgIds: [org.id, ...shownKids.map((k) => k.id)] });
  const own = allTargets.filter((r) => r.org === org.slug);
  const connected = connectedSinceBaseline(db, own.map((r) => ({ orgId: org.id, platform: r.platform, baseline_date: r.baseline_date, date: r.date })));
  const ownTargets = own.map((r, i) => Object.assign(targetView(r), { gap: targetGap(r), connected: connected[i] }));

  // Children table for the selected platform.
  const sparkFrom = toEpochDay(addDays(period.to, -89));
  const targetsOf = new Map<string, typeof allTargets>();
  for (const r of allTargets) if (r.platform === platform) targetsOf.set(r.org, [...(targetsOf.get(r.org) ?? []), r]);
  const children = shownKids.map((c) => {
    const g = selected.get(c.id);
    const tg = pickTarget(targetsOf.get(c.slug) ?? [], today);
    const series = audienceSeriesDays(db, c.id, platform, sparkFrom, sparkFrom + 89).filter((_, i) => i % 3 === 0 || i === 89);
    return {
      org: c,
      audience: g?.audience_end ?? null,
      net_growth: g?.net_growth ?? null,
      growth_percent: g?.growth_percent ?? null,
      per_1000_members: g?.per_1000_members ?? null,
      prev_net_growth: before.get(c.id)?.net_growth ?? null,
      prev_growth_percent: before.get(c.id)?.growth_percent ?? null,
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
    const closed = isClosed(a, today);
    return {
      ...a,
      org: index.byId.get(a.org_id)!,
      url: channelUrl(a.platform, a.platform_id),
      audience: a.last_audience,
      last_date: a.last_day === null ? null : fromEpochDay(a.last_day),
      state: closed ? 'closed' : isStale(a, today) ? 'stale' : 'ok',
      failing: isFailing(a, today),
      flags: flagCount.get(`${a.platform}:${a.platform_id}`) ?? 0,
    };
  });
  // The national overview had 65 channel rows (9,700 px): by default the org's own channels, and of its
  // children's only those that need attention (not updating, failing, flagged); the rest a click away.
  const needsAttention = (a: (typeof allAccountRows)[number]) => a.org_id === org.id || a.state === 'stale' || a.failing || a.flags > 0;
  // The period's change is read for the rows listed only (two readings each).
  const accounts = (input.allAccounts ? allAccountRows : allAccountRows.filter(needsAttention)).map((a) => {
    const end = accountAudienceOn(db, a.id, period.to);
    const start = accountAudienceOn(db, a.id, dayBefore);
    return { ...a, delta: end !== null && start !== null ? end - start : null };
  });
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
    childrenPaging,
    accounts,
    accountsTotal: allAccountRows.length,
    accountsAll: !!input.allAccounts || accounts.length === allAccountRows.length,
    accountsScope: kids.length ? 'own_and_children' : 'own',
    flagsTotal: Math.min(flagRows.length, 100),
    staleCount,
    failingCount,
    flags,
    flagFrom,
    ...chartData(input, ownTargets, db),
  };
}

// The chart formats its axis in the browser, whose ICU may lack Kazakh number data (Chromium prints
// 1,400,000 for kk-KZ); Kazakh writes numbers as Russian does (1 400 000), so kk charts use ru-RU.
export const CHART_LOCALES: Record<Language, string> = { ru: 'ru-RU', kk: 'ru-RU', en: 'en-GB' };

/** Days of forecast shown after today: a short dotted tail, about a twelfth of the range (a week on 90 days). */
export function forecastTailDays(rangeDays: number): number {
  return Math.max(7, Math.round(rangeDays / 12));
}

export const CHART_VIEWS = ['audience', 'daily', 'weekly'] as const;
export type ChartView = (typeof CHART_VIEWS)[number];

/**
 * The audience chart's data: the social total (big) and one small chart per platform group, each with its own
 * y-axis scaled to its data; per target its straight path, a short forecast tail and the target point (shown
 * when its due date falls inside the range). The range ends today plus the forecast tail.
 */
export function chartData(input: OrgPageInput, targets: TargetView[], db: Db): { chartJson: string; chartGroups: PlatformGroup[] } {
  const { org, today, chartRange, lang, t } = input;
  const rangeDays = CHART_RANGES[chartRange];
  const from = addDays(today, -rangeDays + 1);
  const fromDay = toEpochDay(from);
  const toDay = toEpochDay(today);
  const tail = forecastTailDays(rangeDays);
  const xMax = addDays(today, tail);
  const dates = Array.from({ length: Math.max(0, toDay - fromDay + 1) }, (_, i) => fromEpochDay(fromDay + i)); // shared by the five lines
  const series = GROUPS.map((g) => ({
    key: g,
    label: t(`platform.${g}`),
    color: COLORS[g],
    data: audienceSeriesDays(db, org.id, g, fromDay, toDay).map((y, i) => ({ x: dates[i], y })),
  })).filter((s) => s.data.some((p) => p.y !== null));
  const versions = targetVersions(db, { org: org.slug });
  const chartTargets = targets.map((r) => {
    const decision = versions.find((v) => v.platform === r.platform && v.due_date === r.due_date)?.decision ?? null;
    const name = t(`platform.${r.platform}`);
    const tailEnd = r.due_date < xMax ? r.due_date : xMax;
    const tailDays = toEpochDay(tailEnd) - toEpochDay(r.date);
    return {
      group: r.platform,
      color: COLORS[r.platform],
      pathLabel: `${t('chart.target_path')}: ${name}`,
      forecastLabel: `${t('chart.forecast')}: ${name}`,
      pointLabel: `${t('col.target')}: ${name}`,
      path: [
        { x: r.baseline_date, y: r.baseline },
        { x: r.due_date, y: r.target },
      ],
      forecast: r.daily_rate !== null && r.current !== null && tailDays > 0 ? [{ x: r.date, y: r.current }, { x: tailEnd, y: r.current + r.daily_rate * tailDays }] : null,
      point: r.due_date <= xMax ? { x: r.due_date, y: r.target } : null,
      details: [
        `${t('col.due_date')}: ${formatDate(r.due_date, lang)}`,
        `${t('col.status')}: ${t(`status.${r.status}`)}`,
        `${t('col.forecast')}: ${formatNumber(r.forecast, lang)}`,
        decision ? `${t('col.decision')}: ${decision}` : `${t('col.decision')}: —`,
      ],
    };
  });
  const view = input.chartView ?? 'audience';
  const labels = { daily: t('chart.growth.daily'), weekly: t('chart.growth.weekly') };
  const data = { lang, locale: CHART_LOCALES[lang], xMin: from, xMax: view === 'audience' ? xMax : today, today, view, labels, series, targets: chartTargets };
  return {
    // Inside a <script type="application/json"> block: no "<" may end it early.
    chartJson: JSON.stringify(data).replace(/</g, '\\u003c'),
    // the platform groups with data: one small chart each, under the total
    chartGroups: series.map((x) => x.key).filter((k) => k !== 'social'),
  };
}
