// Downloads a person takes from a page (CSV/XLSX of the targets review, the rankings …) for Excel, in the
// page's language: translated headers, organisation names beside their codes, figures rounded as on screen,
// real number and date cells in XLSX, and a CSV Excel opens as columns — UTF-8 with a BOM, `;` between
// fields for ru/kk (Russian Excel's list separator, with a decimal comma), `,` for en. The machine formats
// (CLI `export`, /api/v1) are src/export-format.ts and never pass through here.
import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Language } from '../src/config';
import { spreadsheetText } from '../src/export-format';
import { orgName, type OrgRow } from '../db/orgs';
import { translator, type Translate } from './i18n';
import type { TargetReviewRow } from './targets-data';
import type { RankingRow } from '../src/growth/rankings';
import type { ChildRow } from './publications-data';
import type { BestPost } from '../src/publications/best-posts';

/**
 * How a column's figures read: `int` a whole number, `dec1` one decimal (per day, per 1,000), `pct` a
 * percentage given as percent points (97.03 → 97,0 %), `date` a YYYY-MM-DD local date, `text` as is.
 */
export type CellKind = 'text' | 'int' | 'dec1' | 'pct' | 'date';
export type CellValue = string | number | null | undefined;

export interface PageColumn<R> {
  /** i18n key of the header. */
  header: string;
  kind: CellKind;
  value: (row: R, t: Translate, lang: Language) => CellValue;
  /** Column width in characters (XLSX). */
  width?: number;
}

export const PAGE_DOWNLOAD_FORMATS = ['csv', 'xlsx'] as const;
export type PageDownloadFormat = (typeof PAGE_DOWNLOAD_FORMATS)[number];

const SEPARATOR: Record<Language, string> = { ru: ';', kk: ';', en: ',' };
const DECIMAL: Record<Language, string> = { ru: ',', kk: ',', en: '.' };
const DIGITS: Record<CellKind, number> = { text: 0, int: 0, dec1: 1, pct: 1, date: 0 };
const XLSX_NUMBER_FORMAT: Record<Exclude<CellKind, 'text'>, string> = { int: '#,##0', dec1: '#,##0.0', pct: '0.0%', date: '' };
const XLSX_DATE_FORMAT: Record<Language, string> = { ru: 'dd.mm.yyyy', kk: 'dd.mm.yyyy', en: 'dd mmm yyyy' };

/** A figure rounded as the page shows it (whole numbers, one decimal for per-day rates and percentages). */
function rounded(v: number, kind: CellKind): number {
  const f = 10 ** DIGITS[kind];
  const r = Math.round(v * f) / f;
  return r === 0 ? 0 : r; // no "-0"
}

const isNumber = (v: CellValue): v is number => typeof v === 'number' && Number.isFinite(v);
const isDate = (v: CellValue): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);

/** One cell as CSV text: numbers Excel reads as numbers in that locale (no grouping, the local decimal mark). */
function csvCell(v: CellValue, kind: CellKind, lang: Language): string {
  if (v === null || v === undefined) return '';
  if (kind === 'date' && isDate(v)) return lang === 'en' ? v : `${v.slice(8, 10)}.${v.slice(5, 7)}.${v.slice(0, 4)}`;
  if (kind !== 'text' && kind !== 'date' && isNumber(v)) return rounded(v, kind).toFixed(DIGITS[kind]).replace('.', DECIMAL[lang]);
  return spreadsheetText(String(v));
}

function headers<R>(columns: readonly PageColumn<R>[], t: Translate): string[] {
  return columns.map((c) => t(c.header));
}

export function pageCsv<R>(rows: readonly R[], columns: readonly PageColumn<R>[], lang: Language): Buffer {
  const t = translator(lang);
  const body = stringify([headers(columns, t), ...rows.map((r) => columns.map((c) => csvCell(c.value(r, t, lang), c.kind, lang)))], {
    delimiter: SEPARATOR[lang],
    record_delimiter: 'windows',
    bom: true,
  });
  return Buffer.from(body, 'utf8');
}

export async function pageXlsx<R>(rows: readonly R[], columns: readonly PageColumn<R>[], lang: Language, sheetName: string): Promise<Buffer> {
  const t = translator(lang);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'audience-growth';
  const ws = wb.addWorksheet(sheetName.slice(0, 31));
  const titles = headers(columns, t);
  ws.columns = columns.map((c, i) => ({ header: titles[i], key: String(i), width: c.width ?? Math.max(10, Math.min(40, titles[i].length + 2)) }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).alignment = { wrapText: true, vertical: 'top' };
  for (const r of rows) {
    const row = ws.addRow(
      columns.map((c) => {
        const v = c.value(r, t, lang);
        if (v === null || v === undefined) return null;
        if (c.kind === 'date' && isDate(v)) return new Date(`${v}T00:00:00Z`);
        if (c.kind === 'pct' && isNumber(v)) return rounded(v, 'pct') / 100;
        if (c.kind !== 'text' && isNumber(v)) return rounded(v, c.kind);
        return spreadsheetText(String(v));
      }),
    );
    columns.forEach((c, i) => {
      if (c.kind === 'text') return;
      row.getCell(i + 1).numFmt = c.kind === 'date' ? XLSX_DATE_FORMAT[lang] : XLSX_NUMBER_FORMAT[c.kind];
    });
  }
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Sends a page's table as a download named `<name>.<format>`. */
export async function sendPageDownload<R>(
  res: Response,
  opts: { format: PageDownloadFormat; lang: Language; rows: readonly R[]; columns: readonly PageColumn<R>[]; name: string; sheet: string },
): Promise<void> {
  const bytes = opts.format === 'csv' ? pageCsv(opts.rows, opts.columns, opts.lang) : await pageXlsx(opts.rows, opts.columns, opts.lang, opts.sheet);
  res
    .type(opts.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .attachment(`${opts.name}.${opts.format}`)
    .send(bytes);
}

/** The organisation columns every download starts with: its name in the page's language, then its code. */
export function orgColumns<R>(org: (row: R) => Pick<OrgRow, 'slug' | 'name_ru' | 'name_kk' | 'name_en'>): PageColumn<R>[] {
  return [
    { header: 'download.col.org', kind: 'text', value: (r, _t, lang) => orgName(org(r), lang), width: 36 },
    { header: 'download.col.code', kind: 'text', value: (r) => org(r).slug, width: 18 },
  ];
}

/** The targets review as the committee reads it (the page's columns, one row per target). */
export const TARGET_DOWNLOAD: PageColumn<TargetReviewRow>[] = [
  ...orgColumns<TargetReviewRow>((r) => r.orgRow),
  { header: 'download.col.level', kind: 'text', value: (r, t) => t(`level.${r.level}`), width: 24 },
  { header: 'download.col.platform', kind: 'text', value: (r, t) => t(`platform.${r.platform}`), width: 20 },
  { header: 'download.col.status', kind: 'text', value: (r, t) => t(`status.${r.status}`), width: 16 },
  { header: 'download.col.baseline_date', kind: 'date', value: (r) => r.baseline_date, width: 12 },
  { header: 'download.col.baseline', kind: 'int', value: (r) => r.baseline },
  { header: 'download.col.current', kind: 'int', value: (r) => r.current },
  { header: 'download.col.target', kind: 'int', value: (r) => r.target },
  { header: 'download.col.due_date', kind: 'date', value: (r) => r.due_date, width: 12 },
  { header: 'download.col.progress', kind: 'pct', value: (r) => r.progress_percent },
  { header: 'download.col.expected', kind: 'int', value: (r) => r.expected },
  { header: 'download.col.daily_rate', kind: 'dec1', value: (r) => r.daily_rate },
  { header: 'download.col.forecast', kind: 'int', value: (r) => r.forecast },
  { header: 'download.col.required_per_day', kind: 'dec1', value: (r) => r.required_per_day },
  { header: 'download.col.eta', kind: 'date', value: (r) => r.eta, width: 12 },
  { header: 'download.col.date', kind: 'date', value: (r) => r.date, width: 12 },
  { header: 'download.col.decision', kind: 'text', value: (r) => r.decision, width: 60 },
];

export interface RankingDownloadRow extends RankingRow {
  orgRow: OrgRow;
}

/** A ranking as the page shows it: place, organisation, members, the period's figures, the previous place. */
export const RANKING_DOWNLOAD: PageColumn<RankingDownloadRow>[] = [
  { header: 'download.col.rank', kind: 'int', value: (r) => r.rank, width: 8 },
  ...orgColumns<RankingDownloadRow>((r) => r.orgRow),
  { header: 'download.col.level', kind: 'text', value: (r, t) => t(`level.${r.level}`), width: 24 },
  { header: 'download.col.platform', kind: 'text', value: (r, t) => t(`platform.${r.platform}`), width: 20 },
  { header: 'download.col.from', kind: 'date', value: (r) => r.from, width: 12 },
  { header: 'download.col.to', kind: 'date', value: (r) => r.to, width: 12 },
  { header: 'download.col.members', kind: 'int', value: (r) => r.members },
  { header: 'download.col.audience_start', kind: 'int', value: (r) => r.audience_start },
  { header: 'download.col.audience_end', kind: 'int', value: (r) => r.audience_end },
  { header: 'download.col.net_growth', kind: 'int', value: (r) => r.net_growth },
  { header: 'download.col.growth_percent', kind: 'pct', value: (r) => r.growth_percent },
  { header: 'download.col.per_1000_members', kind: 'dec1', value: (r) => r.per_1000_members },
  { header: 'download.col.reach_share', kind: 'pct', value: (r) => (r.reach_share === null ? null : r.reach_share * 100) },
  { header: 'download.col.previous_rank', kind: 'int', value: (r) => r.previous_rank, width: 10 },
  { header: 'download.col.rank_change', kind: 'int', value: (r) => r.rank_change, width: 10 },
];

const metText = (met: boolean | null, t: Translate): string | null => (met === null ? null : t(met ? 'download.yes' : 'download.no'));

/** The Publications page's children table (DESIGN §11), with the period and the previous period. */
export interface PublicationChildDownloadRow extends ChildRow {
  platform: string;
  from: string;
  to: string;
}
export const PUBLICATION_CHILDREN_DOWNLOAD: PageColumn<PublicationChildDownloadRow>[] = [
  ...orgColumns<PublicationChildDownloadRow>((r) => r.org),
  { header: 'download.col.level', kind: 'text', value: (r, t) => t(`level.${r.org.level}`), width: 24 },
  { header: 'download.col.platform', kind: 'text', value: (r, t) => t(`platform.${r.platform}`), width: 20 },
  { header: 'download.col.from', kind: 'date', value: (r) => r.from, width: 12 },
  { header: 'download.col.to', kind: 'date', value: (r) => r.to, width: 12 },
  { header: 'download.col.posts', kind: 'int', value: (r) => r.posts },
  { header: 'download.col.posts_per_week', kind: 'dec1', value: (r) => r.posts_per_week },
  { header: 'download.col.prev_posts_per_week', kind: 'dec1', value: (r) => r.prev_posts_per_week },
  { header: 'download.col.engagement_rate', kind: 'pct', value: (r) => r.engagement_rate },
  { header: 'download.col.active_share', kind: 'pct', value: (r) => r.active_share },
  { header: 'download.col.silent_accounts', kind: 'int', value: (r) => r.silent },
  { header: 'download.col.standard_met', kind: 'text', value: (r, t) => metText(r.met, t), width: 12 },
];

/** One post as the best posts page and the channel page list it. */
export interface PostDownloadRow extends Pick<BestPost, 'platform' | 'account_title' | 'kind' | 'url' | 'text' | 'reactions' | 'comments' | 'shares' | 'views'> {
  org: Pick<OrgRow, 'slug' | 'name_ru' | 'name_kk' | 'name_en'>;
  date: string;
  engagement_rate: number | null;
  audience_at: number | null;
  rubricNames: string[];
}
export const POST_DOWNLOAD: PageColumn<PostDownloadRow>[] = [
  ...orgColumns<PostDownloadRow>((r) => r.org),
  { header: 'download.col.platform', kind: 'text', value: (r, t) => t(`platform.${r.platform}`), width: 16 },
  { header: 'download.col.account', kind: 'text', value: (r) => r.account_title, width: 24 },
  { header: 'download.col.post_date', kind: 'date', value: (r) => r.date, width: 12 },
  { header: 'download.col.engagement_rate', kind: 'pct', value: (r) => r.engagement_rate },
  { header: 'download.col.reactions', kind: 'int', value: (r) => r.reactions },
  { header: 'download.col.comments', kind: 'int', value: (r) => r.comments },
  { header: 'download.col.shares', kind: 'int', value: (r) => r.shares },
  { header: 'download.col.views', kind: 'int', value: (r) => r.views },
  { header: 'download.col.audience_at', kind: 'int', value: (r) => r.audience_at },
  { header: 'download.col.rubrics', kind: 'text', value: (r) => r.rubricNames.join('; '), width: 30 },
  { header: 'download.col.url', kind: 'text', value: (r) => r.url, width: 40 },
  { header: 'download.col.text', kind: 'text', value: (r) => r.text, width: 80 },
];
