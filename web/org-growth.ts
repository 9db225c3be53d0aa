// Growth of a handful of organisations (a page's org and its children) without rolling up the whole tree:
// the same §4 algebra as growth-queries' growthRows (growthFigures over audience(from − 1), audience(to) and
// the first audiences of channels first seen in the period), read from the rollup tables for just these orgs.
// test/integration/web-org-growth.test.ts holds it equal to growthRows for every org, group and period.
import type { Db } from '../db';
import { addDays, toEpochDay } from '../src/domain/dates';
import { growthFigures, platformsOf, type GrowthFigures, type PlatformGroup } from '../src/domain/growth';
import { audienceOnDay } from '../src/growth-queries';

export interface OrgGrowth extends GrowthFigures {
  audience_start: number | null;
  audience_end: number | null;
}

const firstSeenSql = new WeakMap<Db, { all(...params: unknown[]): unknown[] }>();

/** Σ first audiences of channels first seen in [from, to] and still tracked on `to`, per org id of `ids`. */
function firstSeen(db: Db, ids: Set<number>, group: PlatformGroup, from: number, to: number): Map<number, number> {
  let stmt = firstSeenSql.get(db);
  if (!stmt) {
    stmt = db.prepare('SELECT chain, platform, first_audience FROM rollup_accounts WHERE first_day BETWEEN ? AND ? AND (closed_day IS NULL OR closed_day > ?)');
    firstSeenSql.set(db, stmt);
  }
  const platforms = new Set<string>(platformsOf(group));
  const out = new Map<number, number>();
  for (const r of stmt.all(from, to, to) as { chain: string; platform: string; first_audience: number }[]) {
    if (!platforms.has(r.platform)) continue;
    for (const part of r.chain.split(',')) {
      const id = Number(part);
      if (ids.has(id)) out.set(id, (out.get(id) ?? 0) + r.first_audience);
    }
  }
  return out;
}

export function orgsGrowth(db: Db, orgs: ReadonlyArray<{ id: number; members: number | null }>, group: PlatformGroup, from: string, to: string): Map<number, OrgGrowth> {
  const f = toEpochDay(from);
  const t = toEpochDay(to);
  const seen = firstSeen(db, new Set(orgs.map((o) => o.id)), group, f, t);
  const out = new Map<number, OrgGrowth>();
  for (const o of orgs) {
    const start = audienceOnDay(db, o.id, group, toEpochDay(addDays(from, -1)));
    const end = audienceOnDay(db, o.id, group, t);
    out.set(o.id, { audience_start: start, audience_end: end, ...growthFigures(start, end, seen.get(o.id) ?? 0, o.members) });
  }
  return out;
}
