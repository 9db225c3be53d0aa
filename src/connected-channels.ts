// Audience that arrived with channels connected (first read) in a range: not growth (DESIGN §4), so pages, the
// print pack and the bot show it apart from a target's progress ("в т. ч. +2 093 за счёт подключённых каналов").
// Read from the rollups' per-account table (first day and first audience of every channel, its ancestor chain).
import type { Db } from '../db';
import { toEpochDay } from './domain/dates';
import { platformsOf, type PlatformGroup } from './domain/growth';

const firstSeenSql = new WeakMap<Db, { all(...params: unknown[]): unknown[] }>();

interface FirstSeenRow {
  chain: string;
  platform: string;
  first_day: number;
  first_audience: number;
  closed_day: number | null;
}

function firstSeenRows(db: Db, from: number, to: number): FirstSeenRow[] {
  let stmt = firstSeenSql.get(db);
  if (!stmt) {
    stmt = db.prepare('SELECT chain, platform, first_day, first_audience, closed_day FROM rollup_accounts WHERE first_day BETWEEN ? AND ?');
    firstSeenSql.set(db, stmt);
  }
  return stmt.all(from, to) as FirstSeenRow[];
}

/** Σ first audiences of channels first seen in [from, to] and still tracked on `to`, per org id of `ids` (their subtrees). */
export function firstSeenAudience(db: Db, ids: ReadonlySet<number>, group: PlatformGroup, from: number, to: number): Map<number, number> {
  const platforms = new Set<string>(platformsOf(group));
  const out = new Map<number, number>();
  for (const r of firstSeenRows(db, from, to)) {
    if (!platforms.has(r.platform) || (r.closed_day !== null && r.closed_day <= to)) continue;
    for (const part of r.chain.split(',')) {
      const id = Number(part);
      if (ids.has(id)) out.set(id, (out.get(id) ?? 0) + r.first_audience);
    }
  }
  return out;
}

/**
 * For each target: the audience its org's subtree gained by connecting channels after the baseline date (first
 * read after it, up to `date`, not closed by then); 0 when none was connected.
 */
export function connectedSinceBaseline(db: Db, targets: ReadonlyArray<{ orgId: number; platform: PlatformGroup; baseline_date: string; date: string }>): number[] {
  if (targets.length === 0) return [];
  const from = Math.min(...targets.map((t) => toEpochDay(t.baseline_date))) + 1;
  const to = Math.max(...targets.map((t) => toEpochDay(t.date)));
  const rows = firstSeenRows(db, from, to);
  return targets.map((t) => {
    const b = toEpochDay(t.baseline_date);
    const d = toEpochDay(t.date);
    const platforms = new Set<string>(platformsOf(t.platform));
    let sum = 0;
    const id = String(t.orgId);
    for (const r of rows) {
      if (r.first_day <= b || r.first_day > d || !platforms.has(r.platform) || (r.closed_day !== null && r.closed_day <= d)) continue;
      if (r.chain.split(',').includes(id)) sum += r.first_audience;
    }
    return sum;
  });
}
