// Targets set by the executive committee: imported (YAML `targets:`) as versions, baseline frozen from the
// data present when a target is first set (DESIGN §5, §9).
import type { Db } from '../db';
import { audit } from '../db/orgs';
import { InputError, type TargetInput } from './config';
import { toEpochDay } from './domain/dates';
import { platformsOf, type PlatformGroup } from './domain/growth';
import { targetFromPercent, targetLevelProblem } from './domain/targets';

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
      `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT o.id FROM organisations o JOIN sub ON o.parent_id = sub.id)
       SELECT sum(s.audience) AS total
       FROM accounts a JOIN sub ON a.org_id = sub.id
       JOIN snapshots s ON s.account_id = a.id AND s.day = (SELECT max(day) FROM snapshots WHERE account_id = a.id AND day <= ?)
       WHERE a.platform IN (SELECT value FROM json_each(?)) AND (a.closed_day IS NULL OR a.closed_day > ?)`,
    )
    .get(orgId, day, JSON.stringify(platformsOf(group)), day) as { total: number | null };
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
  db.transaction(() => {
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
  })();
  return summary;
}
