// The accounts of a subtree as the growth engine sees them: their latest reading and staleness (the rule is
// src/domain/staleness.ts), and the suspicious account-days the compute flagged (src/domain/suspicious.ts).
import type { Db } from '../../db';
import { fromEpochDay, toEpochDay } from '../domain/dates';
import type { Platform } from '../domain/growth';
import { isStaleOn } from '../domain/staleness';
import { loadTree, scopeTest, subtreeOf, treeOrder } from './tree';

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
  const order = opts.org === undefined ? treeOrder(tree) : new Map(subtreeOf(tree, opts.org).map((n, i) => [n.id, i]));
  const d = toEpochDay(opts.date);
  const rows = db
    .prepare(
      `SELECT a.org_id, a.platform, a.platform_id, a.title, a.closed_day, r.first_day, r.last_day, r.last_audience
       FROM accounts a LEFT JOIN rollup_accounts r ON r.account_id = a.id`,
    )
    .all() as { org_id: number; platform: Platform; platform_id: string; title: string | null; closed_day: number | null; first_day: number | null; last_day: number | null; last_audience: number | null }[];
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
      stale: isStaleOn(r, d),
    }));
}
