// Alerts to the admin chat: a collect run with failures, a channel stale for more than 3 days, a
// suspicious-growth flag, a target that moved from on track to at risk or behind. Each alert is recorded
// with the post that carries it, in one transaction, so it goes out exactly once.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { orgName, type OrgRow } from '../../db/orgs';
import type { AppConfig, Language, PlatformGroup } from '../config';
import { addDays, localDate } from '../domain/dates';
import type { TargetStatus } from '../domain/targets';
import { accountStatus, suspiciousFlags } from '../growth/accounts';
import { targetRows } from '../growth/targets';
import { loadTree } from '../growth/tree';
import { formatDate, formatDateTime, formatDelta, formatNumber } from '../i18n/format';
import { createLogger, redact } from '../log';
import { chatLanguage } from './chats';
import { silentRegions } from './info-work';
import { messages, type Catalog } from './messages';
import type { Outbox } from './outbox';
import { escapeHtml, splitMessage } from './split';
import { expiryWarnings, loginTokens } from '../instagram-tokens';

const log = createLogger('bot.alerts');

/** Runs older than this are not alerted (e.g. when the bot is first turned on). */
const RUN_LOOKBACK_MS = 3 * 86_400_000;
/** Suspicious flags on days older than this are not alerted. */
const FLAG_LOOKBACK_DAYS = 7;
const LIST_LIMIT = 20;

export interface AlertCounts {
  runs: number;
  stale: number;
  /** Instagram Login tokens within 10 days of expiry. */
  tokens: number;
  suspicious: number;
  targets: number;
  /** regions whose channels all fell silent for 14 days */
  silent: number;
}

function alreadySent(db: Db, key: string): boolean {
  return db.prepare('SELECT 1 FROM bot_alerts_sent WHERE alert_key = ?').get(key) !== undefined;
}

/** Queues one alert post (split if long) and records its keys, atomically. */
function send(db: Db, outbox: Outbox, chat: string, html: string, keys: string[], now: number): void {
  const record = db.prepare('INSERT OR IGNORE INTO bot_alerts_sent (alert_key, sent_at) VALUES (?, ?)');
  writeTx(db, () => {
    outbox.enqueue(chat, splitMessage(html), 'alert', undefined, now);
    for (const k of keys) record.run(k, now);
  });
}

function accountLabel(org: OrgRow | undefined, platform: string, account: string, lang: Language, m: Catalog): string {
  const who = org ? escapeHtml(orgName(org, lang)) : '?';
  return `${who} · ${m.platform[platform as PlatformGroup] ?? escapeHtml(platform)} ${escapeHtml(account)}`;
}

function withList(head: string, lines: string[], m: Catalog): string {
  const shown = lines.length > LIST_LIMIT ? [...lines.slice(0, LIST_LIMIT), m.more(lines.length - LIST_LIMIT)] : lines;
  return [head, ...shown].join('\n');
}

/**
 * Looks for new alerts and queues them for the admin chat. Target statuses are remembered even when no
 * admin chat is configured, so turning alerts on later does not replay old changes.
 */
export function checkAlerts(db: Db, config: AppConfig, outbox: Outbox, now = new Date()): AlertCounts {
  const counts: AlertCounts = { runs: 0, stale: 0, tokens: 0, suspicious: 0, targets: 0, silent: 0 };
  const chat = config.telegram.adminChat;
  const lang = chat ? chatLanguage(db, config, [chat]) : config.language;
  const m = messages(lang);
  const nowMs = now.getTime();
  const today = localDate(config.timezone, now);
  const { bySlug: orgs, byId: orgsById } = loadTree(db);

  // Target status changes (always tracked).
  const changes: string[] = [];
  const changeKeys: string[] = [];
  const getStatus = db.prepare('SELECT status FROM bot_target_status WHERE target_key = ?');
  const putStatus = db.prepare(
    `INSERT INTO bot_target_status (target_key, status, day, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (target_key) DO UPDATE SET status = excluded.status, day = excluded.day, updated_at = excluded.updated_at`,
  );
  const statusUpdates: [string, TargetStatus][] = [];
  for (const t of targetRows(db, today)) {
    const key = `${t.org}|${t.platform}|${t.due_date}`;
    const prev = (getStatus.get(key) as { status: TargetStatus } | undefined)?.status;
    if (prev === 'on_track' && (t.status === 'at_risk' || t.status === 'behind')) {
      const alertKey = `target:${key}:${today}:${t.status}`;
      if (!alreadySent(db, alertKey)) {
        changes.push(
          m.alertTarget(
            m.status.on_track,
            m.status[t.status],
            escapeHtml(orgName(orgs.get(t.org) as OrgRow, lang)),
            m.platform[t.platform],
            formatNumber(t.current, lang),
            formatNumber(t.target, lang),
            formatDate(t.due_date, lang),
            formatNumber(t.forecast, lang),
          ),
        );
        changeKeys.push(alertKey);
      }
    }
    if (prev !== t.status) statusUpdates.push([key, t.status]);
  }
  const saveStatuses = () => writeTx(db, () => statusUpdates.forEach(([k, s]) => putStatus.run(k, s, Math.floor(nowMs / 86_400_000), nowMs)));
  if (!chat) {
    saveStatuses();
    return counts;
  }
  writeTx(db, () => {
    if (changes.length) {
      send(db, outbox, chat, changes.join('\n\n'), changeKeys, nowMs);
      counts.targets = changes.length;
    }
    saveStatuses();
  });

  // Collect runs with failures.
  const runs = db
    .prepare(
      `SELECT id, started_at, status, accounts_total, accounts_failed, error FROM collection_runs
       WHERE status IN ('finished', 'failed', 'interrupted') AND (accounts_failed > 0 OR status <> 'finished') AND started_at >= ?
       ORDER BY id`,
    )
    .all(nowMs - RUN_LOOKBACK_MS) as { id: number; started_at: number; status: string; accounts_total: number; accounts_failed: number; error: string | null }[];
  const failuresOf = db.prepare(
    `SELECT a.org_id, a.platform, COALESCE(a.title, a.platform_id) AS account, f.kind FROM collection_failures f
     JOIN accounts a ON a.id = f.account_id WHERE f.run_id = ? ORDER BY a.org_id, a.platform, a.platform_id`,
  );
  for (const run of runs) {
    const key = `run:${run.id}`;
    if (alreadySent(db, key)) continue;
    const lines = (failuresOf.all(run.id) as { org_id: number; platform: string; account: string; kind: string }[]).map(
      (f) => `• ${accountLabel(orgsById.get(f.org_id), f.platform, f.account, lang, m)}: ${m.failureKind[f.kind] ?? m.failureKind.other}`,
    );
    if (run.error) lines.push(escapeHtml(redact(run.error)));
    send(db, outbox, chat, withList(m.alertRunFailed(formatDateTime(run.started_at, lang, config.timezone), run.accounts_failed, run.accounts_total), lines, m), [key], nowMs);
    counts.runs++;
  }

  // Channels stale for more than 3 days (once per stale episode: the key carries the last reading's date).
  const stale = accountStatus(db, { date: today }).filter((a) => a.stale && a.platform !== 'newspaper' && a.last_date !== null);
  const staleNew = stale.filter((a) => !alreadySent(db, `stale:${a.platform}:${a.account}:${a.last_date}`));
  if (staleNew.length) {
    const html = staleNew
      .slice(0, LIST_LIMIT)
      .map((a) => m.alertStale(accountLabel(orgs.get(a.org), a.platform, a.title || a.account, lang, m), formatDate(a.last_date, lang)))
      .join('\n');
    send(db, outbox, chat, staleNew.length > LIST_LIMIT ? `${html}\n${m.more(staleNew.length - LIST_LIMIT)}` : html, staleNew.map((a) => `stale:${a.platform}:${a.account}:${a.last_date}`), nowMs);
    counts.stale = staleNew.length;
  }

  // Instagram Login tokens within 10 days of expiry (once per token: the key carries its expiry date).
  const expiring = expiryWarnings(loginTokens(db, {}), nowMs).filter((w) => w.expiresAt !== undefined);
  const expiringNew = expiring.filter((w) => !alreadySent(db, `igtoken:${w.accountId}:${new Date(w.expiresAt!).toISOString().slice(0, 10)}`));
  if (expiringNew.length) {
    const html = expiringNew
      .map((w) => m.alertTokenExpiry(escapeHtml(`Instagram ${w.title ?? w.platformId}`), formatDate(new Date(w.expiresAt!).toISOString().slice(0, 10), lang), Math.max(0, w.daysLeft ?? 0)))
      .join('\n');
    send(db, outbox, chat, html, expiringNew.map((w) => `igtoken:${w.accountId}:${new Date(w.expiresAt!).toISOString().slice(0, 10)}`), nowMs);
    counts.tokens = expiringNew.length;
  }

  // Suspicious growth flags of the last week.
  const flags = suspiciousFlags(db, { from: addDays(today, -FLAG_LOOKBACK_DAYS), to: today }).filter(
    (f) => !alreadySent(db, `suspicious:${f.platform}:${f.account}:${f.date}`),
  );
  if (flags.length) {
    const html = flags
      .slice(0, LIST_LIMIT)
      .map((f) =>
        m.alertSuspicious(
          f.kind,
          accountLabel(orgs.get(f.org), f.platform, f.title || f.account, lang, m),
          formatDate(f.date, lang),
          formatNumber(f.previous_audience, lang),
          formatNumber(f.audience, lang),
          formatDelta(f.audience - f.previous_audience, lang),
        ),
      )
      .join('\n');
    send(db, outbox, chat, flags.length > LIST_LIMIT ? `${html}\n${m.more(flags.length - LIST_LIMIT)}` : html, flags.map((f) => `suspicious:${f.platform}:${f.account}:${f.date}`), nowMs);
    counts.suspicious = flags.length;
  }

  // Regions whose every channel has been silent for 14 days (once per silence episode).
  const silent = silentRegions(db, config, today, lang).filter((r) => !alreadySent(db, r.key));
  if (silent.length) {
    send(db, outbox, chat, silent.map((r) => r.html).join('\n'), silent.map((r) => r.key), nowMs);
    counts.silent = silent.length;
  }

  if (counts.runs + counts.stale + counts.tokens + counts.suspicious + counts.targets + counts.silent > 0) log.info('alerts queued', { ...counts });
  return counts;
}
