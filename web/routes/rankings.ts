// /rankings: organisations of one level ranked for a period (growth %, net growth, per 1,000 members, reach share),
// optionally within one parent organisation. Levels with many organisations (5,000 primaries) are shown a page
// at a time; sorting by a column orders the whole ranked set before the page is cut, and ranks stay those of
// the whole set. The exports always hold every row.
import { Router, type Request, type Response } from 'express';
import { langOf, renderPage, type WebContext } from '../context';
import { badRequest, levelParam, pageParam, param, paging, periodParam, perPageParam, platformParam, scopeParam } from '../params';
import { rankingTable } from '../../src/growth/rankings';
import { RANKING_METRICS, type RankingMetric } from '../../src/domain/rankings';
import { orgIndex } from '../growth-data';
import { loadTree, subtreeOf } from '../../src/growth/tree';
import { PAGE_DOWNLOAD_FORMATS, RANKING_DOWNLOAD, sendPageDownload } from '../page-export';
import { translator } from '../i18n';
import { LEVELS, type Language } from '../../src/config';
import { orgName } from '../../db/orgs';
import {
  FIRST_DIR,
  MEMBERS_SANITY_RATIO,
  membersDataProblems,
  RANKING_DEFAULT_PAGE_SIZE,
  RANKING_PAGE_SIZES,
  RANKING_SORTS,
  rankingParents,
  rankingViewRows,
  sortRanking,
  type RankingSort,
  type SortDir,
} from '../rankings-data';

export function metricParam(req: Request): RankingMetric {
  const v = param(req, 'metric') ?? 'growth_percent';
  if (!(RANKING_METRICS as readonly string[]).includes(v)) throw badRequest('metric', `must be one of ${RANKING_METRICS.join(', ')}, got ${JSON.stringify(v)}`);
  return v as RankingMetric;
}

function sortParams(req: Request): { sort: RankingSort; dir: SortDir } {
  const sort = param(req, 'sort') ?? 'rank';
  if (!(RANKING_SORTS as readonly string[]).includes(sort)) throw badRequest('sort', `must be one of ${RANKING_SORTS.join(', ')}, got ${JSON.stringify(sort)}`);
  const dir = param(req, 'dir') ?? FIRST_DIR[sort as RankingSort];
  if (dir !== 'asc' && dir !== 'desc') throw badRequest('dir', `must be asc or desc, got ${JSON.stringify(dir)}`);
  return { sort: sort as RankingSort, dir };
}

/** Query parameters that only choose what the page shows of the ranking, not the ranking itself. */
const VIEW_PARAMS = ['page', 'per_page', 'sort', 'dir', 'lang'];

export function rankingsRouter(ctx: WebContext): Router {
  const router = Router();

  // Without a parent in the URL an editor (or a user bound to an organisation) sees their own subtree, one level
  // down; `?parent=` (the "all" choice) is the whole tree.
  const query = (req: Request, res: Response) => {
    const period = periodParam(req, ctx.today());
    const { org: parent, defaulted } = scopeParam(ctx.db, req, res, 'parent');
    const below = parent && LEVELS[LEVELS.indexOf(parent.level) + 1];
    const level = levelParam(req) ?? (defaulted && below ? below : 'region');
    const platform = platformParam(req);
    const metric = metricParam(req);
    return { period, level, platform, metric, parent };
  };
  const tableOf = (q: ReturnType<typeof query>) =>
    rankingTable(ctx.db, { level: q.level, platform: q.platform, from: q.period.from, to: q.period.to, metric: q.metric, org: q.parent?.slug, prev: q.period.prev, previousValues: true });

  router.get('/rankings', (req, res) => {
    const q = query(req, res);
    // Paging and sorting parameters are checked before the ranking is computed.
    const page = pageParam(req);
    const perPage = perPageParam(req, { sizes: RANKING_PAGE_SIZES, all: true }) ?? RANKING_DEFAULT_PAGE_SIZE;
    const { sort, dir } = sortParams(req);
    const lang: Language = langOf(res);
    const index = orgIndex(ctx.db);
    // the ranking as columns; rows are made for the page shown only
    const table = tableOf(q);
    const order = sortRanking(table, sort, dir, index, lang);
    const pg = paging(table.count, page, perPage);
    const url = new URL(req.originalUrl, 'http://x');
    for (const k of VIEW_PARAMS) url.searchParams.delete(k);
    const parents = rankingParents(index, q.level, lang);
    // Levels worth ranking here: those with more than one organisation in scope (the council alone is no ranking).
    const perLevel = new Map<string, number>();
    for (const o of subtreeOf(loadTree(ctx.db), q.parent?.slug)) perLevel.set(o.level, (perLevel.get(o.level) ?? 0) + 1);
    const levels = LEVELS.filter((l) => (perLevel.get(l) ?? 0) > 1 || l === q.level);
    renderPage(ctx, req, res, 'rankings.njk', {
      page: 'rankings',
      ...q,
      parentName: q.parent ? orgName(q.parent, lang) : null,
      parents,
      parentListed: q.parent !== undefined && parents.some((g) => g.orgs.some((o) => o.slug === q.parent!.slug)),
      rows: rankingViewRows(table.rows(pg.start, pg.end, order), index, lang),
      paging: pg,
      pageSizes: RANKING_PAGE_SIZES,
      sort,
      dir,
      firstDir: FIRST_DIR,
      // Sorting a table that is cut into pages has to happen on the server, over every row.
      serverSort: pg.pages > 1,
      metrics: RANKING_METRICS,
      levels,
      sanityRatio: MEMBERS_SANITY_RATIO,
      dataProblems: membersDataProblems(table),
      exportQuery: url.searchParams.toString(),
      langName: lang,
    });
  });

  // Downloads for Excel, in the page's language (web/page-export.ts), every row; the machine format is /api/v1/rankings.
  for (const format of PAGE_DOWNLOAD_FORMATS) {
    router.get(`/rankings.${format}`, async (req, res) => {
      const q = query(req, res);
      const lang = langOf(res);
      const index = orgIndex(ctx.db);
      const rows = tableOf(q).rows().map((r) => ({ ...r, orgRow: index.bySlug.get(r.org)! }));
      await sendPageDownload(res, {
        format,
        lang,
        rows,
        columns: RANKING_DOWNLOAD,
        name: `rankings-${q.parent ? `${q.parent.slug}-` : ''}${q.level}-${q.period.from}-${q.period.to}`,
        sheet: translator(lang)('nav.rankings'),
      });
    });
  }
  return router;
}
