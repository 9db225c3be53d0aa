// Growth of orgs over a period (DESIGN §4): net growth, growth % and per 1,000 members from the audience the
// day before the period, the audience on its last day, and the first audiences of channels first seen in it.
// The one implementation: exports, pages (a page's org and its children), rankings and the bot all call it.
import type { Db } from '../../db';
import { toEpochDay } from '../domain/dates';
import { growthFigures, platformsOf, type GrowthFigures, type PlatformGroup } from '../domain/growth';
import { inferPeriod, periodContaining, previousPeriod, type Period, type PeriodKind } from '../domain/periods';
import { audienceOfAllOrgs, audienceOnDay, type AudienceByOrg } from './series';
import { sql } from './sql';
import { loadTree, subtreeOf } from './tree';

export const GROWTH_COLUMNS = ['org', 'platform', 'from', 'to', 'audience_start', 'audience_end', 'net_growth', 'growth_percent', 'per_1000_members'] as const;
export interface GrowthRow {
  org: string;
  platform: PlatformGroup;
  from: string;
  to: string;
  audience_start: number | null;
  audience_end: number | null;
  net_growth: number | null;
  growth_percent: number | null;
  per_1000_members: number | null;
}

export interface OrgGrowth extends GrowthFigures {
  audience_start: number | null;
  audience_end: number | null;
}

/** Above this many orgs, audiences of a day are read for every org in one pass over the group's chunk. */
const MANY_ORGS = 400;

const FIRST_SEEN_SQL = 'SELECT chain, platform, first_audience FROM rollup_accounts WHERE first_day BETWEEN ? AND ? AND (closed_day IS NULL OR closed_day > ?)';

/**
 * F(O, P, from, to) of §4 per org: first audiences of channels first seen in the period, still tracked on `to`. `only`: just these orgs.
 * (Also what a target shows apart as "from newly connected channels": targets.ts connectedSinceBaseline.)
 */
export function firstSeenByOrg(db: Db, group: PlatformGroup, from: number, to: number, only?: Set<number>): Map<number, number> {
  const platforms = new Set<string>(platformsOf(group));
  const out = new Map<number, number>();
  const rows = sql(db, FIRST_SEEN_SQL).raw().all(from, to, to) as [string, string, number][];
  if (only && only.size <= FEW_ORGS) {
    // a few orgs (a page's own, a target's): whether each is in the chain, without splitting every chain (the
    // council's targets at ten times the union: tens of thousands of channels first seen since a baseline)
    const ids = [...only].map((id) => ({ id, text: String(id) }));
    for (const [chain, platform, firstAudience] of rows) {
      if (!platforms.has(platform)) continue;
      for (const { id, text } of ids) if (chainHas(chain, text)) out.set(id, (out.get(id) ?? 0) + firstAudience);
    }
    return out;
  }
  for (const [chain, platform, firstAudience] of rows) {
    if (!platforms.has(platform)) continue;
    for (const part of chain.split(',')) {
      const id = Number(part);
      if (!only || only.has(id)) out.set(id, (out.get(id) ?? 0) + firstAudience);
    }
  }
  return out;
}

/** At most this many orgs asked for: looked for in each chain rather than the chain split. */
const FEW_ORGS = 8;

/** Whether org id `text` is in a chain as rollup_accounts.chain stores it (ids joined by commas). */
function chainHas(chain: string, text: string): boolean {
  if (!chain.includes(text)) return false;
  return chain === text || chain.startsWith(`${text},`) || chain.endsWith(`,${text}`) || chain.includes(`,${text},`);
}

/** What growth computations of one request share: audiences by day. */
export interface GrowthCache {
  days: Map<number, AudienceByOrg>;
}
export const newGrowthCache = (): GrowthCache => ({ days: new Map() });

type OrgRef = { id: number; members: number | null };

/** The §4 algebra for each org, handed to `emit` with its two audiences and figures (no intermediate rows). */
export function growthEach<O extends OrgRef, T>(
  db: Db,
  orgs: ReadonlyArray<O>,
  group: PlatformGroup,
  from: string,
  to: string,
  cache: GrowthCache,
  emit: (org: O, start: number | null, end: number | null, g: GrowthFigures) => T,
): T[] {
  const one = growthOne(db, orgs, group, from, to, cache);
  return orgs.map((n) => one(n, emit));
}

/** What the growth of `orgs` over the period needs: the audiences of the day before and of the last day, first audiences. */
function growthInputs(
  db: Db,
  orgs: ReadonlyArray<OrgRef>,
  group: PlatformGroup,
  from: string,
  to: string,
  cache: GrowthCache,
): { start: AudienceByOrg; end: AudienceByOrg; firstSeen: Map<number, number> } {
  const f = toEpochDay(from);
  const t = toEpochDay(to);
  const many = orgs.length > MANY_ORGS;
  // a few orgs: one lookup each; many: the day of every org, from the group's blocks
  const audienceOf = (day: number): AudienceByOrg => {
    let m = cache.days.get(day);
    if (m) return m;
    if (many) m = audienceOfAllOrgs(db, group, day);
    else {
      const few = new Map<number, number>();
      for (const n of orgs) {
        const v = audienceOnDay(db, n.id, group, day);
        if (v !== null) few.set(n.id, v);
      }
      m = few;
    }
    cache.days.set(day, m);
    return m;
  };
  return { start: audienceOf(f - 1), end: audienceOf(t), firstSeen: firstSeenByOrg(db, group, f, t, many ? undefined : new Set(orgs.map((o) => o.id))) };
}

/** Reads what the growth of `orgs` over the period needs, and returns the §4 algebra of one of them. */
function growthOne<O extends OrgRef>(
  db: Db,
  orgs: ReadonlyArray<O>,
  group: PlatformGroup,
  from: string,
  to: string,
  cache: GrowthCache,
): <T>(n: O, emit: (org: O, start: number | null, end: number | null, g: GrowthFigures) => T) => T {
  const { start, end, firstSeen } = growthInputs(db, orgs, group, from, to, cache);
  return <T>(n: O, emit: (org: O, start: number | null, end: number | null, g: GrowthFigures) => T): T => {
    const audienceStart = start.get(n.id) ?? null;
    const audienceEnd = end.get(n.id) ?? null;
    return emit(n, audienceStart, audienceEnd, growthFigures(audienceStart, audienceEnd, firstSeen.get(n.id) ?? 0, n.members));
  };
}

/** Growth of many orgs as columns by their position in `orgs` (NaN = none): no object per org. */
export interface GrowthColumns {
  audience_start: Float64Array;
  audience_end: Float64Array;
  net_growth: Float64Array;
  growth_percent: Float64Array;
  per_1000_members: Float64Array;
}

/** The §4 algebra of each org (growthFigures), written into columns: what rankings of 50,000 orgs read. */
export function growthColumns(db: Db, orgs: ReadonlyArray<OrgRef>, group: PlatformGroup, from: string, to: string, cache: GrowthCache): GrowthColumns {
  const n = orgs.length;
  const cols: GrowthColumns = {
    audience_start: new Float64Array(n),
    audience_end: new Float64Array(n),
    net_growth: new Float64Array(n),
    growth_percent: new Float64Array(n),
    per_1000_members: new Float64Array(n),
  };
  const { start, end, firstSeen } = growthInputs(db, orgs, group, from, to, cache);
  const num = (v: number | null | undefined): number => (v === null || v === undefined ? NaN : v);
  for (let i = 0; i < n; i++) {
    const o = orgs[i];
    const s = start.get(o.id) ?? null;
    const e = end.get(o.id) ?? null;
    const g = growthFigures(s, e, firstSeen.get(o.id) ?? 0, o.members);
    cols.audience_start[i] = num(s);
    cols.audience_end[i] = num(e);
    cols.net_growth[i] = num(g.net_growth);
    cols.growth_percent[i] = num(g.growth_percent);
    cols.per_1000_members[i] = num(g.per_1000_members);
  }
  return cols;
}

/** Growth rows (the fields of `export growth`) of the given orgs, in their order. */
export function growthFor(
  db: Db,
  nodes: ReadonlyArray<OrgRef & { slug: string }>,
  group: PlatformGroup,
  from: string,
  to: string,
  cache: GrowthCache = newGrowthCache(),
): GrowthRow[] {
  // (a literal, not a spread of g: 5,000 spreads cost milliseconds; same fields, same order)
  return growthEach(db, nodes, group, from, to, cache, (n, audienceStart, audienceEnd, g) => ({
    org: n.slug,
    platform: group,
    from,
    to,
    audience_start: audienceStart,
    audience_end: audienceEnd,
    net_growth: g.net_growth,
    growth_percent: g.growth_percent,
    per_1000_members: g.per_1000_members,
  }));
}

/** Growth of a handful of orgs (a page's org and its children), by org id. */
export function orgsGrowth(db: Db, orgs: ReadonlyArray<OrgRef>, group: PlatformGroup, from: string, to: string): Map<number, OrgGrowth> {
  const out = new Map<number, OrgGrowth>();
  growthEach(db, orgs, group, from, to, newGrowthCache(), (o, start, end, g) => out.set(o.id, { audience_start: start, audience_end: end, ...g }));
  return out;
}

/**
 * The rows of growthRows one at a time: the audiences of the two days are read for every org first (arrays
 * by org id), then each row is made as it is asked for, so `export growth` writes 50,000 rows without
 * holding them.
 */
export function* growthRowsEach(db: Db, opts: { org?: string; platform: PlatformGroup; from: string; to: string }): Generator<GrowthRow> {
  const nodes = subtreeOf(loadTree(db), opts.org);
  const rows = (n: (typeof nodes)[number], audienceStart: number | null, audienceEnd: number | null, g: GrowthFigures): GrowthRow => ({
    org: n.slug,
    platform: opts.platform,
    from: opts.from,
    to: opts.to,
    audience_start: audienceStart,
    audience_end: audienceEnd,
    net_growth: g.net_growth,
    growth_percent: g.growth_percent,
    per_1000_members: g.per_1000_members,
  });
  const one = growthOne(db, nodes, opts.platform, opts.from, opts.to, newGrowthCache());
  for (const n of nodes) yield one(n, rows);
}

/** Rows of `export growth`: one per org of the subtree of `org` (default: the whole tree). */
export function growthRows(db: Db, opts: { org?: string; platform: PlatformGroup; from: string; to: string }): GrowthRow[] {
  return growthFor(db, subtreeOf(loadTree(db), opts.org), opts.platform, opts.from, opts.to);
}

export interface GrowthComparisonRow extends GrowthRow {
  previous_from: string;
  previous_to: string;
  previous_audience_start: number | null;
  previous_net_growth: number | null;
  previous_growth_percent: number | null;
  previous_per_1000_members: number | null;
  /** net growth minus the previous period's; null when either is undefined */
  net_growth_change: number | null;
}

/** Growth beside the previous period of the same kind (previous week/month/quarter/year, or same length before). */
export function compareGrowth(db: Db, opts: { org?: string; platform: PlatformGroup; from: string; to: string; kind?: PeriodKind }): GrowthComparisonRow[] {
  const period: Period = opts.kind && opts.kind !== 'custom' ? periodContaining(opts.kind, opts.from) : inferPeriod(opts.from, opts.to);
  const prev = previousPeriod({ ...period, from: opts.from, to: opts.to });
  const nodes = subtreeOf(loadTree(db), opts.org);
  const cache = newGrowthCache(); // the previous period ends the day before this one starts: read once
  const current = growthFor(db, nodes, opts.platform, opts.from, opts.to, cache);
  const before = new Map(growthFor(db, nodes, opts.platform, prev.from, prev.to, cache).map((r) => [r.org, r]));
  return current.map((r) => {
    const p = before.get(r.org)!;
    return {
      ...r,
      previous_from: prev.from,
      previous_to: prev.to,
      previous_audience_start: p.audience_start,
      previous_net_growth: p.net_growth,
      previous_growth_percent: p.growth_percent,
      previous_per_1000_members: p.per_1000_members,
      net_growth_change: r.net_growth === null || p.net_growth === null ? null : r.net_growth - p.net_growth,
    };
  });
}
