// The organisation tree as the admin pages need it: one org by id, its children, a subtree, and the part of
// the tree a principal may change in tree order. The one place the admin code reads the tree, so it can
// move onto the shared tree lookup without touching the pages.
import type { Db } from '../../db';
import { subtreeIds, type OrgRow } from '../../db/orgs';
import type { Principal } from '../auth';

const ORG_COLUMNS = 'id, slug, parent_id, level, name_ru, name_kk, name_en, members, telegram_chat';

export { subtreeIds };

export function orgById(db: Db, id: number): OrgRow | undefined {
  return db.prepare(`SELECT ${ORG_COLUMNS} FROM organisations WHERE id = ?`).get(id) as OrgRow | undefined;
}

export function childrenOf(db: Db, id: number): OrgRow[] {
  return db.prepare(`SELECT ${ORG_COLUMNS} FROM organisations WHERE parent_id = ? ORDER BY id`).all(id) as OrgRow[];
}

export function orgCount(db: Db): number {
  return db.prepare('SELECT count(*) FROM organisations').pluck().get() as number;
}

/** An organisation as the admin pages list it: with its depth in the tree and how many accounts it has. */
export interface OrgOption {
  id: number;
  slug: string;
  level: OrgRow['level'];
  parent_id: number | null;
  depth: number;
  name_ru: string;
  name_kk: string | null;
  name_en: string | null;
  members: number | null;
  accounts: number;
}

/** The orgs this principal may change (an admin all, an editor its subtree), in tree order with their depth. */
export function editableTree(db: Db, p: Principal): OrgOption[] {
  const rootId = p.role === 'admin' ? null : p.orgId;
  if (p.role !== 'admin' && rootId === null) return [];
  // Depth-first order: each row's path of zero-padded ids sorts parents before children, siblings by id.
  return db
    .prepare(
      `WITH RECURSIVE t(id, depth, path) AS (
         SELECT id, 0, printf('%012d', id) FROM organisations WHERE ${rootId === null ? 'parent_id IS NULL' : 'id = @root'}
         UNION ALL SELECT o.id, t.depth + 1, t.path || '/' || printf('%012d', o.id) FROM organisations o JOIN t ON o.parent_id = t.id)
       SELECT o.id, o.slug, o.level, o.parent_id, t.depth, o.name_ru, o.name_kk, o.name_en, o.members,
         (SELECT count(*) FROM accounts a WHERE a.org_id = o.id) AS accounts
       FROM t JOIN organisations o ON o.id = t.id ORDER BY t.path`,
    )
    .all(rootId === null ? {} : { root: rootId }) as OrgOption[];
}
