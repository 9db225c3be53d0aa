// The weekly summary (DESIGN §7) for an organisation's subtree and an ISO week: audience per platform with
// net growth and %, the children leading by growth % and per 1,000 members, those that shrank, targets by
// status and the ones most behind. Every figure comes from the rows of `export growth` / `export targets` for
// that week, so the post and the exports always agree. Collection problems are internal: they go to the admin
// chat as alerts (alerts.ts), never to the members' summary.
import type { Db } from '../../db';
import { accountsOfOrgs, allOrgs, orgName, rootOrgs, type OrgRow } from '../../db/orgs';
import type { AppConfig, Language, PlatformGroup } from '../config';
import { isoWeek, isoWeekLabel, parseIsoWeek, type Period } from '../domain/periods';
import { targetGap, type TargetStatus } from '../domain/targets';
import { growthRows, type GrowthRow } from '../growth/growth';
import { connectedSinceBaseline, targetRows, type TargetRow } from '../growth/targets';
import { subtreeIds } from '../growth/tree';
import { formatDate, formatDelta, formatNumber, formatPercent, formatWeek } from '../i18n/format';
import { chatLanguage, sameChat } from './chats';
import { messages, type Catalog } from './messages';
import type { Outbox } from './outbox';
import { escapeHtml, splitMessage } from './split';
import { infoWorkSummary, renderInfoWork, type InfoWorkSummary } from './info-work';

export const SUMMARY_PLATFORMS: readonly PlatformGroup[] = ['social', 'facebook', 'instagram', 'telegram', 'newspaper'];
export const STATUS_ORDER: readonly TargetStatus[] = ['achieved', 'on_track', 'at_risk', 'behind', 'missed', 'no_data'];

export type { GrowthRow, TargetRow };

/** How far a target is behind its straight path, as a share of the whole way (bigger = further behind). */
export function shortfall(t: TargetRow): number {
  const span = t.target - t.baseline;
  if (t.current === null || t.expected === null || span === 0) return Number.NEGATIVE_INFINITY;
  return (t.expected - t.current) / Math.abs(span);
}

/** The targets most behind: `behind` first, then `at_risk`, each by shortfall. */
export function mostBehind(rows: readonly TargetRow[], limit = 5): TargetRow[] {
  const rank = (s: TargetStatus) => (s === 'behind' ? 0 : 1);
  return rows
    .filter((r) => r.status === 'behind' || r.status === 'at_risk')
    .sort((a, b) => rank(a.status) - rank(b.status) || shortfall(b) - shortfall(a) || a.org.localeCompare(b.org))
    .slice(0, limit);
}

export interface SummaryData {
  org: OrgRow;
  week: Period & { label: string; isoYear: number; number: number };
  /** Growth rows of the org itself, one per platform group that has channels in the subtree. */
  audience: GrowthRow[];
  /** Social growth of each direct child. */
  children: { org: OrgRow; row: GrowthRow }[];
  targets: (TargetRow & { orgRow: OrgRow; connected: number })[];
  /** Information work of the week (posts, active primaries, best posts, least-covered theme). */
  info: InfoWorkSummary;
}

/** Gathers the weekly summary's figures for an org's subtree and an ISO week (`YYYY-Www`). */
export function weeklySummaryData(db: Db, config: AppConfig, org: OrgRow, weekLabel: string, _now = new Date()): SummaryData {
  const period = parseIsoWeek(weekLabel);
  const { year, week } = isoWeek(period.from);
  const ids = subtreeIds(db, org.id);
  const orgs = allOrgs(db);
  const bySlug = new Map(orgs.map((o) => [o.slug, o]));
  const present = new Set(accountsOfOrgs(db, ids).map((a) => a.platform as string));
  const audience: GrowthRow[] = [];
  let socialRows: GrowthRow[] = [];
  for (const p of SUMMARY_PLATFORMS) {
    if (p === 'social' ? !['facebook', 'instagram', 'telegram'].some((x) => present.has(x)) : !present.has(p)) continue;
    const rows = growthRows(db, { org: org.slug, platform: p, from: period.from, to: period.to });
    if (p === 'social') socialRows = rows;
    const own = rows.find((r) => r.org === org.slug);
    if (own) audience.push(own);
  }
  const children = socialRows
    .map((row) => ({ org: bySlug.get(row.org) as OrgRow, row }))
    .filter((c) => c.org && c.org.parent_id === org.id);
  const targets = withConnected(db, targetRows(db, period.to, { org: org.slug }).map((t) => ({ ...t, orgRow: bySlug.get(t.org) as OrgRow })));
  return {
    org,
    week: { ...period, label: isoWeekLabel(period.from), isoYear: year, number: week },
    audience,
    children,
    targets,
    info: infoWorkSummary(db, config, org, period.from, period.to),
  };
}

const LIST_LIMIT = 5;
const LONG_LIST_LIMIT = 10;

function name(org: OrgRow, lang: Language): string {
  return escapeHtml(orgName(org, lang));
}

/** A list of lines, cut at `limit` with "…and N more". */
function limited(lines: string[], limit: number, m: Catalog): string[] {
  return lines.length > limit ? [...lines.slice(0, limit), m.more(lines.length - limit)] : lines;
}

/**
 * One target as people read it right: "28 697 из 38 295 · прирост 3,3 % от плана", what is still needed (never a
 * negative need: an achieved target is "выполнено"), the forecast, and the audience that came with channels
 * connected after the baseline date, apart.
 */
export function targetLine(t: TargetRow & { orgRow: OrgRow; connected?: number }, lang: Language, m: Catalog): string {
  const head = m.targetLine(
    name(t.orgRow, lang),
    m.platform[t.platform],
    formatNumber(t.current, lang),
    formatNumber(t.target, lang),
    formatPercent(t.progress_percent, lang),
    formatDate(t.due_date, lang),
  );
  const gap = targetGap(t);
  const extra = [
    gap.done ? m.done : gap.needed !== null ? m.requiredPerDay(formatNumber(gap.needed, lang), gap.perDay === null ? null : formatNumber(gap.perDay, lang, 1)) : null,
    t.forecast !== null ? m.forecast(formatNumber(t.forecast, lang)) : null,
    t.connected ? m.connected(formatDelta(t.connected, lang)) : null,
  ].filter(Boolean);
  return extra.length ? `${head}; ${extra.join('; ')}` : head;
}

/** Targets with the audience their subtrees gained by connecting channels after the baseline date. */
export function withConnected<T extends TargetRow & { orgRow: OrgRow }>(db: Db, rows: T[]): (T & { connected: number })[] {
  const connected = connectedSinceBaseline(db, rows.map((t) => ({ orgId: t.orgRow.id, platform: t.platform, baseline_date: t.baseline_date, date: t.date })));
  return rows.map((t, i) => ({ ...t, connected: connected[i] }));
}

/** Renders the summary as Telegram HTML (one string; splitMessage cuts it into posts). */
export function renderSummary(d: SummaryData, lang: Language): string {
  const m = messages(lang);
  const lines: string[] = [
    m.summaryTitle(formatWeek(d.week.isoYear, d.week.number, lang)),
    `<b>${name(d.org, lang)}</b>`,
    m.dates(formatDate(d.week.from, lang), formatDate(d.week.to, lang)),
    '',
    m.audienceAsOf(formatDate(d.week.to, lang)),
  ];
  for (const r of d.audience) {
    lines.push(
      r.audience_end === null
        ? `${m.platform[r.platform]}: ${m.noData}`
        : m.audienceLine(m.platform[r.platform], formatNumber(r.audience_end, lang), formatDelta(r.net_growth, lang), formatPercent(r.growth_percent, lang, true)),
    );
  }
  if (d.audience.length === 0) lines.push(m.noData);

  if (d.children.length) {
    const byPercent = d.children
      .filter((c) => c.row.growth_percent !== null && (c.row.net_growth ?? 0) > 0)
      .sort((a, b) => (b.row.growth_percent as number) - (a.row.growth_percent as number) || a.org.slug.localeCompare(b.org.slug))
      .slice(0, LIST_LIMIT);
    if (byPercent.length) {
      lines.push('', m.topByPercent);
      byPercent.forEach((c, i) =>
        lines.push(`${i + 1}. ${name(c.org, lang)}: ${formatPercent(c.row.growth_percent, lang, true)} (${formatDelta(c.row.net_growth, lang)})`),
      );
    }
    const per1000 = d.children
      .filter((c) => c.row.per_1000_members !== null && (c.row.per_1000_members as number) > 0)
      .sort((a, b) => (b.row.per_1000_members as number) - (a.row.per_1000_members as number) || a.org.slug.localeCompare(b.org.slug))
      .slice(0, LIST_LIMIT);
    if (per1000.length) {
      lines.push('', m.topPer1000);
      per1000.forEach((c, i) =>
        lines.push(`${i + 1}. ${name(c.org, lang)}: ${m.per1000(formatDelta(c.row.per_1000_members, lang, 1))} (${formatDelta(c.row.net_growth, lang)})`),
      );
    }
    const shrank = d.children
      .filter((c) => c.row.net_growth !== null && c.row.net_growth < 0)
      .sort((a, b) => (a.row.net_growth as number) - (b.row.net_growth as number) || a.org.slug.localeCompare(b.org.slug));
    lines.push('', m.shrank);
    if (shrank.length === 0) lines.push(m.noneShrank);
    lines.push(
      ...limited(
        shrank.map((c) => `• ${name(c.org, lang)}: ${formatDelta(c.row.net_growth, lang)} (${formatPercent(c.row.growth_percent, lang, true)})`),
        LONG_LIST_LIMIT,
        m,
      ),
    );
  }

  lines.push('', m.targets);
  if (d.targets.length === 0) lines.push(m.noTargets);
  else {
    const counts = STATUS_ORDER.map((s) => [s, d.targets.filter((t) => t.status === s).length] as const).filter(([, n]) => n > 0);
    lines.push(m.targetCounts(counts.map(([s, n]) => `${m.status[s]}: ${formatNumber(n, lang)}`)));
    const behind = mostBehind(d.targets, LIST_LIMIT) as SummaryData['targets'];
    if (behind.length) {
      lines.push('', m.mostBehind);
      for (const t of behind) lines.push(`• ${targetLine(t, lang, m)} — ${m.status[t.status]}`);
    }
  }

  if (d.info.row.accounts > 0 || (d.info.row.posts ?? 0) > 0) lines.push(...renderInfoWork(d.info, lang));
  return lines.join('\n');
}

/** The summary as the posts it is sent as (each under 4,096 characters). */
export function summaryPosts(db: Db, config: AppConfig, org: OrgRow, weekLabel: string, lang: Language): string[] {
  return splitMessage(renderSummary(weeklySummaryData(db, config, org, weekLabel), lang));
}

export interface Destination {
  chatId: string;
  org: OrgRow;
}

/**
 * Where summaries go: the configured summary chat gets the root's, and every org with its own
 * telegram_chat gets its subtree's. With `only`, just the destinations of that org.
 */
export function summaryDestinations(db: Db, config: AppConfig, only?: OrgRow): Destination[] {
  const out: Destination[] = [];
  const summaryChat = config.telegram.summaryChat;
  if (summaryChat) for (const root of rootOrgs(db)) out.push({ chatId: summaryChat, org: root });
  for (const org of allOrgs(db)) {
    if (org.telegram_chat && !out.some((d) => d.org.id === org.id && sameChat(d.chatId, org.telegram_chat as string))) {
      out.push({ chatId: org.telegram_chat, org });
    }
  }
  return only ? out.filter((d) => d.org.id === only.id) : out;
}

export interface QueuedSummary extends Destination {
  lang: Language;
  posts: string[];
  /** Outbox rows added now (none when this week's summary was already queued for the chat). */
  queued: number[];
}

/**
 * Queues the weekly summary of each destination in the outbox, once per week, org and chat (a second run
 * of the job adds nothing, unless `again`). `lang` overrides each chat's language.
 */
export function queueWeeklySummaries(
  db: Db,
  config: AppConfig,
  outbox: Outbox,
  weekLabel: string,
  opts: { org?: OrgRow; lang?: Language; again?: boolean; now?: Date } = {},
): QueuedSummary[] {
  parseIsoWeek(weekLabel);
  return summaryDestinations(db, config, opts.org).map((d) => {
    const lang = opts.lang ?? chatLanguage(db, config, [d.chatId]);
    const posts = splitMessage(renderSummary(weeklySummaryData(db, config, d.org, weekLabel, opts.now), lang));
    const key = `summary:${weekLabel}:${d.org.slug}:${d.chatId}${opts.again ? `:again-${Date.now()}` : ''}`;
    const queued = outbox.enqueue(d.chatId, posts, 'summary', key);
    return { ...d, lang, posts, queued };
  });
}
