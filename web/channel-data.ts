// The channel page's view model: one account's readings (the raw snapshots, not a rollup), its change over
// usual spans, its collection failures and suspicious-growth flags, and its chart.
import type { Db } from '../db';
import type { OrgRow } from '../db/orgs';
import type { Language } from '../src/config';
import { addDays, fromEpochDay, toEpochDay } from '../src/domain/dates';
import { recentFailures, recentReadings, type ReadingRow } from '../src/admin/accounts';
import { suspiciousFlags } from '../src/growth/accounts';
import type { Translate } from './i18n';
import { CHART_LOCALES, CHART_RANGES, COLORS, channelUrl, type ChartRange } from './growth-data';
import { accountAudienceOn, accountStatesById, isClosed, isFailing, isStale, type AccountState } from './queries';

/** Readings listed on the page (newest first); the chart shows the whole range. */
export const CHANNEL_READINGS_SHOWN = 30;
export const CHANNEL_FAILURES_SHOWN = 30;
/** The spans the headline compares the latest reading with. */
export const CHANNEL_SPANS = [7, 30, 90, 365] as const;

export interface ChannelReading extends ReadingRow {
  /** Change since the reading before it (null for the first one). */
  change: number | null;
  /** Days since the reading before it, when more than one (a gap). */
  gapDays: number | null;
}

/** The account of `org` with this id, or undefined (a 404). */
export function channelOf(db: Db, org: OrgRow, id: number): AccountState | undefined {
  const [a] = accountStatesById(db, [id]);
  return a && a.org_id === org.id ? a : undefined;
}

export function channelPageData(input: { db: Db; org: OrgRow; account: AccountState; today: string; chartRange: ChartRange; lang: Language; t: Translate }) {
  const { db, org, account: a, today, chartRange, lang, t } = input;
  const lastDate = a.last_day === null ? null : fromEpochDay(a.last_day);
  const spans = CHANNEL_SPANS.map((days) => {
    const then = lastDate === null ? null : accountAudienceOn(db, a.id, addDays(lastDate, -days));
    return { days, then, change: then === null || a.last_audience === null ? null : a.last_audience - then, percent: then ? ((a.last_audience! - then) / then) * 100 : null };
  });

  // (the admin account page's queries: one owner for an account's readings and failures)
  const raw = recentReadings(db, a.id, CHANNEL_READINGS_SHOWN + 1);
  const readings: ChannelReading[] = raw.slice(0, CHANNEL_READINGS_SHOWN).map((r, i) => {
    const prev = raw[i + 1];
    const gap = prev ? toEpochDay(r.date) - toEpochDay(prev.date) : 0;
    return { ...r, change: prev ? r.audience - prev.audience : null, gapDays: gap > 1 ? gap : null };
  });
  const readingsTotal = db.prepare('SELECT count(*) FROM snapshots WHERE account_id = ?').pluck().get(a.id) as number;
  const failures = recentFailures(db, a.id, CHANNEL_FAILURES_SHOWN);
  const failuresTotal = db.prepare('SELECT count(*) FROM collection_failures WHERE account_id = ?').pluck().get(a.id) as number;

  const flagFrom = addDays(today, -365);
  const flags = suspiciousFlags(db, { org: org.slug, from: flagFrom, to: today }).filter((f) => f.platform === a.platform && f.account === a.platform_id);

  return {
    url: channelUrl(a.platform, a.platform_id),
    lastDate,
    state: isClosed(a, today) ? 'closed' : isStale(a, today) ? 'stale' : 'ok',
    failing: isFailing(a, today),
    spans,
    readings,
    readingsTotal,
    failures,
    failuresTotal,
    flags,
    flagFrom,
    chartJson: channelChartJson(db, a, today, chartRange, lang, t),
  };
}

/** The chart's data in the shape web/public/charts.js draws (its main audience chart): one line, the channel's own readings, gaps as gaps. */
function channelChartJson(db: Db, a: AccountState, today: string, chartRange: ChartRange, lang: Language, t: Translate): string {
  const from = addDays(today, -CHART_RANGES[chartRange] + 1);
  const rows = db
    .prepare('SELECT day, audience FROM snapshots WHERE account_id = ? AND day BETWEEN ? AND ? ORDER BY day')
    .all(a.id, toEpochDay(from), toEpochDay(today)) as { day: number; audience: number }[];
  const data: { x: string; y: number | null }[] = [];
  for (let i = 0; i < rows.length; i++) {
    // a missing day between two readings is drawn as a gap, not a line across it
    if (i > 0 && rows[i].day - rows[i - 1].day > 1 && a.platform !== 'newspaper') data.push({ x: fromEpochDay(rows[i - 1].day + 1), y: null });
    data.push({ x: fromEpochDay(rows[i].day), y: rows[i].audience });
  }
  const series = data.length ? [{ key: a.platform, label: a.title ?? t(`platform.${a.platform}`), color: COLORS[a.platform], data }] : [];
  const json = { lang, locale: CHART_LOCALES[lang], view: 'audience', labels: {}, xMin: from, xMax: today, today, series, targets: [] };
  return JSON.stringify(json).replace(/</g, '\\u003c');
}
