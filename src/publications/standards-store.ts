// Standards of information work (DESIGN §11) as the committee sets them, versioned like targets: identified by
// level and platform group; a change (from the YAML `standards:` or the admin targets page) is a new version
// with the decision it comes from; old versions stay visible. The one writer of standards/standard_versions.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { audit } from '../../db/orgs';
import type { StandardInput } from '../config';
import { Refusal } from '../admin/errors';
import { fromEpochDay, toEpochDay } from '../domain/dates';
import { standardProblems, type Standard, type StandardMeasure } from '../domain/publications';

export interface StandardVersion {
  version: number;
  posts_per_week: number | null;
  active_share: number | null;
  rubric_share: Record<string, number> | null;
  retired: boolean;
  decision: string | null;
  /** the local date it applies from (null: always) */
  valid_from: string | null;
  set_by: string;
  set_at: number;
}

export interface StandardRow extends StandardVersion {
  id: number;
  level: string;
  platform: string;
}

type Raw = Omit<StandardVersion, 'rubric_share' | 'retired' | 'valid_from'> & { rubric_share: string | null; retired: number; valid_from: number | null };
const shape = <T extends Raw>(r: T): Omit<T, 'rubric_share' | 'retired' | 'valid_from'> & { rubric_share: Record<string, number> | null; retired: boolean; valid_from: string | null } => ({
  ...r,
  rubric_share: r.rubric_share === null ? null : (JSON.parse(r.rubric_share) as Record<string, number>),
  retired: r.retired === 1,
  valid_from: r.valid_from === null ? null : fromEpochDay(r.valid_from),
});

const VERSION_COLUMNS = 'v.version, v.posts_per_week, v.active_share, v.rubric_share, v.retired, v.decision, v.valid_from, v.set_by, v.set_at';
const LEVEL_ORDER = "CASE s.level WHEN 'council' THEN 0 WHEN 'region' THEN 1 WHEN 'branch' THEN 2 ELSE 3 END";

/**
 * The standards in force (not retired), by level then platform: each standard's latest version, or with `day`
 * (a local date) the latest version that applies on that day (valid from it or earlier).
 */
export function currentStandards(db: Db, opts: { withRetired?: boolean; day?: string } = {}): StandardRow[] {
  const applies = opts.day === undefined ? '' : 'AND (valid_from IS NULL OR valid_from <= ?)';
  const rows = (
    db
      .prepare(
        `SELECT s.id, s.level, s.platform, ${VERSION_COLUMNS}
         FROM standards s JOIN standard_versions v ON v.standard_id = s.id AND v.version = (SELECT max(version) FROM standard_versions WHERE standard_id = s.id ${applies})
         ORDER BY ${LEVEL_ORDER}, s.platform`,
      )
      .all(...(opts.day === undefined ? [] : [toEpochDay(opts.day)])) as (Raw & { id: number; level: string; platform: string })[]
  ).map(shape);
  return opts.withRetired ? rows : rows.filter((r) => !r.retired);
}

export function standardVersions(db: Db, id: number): StandardVersion[] {
  return (db.prepare(`SELECT ${VERSION_COLUMNS} FROM standard_versions v WHERE standard_id = ? ORDER BY version DESC`).all(id) as Raw[]).map(shape);
}

/** Every version of every standard, newest first within each (the admin page's history). */
export function allStandardVersions(db: Db): StandardRow[] {
  return (
    db.prepare(`SELECT s.id, s.level, s.platform, ${VERSION_COLUMNS} FROM standards s JOIN standard_versions v ON v.standard_id = s.id ORDER BY ${LEVEL_ORDER}, s.platform, v.version DESC`).all() as (Raw & {
      id: number;
      level: string;
      platform: string;
    })[]
  ).map(shape);
}

/** A standard row as the measures read it. */
export function asStandard(r: StandardRow): Standard {
  return {
    level: r.level,
    platform: r.platform,
    ...(r.posts_per_week !== null ? { posts_per_week: r.posts_per_week } : {}),
    ...(r.active_share !== null ? { active_share: r.active_share } : {}),
    ...(r.rubric_share ? { rubric_share: r.rubric_share } : {}),
    decision: r.decision,
  };
}

export interface StandardsSummary {
  created: number;
  versioned: number;
  unchanged: number;
}

function sameValues(
  a: { posts_per_week: number | null; active_share: number | null; rubric_share: string | null; retired: number; decision: string | null; valid_from: number | null },
  b: typeof a,
): boolean {
  return a.posts_per_week === b.posts_per_week && a.active_share === b.active_share && a.rubric_share === b.rubric_share && a.retired === b.retired && a.decision === b.decision && a.valid_from === b.valid_from;
}

/**
 * Sets standards (a new version when any value or the decision differs from the latest); `retire` lifts one.
 * Rubric slugs must be among `rubrics`. One transaction, audit-logged.
 */
export function setStandards(
  db: Db,
  standards: ReadonlyArray<(StandardInput & { line?: number }) | { level: string; platform: string; retire: true; decision?: string; line?: number }>,
  ctx: { actor: string; rubrics: readonly string[]; label?: string; now?: number },
): StandardsSummary {
  const summary: StandardsSummary = { created: 0, versioned: 0, unchanged: 0 };
  const now = ctx.now ?? Date.now();
  const find = db.prepare('SELECT id FROM standards WHERE level = ? AND platform = ?').pluck();
  const latest = db.prepare('SELECT version, posts_per_week, active_share, rubric_share, retired, decision, valid_from FROM standard_versions WHERE standard_id = ? ORDER BY version DESC LIMIT 1');
  const insertStandard = db.prepare('INSERT INTO standards (level, platform) VALUES (?, ?)');
  const insertVersion = db.prepare(
    'INSERT INTO standard_versions (standard_id, version, posts_per_week, active_share, rubric_share, retired, decision, valid_from, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  writeTx(db, () => {
    for (const s of standards) {
      const retire = 'retire' in s;
      const rubricShare = retire ? undefined : s.rubric_share;
      if (!retire) {
        const problem = standardProblems(s, ctx.rubrics)[0];
        if (problem) throw new Refusal(problem.path.join('.'), `${ctx.label ? `${ctx.label}${s.line ? `:${s.line}` : ''}: ` : ''}${problem.path.join('.')}: ${problem.message}`, problem.key, problem.vars);
      }
      const sortedShare = rubricShare && Object.keys(rubricShare).length ? JSON.stringify(Object.fromEntries(Object.entries(rubricShare).sort(([a], [b]) => a.localeCompare(b)))) : null;
      const next = {
        posts_per_week: retire ? null : (s.posts_per_week ?? null),
        active_share: retire ? null : (s.active_share ?? null),
        rubric_share: sortedShare,
        retired: retire ? 1 : 0,
        decision: s.decision?.trim() || null,
        valid_from: retire || !s.valid_from ? null : toEpochDay(s.valid_from),
      };
      const id = find.get(s.level, s.platform) as number | undefined;
      const prev = id === undefined ? undefined : (latest.get(id) as (typeof next & { version: number }) | undefined);
      if (prev ? sameValues(prev, next) : retire) {
        summary.unchanged++;
        continue;
      }
      const standardId = id ?? Number(insertStandard.run(s.level, s.platform).lastInsertRowid);
      const version = (prev?.version ?? 0) + 1;
      insertVersion.run(standardId, version, next.posts_per_week, next.active_share, next.rubric_share, next.retired, next.decision, next.valid_from, ctx.actor, now);
      const dated = <T extends { valid_from: number | null }>(v: T) => ({ ...v, valid_from: v.valid_from === null ? null : fromEpochDay(v.valid_from) });
      audit(db, ctx.actor, retire ? 'standard.retire' : 'standard.set', `standard:${s.level}/${s.platform}`, prev ? dated({ ...prev, version: undefined }) : undefined, dated({ version, ...next }));
      if (prev) summary.versioned++;
      else summary.created++;
    }
  });
  return summary;
}

/** One criterion set on the admin targets page: a new version of the standard of that level and platform group. */
export interface StandardForm {
  level: StandardInput['level'];
  platform: StandardInput['platform'];
  measure: StandardMeasure;
  /** posts a week, or a percentage */
  threshold: number;
  /** the rubrics a `rubric_share` threshold is for (each gets the same threshold) */
  rubrics: readonly string[];
  decision: string;
  valid_from: string;
}

/**
 * Adds a version to the standard of the form's level and platform: the latest version's criteria, with the
 * form's measure set to its threshold, the decision and the date it applies from. The values are checked by
 * the same rule as the YAML (standardProblems) inside setStandards. Returns true when a version was added.
 */
export function addStandardVersion(db: Db, actor: string, f: StandardForm, rubrics: readonly string[]): boolean {
  if (f.measure === 'rubric_share' && f.rubrics.length === 0) throw new Refusal('rubrics', 'rubrics: choose at least one rubric', 'required');
  const prev = currentStandards(db).find((s) => s.level === f.level && s.platform === f.platform);
  const input: StandardInput = {
    level: f.level,
    platform: f.platform,
    ...(prev?.posts_per_week != null ? { posts_per_week: prev.posts_per_week } : {}),
    ...(prev?.active_share != null ? { active_share: prev.active_share } : {}),
    ...(prev?.rubric_share ? { rubric_share: { ...prev.rubric_share } } : {}),
    decision: f.decision,
    valid_from: f.valid_from,
  };
  if (f.measure === 'rubric_share') input.rubric_share = { ...input.rubric_share, ...Object.fromEntries(f.rubrics.map((r) => [r, f.threshold])) };
  else input[f.measure] = f.threshold;
  try {
    const summary = setStandards(db, [input], { actor, rubrics });
    return summary.unchanged === 0;
  } catch (err) {
    // the form has one threshold field: a range problem of the measure is a problem of it
    if (err instanceof Refusal && /^(posts_per_week|active_share|rubric_share)/.test(err.field ?? '')) {
      throw new Refusal(err.field?.startsWith('rubric_share.') && err.key === 'no_rubric' ? 'rubrics' : 'threshold', err.message, err.key, err.vars);
    }
    throw err;
  }
}
