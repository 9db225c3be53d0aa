// The precomputed account states per org (src/posts/states.ts: tracked, silent and ever-read accounts, active
// orgs per level) must equal DESIGN §11 computed directly from every account's state (accountStates,
// activeShareUnder) on any day, after any sequence of new posts, deletions, reads, first readings, closings and
// moves of accounts and orgs, both when updated incrementally and after a full rebuild.
import fc from 'fast-check';
import { openDatabase, type Db } from '../../db';
import { applyPostsOp } from '../helpers/posts-ops';
import { recordPostsReadDays } from '../../src/posts/store';
import { ensurePostFigures, updatePostFigures } from '../../src/posts/figures';
import { orgStatesOn, POST_STATES_TUNING } from '../../src/posts/states';
import { accountStates, activeShareUnder } from '../../src/publications/measures-data';
import { platformsOf } from '../../src/domain/growth';
import { toEpochDay } from '../../src/domain/dates';

const TZ = 'Asia/Almaty';
const DAY0 = toEpochDay('2026-01-10'); // not chunk-aligned
const SPAN = 70;
const GROUPS = ['facebook', 'instagram', 'telegram', 'social'] as const;
const ORGS: [number, number | null, string][] = [
  [1, null, 'council'],
  [2, 1, 'region'],
  [3, 1, 'region'],
  [4, 2, 'branch'],
  [5, 3, 'branch'],
  [6, 4, 'primary'],
  [7, 5, 'primary'],
  [8, 4, 'primary'],
];
const ACCOUNTS: [number, number, string][] = [
  [1, 6, 'facebook'],
  [2, 6, 'telegram'],
  [3, 4, 'instagram'],
  [4, 7, 'telegram'],
  [5, 3, 'facebook'],
  [6, 8, 'telegram'],
  [7, 2, 'telegram'],
];
const NA = ACCOUNTS.length;

function setup(): Db {
  const db = openDatabase(':memory:');
  const ins = db.prepare("INSERT INTO organisations (id, slug, parent_id, level, name_ru, created_at, updated_at) VALUES (?, ?, ?, ?, 'x', 0, 0)");
  for (const [id, parent, level] of ORGS) ins.run(id, `o${id}`, parent, level);
  const acc = db.prepare('INSERT INTO accounts (id, org_id, platform, platform_id, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)');
  for (const [id, org, platform] of ACCOUNTS) acc.run(id, org, platform, `a${id}`);
  return db;
}


const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('post' as const), account: fc.integer({ min: 1, max: NA }), id: fc.integer({ min: 1, max: 20 }), day: fc.nat(SPAN - 1) }) },
  fc.record({ t: fc.constant('delete' as const), account: fc.integer({ min: 1, max: NA }), id: fc.integer({ min: 1, max: 20 }) }),
  { weight: 3, arbitrary: fc.record({ t: fc.constant('read' as const), account: fc.integer({ min: 1, max: NA }), day: fc.nat(SPAN - 1), days: fc.integer({ min: 1, max: 6 }) }) },
  fc.record({ t: fc.constant('unread' as const), account: fc.integer({ min: 1, max: NA }) }),
  { weight: 2, arbitrary: fc.record({ t: fc.constant('snapshot' as const), account: fc.integer({ min: 1, max: NA }), day: fc.nat(SPAN - 1) }) },
  fc.record({ t: fc.constant('unsnap' as const), account: fc.integer({ min: 1, max: NA }) }),
  fc.record({ t: fc.constant('close' as const), account: fc.integer({ min: 1, max: NA }), day: fc.option(fc.nat(SPAN - 1), { nil: null }) }),
  fc.record({ t: fc.constant('moveOrg' as const), org: fc.integer({ min: 4, max: 8 }), parent: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ t: fc.constant('moveAccount' as const), account: fc.integer({ min: 1, max: NA }), org: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ t: fc.constant('update' as const) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(db: Db, o: Op): void {
  switch (o.t) {
    case 'post':
    case 'delete':
    case 'snapshot':
    case 'unsnap':
    case 'close':
      applyPostsOp(db, o, DAY0, TZ);
      break;
    case 'read':
      recordPostsReadDays(db, o.account, DAY0 + o.day, DAY0 + Math.min(SPAN - 1, o.day + o.days - 1));
      break;
    case 'unread':
      db.prepare('DELETE FROM post_read_days WHERE account_id = ? AND chunk = (SELECT max(chunk) FROM post_read_days WHERE account_id = ?)').run(o.account, o.account);
      break;
    case 'moveOrg': {
      // never under itself or its own subtree
      const parent = new Map((db.prepare('SELECT id, parent_id FROM organisations').all() as { id: number; parent_id: number | null }[]).map((r) => [r.id, r.parent_id]));
      for (let x: number | null | undefined = o.parent; x != null; x = parent.get(x)) if (x === o.org) return;
      db.prepare('UPDATE organisations SET parent_id = ? WHERE id = ?').run(o.parent, o.org);
      break;
    }
    case 'moveAccount':
      db.prepare('UPDATE accounts SET org_id = ? WHERE id = ?').run(o.org, o.account);
      break;
    case 'update':
      ensurePostFigures(db);
      break;
  }
}

function check(db: Db, days: number[]): void {
  ensurePostFigures(db);
  const parent = new Map((db.prepare('SELECT id, parent_id FROM organisations').all() as { id: number; parent_id: number | null }[]).map((r) => [r.id, r.parent_id]));
  const under = (org: number, root: number) => {
    for (let x: number | null | undefined = org; x != null; x = parent.get(x)) if (x === root) return true;
    return false;
  };
  for (const group of GROUPS) {
    const read = (db.prepare('SELECT id, org_id FROM accounts a WHERE platform IN (SELECT value FROM json_each(?)) AND EXISTS (SELECT 1 FROM post_read_days WHERE account_id = a.id)').all(JSON.stringify(platformsOf(group))) as { id: number; org_id: number }[]);
    for (const day of days) {
      const states = accountStates(db, group, day);
      const pre = orgStatesOn(db, group, day, ORGS.map(([id]) => id));
      for (const [org] of ORGS) {
        const mine = states.filter((a) => under(a.org_id, org));
        const p = pre.get(org)!;
        const want = {
          org,
          group,
          day: day - DAY0,
          tracked: mine.filter((a) => a.tracked).length,
          silent: mine.filter((a) => a.silence === 'silent').length,
          everRead: read.filter((a) => under(a.org_id, org)).length,
          active: ['council', 'region', 'branch', 'primary'].map((l) => activeShareUnder(db, `o${org}`, l, states, day)),
        };
        expect({ org, group, day: day - DAY0, tracked: p.tracked, silent: p.silent, everRead: p.everRead, active: ['council', 'region', 'branch', 'primary'].map((l) => p.active(l)) }).toEqual(want);
      }
    }
  }
}

describe('precomputed account states per org', () => {
  it('equal §11 computed from every account on any day, incrementally and after a full rebuild', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: -3, max: SPAN + 20 }), { minLength: 1, maxLength: 4 }), fc.boolean(), (ops, offsets, bulk) => {
        // the sources read account by account, or each table in one scan (as for a daily run of every account)
        POST_STATES_TUNING.bulkFrom = bulk ? 1 : 64;
        const db = setup();
        const days = offsets.map((d) => DAY0 + d);
        try {
          ops.forEach((o, i) => {
            apply(db, o);
            if (i % 8 === 7) check(db, days);
          });
          check(db, days);
          updatePostFigures(db, { full: true });
          check(db, days);
        } finally {
          db.close();
        }
      }),
      { numRuns: 80 },
    );
    POST_STATES_TUNING.bulkFrom = 64;
  });
});
