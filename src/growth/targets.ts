// Targets set by the executive committee (DESIGN §5): imported (YAML `targets:`, admin forms) as versions with
// the baseline frozen from the data present when a target is first set, and read back evaluated on a date.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { audit } from '../../db/orgs';
import { InputError, type TargetInput } from '../config';
import { fromEpochDay, toEpochDay } from '../domain/dates';
import { platformsOf, type PlatformGroup } from '../domain/growth';
import { evaluateTarget, RATE_WINDOW_DAYS, targetFromPercent, targetLevelProblem, type TargetDefinition, type TargetEvaluation, type TargetStatus } from '../domain/targets';
import { countProblem } from '../domain/ranges';
import { firstSeenByOrg } from './growth';
import { audienceSeriesDaysOf } from './series';
import { sql } from './sql';
import { loadTree, scopeTest, subtreeIds } from './tree';

const LATEST_TARGETS_SQL = `SELECT t.org_id, t.platform, t.due_day, v.baseline_day, v.baseline, v.target
       FROM targets t JOIN target_versions v ON v.target_id = t.id
       WHERE v.version = (SELECT max(version) FROM target_versions WHERE target_id = t.id)`;
const VERSIONS_SQL = `SELECT o.slug AS org, t.platform, t.due_day, v.version, v.baseline_day, v.baseline, v.target, v.target_percent, v.decision, v.set_by, v.set_at
       FROM targets t JOIN target_versions v ON v.target_id = t.id JOIN organisations o ON o.id = t.org_id
       WHERE (? IS NULL OR o.slug = ?)
       ORDER BY o.slug, t.platform, t.due_day, v.version DESC`;

// ---------------------------------------------------------------------------------------------------------
// Reading targets

export const TARGET_COLUMNS = [
  'org', 'platform', 'baseline_date', 'baseline', 'target', 'due_date', 'date', 'current', 'progress_percent',
  'expected', 'daily_rate', 'forecast', 'required_per_day', 'eta', 'status',
] as const;
/** A row of `export targets`: the target's latest version and its evaluation on `date` (DESIGN §5). */
export interface TargetRow extends TargetDefinition, TargetEvaluation {
  org: string;
  platform: PlatformGroup;
}

/**
 * Rows of `export targets`: every target's latest version evaluated on `date`, in tree order. `orgIds` narrows
 * to the targets of just these orgs (a page's org and its children), not their subtrees.
 */
export function targetRows(
  db: Db,
  date: string,
  opts: { org?: string; platform?: PlatformGroup; status?: TargetStatus; orgIds?: ReadonlyArray<number> } = {},
): TargetRow[] {
  const tree = loadTree(db);
  const scope = scopeTest(tree, opts.org);
  const only = opts.orgIds ? new Set(opts.orgIds) : undefined;
  const targets = sql(db, LATEST_TARGETS_SQL).all() as { org_id: number; platform: PlatformGroup; due_day: number; baseline_day: number; baseline: number; target: number }[];
  const d = toEpochDay(date);
  const wanted = targets.filter((t) => scope.has(t.org_id) && (!only || only.has(t.org_id)) && (!opts.platform || t.platform === opts.platform));
  const windows = audienceSeriesDaysOf(db, wanted.map((t) => ({ orgId: t.org_id, group: t.platform })), d - RATE_WINDOW_DAYS + 1, d);
  const rows: { order: number; row: TargetRow }[] = [];
  for (const t of wanted) {
    const window = windows.get(`${t.org_id}:${t.platform}`)!;
    const e = evaluateTarget(
      { baseline_date: fromEpochDay(t.baseline_day), baseline: t.baseline, target: t.target, due_date: fromEpochDay(t.due_day) },
      date,
      (day) => window[day - (d - RATE_WINDOW_DAYS + 1)] ?? null,
    );
    if (opts.status && e.status !== opts.status) continue;
    rows.push({
      order: scope.order.get(t.org_id)!,
      row: {
        org: tree.byId.get(t.org_id)!.slug,
        platform: t.platform,
        baseline_date: fromEpochDay(t.baseline_day),
        baseline: t.baseline,
        target: t.target,
        due_date: fromEpochDay(t.due_day),
        ...e,
      },
    });
  }
  rows.sort((a, b) => a.order - b.order || a.row.platform.localeCompare(b.row.platform) || a.row.due_date.localeCompare(b.row.due_date));
  return rows.map((r) => r.row);
}

export interface TargetVersionRow {
  org: string;
  platform: PlatformGroup;
  due_date: string;
  version: number;
  baseline_date: string;
  baseline: number;
  target: number;
  target_percent: number | null;
  decision: string | null;
  set_by: string;
  set_at: string;
}

/** Every version of every target (old versions stay visible), newest first within a target. */
export function targetVersions(db: Db, opts: { org?: string } = {}): TargetVersionRow[] {
  const rows = sql(db, VERSIONS_SQL).all(opts.org ?? null, opts.org ?? null) as (Omit<TargetVersionRow, 'due_date' | 'baseline_date' | 'set_at'> & {
    due_day: number;
    baseline_day: number;
    set_at: number;
  })[];
  // (fields in the order the rest-spread of the row gave them)
  return rows.map((r) => ({
    org: r.org,
    platform: r.platform,
    version: r.version,
    baseline: r.baseline,
    target: r.target,
    target_percent: r.target_percent,
    decision: r.decision,
    set_by: r.set_by,
    due_date: fromEpochDay(r.due_day),
    baseline_date: fromEpochDay(r.baseline_day),
    set_at: new Date(r.set_at).toISOString(),
  }));
}

/**
 * For each target: the audience its org's subtree gained by connecting channels after the baseline date (first
 * read after it, up to the target's date, not closed by then) — not growth (§4), so pages, the meeting pack and
 * the bot show it apart ("в т. ч. +2 093 за счёт подключённых каналов"); 0 when none was connected.
 */
export function connectedSinceBaseline(db: Db, targets: ReadonlyArray<{ orgId: number; platform: PlatformGroup; baseline_date: string; date: string }>): number[] {
  // one pass over the first readings per (platform, baseline, date), for all the orgs that share them: targets
  // set by one decision share their dates, so a review of hundreds of targets reads them a few times, not once each
  const groups = new Map<string, Set<number>>();
  const keyOf = (t: (typeof targets)[number]) => `${t.platform}|${t.baseline_date}|${t.date}`;
  for (const t of targets) {
    const k = keyOf(t);
    const set = groups.get(k);
    if (set) set.add(t.orgId);
    else groups.set(k, new Set([t.orgId]));
  }
  const byGroup = new Map<string, Map<number, number>>();
  for (const t of targets) {
    const k = keyOf(t);
    if (!byGroup.has(k)) byGroup.set(k, firstSeenByOrg(db, t.platform, toEpochDay(t.baseline_date) + 1, toEpochDay(t.date), groups.get(k)));
  }
  return targets.map((t) => byGroup.get(keyOf(t))!.get(t.orgId) ?? 0);
}

// ---------------------------------------------------------------------------------------------------------
// Setting targets

/** A target value at or below its baseline, not marked as a hold target (pages translate it by its code). */
export class TargetLevelError extends InputError {
  readonly code = 'not_above_baseline';
}

export interface TargetImportSummary {
  created: number;
  versioned: number;
  unchanged: number;
}

/**
 * audience(O, P, D) straight from the snapshots (a write-time figure: it must not depend on whether the
 * rollups are up to date); 0 when undefined, as a baseline is.
 */
export function baselineAudience(db: Db, orgId: number, group: PlatformGroup, day: number): number {
  const row = db
    .prepare(
      `SELECT sum(s.audience) AS total
       FROM accounts a
       JOIN snapshots s ON s.account_id = a.id AND s.day = (SELECT max(day) FROM snapshots WHERE account_id = a.id AND day <= ?)
       WHERE a.org_id IN (SELECT value FROM json_each(?)) AND a.platform IN (SELECT value FROM json_each(?)) AND (a.closed_day IS NULL OR a.closed_day > ?)`,
    )
    .get(day, JSON.stringify(subtreeIds(db, orgId)), JSON.stringify(platformsOf(group)), day) as { total: number | null };
  return row.total ?? 0;
}

/**
 * Imports targets, identified by org, platform and due date. A new one gets version 1 with its baseline
 * computed now; importing it again with another value (target, percent, decision or baseline date) adds a
 * version, keeping the frozen baseline unless the baseline date itself changed. Same values: unchanged. A new
 * value at or below the baseline is refused unless the target is marked `hold` (targetLevelProblem).
 */
export function importTargets(
  db: Db,
  targets: ReadonlyArray<TargetInput & { line?: number }>,
  ctx: { actor: string; label?: string; now?: number },
): TargetImportSummary {
  const summary: TargetImportSummary = { created: 0, versioned: 0, unchanged: 0 };
  const now = ctx.now ?? Date.now();
  const orgId = db.prepare('SELECT id FROM organisations WHERE slug = ?').pluck();
  const findTarget = db.prepare('SELECT id FROM targets WHERE org_id = ? AND platform = ? AND due_day = ?').pluck();
  const latest = db.prepare('SELECT version, baseline_day, baseline, target, target_percent, decision FROM target_versions WHERE target_id = ? ORDER BY version DESC LIMIT 1');
  const insertTarget = db.prepare('INSERT INTO targets (org_id, platform, due_day) VALUES (?, ?, ?)');
  const insertVersion = db.prepare(
    'INSERT INTO target_versions (target_id, version, baseline_day, baseline, target, target_percent, decision, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const seen = new Map<string, number | undefined>();
  writeTx(db, () => {
    for (const t of targets) {
      const key = `${t.org}/${t.platform}/${t.due_date}`;
      if (seen.has(key)) throw new InputError(`target ${key} appears twice (also line ${seen.get(key) ?? '?'})`, ctx.label, t.line, 'due_date');
      seen.set(key, t.line);
      const org = orgId.get(t.org) as number | undefined;
      if (org === undefined) throw new InputError(`unknown organisation ${t.org}`, ctx.label, t.line, 'org');
      const baselineDay = toEpochDay(t.baseline_date);
      const dueDay = toEpochDay(t.due_date);
      if (dueDay <= baselineDay) throw new InputError('must be after baseline_date', ctx.label, t.line, 'due_date');
      const targetId = findTarget.get(org, t.platform, dueDay) as number | undefined;
      const prev = targetId === undefined ? undefined : (latest.get(targetId) as { version: number; baseline_day: number; baseline: number; target: number; target_percent: number | null; decision: string | null } | undefined);
      const baseline = prev && prev.baseline_day === baselineDay ? prev.baseline : baselineAudience(db, org, t.platform, baselineDay);
      const value = t.target ?? targetFromPercent(baseline, t.target_percent as number);
      const outOfRange = countProblem(value);
      if (outOfRange) throw new InputError(outOfRange.message, ctx.label, t.line, t.target !== undefined ? 'target' : 'target_percent');
      const next = { baseline_day: baselineDay, baseline, target: value, target_percent: t.target_percent ?? null, decision: t.decision ?? null };
      const subject = `target:${key}`;
      if (prev && Object.entries(next).every(([k, v]) => prev[k as keyof typeof prev] === v)) {
        summary.unchanged++;
        continue;
      }
      const problem = targetLevelProblem(baseline, value, t.hold);
      if (problem) throw new TargetLevelError(problem, ctx.label, t.line, t.target !== undefined ? 'target' : 'target_percent');
      const id = targetId ?? Number(insertTarget.run(org, t.platform, dueDay).lastInsertRowid);
      insertVersion.run(id, (prev?.version ?? 0) + 1, baselineDay, baseline, value, next.target_percent, next.decision, ctx.actor, now);
      const shown = (v: typeof next) => ({ ...v, baseline_day: undefined, baseline_date: t.baseline_date });
      audit(db, ctx.actor, 'target.set', subject, prev ? { ...prev, version: undefined } : undefined, { version: (prev?.version ?? 0) + 1, ...shown(next) });
      if (prev) summary.versioned++;
      else summary.created++;
    }
  });
  return summary;
}
