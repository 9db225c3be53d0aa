// The organisation tree as the admin pages need it: one org by id, its children, a subtree, and the part of
// the tree a principal may change in tree order. Read from the one shared tree (src/growth/tree.ts).
import type { Db } from '../../db';
import type { OrgRow } from '../../db/orgs';
import type { Principal } from '../auth';
import { loadTree, subtreeIds, type OrgNode } from '../growth/tree';

export { subtreeIds };

export function orgById(db: Db, id: number): OrgRow | undefined {
  return loadTree(db).byId.get(id);
}

export function childrenOf(db: Db, id: number): OrgRow[] {
  return loadTree(db).byId.get(id)?.children ?? [];
}

export function orgCount(db: Db): number {
  return loadTree(db).all.length;
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
  const tree = loadTree(db);
  const own = p.orgId === null ? undefined : tree.byId.get(p.orgId);
  const roots = p.role === 'admin' ? tree.roots : own ? [own] : [];
  const counts = new Map((db.prepare('SELECT org_id, count(*) AS n FROM accounts GROUP BY org_id').all() as { org_id: number; n: number }[]).map((r) => [r.org_id, r.n]));
  const out: OrgOption[] = [];
  const walk = (o: OrgNode, depth: number) => {
    out.push({ id: o.id, slug: o.slug, level: o.level, parent_id: o.parent_id, depth, name_ru: o.name_ru, name_kk: o.name_kk, name_en: o.name_en, members: o.members, accounts: counts.get(o.id) ?? 0 });
    for (const c of o.children) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}
