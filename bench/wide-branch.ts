// A database with one branch of many children (issue 17: a branch page with 1,400 children cost 150 ms
// uncached): the council, one region, CHILDREN primaries below it, each with one Telegram channel read daily
// for DAYS days. Used by test/integration/web-children-paging.test.ts and bench/branch-under-collect.ts.
import { openDatabase, type Db } from '../db';
import { toEpochDay } from '../src/domain/dates';
import { computeRollups } from '../src/jobs/compute';

export const WIDE_SLUG = 'wide';

export function buildWideBranch(file: string, opts: { children: number; days: number; today: string }): Db {
  const db = openDatabase(file);
  const org = db.prepare('INSERT INTO organisations (id, slug, parent_id, level, name_ru, name_kk, name_en, members, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)');
  const acc = db.prepare("INSERT INTO accounts (id, org_id, platform, platform_id, created_at, updated_at) VALUES (?, ?, 'telegram', ?, 0, 0)");
  const snap = db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 0, ?)');
  db.transaction(() => {
    org.run(1, 'kz', null, 'council', 'Совет', 'Кеңес', 'Council', 100_000);
    org.run(2, WIDE_SLUG, 1, 'region', 'Широкая область', 'Кең облыс', 'Wide region', 50_000);
    const last = toEpochDay(opts.today);
    for (let p = 1; p <= opts.children; p++) {
      const id = 10 + p;
      org.run(id, `school-${p}`, 2, 'primary', `Школа ${String(p).padStart(4, '0')}`, `Мектеп ${String(p).padStart(4, '0')}`, `School ${String(p).padStart(4, '0')}`, 40 + (p % 17));
      acc.run(id, id, `@school_${p}`);
      for (let day = last - opts.days + 1; day <= last; day++) snap.run(id, day, 200 + p + (day % 97), day * 86_400_000);
    }
  })();
  computeRollups(db, { full: true });
  return db;
}
