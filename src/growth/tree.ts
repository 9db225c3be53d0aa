// The organisation tree (council → region → branch → primary): the one place that builds it and answers
// subtree and ancestor questions. Pages, exports, the bot, admin and the rollups all ask here; nothing else
// walks `parent_id` (no recursive CTEs elsewhere).
import type { Db } from '../../db';
import type { OrgRow } from '../../db/orgs';

export interface OrgNode extends OrgRow {
  /** children ordered by slug */
  children: OrgNode[];
}

export interface OrgTree {
  byId: Map<number, OrgNode>;
  bySlug: Map<string, OrgNode>;
  roots: OrgNode[];
  /** every org, parents before children, siblings by slug */
  all: OrgNode[];
}

const ORG_SQL = 'SELECT id, slug, parent_id, level, name_ru, name_kk, name_en, members, telegram_chat FROM organisations ORDER BY slug';
const VERSION_SQL = "SELECT value FROM rollup_state WHERE key = 'org_version'";

const statements = new WeakMap<Db, { orgs: { all(): unknown[] }; version: { get(): unknown } }>();
const trees = new WeakMap<Db, { version: number; tree: OrgTree }>();

/**
 * The organisation tree, cached per connection until a trigger bumps `org_version` (any insert, update or
 * delete of an organisation): reading 5,000 rows costs milliseconds, and a collect does not touch the tree.
 * Do not mutate it.
 */
export function loadTree(db: Db): OrgTree {
  let s = statements.get(db);
  if (!s) statements.set(db, (s = { orgs: db.prepare(ORG_SQL), version: db.prepare(VERSION_SQL).pluck() }));
  const version = s.version.get() as number | undefined;
  const cached = trees.get(db);
  if (cached && version !== undefined && cached.version === version) return cached.tree;
  const rows = s.orgs.all() as OrgRow[];
  // (one literal shape for every node: spreads of rows whose fields are null in some and numbers in others
  // leave objects of many shapes, and reading a field of 50,000 of them costs tens of milliseconds)
  const byId = new Map<number, OrgNode>(
    rows.map((r) => [
      r.id,
      { id: r.id, slug: r.slug, parent_id: r.parent_id, level: r.level, name_ru: r.name_ru, name_kk: r.name_kk, name_en: r.name_en, members: r.members, telegram_chat: r.telegram_chat, children: [] },
    ]),
  );
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

/** The org of `slug` (throws UnknownOrgError), or the roots when no slug is given. */
export function resolveOrg(tree: OrgTree, slug: string | undefined): OrgNode[] {
  if (slug === undefined) return tree.roots;
  const n = tree.bySlug.get(slug);
  if (!n) throw new UnknownOrgError(slug);
  return [n];
}

/** The subtree of `slug` in preorder, or the whole tree. */
export function subtreeOf(tree: OrgTree, slug: string | undefined): OrgNode[] {
  return slug === undefined ? tree.all : preorder(resolveOrg(tree, slug)[0]);
}

/** The org and all its descendants (ids, parents before children); empty for an unknown id. */
export function subtreeIds(db: Db, orgId: number): number[] {
  const node = loadTree(db).byId.get(orgId);
  return node ? preorder(node).map((n) => n.id) : [];
}

/** The org's ancestors from the root down to (and including) the org; empty for an unknown id. */
export function ancestorChain(db: Db, orgId: number): OrgNode[] {
  return ancestorsOf(loadTree(db), orgId);
}

/** ancestorChain on a tree already loaded. */
export function ancestorsOf(tree: OrgTree, orgId: number): OrgNode[] {
  const chain: OrgNode[] = [];
  for (let o = tree.byId.get(orgId); o; o = o.parent_id === null ? undefined : tree.byId.get(o.parent_id)) chain.push(o);
  return chain.reverse();
}

/** Whether org `id` is `rootId` or below it (a walk up: the tree is a few levels deep). */
export function isWithin(tree: OrgTree, rootId: number, id: number): boolean {
  for (let o = tree.byId.get(id); o; o = o.parent_id === null ? undefined : tree.byId.get(o.parent_id)) if (o.id === rootId) return true;
  return false;
}

const orders = new WeakMap<OrgTree, Map<number, number>>();
/** Position of every org in the whole tree's preorder. */
export function treeOrder(tree: OrgTree): Map<number, number> {
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
 * this answers what subtreeOf does without walking the subtree (5,000 primaries under the root).
 */
export function scopeTest(tree: OrgTree, slug: string | undefined): { order: Map<number, number>; has: (orgId: number) => boolean } {
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

const byIdChildren = new WeakMap<OrgTree, Map<number, OrgNode[]>>();
/** Every org's children ordered by id (the order pages list them in). */
export function childrenById(tree: OrgTree): Map<number, OrgNode[]> {
  let m = byIdChildren.get(tree);
  if (!m) {
    m = new Map();
    for (const n of [...tree.byId.values()].sort((a, b) => a.id - b.id)) {
      if (n.parent_id === null) continue;
      const list = m.get(n.parent_id);
      if (list) list.push(n);
      else m.set(n.parent_id, [n]);
    }
    byIdChildren.set(tree, m);
  }
  return m;
}
