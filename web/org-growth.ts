// Growth of a handful of organisations (a page's org and its children) without rolling up the whole tree:
// the same §4 algebra as growth-queries' growthRows (growthFigures over audience(from − 1), audience(to) and
// the first audiences of channels first seen in the period), read from the rollup tables for just these orgs.
// test/integration/web-org-growth.test.ts holds it equal to growthRows for every org, group and period.
import type { Db } from '../db';
import { addDays, toEpochDay } from '../src/domain/dates';
import { growthFigures, type GrowthFigures, type PlatformGroup } from '../src/domain/growth';
import { audienceOnDay } from '../src/growth-queries';
import { firstSeenAudience } from '../src/connected-channels';

export interface OrgGrowth extends GrowthFigures {
  audience_start: number | null;
  audience_end: number | null;
}

export function orgsGrowth(db: Db, orgs: ReadonlyArray<{ id: number; members: number | null }>, group: PlatformGroup, from: string, to: string): Map<number, OrgGrowth> {
  const f = toEpochDay(from);
  const t = toEpochDay(to);
  const seen = firstSeenAudience(db, new Set(orgs.map((o) => o.id)), group, f, t);
  const out = new Map<number, OrgGrowth>();
  for (const o of orgs) {
    const start = audienceOnDay(db, o.id, group, toEpochDay(addDays(from, -1)));
    const end = audienceOnDay(db, o.id, group, t);
    out.set(o.id, { audience_start: start, audience_end: end, ...growthFigures(start, end, seen.get(o.id) ?? 0, o.members) });
  }
  return out;
}
