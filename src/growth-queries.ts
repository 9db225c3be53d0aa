// Read side of the growth engine: the numbers pages, the JSON API, the bot and exports show, answered from
// the rollup tables only (never by scanning snapshots). Row field names are those of the DESIGN §9 exports.
import type { Db } from '../db';
import { fromEpochDay, toEpochDay } from './domain/dates';
import { GROUP_CODE, growthFigures, platformsOf, reachShare, type PlatformGroup } from './domain/growth';
import { customPeriod, periodContaining, previousPeriod, type Period, type PeriodKind } from './domain/periods';
import { competitionRanks, rankChange, type RankingMetric } from './domain/rankings';
import { CHUNK_DAYS, chunkOf, chunkStart } from './domain/rollup';
import { evaluateTarget, RATE_WINDOW_DAYS, type TargetDefinition, type TargetEvaluation, type TargetStatus } from './domain/targets';
import { chunkValueAt, decodeChunk } from './rollup-codec';

// ---------------------------------------------------------------------------------------------------------
// Statements, prepared once per connection

function statements(db: Db) {
  return {
    pair: db.prepare('SELECT first_chunk, last_chunk, last_sum, last_count FROM rollup_pairs WHERE org_id = ? AND grp = ?'),
    pairsOfGroup: db.prepare('SELECT org_id, first_chunk, last_chunk, last_sum, last_count FROM rollup_pairs WHERE grp = ?').raw(),
    chunks: db.prepare('SELECT chunk, data FROM rollup_series INDEXED BY rollup_series_org WHERE org_id = ? AND grp = ? AND chunk BETWEEN ? AND ?'),
    chunk: db.prepare('SELECT data FROM rollup_series WHERE org_id = ? AND grp = ? AND chunk = ?').pluck(),
    // many (org, group) pairs at once: `?` is a JSON array of org_id × 8 + grp (group codes are 0–4)
    pairsOf: db.prepare(
      'SELECT p.org_id, p.grp, p.first_chunk, p.last_chunk, p.last_sum, p.last_count FROM json_each(?) j CROSS JOIN rollup_pairs p ON p.grp = j.value & 7 AND p.org_id = j.value >> 3',
    ),
    chunksOf: db.prepare(
      `SELECT s.org_id, s.grp, s.chunk, s.data FROM json_each(?) j CROSS JOIN rollup_series s INDEXED BY rollup_series_org
       ON s.org_id = j.value >> 3 AND s.grp = j.value & 7 AND s.chunk BETWEEN ? AND ?`,
    ),
    chunksOfGroup: db.prepare('SELECT org_id, data FROM rollup_series WHERE grp = ? AND chunk = ?').raw(),
    orgs: db.prepare('SELECT id, slug, parent_id, level, members FROM organisations ORDER BY slug'),
    orgVersion: db.prepare("SELECT value FROM rollup_state WHERE key = 'org_version'").pluck(),
    latestTargets: db.prepare(
      `SELECT t.org_id, t.platform, t.due_day, v.baseline_day, v.baseline, v.target
       FROM targets t JOIN target_versions v ON v.target_id = t.id
       WHERE v.version = (SELECT max(version) FROM target_versions WHERE target_id = t.id)`,
    ),
    versions: db.prepare(
      `SELECT o.slug AS org, t.platform, t.due_day, v.version, v.baseline_day, v.baseline, v.target, v.target_percent, v.decision, v.set_by, v.set_at
       FROM targets t JOIN target_versions v ON v.target_id = t.id JOIN organisations o ON o.id = t.org_id
       WHERE (? IS NULL OR o.slug = ?)
       ORDER BY o.slug, t.platform, t.due_day, v.version DESC`,
    ),
    firstSeen: db.prepare(
      'SELECT chain, platform, first_audience FROM rollup_accounts WHERE first_day BETWEEN ? AND ? AND (closed_day IS NULL OR closed_day > ?)',
    ),
  };
}
const cache = new WeakMap<Db, ReturnType<typeof statements>>();
function st(db: Db): ReturnType<typeof statements> {
  let s = cache.get(db);
  if (!s) cache.set(db, (s = statements(db)));
  return s;
}

interface PairMeta {
  first_chunk: number;
  last_chunk: number;
  last_sum: number;
  last_count: number;
}

// ---------------------------------------------------------------------------------------------------------
// The organisation tree

export interface OrgNode {
  id: number;
  slug: string;
  parent_id: number | null;
  level: string;
  members: number | null;
  children: OrgNode[];
}

export interface OrgTree {
  byId: Map<number, OrgNode>;
  bySlug: Map<string, OrgNode>;
  roots: OrgNode[];
  /** every org, parents before children, siblings by slug */
  all: OrgNode[];
}

const trees = new WeakMap<Db, { version: number; tree: OrgTree }>();

/** The organisation tree, cached per connection until a trigger bumps `org_version`. Do not mutate it. */
export function loadTree(db: Db): OrgTree {
  const version = st(db).orgVersion.get() as number | undefined;
  const cached = trees.get(db);
  if (cached && version !== undefined && cached.version === version) return cached.tree;
  const rows = st(db).orgs.all() as Omit<OrgNode, 'children'>[];
  const byId = new Map<number, OrgNode>(rows.map((r) => [r.id, { ...r, children: [] }]));
  const roots: OrgNode[] = [];
  for (const n of byId.values()) {
    const p = n.parent_id === null ? undefined : byId.get(n.parent_id);
    if (p) p.children.push(n);
    else roots.push(n);
  }
  const tree = { byId, bySlug: new Map([...byId.values()].map((n) => [n.slug, n])), roots, all: roots.flatMap((r) => preorder(r)) };
  if (version !== undefined) trees.set(db, { version, tree });
  return tree;
}

/** The org and its descendants, parents before children, siblings by slug. */
export function preorder(node: OrgNode, out: OrgNode[] = []): OrgNode[] {
  out.push(node);
  for (const c of node.children) preorder(c, out);
  return out;
}

export class UnknownOrgError extends Error {
  constructor(readonly slug: string) {
    super(`no organisation has the slug ${JSON.stringify(slug)}`);
    this.name = 'UnknownOrgError';
  }
}

function resolveOrg(tree: OrgTree, slug: string | undefined): OrgNode[] {
  if (slug === undefined) return tree.roots;
  const n = tree.bySlug.get(slug);
  if (!n) throw new UnknownOrgError(slug);
  return [n];
}

const orders = new WeakMap<OrgTree, Map<number, number>>();
/** Position of every org in the whole tree's preorder. */
function treeOrder(tree: OrgTree): Map<number, number> {
  let o = orders.get(tree);
  if (!o) orders.set(tree, (o = new Map(tree.all.map((n, i) => [n.id, i]))));
  return o;
}

const sizes = new WeakMap<OrgTree, Map<number, number>>();
/** Number of orgs in every org's subtree (itself included). */
function subtreeSizes(tree: OrgTree): Map<number, number> {
  let m = sizes.get(tree);
  if (!m) {
    m = new Map();
    for (let i = tree.all.length - 1; i >= 0; i--) {
      const n = tree.all[i];
      let size = 1;
      for (const c of n.children) size += m.get(c.id)!;
      m.set(n.id, size);
    }
    sizes.set(tree, m);
  }
  return m;
}

/**
 * The subtree of `slug` (default: the whole tree) as a test on an org id, and every org's position in the
 * whole tree's preorder. A subtree's preorder is a contiguous run of the whole tree's, in the same order, so
 * this answers what scopeOf does without walking the subtree (5,000 primaries under the root).
 */
function scopeTest(tree: OrgTree, slug: string | undefined): { order: Map<number, number>; has: (orgId: number) => boolean } {
  const order = treeOrder(tree);
  if (slug === undefined) return { order, has: (id) => order.has(id) };
  const node = resolveOrg(tree, slug)[0];
  const lo = order.get(node.id)!;
  const hi = lo + subtreeSizes(tree).get(node.id)!;
  return {
    order,
    has: (id) => {
      const i = order.get(id);
      return i !== undefined && i >= lo && i < hi;
    },
  };
}

/** The subtree of `slug` in preorder, or the whole tree. */
function scopeOf(tree: OrgTree, slug: string | undefined): OrgNode[] {
  return slug === undefined ? tree.all : preorder(resolveOrg(tree, slug)[0]);
}

// ---------------------------------------------------------------------------------------------------------
// Daily audience

/** audience(O, P, d) for each day d in [fromDay, toDay] (epoch days); null where undefined. */
export function audienceSeriesDays(db: Db, orgId: number, group: PlatformGroup, fromDay: number, toDay: number): Array<number | null> {
  const s = st(db);
  const grp = GROUP_CODE[group];
  const out: Array<number | null> = new Array(Math.max(0, toDay - fromDay + 1)).fill(null);
  if (!out.length) return out;
  const meta = s.pair.get(orgId, grp) as PairMeta | undefined;
  if (!meta) return out;
  const cFrom = Math.max(chunkOf(fromDay), meta.first_chunk);
  const cTo = Math.min(chunkOf(toDay), meta.last_chunk);
  const chunk = { sum: new Float64Array(CHUNK_DAYS), cnt: new Int32Array(CHUNK_DAYS) };
  if (cFrom <= cTo) {
    for (const r of s.chunks.all(orgId, grp, cFrom, cTo) as { chunk: number; data: Buffer }[]) {
      decodeChunk(r.data, chunk);
      const base = chunkStart(r.chunk);
      const lo = Math.max(fromDay, base);
      const hi = Math.min(toDay, base + CHUNK_DAYS - 1);
      for (let d = lo; d <= hi; d++) out[d - fromDay] = chunk.cnt[d - base] > 0 ? chunk.sum[d - base] : null;
    }
  }
  // after the last stored chunk the last value carries on
  const carryFrom = Math.max(fromDay, chunkStart(meta.last_chunk + 1));
  const carried = meta.last_count > 0 ? meta.last_sum : null;
  for (let d = carryFrom; d <= toDay; d++) out[d - fromDay] = carried;
  return out;
}

/**
 * audienceSeriesDays for many (org, group) pairs over one range, in two statements instead of two per pair
 * (the targets table's 28-day rate windows). Keyed `${orgId}:${group}`.
 */
export function audienceSeriesDaysOf(
  db: Db,
  pairs: ReadonlyArray<{ orgId: number; group: PlatformGroup }>,
  fromDay: number,
  toDay: number,
): Map<string, Array<number | null>> {
  const s = st(db);
  const n = Math.max(0, toDay - fromDay + 1);
  const out = new Map<string, Array<number | null>>();
  const keys = new Map<string, { orgId: number; grp: number; key: string }>();
  for (const p of pairs) {
    const key = `${p.orgId}:${p.group}`;
    if (out.has(key)) continue;
    out.set(key, new Array(n).fill(null));
    keys.set(`${p.orgId}:${GROUP_CODE[p.group]}`, { orgId: p.orgId, grp: GROUP_CODE[p.group], key });
  }
  if (!n || !keys.size) return out;
  const json = JSON.stringify([...keys.values()].map((k) => k.orgId * 8 + k.grp));
  const metas = new Map<string, PairMeta>();
  for (const m of s.pairsOf.all(json) as (PairMeta & { org_id: number; grp: number })[]) metas.set(`${m.org_id}:${m.grp}`, m);
  const chunk = { sum: new Float64Array(CHUNK_DAYS), cnt: new Int32Array(CHUNK_DAYS) };
  for (const r of s.chunksOf.all(json, chunkOf(fromDay), chunkOf(toDay)) as { org_id: number; grp: number; chunk: number; data: Buffer }[]) {
    const k = `${r.org_id}:${r.grp}`;
    const meta = metas.get(k);
    if (!meta || r.chunk < meta.first_chunk || r.chunk > meta.last_chunk) continue;
    const values = out.get(keys.get(k)!.key)!;
    decodeChunk(r.data, chunk);
    const base = chunkStart(r.chunk);
    const lo = Math.max(fromDay, base);
    const hi = Math.min(toDay, base + CHUNK_DAYS - 1);
    for (let d = lo; d <= hi; d++) values[d - fromDay] = chunk.cnt[d - base] > 0 ? chunk.sum[d - base] : null;
  }
  // after the last stored chunk the last value carries on
  for (const [k, meta] of metas) {
    const values = out.get(keys.get(k)!.key)!;
    const carried = meta.last_count > 0 ? meta.last_sum : null;
    for (let d = Math.max(fromDay, chunkStart(meta.last_chunk + 1)); d <= toDay; d++) values[d - fromDay] = carried;
  }
  return out;
}

/** audience(O, P, D) for one org and day. */
export function audienceOnDay(db: Db, orgId: number, group: PlatformGroup, day: number): number | null {
  const s = st(db);
  const grp = GROUP_CODE[group];
  const meta = s.pair.get(orgId, grp) as PairMeta | undefined;
  if (!meta) return null;
  const c = chunkOf(day);
  if (c < meta.first_chunk) return null;
  if (c > meta.last_chunk) return meta.last_count > 0 ? meta.last_sum : null;
  const data = s.chunk.get(orgId, grp, c) as Buffer | undefined;
  if (!data) return null;
  const v = chunkValueAt(data, day - chunkStart(c));
  return v.cnt > 0 ? v.sum : null;
}

type PairRow = [orgId: number, firstChunk: number, lastChunk: number, lastSum: number, lastCount: number];

/**
 * audience(O, P, D) of every org that has accounts in P, by org id (absent = undefined). `pairs`: the group's
 * rollup_pairs rows when the caller already read them (several days of one request read them once).
 */
export function audienceOfAllOrgs(db: Db, group: PlatformGroup, day: number, pairs?: PairRow[]): Map<number, number> {
  const s = st(db);
  const grp = GROUP_CODE[group];
  const c = chunkOf(day);
  const i = day - chunkStart(c);
  const out = new Map<number, number>();
  const inChunk = new Set<number>();
  for (const [orgId, firstChunk, lastChunk, lastSum, lastCount] of pairs ?? (s.pairsOfGroup.all(grp) as PairRow[])) {
    if (c > lastChunk) {
      if (lastCount > 0) out.set(orgId, lastSum);
    } else if (c >= firstChunk) inChunk.add(orgId);
  }
  if (inChunk.size) {
    for (const [orgId, data] of s.chunksOfGroup.all(grp, c) as [number, Buffer][]) {
      const v = chunkValueAt(data, i);
      if (v.cnt > 0) out.set(orgId, v.sum);
    }
  }
  return out;
}

/** First and last day on which the org's audience in P is stored (null when it has none). */
export function seriesExtent(db: Db, orgSlug: string, group: PlatformGroup): { first: string | null; last: string | null } {
  const org = resolveOrg(loadTree(db), orgSlug)[0];
  const meta = st(db).pair.get(org.id, GROUP_CODE[group]) as PairMeta | undefined;
  if (!meta) return { first: null, last: null };
  const days = audienceSeriesDays(db, org.id, group, chunkStart(meta.first_chunk), chunkStart(meta.first_chunk + 1) - 1);
  const firstIdx = days.findIndex((v) => v !== null);
  const first = firstIdx < 0 ? chunkStart(meta.first_chunk + 1) : chunkStart(meta.first_chunk) + firstIdx;
  return { first: fromEpochDay(first), last: fromEpochDay(chunkStart(meta.last_chunk + 1) - 1) };
}

export const AUDIENCE_COLUMNS = ['org', 'platform', 'date', 'audience'] as const;
export interface AudienceRow {
  org: string;
  platform: PlatformGroup;
  date: string;
  audience: number | null;
}

/** Rows of `export audience`: the daily series of §4 for one org (default: the root). */
export function audienceRows(db: Db, opts: { org?: string; platform: PlatformGroup; from: string; to: string }): AudienceRow[] {
  const org = resolveOrg(loadTree(db), opts.org)[0];
  if (!org) return [];
  const from = toEpochDay(opts.from);
  const values = audienceSeriesDays(db, org.id, opts.platform, from, toEpochDay(opts.to));
  return values.map((audience, i) => ({ org: org.slug, platform: opts.platform, date: fromEpochDay(from + i), audience }));
}

/** Chart-ready series ({ x: date, y: audience }) for chart.js. */
export function audienceSeries(db: Db, orgSlug: string, platform: PlatformGroup, from: string, to: string): { x: string; y: number | null }[] {
  return audienceRows(db, { org: orgSlug, platform, from, to }).map((r) => ({ x: r.date, y: r.audience }));
}

// ---------------------------------------------------------------------------------------------------------
// Growth

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

/** F(O, P, from, to) of §4 for every org: first audiences of channels first seen in the period, still tracked on `to`. */
function firstSeenByOrg(db: Db, group: PlatformGroup, from: number, to: number): Map<number, number> {
  const platforms = new Set<string>(platformsOf(group));
  const out = new Map<number, number>();
  for (const r of st(db).firstSeen.all(from, to, to) as { chain: string; platform: string; first_audience: number }[]) {
    if (!platforms.has(r.platform)) continue;
    for (const id of r.chain.split(',')) out.set(Number(id), (out.get(Number(id)) ?? 0) + r.first_audience);
  }
  return out;
}

/** What growthFor calls of one request share: audiences by day, the group's pairs. */
interface GrowthCache {
  days: Map<number, Map<number, number>>;
  pairs?: PairRow[];
}

function growthFor(db: Db, nodes: OrgNode[], group: PlatformGroup, from: string, to: string, cache: GrowthCache = { days: new Map() }): GrowthRow[] {
  const f = toEpochDay(from);
  const t = toEpochDay(to);
  // a few orgs: one lookup each; many: one pass over the group's chunk for that day
  const audienceOf = (day: number): Map<number, number> => {
    let m = cache.days.get(day);
    if (m) return m;
    if (nodes.length > 400) m = audienceOfAllOrgs(db, group, day, (cache.pairs ??= st(db).pairsOfGroup.all(GROUP_CODE[group]) as PairRow[]));
    else {
      m = new Map<number, number>();
      for (const n of nodes) {
        const v = audienceOnDay(db, n.id, group, day);
        if (v !== null) m.set(n.id, v);
      }
    }
    cache.days.set(day, m);
    return m;
  };
  const start = audienceOf(f - 1);
  const end = audienceOf(t);
  const firstSeen = firstSeenByOrg(db, group, f, t);
  return nodes.map((n) => {
    const audienceStart = start.get(n.id) ?? null;
    const audienceEnd = end.get(n.id) ?? null;
    const g = growthFigures(audienceStart, audienceEnd, firstSeen.get(n.id) ?? 0, n.members);
    // (a literal, not a spread of g: 5,000 spreads cost milliseconds; same fields, same order)
    return {
      org: n.slug,
      platform: group,
      from,
      to,
      audience_start: audienceStart,
      audience_end: audienceEnd,
      net_growth: g.net_growth,
      growth_percent: g.growth_percent,
      per_1000_members: g.per_1000_members,
    };
  });
}

/** Rows of `export growth`: one per org of the subtree of `org` (default: the whole tree). */
export function growthRows(db: Db, opts: { org?: string; platform: PlatformGroup; from: string; to: string }): GrowthRow[] {
  return growthFor(db, scopeOf(loadTree(db), opts.org), opts.platform, opts.from, opts.to);
}

/** The kind of calendar period a range is exactly (an ISO week, month, quarter, year), else custom. */
export function inferPeriod(from: string, to: string): Period {
  for (const kind of ['week', 'month', 'quarter', 'year'] as const) {
    const p = periodContaining(kind, from);
    if (p.from === from && p.to === to) return p;
  }
  return customPeriod(from, to);
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
  const nodes = scopeOf(loadTree(db), opts.org);
  const cache: GrowthCache = { days: new Map() }; // the previous period ends the day before this one starts: read once
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

// ---------------------------------------------------------------------------------------------------------
// Rankings

export const RANKING_COLUMNS = [
  'org', 'level', 'platform', 'from', 'to', 'members', 'audience_start', 'audience_end', 'net_growth', 'growth_percent',
  'per_1000_members', 'reach_share', 'metric', 'rank', 'previous_rank', 'rank_change',
] as const;
export interface RankingRow extends GrowthRow {
  level: string;
  members: number | null;
  /** audience at the end of the period ÷ members */
  reach_share: number | null;
  metric: RankingMetric;
  rank: number | null;
  previous_rank: number | null;
  /** places gained against the previous period (positive = up) */
  rank_change: number | null;
}

/**
 * Orgs of one level ranked by a metric (default growth %), best first, unranked (undefined metric) last;
 * with their rank in the previous period of the same kind and length.
 */
export function rankings(
  db: Db,
  opts: { level: string; platform: PlatformGroup; from: string; to: string; metric?: RankingMetric; org?: string; prev?: { from: string; to: string }; previousValues?: boolean },
): (RankingRow & { previous_value?: number | null })[] {
  const metric = opts.metric ?? 'growth_percent';
  const nodes = scopeOf(loadTree(db), opts.org).filter((n) => n.level === opts.level);
  // (a page may compare with another period, e.g. a year ago; `previousValues` adds the metric's value in it)
  const prev = opts.prev ?? previousPeriod(inferPeriod(opts.from, opts.to));
  const cache: GrowthCache = { days: new Map() }; // the previous period ends the day before this one starts
  const cur = growthFor(db, nodes, opts.platform, opts.from, opts.to, cache);
  const before = growthFor(db, nodes, opts.platform, prev.from, prev.to, cache);
  const valueOf = (r: GrowthRow, i: number) => (metric === 'reach_share' ? reachShare(r.audience_end, nodes[i].members) : r[metric]);
  const ranks = competitionRanks(cur.map(valueOf));
  const prevRanks = competitionRanks(before.map(valueOf));
  // (literals, not spreads: the fields of GrowthRow, reach_share, then the ranking's, in this order)
  const rows: RankingRow[] = cur.map((r, i) => ({
    org: r.org,
    platform: r.platform,
    from: r.from,
    to: r.to,
    audience_start: r.audience_start,
    audience_end: r.audience_end,
    net_growth: r.net_growth,
    growth_percent: r.growth_percent,
    per_1000_members: r.per_1000_members,
    reach_share: reachShare(r.audience_end, nodes[i].members),
    level: nodes[i].level,
    members: nodes[i].members,
    metric,
    rank: ranks[i],
    previous_rank: prevRanks[i],
    rank_change: rankChange(ranks[i], prevRanks[i]),
    ...(opts.previousValues ? { previous_value: valueOf(before[i], i) } : {}),
  }));
  // slugs are [a-z0-9-]: plain code-unit order, much cheaper than localeCompare over 5,000 primaries
  return rows.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------
// Targets

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
  const targets = st(db).latestTargets.all() as { org_id: number; platform: PlatformGroup; due_day: number; baseline_day: number; baseline: number; target: number }[];
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
  const rows = st(db).versions.all(opts.org ?? null, opts.org ?? null) as (Omit<TargetVersionRow, 'due_date' | 'baseline_date' | 'set_at'> & {
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

// ---------------------------------------------------------------------------------------------------------
// Accounts: suspicious growth and staleness

export interface SuspiciousRow {
  org: string;
  platform: string;
  account: string;
  title: string | null;
  date: string;
  audience: number;
  previous_audience: number;
  daily_change: number;
  expected_change: number;
  score: number;
  kind: 'spike' | 'drop';
}

/** Suspicious account-days (rule in src/domain/suspicious.ts) in the subtree of `org`, newest first. */
export function suspiciousFlags(db: Db, opts: { org?: string; from?: string; to?: string } = {}): SuspiciousRow[] {
  const tree = loadTree(db);
  const scope = scopeTest(tree, opts.org);
  const rows = db
    .prepare(
      `SELECT a.org_id, a.platform, a.platform_id, a.title, f.day, f.audience, f.previous_audience, f.daily_change, f.expected_change, f.score, f.kind
       FROM rollup_flags f JOIN accounts a ON a.id = f.account_id
       WHERE f.day BETWEEN ? AND ? ORDER BY f.day DESC, abs(f.score) DESC`,
    )
    .all(opts.from ? toEpochDay(opts.from) : -1e9, opts.to ? toEpochDay(opts.to) : 1e9) as {
    org_id: number; platform: string; platform_id: string; title: string | null; day: number; audience: number;
    previous_audience: number; daily_change: number; expected_change: number; score: number; kind: 'spike' | 'drop';
  }[];
  return rows
    .filter((r) => scope.has(r.org_id))
    .map((r) => ({
      org: tree.byId.get(r.org_id)!.slug,
      platform: r.platform,
      account: r.platform_id,
      title: r.title,
      date: fromEpochDay(r.day),
      audience: r.audience,
      previous_audience: r.previous_audience,
      daily_change: r.daily_change,
      expected_change: r.expected_change,
      score: r.score,
      kind: r.kind,
    }));
}

/** Days after which an account's latest reading is stale (DESIGN §4). */
export const STALE_AFTER_DAYS = { facebook: 3, instagram: 3, telegram: 3, newspaper: 400 } as const;

export interface AccountStatusRow {
  org: string;
  platform: string;
  account: string;
  title: string | null;
  first_date: string | null;
  last_date: string | null;
  last_audience: number | null;
  closed: string | null;
  stale: boolean;
}

/** The accounts of an org's subtree with their latest reading and whether it is stale on `date`. */
export function accountStatus(db: Db, opts: { org?: string; date: string }): AccountStatusRow[] {
  const tree = loadTree(db);
  const order = opts.org === undefined ? treeOrder(tree) : new Map(scopeOf(tree, opts.org).map((n, i) => [n.id, i]));
  const d = toEpochDay(opts.date);
  const rows = db
    .prepare(
      `SELECT a.org_id, a.platform, a.platform_id, a.title, a.closed_day, r.first_day, r.last_day, r.last_audience
       FROM accounts a LEFT JOIN rollup_accounts r ON r.account_id = a.id`,
    )
    .all() as { org_id: number; platform: keyof typeof STALE_AFTER_DAYS; platform_id: string; title: string | null; closed_day: number | null; first_day: number | null; last_day: number | null; last_audience: number | null }[];
  return rows
    .filter((r) => order.has(r.org_id))
    .sort((a, b) => order.get(a.org_id)! - order.get(b.org_id)! || a.platform.localeCompare(b.platform) || a.platform_id.localeCompare(b.platform_id))
    .map((r) => ({
      org: tree.byId.get(r.org_id)!.slug,
      platform: r.platform,
      account: r.platform_id,
      title: r.title,
      first_date: r.first_day === null ? null : fromEpochDay(r.first_day),
      last_date: r.last_day === null ? null : fromEpochDay(r.last_day),
      last_audience: r.last_audience,
      closed: r.closed_day === null ? null : fromEpochDay(r.closed_day),
      stale: (r.closed_day === null || r.closed_day > d) && (r.last_day === null || d - r.last_day > STALE_AFTER_DAYS[r.platform]),
    }));
}
