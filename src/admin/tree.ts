// The organisation tree as the admin pages need it: one org by id, its children, a subtree, and the part of
// the tree a principal may change in tree order. Answered from the one org tree (src/growth/tree.ts).
import type { Db } from '../../db';
import type { OrgRow } from '../../db/orgs';
import type { Principal } from '../auth';
import { childrenById, loadTree, type OrgNode } from '../growth/tree';

export { subtreeIds } from '../growth/tree';

/** The org as a plain row (without the tree's children list). */
function row(o: OrgNode): OrgRow {
  return { id: o.id, slug: o.slug, parent_id: o.parent_id, level: o.level, name_ru: o.name_ru, name_kk: o.name_kk, name_en: o.name_en, members: o.members, telegram_chat: o.telegram_chat };
}

export function orgById(db: Db, id: number): OrgRow | undefined {
  const o = loadTree(db).byId.get(id);
  return o && row(o);
}

/** Its children, by id. */
export function childrenOf(db: Db, id: number): OrgRow[] {
  return (childrenById(loadTree(db)).get(id) ?? []).map(row);
}

export function orgCount(db: Db): number {
  return loadTree(db).byId.size;
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

/** The orgs this principal may change (an admin all, an editor its subtree), depth first, siblings by id, with their depth. */
export function editableTree(db: Db, p: Principal): OrgOption[] {
  const rootId = p.role === 'admin' ? null : p.orgId;
  if (p.role !== 'admin' && rootId === null) return [];
  const tree = loadTree(db);
  const children = childrenById(tree);
  const roots = rootId === null ? [...tree.roots].sort((a, b) => a.id - b.id) : [tree.byId.get(rootId)].filter((o): o is OrgNode => o !== undefined);
  const accounts = new Map(db.prepare('SELECT org_id, count(*) FROM accounts GROUP BY org_id').raw().all() as [number, number][]);
  const out: OrgOption[] = [];
  const walk = (o: OrgNode, depth: number) => {
    out.push({ id: o.id, slug: o.slug, level: o.level, parent_id: o.parent_id, depth, name_ru: o.name_ru, name_kk: o.name_kk, name_en: o.name_en, members: o.members, accounts: accounts.get(o.id) ?? 0 });
    for (const c of children.get(o.id) ?? []) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}
