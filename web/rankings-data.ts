// The rankings page's table: sorted by any column over the whole ranked set (not just the page shown), then
// cut into pages. Blanks ("no data") go last in either direction, as the in-page sort of app.js does.
import { orgName, type OrgRow } from '../db/orgs';
import type { Language, Level } from '../src/config';
import { LEVELS } from '../src/config';
import type { RankingColumns, RankingRow, RankingTable } from '../src/growth/rankings';
import type { OrgIndex } from './growth-data';

/** Sortable columns (the keys of the page's headers) and the value each sorts by. */
export const RANKING_SORTS = ['rank', 'change', 'prev', 'org', 'members', 'audience', 'net', 'pct', 'per1000', 'reach'] as const;
export type RankingSort = (typeof RANKING_SORTS)[number];
export type SortDir = 'asc' | 'desc';

/** The direction a column sorts in when first chosen: best first for figures, A–Z for names, 1 first for ranks. */
export const FIRST_DIR: Record<RankingSort, SortDir> = { rank: 'asc', change: 'desc', prev: 'desc', org: 'asc', members: 'desc', audience: 'desc', net: 'desc', pct: 'desc', per1000: 'desc', reach: 'desc' };

/** Rows per page the page offers; `all` shows every row. */
export const RANKING_PAGE_SIZES = [50, 100, 250] as const;
export const RANKING_DEFAULT_PAGE_SIZE = 100;

export interface RankingViewRow extends RankingRow {
  orgRow: OrgRow;
  parent: OrgRow | null;
  name: string;
  /** The audience is more than MEMBERS_SANITY_RATIO times the members: a members figure or a channel is wrong. */
  dataProblem: boolean;
}

/**
 * An audience above 3× the members is not a "coverage" of 403 %: a union's channels are read by members and
 * some outsiders, so such a figure means the members count is out of date or a channel belongs elsewhere.
 */
export const MEMBERS_SANITY_RATIO = 3;

export function isMembersDataProblem(r: Pick<RankingRow, 'reach_share'>): boolean {
  return r.reach_share !== null && r.reach_share > MEMBERS_SANITY_RATIO;
}

/** How many orgs of a ranking have a members data problem (isMembersDataProblem), from its column. */
export function membersDataProblems(table: RankingTable): number {
  let n = 0;
  for (const v of table.cols.reach_share) if (v > MEMBERS_SANITY_RATIO) n++;
  return n;
}

const NUMERIC: Record<Exclude<RankingSort, 'org'>, keyof RankingColumns> = {
  rank: 'rank',
  change: 'rank_change',
  members: 'members',
  prev: 'previous_value',
  audience: 'audience_end',
  net: 'net_growth',
  pct: 'growth_percent',
  per1000: 'per_1000_members',
  reach: 'reach_share',
};

const collators = new Map<Language, Intl.Collator>();
function collator(lang: Language): Intl.Collator {
  let c = collators.get(lang);
  if (!c) collators.set(lang, (c = new Intl.Collator(lang, { numeric: true })));
  return c;
}

const nameOrders = new WeakMap<OrgIndex, Map<Language, Map<string, number>>>();
/**
 * Every organisation's place in the alphabetical order of names in `lang` (equal names share a place): worked out
 * once per language while the tree is unchanged (orgIndex is rebuilt when it changes), so sorting 5,000 rows by
 * name compares numbers, not collation keys.
 */
function nameOrder(index: OrgIndex, lang: Language): Map<string, number> {
  let byLang = nameOrders.get(index);
  if (!byLang) nameOrders.set(index, (byLang = new Map()));
  let order = byLang.get(lang);
  if (order) return order;
  const c = collator(lang);
  const named = [...index.bySlug.values()].map((o) => ({ slug: o.slug, name: orgName(o, lang) })).sort((a, b) => c.compare(a.name, b.name));
  order = new Map();
  let place = 0;
  named.forEach((o, i) => {
    if (i > 0 && c.compare(named[i - 1].name, o.name) !== 0) place = i;
    order!.set(o.slug, place);
  });
  byLang.set(lang, order);
  return order;
}

/** Ranking rows (one page of them) with their org, parent and name in `lang`. */
export function rankingViewRows(rows: RankingRow[], index: OrgIndex, lang: Language): RankingViewRow[] {
  return rows.map((r) => {
    const org = index.bySlug.get(r.org)!;
    const parent = org.parent_id === null ? null : index.byId.get(org.parent_id) ?? null;
    return { ...r, orgRow: org, parent, name: orgName(org, lang), dataProblem: isMembersDataProblem(r) };
  });
}

/**
 * The ranking's positions sorted by a column; ties keep the ranking order (rank, then slug), so a sort is
 * stable across pages; blanks last either way. `rank` ascending is the ranking order itself. Sorted as
 * numbers: each value's place among the distinct values × rows + the row's place in the ranking order, so
 * 50,000 primaries sort without a comparator and without making their rows.
 */
export function sortRanking(table: RankingTable, sort: RankingSort, dir: SortDir, index: OrgIndex, lang: Language): Int32Array {
  if (sort === 'rank' && dir === 'asc') return table.order;
  const n = table.count;
  const sign = dir === 'asc' ? 1 : -1;
  const signed = new Float64Array(n);
  if (sort === 'org') {
    const order = nameOrder(index, lang);
    for (let i = 0; i < n; i++) signed[i] = sign * (order.get(table.nodes[i].slug) ?? 0);
  } else {
    const values = table.cols[NUMERIC[sort]];
    for (let i = 0; i < n; i++) signed[i] = sign * values[i];
  }
  let m = 0;
  const distinct = new Float64Array(n);
  for (const v of signed) if (!Number.isNaN(v)) distinct[m++] = v;
  const sorted = distinct.subarray(0, m).sort();
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = table.order[k];
    const v = signed[i];
    let place = m; // blanks after every value
    if (!Number.isNaN(v)) {
      let lo = 0;
      let hi = m;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      place = lo;
    }
    keys[k] = place * n + k;
  }
  keys.sort();
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = table.order[keys[k] % n];
  return out;
}

/**
 * Organisations a ranking of `level` can be narrowed to: those above it that have children, tree levels first. The
 * root is not offered (within it is everything, as "all" already says), so regions have no such filter.
 */
export function rankingParents(index: OrgIndex, level: Level, lang: Language): { level: Level; orgs: { slug: string; name: string }[] }[] {
  const depth = LEVELS.indexOf(level);
  const groups = new Map<Level, { slug: string; name: string }[]>();
  for (const o of index.byId.values()) {
    if (o.parent_id === null || !index.children.has(o.id) || LEVELS.indexOf(o.level) >= depth) continue;
    const list = groups.get(o.level) ?? [];
    list.push({ slug: o.slug, name: orgName(o, lang) });
    groups.set(o.level, list);
  }
  const c = collator(lang);
  return LEVELS.filter((l) => groups.has(l)).map((l) => ({ level: l, orgs: groups.get(l)!.sort((a, b) => c.compare(a.name, b.name)) }));
}
