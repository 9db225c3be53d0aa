// The targets review: every target's latest version evaluated on a date (the rows of `export targets`),
// filtered by status, level, platform and parent organisation, with all versions and their decisions.
import type { Db } from '../db';
import type { Level, PlatformGroup } from '../src/config';
import type { TargetStatus } from '../src/domain/targets';
import { TARGET_STATUSES } from '../src/domain/targets';
import { targetRows, targetVersions, type TargetVersionRow } from '../src/growth/targets';
import { orgIndex, targetView, type TargetView } from './growth-data';
import type { OrgRow } from '../db/orgs';

export interface TargetFilters {
  date: string;
  statuses: TargetStatus[];
  level?: Level;
  platform?: PlatformGroup;
  parent?: OrgRow;
}

export interface TargetReviewRow extends TargetView {
  orgRow: OrgRow;
  level: Level;
  decision: string | null;
  versions: TargetVersionRow[];
}

export function targetReview(db: Db, f: TargetFilters) {
  const index = orgIndex(db);
  const all = targetRows(db, f.date, { org: f.parent?.slug, platform: f.platform });
  const versions = new Map<string, TargetVersionRow[]>();
  for (const v of targetVersions(db)) {
    const key = `${v.org}|${v.platform}|${v.due_date}`;
    const list = versions.get(key) ?? [];
    list.push(v);
    versions.set(key, list);
  }
  const levelled = all.filter((r) => !f.level || index.bySlug.get(r.org)?.level === f.level);
  const counts = Object.fromEntries(TARGET_STATUSES.map((s) => [s, 0])) as Record<TargetStatus, number>;
  for (const r of levelled) counts[r.status]++;
  const rows: TargetReviewRow[] = levelled
    .filter((r) => f.statuses.length === 0 || f.statuses.includes(r.status))
    .map((r) => {
      const vs = versions.get(`${r.org}|${r.platform}|${r.due_date}`) ?? [];
      const orgRow = index.bySlug.get(r.org)!;
      return Object.assign(targetView(r), { orgRow, level: orgRow.level, decision: vs[0]?.decision ?? null, versions: vs });
    });
  // Parent choices: every organisation that has children.
  const parents = [...index.byId.values()].filter((o) => index.children.has(o.id));
  return { rows, counts, total: levelled.length, parents };
}
