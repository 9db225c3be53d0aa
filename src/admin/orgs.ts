// Organisations from the admin pages: create, rename, move, membership figure. Every change goes through
// importTree, so the level rules, the no-cycle rule and the audit entries are the ones `import` applies.
import { writeTx } from '../../db/write';
import type { Db } from '../../db';
import { audit, orgBySlug, type OrgRow } from '../../db/orgs';
import { subtreeIds } from '../growth/tree';
import { InputError, type Level } from '../config';
import { importTree, type FlatOrg } from '../import';
import { Refusal } from './errors';

const LABEL = 'form';

function asFlat(org: OrgRow, changes: Partial<FlatOrg>): FlatOrg {
  return {
    slug: org.slug,
    level: org.level,
    name: { ru: org.name_ru, kk: org.name_kk ?? undefined, en: org.name_en ?? undefined },
    line: 0,
    ...changes,
  };
}

/** importTree's error as a form's: without the file label (a form has no file or line). */
export function formError(err: InputError): InputError {
  let message = err.message.replace(/^form(:\d+)?: /, '');
  if (err.field && message.startsWith(`${err.field}: `)) message = message.slice(err.field.length + 2);
  return new InputError(message, undefined, undefined, err.field);
}

function run(db: Db, actor: string, org: FlatOrg): void {
  try {
    importTree(db, { label: LABEL, orgs: [org], accounts: [], targets: [] }, actor);
  } catch (err) {
    // importTree names the file and line of an import; a form has neither.
    if (err instanceof InputError) throw formError(err);
    throw err;
  }
}

export interface NewOrg {
  slug: string;
  parent: string;
  level: Level;
  name: { ru: string; kk?: string; en?: string };
  members?: number;
}

export function createOrg(db: Db, actor: string, input: NewOrg): void {
  if (orgBySlug(db, input.slug)) throw new Refusal('slug', `an organisation with the slug ${input.slug} already exists`, 'slug_taken', { slug: input.slug });
  if (!orgBySlug(db, input.parent)) throw new Refusal('parent', `no organisation has the slug ${input.parent}`, 'no_org', { slug: input.parent });
  run(db, actor, { slug: input.slug, parent: input.parent, level: input.level, name: input.name, members: input.members, line: 0 });
}

/** New names; an empty kk/en name falls back to ru on the pages (importTree keeps the old one, so it is cleared here). */
export function renameOrg(db: Db, actor: string, org: OrgRow, name: { ru: string; kk?: string; en?: string }): void {
  run(db, actor, asFlat(org, { name }));
  const clear = { name_kk: name.kk === undefined && org.name_kk !== null, name_en: name.en === undefined && org.name_en !== null };
  if (clear.name_kk || clear.name_en) {
    writeTx(db, () => {
      const now = orgBySlug(db, org.slug)!;
      db.prepare('UPDATE organisations SET name_kk = ?, name_en = ?, updated_at = ? WHERE id = ?').run(clear.name_kk ? null : now.name_kk, clear.name_en ? null : now.name_en, Date.now(), org.id);
      audit(db, actor, 'org.update', `org:${org.slug}`, { name_kk: now.name_kk, name_en: now.name_en }, { name_kk: clear.name_kk ? null : now.name_kk, name_en: clear.name_en ? null : now.name_en });
    });
  }
}

export function moveOrg(db: Db, actor: string, org: OrgRow, parent: OrgRow): void {
  if (org.parent_id === null) throw new InputError('the root organisation cannot be moved', undefined, undefined, 'parent');
  if (subtreeIds(db, org.id).includes(parent.id)) throw new InputError(`${parent.slug} is ${org.slug} itself or below it`, undefined, undefined, 'parent');
  if (org.parent_id === parent.id) return;
  run(db, actor, asFlat(org, { parent: parent.slug }));
}

export function setMembers(db: Db, actor: string, org: OrgRow, members: number | null): void {
  run(db, actor, asFlat(org, { members }));
}
