// The precomputed rollups must give exactly what DESIGN §4 says, computed directly from the raw rows,
// whatever the tree, the histories, gaps, closings, moves and the order in which data arrives.
import fc from 'fast-check';
import { openDatabase, type Db } from '../../db';
import { computeRollups } from '../../src/jobs/compute';
import { audienceOfAllOrgs, audienceSeriesDays, audienceSeriesDaysOf } from '../../src/growth/series';
import { growthRows } from '../../src/growth/growth';
import { fromEpochDay } from '../../src/domain/dates';

const PLATFORMS = ['facebook', 'instagram', 'telegram', 'newspaper'] as const;
const GROUPS = ['facebook', 'instagram', 'telegram', 'newspaper', 'social'] as const;
const DAY0 = 20_000; // chunk-aligned is not assumed: 20000 / 32 = 625
const SPAN = 150;

// ---- a tiny independent reference of §4, straight over the raw tables ----
interface Raw {
  parent: Map<number, number | null>;
  accounts: { id: number; org: number; platform: string; closed: number | null }[];
  snaps: Map<number, Map<number, number>>; // account → day → audience
}
function readRaw(db: Db): Raw {
  const parent = new Map((db.prepare('SELECT id, parent_id FROM organisations').all() as { id: number; parent_id: number | null }[]).map((o) => [o.id, o.parent_id]));
  const accounts = (db.prepare('SELECT id, org_id, platform, closed_day FROM accounts').all() as { id: number; org_id: number; platform: string; closed_day: number | null }[]).map((a) => ({ id: a.id, org: a.org_id, platform: a.platform, closed: a.closed_day }));
  const snaps = new Map<number, Map<number, number>>();
  for (const s of db.prepare('SELECT account_id, day, audience FROM snapshots').all() as { account_id: number; day: number; audience: number }[]) {
    if (!snaps.has(s.account_id)) snaps.set(s.account_id, new Map());
    snaps.get(s.account_id)!.set(s.day, s.audience);
  }
  return { parent, accounts, snaps };
}
const inSubtree = (raw: Raw, org: number, root: number): boolean => {
  for (let o: number | null | undefined = org; o != null; o = raw.parent.get(o)) if (o === root) return true;
  return false;
};
const inGroup = (platform: string, group: string) => (group === 'social' ? platform !== 'newspaper' : platform === group);
const refAccounts = (raw: Raw, root: number, group: string) => raw.accounts.filter((a) => inSubtree(raw, a.org, root) && inGroup(a.platform, group));
function refAsOf(raw: Raw, a: number, d: number): number | null {
  let best = -Infinity;
  let val: number | null = null;
  for (const [day, aud] of raw.snaps.get(a) ?? []) if (day <= d && day > best) [best, val] = [day, aud];
  return val;
}
const refTracked = (raw: Raw, a: Raw['accounts'][number], d: number) => refAsOf(raw, a.id, d) !== null && (a.closed === null || a.closed > d);
function refAudience(raw: Raw, root: number, group: string, d: number): number | null {
  let sum: number | null = null;
  for (const a of refAccounts(raw, root, group)) if (refTracked(raw, a, d)) sum = (sum ?? 0) + refAsOf(raw, a.id, d)!;
  return sum;
}
function refNetGrowth(raw: Raw, root: number, group: string, from: number, to: number): number | null {
  if (refAudience(raw, root, group, from - 1) === null && refAudience(raw, root, group, to) === null) return null;
  let net = 0;
  for (const a of refAccounts(raw, root, group)) {
    if (refTracked(raw, a, to)) {
      let base: number;
      if (refTracked(raw, a, from - 1)) base = refAsOf(raw, a.id, from - 1)!;
      else {
        const firstDay = Math.min(...[...raw.snaps.get(a.id)!.keys()].filter((d) => d >= from && d <= to));
        base = raw.snaps.get(a.id)!.get(firstDay)!;
      }
      net += refAsOf(raw, a.id, to)! - base;
    }
    if (refTracked(raw, a, from - 1) && a.closed !== null && a.closed <= to) net -= refAsOf(raw, a.id, from - 1)!;
  }
  return net;
}

// ---- random worlds and random orders of events ----
type Op =
  | { kind: 'snap'; account: number; day: number; audience: number }
  | { kind: 'replace'; account: number; day: number; audience: number }
  | { kind: 'shift'; account: number; day: number; by: number }
  | { kind: 'delete'; account: number; day: number }
  | { kind: 'close'; account: number; day: number | null }
  | { kind: 'moveAccount'; account: number; org: number }
  | { kind: 'moveOrg'; org: number; parent: number }
  | { kind: 'compute' };

const world = fc.record({
  parents: fc.array(fc.nat(), { minLength: 1, maxLength: 7 }), // org i+1's parent is parents[i] % (i+1)
  accounts: fc.array(fc.record({ org: fc.nat(), platform: fc.constantFrom(...PLATFORMS) }), { minLength: 1, maxLength: 7 }),
  ops: fc.array(
    fc.oneof(
      { weight: 12, arbitrary: fc.record({ kind: fc.constant('snap' as const), account: fc.nat(), day: fc.integer({ min: 0, max: SPAN }), audience: fc.integer({ min: 0, max: 5000 }) }) },
      // an INSERT OR REPLACE fires no delete trigger; a reading moved to another day (UPDATE OR IGNORE)
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('replace' as const), account: fc.nat(), day: fc.integer({ min: 0, max: SPAN }), audience: fc.integer({ min: 0, max: 5000 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('shift' as const), account: fc.nat(), day: fc.integer({ min: 0, max: SPAN }), by: fc.integer({ min: -40, max: 40 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), account: fc.nat(), day: fc.integer({ min: 0, max: SPAN }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('close' as const), account: fc.nat(), day: fc.option(fc.integer({ min: 0, max: SPAN + 10 })) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('moveAccount' as const), account: fc.nat(), org: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('moveOrg' as const), org: fc.nat(), parent: fc.nat() }) },
      { weight: 3, arbitrary: fc.constant({ kind: 'compute' as const }) },
    ),
    { maxLength: 80 },
  ),
});

function build(db: Db, w: { parents: number[]; accounts: { org: number; platform: string }[] }) {
  const insOrg = db.prepare("INSERT INTO organisations (id, slug, parent_id, level, name_ru, created_at, updated_at) VALUES (?, ?, ?, 'primary', 'x', 0, 0)");
  insOrg.run(1, 'o1', null);
  w.parents.forEach((p, i) => insOrg.run(i + 2, `o${i + 2}`, (p % (i + 1)) + 1));
  const orgCount = w.parents.length + 1;
  const insAcc = db.prepare('INSERT INTO accounts (id, org_id, platform, platform_id, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)');
  w.accounts.forEach((a, i) => insAcc.run(i + 1, (a.org % orgCount) + 1, a.platform, `acc${i + 1}`));
  return orgCount;
}

function apply(db: Db, op: Op, orgCount: number, accountCount: number): void {
  const acc = 'account' in op ? (op.account % accountCount) + 1 : 0;
  switch (op.kind) {
    case 'snap':
      db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, 0) ON CONFLICT (account_id, day) DO UPDATE SET audience = excluded.audience').run(acc, DAY0 + op.day, op.audience);
      break;
    case 'replace':
      db.prepare('INSERT OR REPLACE INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, 0)').run(acc, DAY0 + op.day, op.audience);
      break;
    case 'shift':
      db.prepare('UPDATE OR IGNORE snapshots SET day = day + ? WHERE account_id = ? AND day = ?').run(op.by, acc, DAY0 + op.day);
      break;
    case 'delete':
      db.prepare('DELETE FROM snapshots WHERE account_id = ? AND day = ?').run(acc, DAY0 + op.day);
      break;
    case 'close':
      db.prepare('UPDATE accounts SET closed_day = ? WHERE id = ?').run(op.day === null ? null : DAY0 + op.day, acc);
      break;
    case 'moveAccount':
      db.prepare('UPDATE accounts SET org_id = ? WHERE id = ?').run((op.org % orgCount) + 1, acc);
      break;
    case 'moveOrg': {
      const org = (op.org % orgCount) + 1;
      const parent = (op.parent % orgCount) + 1;
      if (org === 1) break;
      const raw = readRaw(db);
      if (inSubtree(raw, parent, org)) break; // would make a cycle
      db.prepare('UPDATE organisations SET parent_id = ? WHERE id = ?').run(parent, org);
      break;
    }
    case 'compute':
      computeRollups(db);
      break;
  }
}

function checkAgainstReference(db: Db, orgCount: number): void {
  const raw = readRaw(db);
  const lo = DAY0 - 2;
  const hi = DAY0 + SPAN + 40;
  for (let org = 1; org <= orgCount; org++) {
    for (const g of GROUPS) {
      const got = audienceSeriesDays(db, org, g, lo, hi);
      const want = Array.from({ length: hi - lo + 1 }, (_, i) => refAudience(raw, org, g, lo + i));
      expect({ org, g, series: got }).toEqual({ org, g, series: want });
    }
  }
  // the batched reader (targets' rate windows) answers the same series for every pair at once
  const pairs = Array.from({ length: orgCount }, (_, i) => GROUPS.map((group) => ({ orgId: i + 1, group }))).flat();
  for (const [f, t] of [[lo, hi], [DAY0 + 5, DAY0 + 32]] as const) {
    const batched = audienceSeriesDaysOf(db, pairs, f, t);
    for (const p of pairs) expect({ ...p, series: batched.get(`${p.orgId}:${p.group}`) }).toEqual({ ...p, series: audienceSeriesDays(db, p.orgId, p.group, f, t) });
  }
  // every org on one day (growth of the whole tree, rankings): read from rollup_blocks, the same values
  for (const g of GROUPS) {
    for (let d = lo; d <= hi; d += 3) {
      const all = audienceOfAllOrgs(db, g, d);
      const got = Array.from({ length: orgCount }, (_, i) => all.get(i + 1) ?? null);
      expect({ g, d, got }).toEqual({ g, d, got: Array.from({ length: orgCount }, (_, i) => refAudience(raw, i + 1, g, d)) });
    }
  }
  const ranges: [number, number][] = [[DAY0, DAY0 + SPAN], [DAY0 + 10, DAY0 + 40], [DAY0 + 31, DAY0 + 31], [DAY0 + 50, DAY0 + 120], [DAY0 - 5, DAY0 + 3]];
  for (const g of GROUPS) {
    for (const [f, t] of ranges) {
      for (const row of growthRows(db, { platform: g, from: fromEpochDay(f), to: fromEpochDay(t) })) {
        const org = Number(row.org.slice(1));
        const start = refAudience(raw, org, g, f - 1);
        const net = refNetGrowth(raw, org, g, f, t);
        expect({ org, g, f, t, start: row.audience_start, end: row.audience_end, net: row.net_growth, pct: row.growth_percent }).toEqual({
          org, g, f, t, start, end: refAudience(raw, org, g, t), net, pct: net === null || !start ? null : (net / start) * 100,
        });
      }
    }
  }
}

describe('rollups equal a direct computation from raw snapshots', () => {
  test('for random trees, histories, gaps, closings, moves and imports in random order (incremental, then full rebuild)', () => {
    fc.assert(
      fc.property(world, (w) => {
        const db = openDatabase(':memory:');
        try {
          const orgCount = build(db, w);
          for (const op of w.ops as Op[]) apply(db, op, orgCount, w.accounts.length);
          computeRollups(db);
          checkAgainstReference(db, orgCount);
          const side = () => ({
            flags: db.prepare('SELECT * FROM rollup_flags ORDER BY account_id, day').all(),
            accounts: db.prepare('SELECT * FROM rollup_accounts ORDER BY account_id').all(),
          });
          const incremental = side();
          computeRollups(db, { full: true });
          checkAgainstReference(db, orgCount);
          // suspicious-growth flags and per-account facts: incremental = rebuilt from scratch
          expect(incremental).toEqual(side());
        } finally {
          db.close();
        }
      }),
      {
        numRuns: 250,
        examples: [
          // CI's counterexample: a closing, undone before any compute, of an account whose stored run ended earlier
          [{ parents: [0], accounts: [{ org: 0, platform: 'facebook' }], ops: [{ kind: 'snap', account: 0, day: 0, audience: 0 }, { kind: 'compute' }, { kind: 'close', account: 0, day: 32 }, { kind: 'close', account: 0, day: null }] }],
        ],
      },
    );
  });
});
