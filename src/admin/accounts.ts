// Accounts from the admin pages: add (validated as `import` validates them), close from a date, reopen, and
// a collect or a Facebook backfill of one account run in the background with its outcome kept for the page.
import { classify, writeTx } from '../../db/write';
import type { Db } from '../../db';
import { accountByPlatformId, accountSubject, audit, type AccountRow, type OrgRow } from '../../db/orgs';
import { lookupChannel, parseChannelRef, type ChannelRef, type LookupResult } from '../../collectors/lookup';
import type { CollectedPlatform } from '../../collectors/types';
import { Refusal } from './errors';
import { orgById } from './tree';
import { InputError, accountSchema, type AppConfig, type Platform } from '../config';
import { fromEpochDay, localDate, toEpochDay } from '../domain/dates';
import { importTree } from '../import';
import { SOURCE_NAMES, type SnapshotSource } from '../domain/sources';
import type { SnapshotsChanged } from '../jobs/hooks';
import { CollectBusyError, runCollect, settingsFromConfig, type CollectJobOptions, type CollectResult } from '../jobs/collect';
import { createLogger } from '../log';

/** The longest Facebook history a backfill reads (the Page Insights limit), for the admin form. */
export { MAX_BACKFILL_DAYS } from '../../collectors/facebook';
import { formError } from './orgs';

const log = createLogger('admin');

export function accountById(db: Db, id: number): AccountRow | undefined {
  return db.prepare('SELECT id, org_id, platform, platform_id, page_id, resolved_id, title, token_env, closed_day FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
}

const subjectOf = (db: Db, a: Pick<AccountRow, 'platform' | 'platform_id' | 'org_id'>) => accountSubject(a.platform, a.platform_id, orgById(db, a.org_id)?.slug ?? '?');

const PLATFORM_NAMES: Record<CollectedPlatform, string> = { facebook: 'Facebook', instagram: 'Instagram', telegram: 'Telegram' };

/** Looks a channel reference up through its platform's API (the collectors' client, with the app's tokens). */
export type ChannelLookup = (ref: ChannelRef) => Promise<LookupResult>;

export function channelLookup(db: Db, config: AppConfig): ChannelLookup {
  return (ref) => {
    // Instagram names are looked up through one of our own IG accounts (Graph business discovery).
    const via =
      ref.platform === 'instagram' && ref.kind === 'name'
        ? ((db
            .prepare("SELECT coalesce(resolved_id, platform_id) FROM accounts WHERE platform = 'instagram' AND (resolved_id IS NOT NULL OR platform_id NOT LIKE 'page:%') AND closed_day IS NULL ORDER BY id LIMIT 1")
            .pluck()
            .get() as string | undefined) ?? undefined)
        : undefined;
    return lookupChannel(ref, { settings: settingsFromConfig(config), facebookToken: config.env.facebookToken, telegramToken: config.env.telegramBotToken, instagramVia: via });
  };
}

/**
 * The id a channel is stored under, from what a person typed in the form's "channel" field (a link or an
 * id), looked up through the platform's API. Every refusal names the form's field (`platform_id`).
 */
async function channelId(platform: CollectedPlatform, text: string, lookup: ChannelLookup): Promise<{ id: string; title?: string }> {
  const name = PLATFORM_NAMES[platform];
  const ref = parseChannelRef(platform, text);
  if ('problem' in ref) {
    if (ref.problem === 'link_platform') throw new Refusal('platform_id', `is a ${PLATFORM_NAMES[ref.found]} link, but the platform chosen is ${name}`, 'link_platform', { found: PLATFORM_NAMES[ref.found], platform: name });
    throw new Refusal('platform_id', `is not a link or id of a ${name} channel`, 'link', { platform: name });
  }
  const shown = ref.kind === 'id' ? ref.id : ref.name;
  const r = await lookup(ref);
  if (r.ok) return { id: r.id, title: r.title };
  // An id the collectors can read as it is needs no lookup: when the API cannot be asked, it is kept and the
  // first collect tells. A name must be looked up.
  if (ref.kind === 'id' && (r.problem === 'no_token' || r.problem === 'unreachable' || r.problem === 'no_instagram')) return { id: ref.id };
  switch (r.problem) {
    case 'not_found':
      throw new Refusal('platform_id', `${name} has no channel ${shown}`, 'link_not_found', { platform: name, name: shown });
    case 'not_a_page':
      throw new Refusal('platform_id', `${shown} is not a Facebook Page`, 'not_a_page', { name: shown });
    case 'no_token':
      throw new Refusal('platform_id', `${name} links cannot be looked up: no API token is configured`, 'link_no_token', { platform: name });
    case 'no_instagram':
      throw new Refusal('platform_id', 'an Instagram link is looked up through one of our Instagram accounts: add one by its numeric id first', 'link_no_instagram');
    case 'unreachable':
      throw new Refusal('platform_id', `${name} could not be asked about ${shown}: ${r.reason}`, 'link_unreachable', { platform: name, name: shown, reason: r.reason });
  }
}

/**
 * Adds a channel (from a link or an id, looked up through the platform's API) or a newspaper (by its code,
 * once per organisation) to an organisation, validated as `import` validates accounts.
 */
export async function addAccount(db: Db, actor: string, org: OrgRow, input: { platform: Platform; id: string; title?: string }, lookup: ChannelLookup): Promise<AccountRow> {
  const text = input.id.trim();
  if (!text) throw new Refusal('platform_id', 'is required', 'required');
  const found = input.platform === 'newspaper' ? { id: text } : await channelId(input.platform, text, lookup);
  const parsed = accountSchema.safeParse({ platform: input.platform, id: found.id, title: input.title ?? found.title?.slice(0, 200) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0] ?? 'id');
    if (field === 'id') {
      if (input.platform === 'newspaper') throw new Refusal('platform_id', issue.message, 'slug');
      throw new Refusal('platform_id', issue.message, 'link', { platform: PLATFORM_NAMES[input.platform] });
    }
    throw new InputError(issue.message, undefined, undefined, field);
  }
  const id = parsed.data.id!;
  const existing = accountByPlatformId(db, input.platform, id, org.id);
  if (existing) {
    if (input.platform === 'newspaper') throw new Refusal('platform_id', `this organisation already has the newspaper ${id}`, 'newspaper_exists', { code: id });
    throw new Refusal('platform_id', `this ${input.platform} account is already configured (account ${existing.id})`, 'account_exists', { id: existing.id });
  }
  try {
    importTree(db, { label: 'form', orgs: [], accounts: [{ ...parsed.data, org: org.slug, line: 0 }], targets: [] }, actor);
  } catch (err) {
    if (err instanceof InputError) throw formError(err);
    throw err;
  }
  return accountByPlatformId(db, input.platform, id, org.id)!;
}

/** Not counted on and after `date`; the rollups are brought up to date from that day. */
export function closeAccount(db: Db, config: AppConfig, actor: string, account: AccountRow, date: string, onSnapshotsChanged: SnapshotsChanged): void {
  const day = toEpochDay(date);
  if (account.closed_day === day) return;
  writeTx(db, () => {
    db.prepare('UPDATE accounts SET closed_day = ?, updated_at = ? WHERE id = ?').run(day, Date.now(), account.id);
    audit(db, actor, 'account.close', subjectOf(db, account), { closed: account.closed_day === null ? null : fromEpochDay(account.closed_day) }, { closed: date });
  });
  onSnapshotsChanged(db, config, new Map([[account.id, Math.min(day, account.closed_day ?? day)]]));
}

export function reopenAccount(db: Db, config: AppConfig, actor: string, account: AccountRow, onSnapshotsChanged: SnapshotsChanged): void {
  if (account.closed_day === null) return;
  writeTx(db, () => {
    db.prepare('UPDATE accounts SET closed_day = NULL, updated_at = ? WHERE id = ?').run(Date.now(), account.id);
    audit(db, actor, 'account.reopen', subjectOf(db, account), { closed: fromEpochDay(account.closed_day!) }, { closed: null });
  });
  onSnapshotsChanged(db, config, new Map([[account.id, account.closed_day]]));
}

export interface AdminJobRow {
  id: number;
  account_id: number;
  kind: 'collect' | 'backfill';
  backfill_days: number | null;
  requested_by: string;
  requested_at: number;
  status: 'running' | 'finished' | 'failed' | 'busy';
  finished_at: number | null;
  run_id: number | null;
  message: string | null;
}

export function jobsOfAccount(db: Db, accountId: number, limit = 10): AdminJobRow[] {
  return db.prepare('SELECT * FROM admin_jobs WHERE account_id = ? ORDER BY id DESC LIMIT ?').all(accountId, limit) as AdminJobRow[];
}

export type Collect = (opts: CollectJobOptions) => Promise<CollectResult>;

/** Background collect runs started from the admin pages; `idle()` resolves when none is going (tests). */
export class AdminJobs {
  private readonly running = new Set<Promise<void>>();
  private readonly byJob = new Map<number, Promise<void>>();
  constructor(
    private readonly db: Db,
    private readonly config: AppConfig,
    /** What follows a snapshot change (the rollups): passed to the collect runs and used by the admin writes. */
    readonly onSnapshotsChanged: SnapshotsChanged,
    private readonly collect: Collect = runCollect,
  ) {}

  /** Starts a collect (or a Facebook backfill of `backfillDays`) of one account; returns the job id at once. */
  start(actor: string, account: AccountRow, kind: 'collect' | 'backfill', backfillDays?: number): number {
    if (account.platform === 'newspaper') throw new InputError('newspaper figures are entered by hand, not collected', undefined, undefined, 'account');
    if (kind === 'backfill' && account.platform !== 'facebook') throw new InputError('a history backfill is for Facebook Pages only', undefined, undefined, 'account');
    const today = toEpochDay(localDate(this.config.timezone, new Date()));
    if (account.closed_day !== null && account.closed_day <= today) throw new InputError('the account is closed: reopen it first', undefined, undefined, 'account');
    const { db } = this;
    const jobId = writeTx(db, () => {
      const id = Number(
        db
          .prepare("INSERT INTO admin_jobs (account_id, kind, backfill_days, requested_by, requested_at, status) VALUES (?, ?, ?, ?, ?, 'running')")
          .run(account.id, kind, kind === 'backfill' ? backfillDays ?? null : null, actor, Date.now()).lastInsertRowid,
      );
      audit(db, actor, kind === 'collect' ? 'account.collect' : 'account.backfill', subjectOf(db, account), undefined, kind === 'backfill' ? { days: backfillDays } : {});
      return id;
    });
    // Recording the outcome may itself fail (a full disk): logged, never an unhandled rejection that stops serve.
    const finish = (status: AdminJobRow['status'], runId: number | null, message: string | null) => {
      try {
        db.prepare('UPDATE admin_jobs SET status = ?, finished_at = ?, run_id = ?, message = ? WHERE id = ?').run(status, Date.now(), runId, message, jobId);
      } catch (err) {
        log.error('recording an admin collect failed', { job: jobId, error: (classify(err) as Error).message });
      }
    };
    const p = this.collect({
      db,
      config: this.config,
      platform: account.platform as CollectJobOptions['platform'],
      account: account.platform_id,
      backfillDays: kind === 'backfill' ? backfillDays : undefined,
      trigger: 'admin',
      onSnapshotsChanged: this.onSnapshotsChanged,
    })
      .then((r) => {
        const failure = r.failures[0];
        finish(r.accountsFailed > 0 || (r.backfill?.failed ?? 0) > 0 ? 'failed' : 'finished', r.runId, failure ? `${failure.kind}: ${failure.message}` : r.backfill ? `+${r.backfill.snapshotsWritten}` : null);
      })
      .catch((err: unknown) => {
        if (err instanceof CollectBusyError) finish('busy', null, null);
        else {
          log.error('admin collect failed', { job: jobId, error: err instanceof Error ? err.message : String(err) });
          finish('failed', null, err instanceof Error ? err.message.slice(0, 300) : 'failed');
        }
      })
      .finally(() => {
        this.running.delete(p);
        this.byJob.delete(jobId);
      });
    this.running.add(p);
    this.byJob.set(jobId, p);
    return jobId;
  }

  /** Waits for one job, at most `ms` (it goes on in the background after that). */
  async settle(jobId: number, ms: number): Promise<void> {
    const p = this.byJob.get(jobId);
    if (!p) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }
}

/** An organisation's accounts with their latest reading, as the admin organisation page lists them. */
export interface OrgAccountRow {
  id: number;
  platform: Platform;
  platform_id: string;
  title: string | null;
  closed: string | null;
  last_date: string | null;
  last_audience: number | null;
}

export function accountsOfOrg(db: Db, orgId: number): OrgAccountRow[] {
  const rows = db
    .prepare(
      `SELECT a.id, a.platform, a.platform_id, a.title, a.closed_day,
         (SELECT max(day) FROM snapshots WHERE account_id = a.id) AS last_day,
         (SELECT audience FROM snapshots WHERE account_id = a.id ORDER BY day DESC LIMIT 1) AS last_audience
       FROM accounts a WHERE a.org_id = ? ORDER BY a.platform, a.id`,
    )
    .all(orgId) as (Omit<OrgAccountRow, 'closed' | 'last_date'> & { closed_day: number | null; last_day: number | null })[];
  return rows.map(({ closed_day, last_day, ...a }) => ({ ...a, closed: closed_day === null ? null : fromEpochDay(closed_day), last_date: last_day === null ? null : fromEpochDay(last_day) }));
}

export interface ReadingRow {
  date: string;
  audience: number;
  source: SnapshotSource;
  collected_at: number;
}

/** The account's latest readings, newest first. */
export function recentReadings(db: Db, accountId: number, limit = 10): ReadingRow[] {
  return (db.prepare('SELECT day, audience, source, collected_at FROM snapshots WHERE account_id = ? ORDER BY day DESC LIMIT ?').all(accountId, limit) as { day: number; audience: number; source: number; collected_at: number }[]).map(
    (r) => ({ date: fromEpochDay(r.day), audience: r.audience, source: SOURCE_NAMES[r.source], collected_at: r.collected_at }),
  );
}

const FAILURE_KINDS = ['rate_limit', 'invalid_token', 'permission', 'not_found', 'transient', 'malformed', 'timeout', 'other'];

export interface FailureRow {
  kind: string;
  message: string;
  at: number;
  run_id: number;
}

/** The account's latest collection failures, newest first; an unknown kind reads as `other`. */
export function recentFailures(db: Db, accountId: number, limit = 5): FailureRow[] {
  return (db.prepare('SELECT kind, message, at, run_id FROM collection_failures WHERE account_id = ? ORDER BY at DESC LIMIT ?').all(accountId, limit) as FailureRow[]).map((x) => ({
    ...x,
    kind: FAILURE_KINDS.includes(x.kind) ? x.kind : 'other',
  }));
}

export interface JobRunRow {
  id: number;
  status: string;
  accounts_ok: number;
  accounts_failed: number;
  finished_at: number | null;
}

/** The account's latest admin jobs, each with the collection run it started (if any). */
export function jobsWithRuns(db: Db, accountId: number): (AdminJobRow & { run?: JobRunRow })[] {
  const runs = db
    .prepare('SELECT id, status, accounts_ok, accounts_failed, finished_at FROM collection_runs WHERE id IN (SELECT run_id FROM admin_jobs WHERE account_id = ? AND run_id IS NOT NULL)')
    .all(accountId) as JobRunRow[];
  const runById = new Map(runs.map((r) => [r.id, r]));
  return jobsOfAccount(db, accountId).map((j) => ({ ...j, run: j.run_id === null ? undefined : runById.get(j.run_id) }));
}
