// Downloads from the pages are for Excel users: the ru/kk CSV opens in Russian Excel as columns (UTF-8 BOM,
// `;`, decimal comma, dd.mm.yyyy), the en one with `,`; headers, names, statuses in the page's language;
// figures rounded as on screen; the XLSX has real number and date cells with formats.
import request from 'supertest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { createApp } from '../../web/app';
import { createServices } from '../../src/services';
import { targetRows } from '../../src/growth/targets';
import { rankings } from '../../src/growth/rankings';
import { buildWebFixture, TODAY, type WebFixture } from '../helpers/web-fixture';
import { withSession } from '../helpers/web-auth';

let f: WebFixture;
let app: ReturnType<typeof withSession>;

beforeAll(() => {
  f = buildWebFixture();
  app = withSession(createApp({ ...createServices(f.db, f.config), now: f.now }), f.db);
});
afterAll(() => f.close());

const bytes = (url: string) =>
  request(app)
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });

/** The CSV as Excel splits it: by the given separator, after the BOM. */
function columns(buf: Buffer, delimiter: string): string[][] {
  return parse(buf.subarray(3).toString('utf8'), { delimiter, relax_column_count: false }) as string[][];
}

describe('CSV', () => {
  test('ru: UTF-8 BOM, `;` between fields, CRLF; Russian headers; names beside codes; statuses in words', async () => {
    const res = await bytes('/targets.csv?lang=ru');
    expect(res.status).toBe(200);
    const buf = res.body as Buffer;
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(buf.toString('utf8')).toContain('\r\n');
    const rows = columns(buf, ';');
    const header = rows[0];
    expect(header.slice(0, 5)).toEqual(['Организация', 'Код организации', 'Уровень', 'Площадка', 'Статус']);
    // every row has the header's number of columns: Excel shows it as a table, not one column
    expect(rows.length).toBe(targetRows(f.db, TODAY).length + 1);
    for (const r of rows) expect(r).toHaveLength(header.length);
    const pavlodar = rows.find((r) => r[1] === 'pavlodar' && r[3] === 'Telegram')!;
    expect(pavlodar[0]).toBe('Павлодарская областная организация профсоюза');
    expect(['Достигнуто', 'В графике', 'Под угрозой', 'Отстаёт', 'Не достигнуто', 'Нет данных']).toContain(pavlodar[4]);
    expect(pavlodar[rows[0].indexOf('Решение')]).toBe('Постановление исполкома № 9 от 20.06.2026');
  });

  test('ru figures: whole numbers without grouping, percentages and per-day rates rounded to one decimal with a comma, dates as dd.mm.yyyy', async () => {
    const rows = columns((await bytes('/targets.csv?lang=ru')).body as Buffer, ';');
    const h = rows[0];
    const col = (name: string) => h.indexOf(name);
    const raw = targetRows(f.db, TODAY).find((r) => r.org === 'kz' && r.platform === 'social')!;
    const kz = rows.find((r) => r[1] === 'kz' && r[col('Площадка')] === 'Соцсети всего')!;
    expect(kz[col('Сейчас')]).toBe(String(raw.current));
    expect(kz[col('Цель')]).toBe(String(raw.target));
    expect(kz[col('Выполнение плана прироста')]).toBe(raw.progress_percent!.toFixed(1).replace('.', ','));
    expect(kz[col('Нужно в день')]).toBe(raw.required_per_day!.toFixed(1).replace('.', ','));
    expect(kz[col('Прогноз на срок')]).toBe(String(Math.round(raw.forecast!)));
    expect(kz[col('Срок')]).toBe('31.12.2026');
    expect(kz[col('Данные на')]).toBe('23.11.2026');
    // nothing with more than one decimal, nothing like 97.03808180535967
    for (const r of rows.slice(1)) for (const cell of r) expect(cell).not.toMatch(/^-?\d+[.,]\d{2,}$/);
  });

  test('kk: the same layout with Kazakh headers and names', async () => {
    const rows = columns((await bytes('/rankings.csv?level=region&lang=kk')).body as Buffer, ';');
    expect(rows[0].slice(0, 3)).toEqual(['Орын', 'Ұйым', 'Ұйым коды']);
    expect(rows).toHaveLength(21);
    for (const r of rows) expect(r).toHaveLength(rows[0].length);
    expect(rows.find((r) => r[2] === 'pavlodar')![1]).toMatch(/Павлодар облыстық/);
  });

  test('en: `,` between fields, a decimal point, ISO dates', async () => {
    const res = await bytes('/rankings.csv?level=region&lang=en&from=2026-10-01&to=2026-10-31&period=custom');
    const rows = columns(res.body as Buffer, ',');
    const h = rows[0];
    expect(h.slice(0, 3)).toEqual(['Rank', 'Organisation', 'Organisation code']);
    const raw = rankings(f.db, { level: 'region', platform: 'social', from: '2026-10-01', to: '2026-10-31' }).find((r) => r.org === 'pavlodar')!;
    const row = rows.find((r) => r[2] === 'pavlodar')!;
    expect(row[h.indexOf('Growth')]).toBe(raw.growth_percent!.toFixed(1));
    expect(row[h.indexOf('Period from')]).toBe('2026-10-01');
    expect(row[h.indexOf('Union members')]).toBe(String(raw.members));
  });
});

describe('XLSX', () => {
  test('numbers are number cells with number formats, dates are date cells, headers and statuses in the page language', async () => {
    const res = await bytes('/targets.xlsx?lang=ru');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    const ws = wb.worksheets[0];
    const header = (ws.getRow(1).values as unknown[]).slice(1) as string[];
    const col = (name: string) => header.indexOf(name) + 1;
    expect(header[0]).toBe('Организация');
    let kzRow: ExcelJS.Row | undefined;
    ws.eachRow((row, n) => {
      if (n > 1 && row.getCell(2).value === 'kz' && row.getCell(col('Площадка')).value === 'Соцсети всего') kzRow = row;
    });
    const raw = targetRows(f.db, TODAY).find((r) => r.org === 'kz' && r.platform === 'social')!;
    const cell = (name: string) => kzRow!.getCell(col(name));
    expect(cell('Сейчас').value).toBe(raw.current);
    expect(cell('Сейчас').numFmt).toBe('#,##0');
    expect(cell('Выполнение плана прироста').value).toBeCloseTo(Math.round(raw.progress_percent! * 10) / 1000, 6);
    expect(cell('Выполнение плана прироста').numFmt).toBe('0.0%');
    expect(cell('Нужно в день').value).toBe(Math.round(raw.required_per_day! * 10) / 10);
    const due = cell('Срок').value;
    expect(due).toBeInstanceOf(Date);
    expect((due as Date).toISOString().slice(0, 10)).toBe('2026-12-31');
    expect(cell('Срок').numFmt).toBe('dd.mm.yyyy');
    expect(['Достигнуто', 'В графике', 'Под угрозой', 'Отстаёт', 'Не достигнуто', 'Нет данных']).toContain(cell('Статус').value);
  });

  test('the rankings workbook in English: members and audience as numbers, the growth as a percent cell', async () => {
    const res = await bytes('/rankings.xlsx?level=region&lang=en');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('Rankings');
    const header = (ws.getRow(1).values as unknown[]).slice(1) as string[];
    expect(ws.rowCount).toBe(21);
    const row = ws.getRow(2);
    expect(typeof row.getCell(header.indexOf('Union members') + 1).value).toBe('number');
    expect(row.getCell(header.indexOf('Growth') + 1).numFmt).toBe('0.0%');
    expect(row.getCell(header.indexOf('Period to') + 1).value).toBeInstanceOf(Date);
    expect(row.getCell(header.indexOf('Period to') + 1).numFmt).toBe('dd mmm yyyy');
  });
});
