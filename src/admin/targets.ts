// Targets from the admin pages: set, revise (absolute or +% of the frozen baseline) — each a new version
// with its decision, through importTargets — and cascade a parent's target to its children in proportion to
// membership or current audience, the parts adding up to the parent's target exactly.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { audit, type OrgRow } from '../../db/orgs';
import { InputError, type PlatformGroup } from '../config';
import { fromEpochDay, toEpochDay } from '../domain/dates';
import { largestRemainder } from '../domain/cascade';
import { baselineAudience, importTargets, TargetLevelError, type TargetImportSummary } from '../growth/targets';

/** One version of a target as the admin pages show it. */
export interface VersionRow {
  version: number;
  baseline_date: string;
  baseline: number;
  target: number;
  target_percent: number | null;
  decision: string | null;
  set_by: string;
  set_at: number;
}

/** A target with its organisation and its latest version. */
export interface TargetRow extends VersionRow {
  id: number;
  org_id: number;
  org_slug: string;
  name_ru: string;
  name_kk: string | null;
  name_en: string | null;
  level: OrgRow['level'];
  platform: PlatformGroup;
  due_date: string;
}

const LATEST = `SELECT t.id, t.org_id, o.slug AS org_slug, o.name_ru, o.name_kk, o.name_en, o.level, t.platform, t.due_day,
  v.version, v.baseline_day, v.baseline, v.target, v.target_percent, v.decision, v.set_by, v.set_at
  FROM targets t JOIN organisations o ON o.id = t.org_id
  JOIN target_versions v ON v.target_id = t.id AND v.version = (SELECT max(version) FROM target_versions WHERE target_id = t.id)`;

type RawTarget = Omit<TargetRow, 'due_date' | 'baseline_date'> & { due_day: number; baseline_day: number };
const shape = ({ due_day, baseline_day, ...r }: RawTarget): TargetRow => ({ ...r, due_date: fromEpochDay(due_day), baseline_date: fromEpochDay(baseline_day) });

/** Latest version of every target of these orgs (all when `orgIds` is 'all'). */
export function listTargets(db: Db, orgIds: 'all' | Set<number>): TargetRow[] {
  const rows = (db.prepare(`${LATEST} ORDER BY o.id, t.platform, t.due_day`).all() as RawTarget[]).map(shape);
  return orgIds === 'all' ? rows : rows.filter((r) => orgIds.has(r.org_id));
}

export function targetById(db: Db, id: number): TargetRow | undefined {
  const row = db.prepare(`${LATEST} WHERE t.id = ?`).get(id) as RawTarget | undefined;
  return row && shape(row);
}

export function targetVersions(db: Db, id: number): VersionRow[] {
  return (
    db.prepare('SELECT version, baseline_day, baseline, target, target_percent, decision, set_by, set_at FROM target_versions WHERE target_id = ? ORDER BY version DESC').all(id) as (Omit<VersionRow, 'baseline_date'> & {
      baseline_day: number;
    })[]
  ).map(({ baseline_day, ...v }) => ({ ...v, baseline_date: fromEpochDay(baseline_day) }));
}

export type TargetValue = ({ target: number; target_percent?: undefined } | { target?: undefined; target_percent: number }) & { hold?: boolean };

export interface NewTarget {
  org: OrgRow;
  platform: PlatformGroup;
  baseline_date: string;
  due_date: string;
  value: TargetValue;
  decision: string;
}

function importOne(db: Db, actor: string, t: { org: string; platform: PlatformGroup; baseline_date: string; due_date: string; value: TargetValue; decision: string }): TargetImportSummary {
  if (t.due_date <= t.baseline_date) throw new InputError('must be after the baseline date', undefined, undefined, 'due_date');
  try {
    return importTargets(db, [{ org: t.org, platform: t.platform, baseline_date: t.baseline_date, due_date: t.due_date, decision: t.decision, ...t.value }], { actor });
  } catch (err) {
    if (err instanceof TargetLevelError) throw err; // pages translate it by its code
    if (err instanceof InputError) throw new InputError(err.message.replace(/^due_date: /, ''), undefined, undefined, err.field);
    throw err;
  }
}

/** Sets a target (a new one, or a new version of the one with the same org, platform and due date). */
export function setTarget(db: Db, actor: string, t: NewTarget): number {
  importOne(db, actor, { ...t, org: t.org.slug });
  return db.prepare('SELECT id FROM targets WHERE org_id = ? AND platform = ? AND due_day = ?').pluck().get(t.org.id, t.platform, toEpochDay(t.due_date)) as number;
}

/** A new version of a target with the same baseline; false when the values are those of the latest version. */
export function reviseTarget(db: Db, actor: string, t: TargetRow, value: TargetValue, decision: string): boolean {
  const s = importOne(db, actor, { org: t.org_slug, platform: t.platform, baseline_date: t.baseline_date, due_date: t.due_date, value, decision });
  return s.versioned + s.created > 0;
}

export const CASCADE_BASES = ['members', 'audience'] as const;
export type CascadeBasis = (typeof CASCADE_BASES)[number];

export interface CascadePlan {
  parent: TargetRow;
  basis: CascadeBasis;
  /** The day current audience is read on (audience basis). */
  asOf: string;
  rows: { org: OrgRow; weight: number; target: number; current: number | null }[];
  total: number;
}

/** What each child's target would be; nothing is written. */
export function planCascade(db: Db, parent: TargetRow, basis: CascadeBasis, today: string): CascadePlan {
  const children = db.prepare('SELECT id, slug, parent_id, level, name_ru, name_kk, name_en, members, telegram_chat FROM organisations WHERE parent_id = ? ORDER BY id').all(parent.org_id) as OrgRow[];
  if (children.length === 0) throw new InputError('this organisation has no child organisations', undefined, undefined, 'target');
  const day = toEpochDay(today);
  const currents = children.map((c) => baselineAudience(db, c.id, parent.platform, day));
  const weights = basis === 'members' ? children.map((c) => c.members ?? 0) : currents;
  if (weights.every((w) => w === 0)) {
    throw new InputError(basis === 'members' ? 'no child organisation has a membership figure' : 'no child organisation has an audience yet', undefined, undefined, 'basis');
  }
  const parts = largestRemainder(parent.target, weights);
  return {
    parent,
    basis,
    asOf: today,
    rows: children.map((org, i) => ({ org, weight: weights[i], target: parts[i], current: currents[i] })),
    total: parts.reduce((a, b) => a + b, 0),
  };
}

/** A short fingerprint of a plan: the save refuses a plan that changed since its preview. */
export function planKey(plan: CascadePlan): string {
  return plan.rows.map((r) => `${r.org.slug}=${r.target}`).join(',');
}

/** Writes the children's targets (a new version where one exists) with the parent's dates and decision. */
export function saveCascade(db: Db, actor: string, plan: CascadePlan): TargetImportSummary {
  const { parent } = plan;
  return writeTx(db, () => {
    const s = importTargets(
      db,
      plan.rows.map((r) => ({ org: r.org.slug, platform: parent.platform, baseline_date: parent.baseline_date, due_date: parent.due_date, target: r.target, decision: parent.decision ?? undefined })),
      { actor },
    );
    audit(db, actor, 'target.cascade', `target:${parent.org_slug}/${parent.platform}/${parent.due_date}`, undefined, {
      version: parent.version,
      basis: plan.basis,
      children: Object.fromEntries(plan.rows.map((r) => [r.org.slug, r.target])),
    });
    return s;
  });
}
