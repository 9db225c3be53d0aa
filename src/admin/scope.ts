// Who may change what: an admin everything, an editor its organisation's subtree, a viewer nothing.
import type { Db } from '../../db';
import { subtreeIds } from '../growth/tree';
import type { OrgRow } from '../../db/orgs';
import { orgById } from './tree';
import type { Principal } from '../auth';

/** Thrown when the principal may not touch the organisation (or the page): a 403. */
export class ForbiddenError extends Error {
  constructor(message = 'you may not change this') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** The org ids this principal may change: 'all' for an admin, the subtree for an editor, none for a viewer. */
export function editableOrgIds(db: Db, p: Principal): 'all' | Set<number> {
  if (p.role === 'admin') return 'all';
  if (p.role === 'editor' && p.orgId !== null) return new Set(subtreeIds(db, p.orgId));
  return new Set();
}

export function canEditOrg(db: Db, p: Principal, orgId: number): boolean {
  const ids = editableOrgIds(db, p);
  return ids === 'all' || ids.has(orgId);
}

export function requireOrg(db: Db, p: Principal, orgId: number): void {
  if (!canEditOrg(db, p, orgId)) throw new ForbiddenError('this organisation is outside the part of the tree you may change');
}

export function canAdminister(p: Principal | undefined): boolean {
  return !!p && (p.role === 'admin' || (p.role === 'editor' && p.orgId !== null));
}

/** The organisation a principal belongs to (its home page), or undefined for one of the whole tree. */
export function homeOrg(db: Db, p: Principal | undefined): OrgRow | undefined {
  return p?.orgId == null ? undefined : orgById(db, p.orgId);
}
