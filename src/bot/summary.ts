// The weekly summary (DESIGN §7) for an organisation's subtree and an ISO week: audience per platform with
// net growth and %, the children leading by growth % and per 1,000 members, those that shrank, targets by
// status and the ones most behind, channels with collection problems. Every figure comes from the rows of
// `export growth` / `export targets` for that week, so the post and the exports always agree.
import type { Db } from '../../db';
import { accountsOfOrgs, allOrgs, orgName, rootOrgs, type OrgRow } from '../../db/orgs';
import type { AppConfig, Language, PlatformGroup } from '../config';
import { addDays, localDate, toEpochDay } from '../domain/dates';
import { isoWeek, isoWeekLabel, parseIsoWeek, type Period } from '../domain/periods';
import type { TargetStatus } from '../domain/targets';
import { accountStatus } from '../growth/accounts';
import { growthRows, type GrowthRow } from '../growth/growth';
import { targetRows, type TargetRow } from '../growth/targets';
import { loadTree, subtreeIds } from '../growth/tree';
import { formatDate, formatDelta, formatNumber, formatPercent, formatWeek } from '../i18n/format';
import { chatLanguage, sameChat } from './chats';
import { messages, type Catalog } from './messages';
import type { Outbox } from './outbox';
import { escapeHtml, splitMessage } from './split';

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

export interface CollectionProblem {
  org: OrgRow;
  platform: string;
  account: string;
  /** Last local date with a reading, or null when none ever came. */
  lastDay: string | null;
  stale: boolean;
  /** Kind of the latest failure, when it came after the latest reading. */
  failure: string | null;
}

/** Wall-clock midnight starting a local date in a time zone, as unix ms. */
export function localMidnightMs(date: string, timeZone: string): number {
  const target = toEpochDay(date) * 86_400_000;
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  let t = target;
  for (let i = 0; i < 3; i++) {
    const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    t -= wall - target;
  }
  return t;
}

/**
 * Collected channels of the subtree that on `date` are stale (accountStatus: no reading for more than 3
 * days) or whose latest collection attempt up to the end of `date` failed. Closed channels are left out.
 */
export function collectionProblems(db: Db, org: OrgRow, date: string, timeZone: string, now = Date.now()): CollectionProblem[] {
  const endMs = Math.min(localMidnightMs(date, timeZone) + 86_400_000, now + 1);
  const orgs = loadTree(db).bySlug;
  const lastFail = db.prepare(
    `SELECT f.kind, f.at, (SELECT collected_at FROM snapshots s WHERE s.account_id = a.id ORDER BY day DESC LIMIT 1) AS last_collected
     FROM accounts a JOIN collection_failures f ON f.account_id = a.id
     WHERE a.platform = ? AND a.platform_id = ? AND f.at < ? ORDER BY f.at DESC LIMIT 1`,
  );
  const out: CollectionProblem[] = [];
  for (const a of accountStatus(db, { org: org.slug, date })) {
    if (a.platform === 'newspaper' || (a.closed !== null && a.closed <= date)) continue;
    const fail = lastFail.get(a.platform, a.account, endMs) as { kind: string; at: number; last_collected: number | null } | undefined;
    const failed = fail !== undefined && (fail.last_collected === null || fail.at > fail.last_collected);
    const stale = a.stale && a.last_date !== null;
    if (!stale && !failed) continue; // a channel never read and never failed is new, not a problem
    out.push({
      org: orgs.get(a.org) as OrgRow,
      platform: a.platform,
      account: a.title || a.account,
      lastDay: a.last_date,
      stale,
      failure: failed ? (fail as { kind: string }).kind : null,
    });
  }
  return out;
}

export interface SummaryData {
  org: OrgRow;
  week: Period & { label: string; isoYear: number; number: number };
  /** Growth rows of the org itself, one per platform group that has channels in the subtree. */
  audience: GrowthRow[];
  /** Social growth of each direct child. */
  children: { org: OrgRow; row: GrowthRow }[];
  targets: (TargetRow & { orgRow: OrgRow })[];
  problems: CollectionProblem[];
}

/** Gathers the weekly summary's figures for an org's subtree and an ISO week (`YYYY-Www`). */
export function weeklySummaryData(db: Db, config: AppConfig, org: OrgRow, weekLabel: string, now = new Date()): SummaryData {
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
  const targets = targetRows(db, period.to, { org: org.slug }).map((t) => ({ ...t, orgRow: bySlug.get(t.org) as OrgRow }));
  return {
    org,
    week: { ...period, label: isoWeekLabel(period.from), isoYear: year, number: week },
    audience,
    children,
    targets,
    // Collection problems as of posting time: the Monday after the week (or now, when that is earlier), so the
    // Monday post reports that morning's collect run.
    problems: collectionProblems(db, org, minDate(addDays(period.to, 1), localDate(config.timezone, now)), config.timezone, now.getTime()),
  };
}

const minDate = (a: string, b: string) => (a < b ? a : b);

const LIST_LIMIT = 5;
const LONG_LIST_LIMIT = 10;

function name(org: OrgRow, lang: Language): string {
  return escapeHtml(orgName(org, lang));
}

/** A list of lines, cut at `limit` with "…and N more". */
function limited(lines: string[], limit: number, m: Catalog): string[] {
  return lines.length > limit ? [...lines.slice(0, limit), m.more(lines.length - limit)] : lines;
}

export function targetLine(t: TargetRow & { orgRow: OrgRow }, lang: Language, m: Catalog): string {
  const head = m.targetLine(
    name(t.orgRow, lang),
    m.platform[t.platform],
    formatNumber(t.current, lang),
    formatNumber(t.target, lang),
    formatPercent(t.progress_percent, lang),
    formatDate(t.due_date, lang),
  );
  const extra = [
    t.required_per_day !== null ? m.requiredPerDay(formatNumber(t.required_per_day, lang, 1)) : null,
    t.forecast !== null ? m.forecast(formatNumber(t.forecast, lang)) : null,
  ].filter(Boolean);
  return extra.length ? `${head}; ${extra.join('; ')}` : head;
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
    const behind = mostBehind(d.targets, LIST_LIMIT) as (TargetRow & { orgRow: OrgRow })[];
    if (behind.length) {
      lines.push('', m.mostBehind);
      for (const t of behind) lines.push(`• ${targetLine(t, lang, m)} — ${m.status[t.status]}`);
    }
  }

  lines.push('', m.problems);
  if (d.problems.length === 0) lines.push(m.noProblems);
  lines.push(
    ...limited(
      d.problems.map((p) => {
        const why = [p.failure ? m.failureKind[p.failure] ?? m.failureKind.other : null, p.lastDay ? m.lastReading(formatDate(p.lastDay, lang)) : m.neverRead];
        return `• ${name(p.org, lang)} · ${m.platform[p.platform as PlatformGroup] ?? escapeHtml(p.platform)} ${escapeHtml(p.account)}: ${why.filter(Boolean).join(', ')}`;
      }),
      15,
      m,
    ),
  );
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
