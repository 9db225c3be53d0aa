// The information-work export kinds: `export publications` and `export rubrics` (DESIGN §11; the /api/v1
// twins serve the same rows). src/services.ts lists them with the other exporters.
import type { Db } from '../../db';
import type { AppConfig } from '../config';
import type { PlatformGroup } from '../domain/growth';
import type { Row } from '../export-format';
import { checkDate, checkOrg, checkPlatform, checkRange, today, type Exporter, type ExportOptions } from '../exports';
import { InputError } from '../config';
import { ensureInformationWork, PUBLICATION_COLUMNS, publicationRows, RUBRIC_COLUMNS, rubricRows, type PeriodQuery } from './measures-data';

/** The options of a §11 export: --org a subtree, --platform a post platform or social, --from/--to default this month to today. */
export function periodQuery(db: Db, opts: ExportOptions, config: AppConfig): PeriodQuery {
  const org = checkOrg(db, opts.org)?.slug;
  const group = checkPlatform(opts.platform) as PlatformGroup;
  if (group === 'newspaper') throw new InputError('must be one of facebook, instagram, telegram, social: newspapers have no posts', undefined, undefined, 'platform');
  const to = checkDate(opts.to, 'to') ?? today(config);
  const from = checkDate(opts.from, 'from') ?? `${to.slice(0, 7)}-01`;
  checkRange(from, to);
  return { org, group, from, to };
}

export const exportPublications: Exporter = (db, opts, config) => {
  const q = periodQuery(db, opts, config);
  ensureInformationWork(db, config.rubrics);
  return { columns: PUBLICATION_COLUMNS, rows: publicationRows(db, q) as unknown as Row[] };
};

export const exportRubrics: Exporter = (db, opts, config) => {
  const q = periodQuery(db, opts, config);
  ensureInformationWork(db, config.rubrics);
  return { columns: RUBRIC_COLUMNS, rows: rubricRows(db, config.rubrics, q) as unknown as Row[] };
};
