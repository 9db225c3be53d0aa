// Writes export rows as CSV, JSON or XLSX: one set of columns, the same values in every format.
import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

export const FORMATS = ['csv', 'json', 'xlsx'] as const;
export type Format = (typeof FORMATS)[number];
export type Row = Record<string, string | number | boolean | null | undefined>;

export function toCsv(rows: Row[], columns: readonly string[]): string {
  return stringify(
    rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : r[c]))),
    { header: true, columns: [...columns], cast: { number: (n) => String(n), boolean: (b) => String(b) } },
  );
}

export function toJson(rows: Row[], columns: readonly string[]): string {
  const ordered = rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] === undefined ? null : r[c]])));
  return JSON.stringify(ordered, null, 1) + '\n';
}

export async function toXlsx(rows: Row[], columns: readonly string[], sheetName = 'export'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'audience-growth';
  const ws = wb.addWorksheet(sheetName.slice(0, 31));
  ws.columns = columns.map((c) => ({ header: c, key: c, width: Math.max(10, c.length + 2) }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function render(rows: Row[], columns: readonly string[], format: Format, sheetName?: string): Promise<Buffer> {
  if (format === 'csv') return Buffer.from(toCsv(rows, columns), 'utf8');
  if (format === 'json') return Buffer.from(toJson(rows, columns), 'utf8');
  return toXlsx(rows, columns, sheetName);
}

/** Writes to a file (atomically, via a temporary name) or to stdout. */
export async function writeRows(rows: Row[], columns: readonly string[], format: Format, out?: string, sheetName?: string): Promise<void> {
  const bytes = await render(rows, columns, format, sheetName);
  if (out) {
    const tmp = `${out}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, out);
  } else {
    await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (err) => (err ? reject(err) : resolve())));
  }
}
