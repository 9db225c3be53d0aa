// The targets review: every target's latest version evaluated on a date (the rows of `export targets`),
// filtered by status, level, platform and parent organisation, worst first, with what is still needed, the
// audience that came with newly connected channels, all versions, and the decisions as numbered footnotes.
import type { Db } from '../db';
import type { Level, PlatformGroup } from '../src/config';
import type { TargetStatus } from '../src/domain/targets';
import { compareForReview, targetGap, TARGET_STATUSES, type TargetGap } from '../src/domain/targets';
import { connectedSinceBaseline, targetRows, targetVersions, type TargetVersionRow } from '../src/growth/targets';
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
  gap: TargetGap;
  /** audience that came with channels connected after the baseline date (part of current − baseline) */
  connected: number;
  /** the number of the decision's footnote */
  note: number | null;
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
  const shown = levelled.filter((r) => f.statuses.length === 0 || f.statuses.includes(r.status)).sort(compareForReview);
  const connected = connectedSinceBaseline(
    db,
    shown.map((r) => ({ orgId: index.bySlug.get(r.org)!.id, platform: r.platform, baseline_date: r.baseline_date, date: r.date })),
  );
  // Decisions as numbered footnotes, numbered in the order the rows show them.
  const notes: string[] = [];
  const rows: TargetReviewRow[] = shown.map((r, i) => {
    const vs = versions.get(`${r.org}|${r.platform}|${r.due_date}`) ?? [];
    const orgRow = index.bySlug.get(r.org)!;
    const decision = vs[0]?.decision ?? null;
    let note: number | null = null;
    if (decision) {
      const at = notes.indexOf(decision);
      note = at >= 0 ? at + 1 : notes.push(decision);
    }
    return Object.assign(targetView(r), { orgRow, level: orgRow.level, decision, versions: vs, gap: targetGap(r), connected: connected[i], note });
  });
  // Parent choices: every organisation that has children.
  const parents = [...index.byId.values()].filter((o) => index.children.has(o.id));
  return { rows, counts, total: levelled.length, parents, notes };
}
