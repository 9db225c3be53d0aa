// Standards of information work (DESIGN §11) as the committee sets them, versioned like targets: identified by
// level and platform group; a change (from the YAML `standards:` or the admin targets page) is a new version
// with the decision it comes from; old versions stay visible. The one writer of standards/standard_versions.
import type { Db } from '../../db';
import { audit } from '../../db/orgs';
import { InputError, type StandardInput } from '../config';
import type { Standard } from '../domain/publications';

export interface StandardVersion {
  version: number;
  posts_per_week: number | null;
  active_share: number | null;
  rubric_share: Record<string, number> | null;
  retired: boolean;
  decision: string | null;
  set_by: string;
  set_at: number;
}

export interface StandardRow extends StandardVersion {
  id: number;
  level: string;
  platform: string;
}

type Raw = Omit<StandardVersion, 'rubric_share' | 'retired'> & { rubric_share: string | null; retired: number };
const shape = <T extends Raw>(r: T): Omit<T, 'rubric_share' | 'retired'> & { rubric_share: Record<string, number> | null; retired: boolean } => ({
  ...r,
  rubric_share: r.rubric_share === null ? null : (JSON.parse(r.rubric_share) as Record<string, number>),
  retired: r.retired === 1,
});

const LATEST = `SELECT s.id, s.level, s.platform, v.version, v.posts_per_week, v.active_share, v.rubric_share, v.retired, v.decision, v.set_by, v.set_at
  FROM standards s JOIN standard_versions v ON v.standard_id = s.id AND v.version = (SELECT max(version) FROM standard_versions WHERE standard_id = s.id)`;
const LEVEL_ORDER = "CASE s.level WHEN 'council' THEN 0 WHEN 'region' THEN 1 WHEN 'branch' THEN 2 ELSE 3 END";

/** The standards in force (latest versions, not retired), by level then platform. */
export function currentStandards(db: Db, opts: { withRetired?: boolean } = {}): StandardRow[] {
  const rows = (db.prepare(`${LATEST} ORDER BY ${LEVEL_ORDER}, s.platform`).all() as (Raw & { id: number; level: string; platform: string })[]).map(shape);
  return opts.withRetired ? rows : rows.filter((r) => !r.retired);
}

export function standardVersions(db: Db, id: number): StandardVersion[] {
  return (db.prepare('SELECT version, posts_per_week, active_share, rubric_share, retired, decision, set_by, set_at FROM standard_versions WHERE standard_id = ? ORDER BY version DESC').all(id) as Raw[]).map(shape);
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

function sameValues(a: { posts_per_week: number | null; active_share: number | null; rubric_share: string | null; retired: number; decision: string | null }, b: typeof a): boolean {
  return a.posts_per_week === b.posts_per_week && a.active_share === b.active_share && a.rubric_share === b.rubric_share && a.retired === b.retired && a.decision === b.decision;
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
  const latest = db.prepare('SELECT version, posts_per_week, active_share, rubric_share, retired, decision FROM standard_versions WHERE standard_id = ? ORDER BY version DESC LIMIT 1');
  const insertStandard = db.prepare('INSERT INTO standards (level, platform) VALUES (?, ?)');
  const insertVersion = db.prepare(
    'INSERT INTO standard_versions (standard_id, version, posts_per_week, active_share, rubric_share, retired, decision, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const s of standards) {
      const retire = 'retire' in s;
      const rubricShare = retire ? undefined : s.rubric_share;
      for (const r of Object.keys(rubricShare ?? {})) {
        if (!ctx.rubrics.includes(r)) throw new InputError(`no rubric ${r}; rubrics are ${ctx.rubrics.join(', ')}`, ctx.label, s.line, 'rubric_share');
      }
      const sortedShare = rubricShare && Object.keys(rubricShare).length ? JSON.stringify(Object.fromEntries(Object.entries(rubricShare).sort(([a], [b]) => a.localeCompare(b)))) : null;
      const next = {
        posts_per_week: retire ? null : (s.posts_per_week ?? null),
        active_share: retire ? null : (s.active_share ?? null),
        rubric_share: sortedShare,
        retired: retire ? 1 : 0,
        decision: s.decision?.trim() || null,
      };
      if (!retire && next.posts_per_week === null && next.active_share === null && next.rubric_share === null) {
        throw new InputError('give at least one of posts_per_week, active_share, rubric_share', ctx.label, s.line, 'posts_per_week');
      }
      const id = find.get(s.level, s.platform) as number | undefined;
      const prev = id === undefined ? undefined : (latest.get(id) as (typeof next & { version: number }) | undefined);
      if (prev ? sameValues(prev, next) : retire) {
        summary.unchanged++;
        continue;
      }
      const standardId = id ?? Number(insertStandard.run(s.level, s.platform).lastInsertRowid);
      const version = (prev?.version ?? 0) + 1;
      insertVersion.run(standardId, version, next.posts_per_week, next.active_share, next.rubric_share, next.retired, next.decision, ctx.actor, now);
      audit(db, ctx.actor, retire ? 'standard.retire' : 'standard.set', `standard:${s.level}/${s.platform}`, prev ? { ...prev, version: undefined } : undefined, { version, ...next });
      if (prev) summary.versioned++;
      else summary.created++;
    }
  })();
  return summary;
}
