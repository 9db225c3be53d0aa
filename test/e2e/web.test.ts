// The dashboard in Debian's headless Chromium: every page in ru/kk/en loads without a console error, charts
// draw, the language switch and table sorting work, target filters narrow the table, exports download valid
// files, the print layout drops navigation. Screenshots go to test-artifacts/screenshots (ru also to docs/).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildWebFixture, ROOT, type WebFixture } from '../helpers/web-fixture';
import { launchChromium, paintedPixels, prepareContext, sessionFor, startSite, watchProblems, type Site } from '../helpers/browser';

const SHOTS = path.join(ROOT, 'test-artifacts/screenshots');
const DOCS = path.join(ROOT, 'docs/screenshots');
const PAGES: [string, string][] = [
  ['overview', '/'],
  ['org-pavlodar', '/org/pavlodar'],
  ['targets', '/targets'],
  ['report', '/report'],
  ['rankings', '/rankings'],
  ['health', '/health'],
];

let f: WebFixture;
let site: Site;
let base: string;
let browser: Browser;
let context: BrowserContext;
/** A viewer's session: every page is behind sign-in. */
let sessionCookie: string;

beforeAll(async () => {
  f = buildWebFixture();
  site = await startSite(f);
  base = site.base;
  sessionCookie = sessionFor(f, 'committee');
  browser = await launchChromium();
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(DOCS, { recursive: true });
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  // Nothing may leave the machine: every request outside the test server fails the page.
  await prepareContext(context, base, sessionCookie);
});
afterEach(() => context.close());

afterAll(async () => {
  await browser?.close();
  await site.close();
  f.close();
});

/** Opens a page and collects console errors, page errors and failed requests. */
async function open(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(base + url, { waitUntil: 'load' });
  return { page, problems };
}

describe.each(['ru', 'kk', 'en'])('every page in %s', (lang) => {
  test.each(PAGES)('%s loads with no console error and no untranslated key', async (name, url) => {
    const { page, problems } = await open(`${url}?lang=${lang}`);
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    const text = await page.innerText('body');
    expect(text).not.toMatch(/\?\?[a-z_.0-9]+\?\?/);
    if (await page.$('canvas#audience-chart')) expect(await paintedPixels(page, 'canvas#audience-chart')).toBeGreaterThan(5000);
    const file = path.join(SHOTS, `${name}-${lang}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (lang === 'ru') fs.copyFileSync(file, path.join(DOCS, `${name}.png`));
    expect(problems).toEqual([]);
  });
});

test('charts draw the audience, the dashed target path and the dotted forecast', async () => {
  const { page } = await open('/org/pavlodar?lang=en');
  expect(await paintedPixels(page, 'canvas#audience-chart')).toBeGreaterThan(5000);
  const datasets = await page.evaluate(() => {
    const chart = (window as unknown as { Chart: { getChart(id: string): { data: { datasets: { label: string; borderDash?: number[]; spanGaps?: boolean }[] } } } }).Chart.getChart('audience-chart');
    return chart.data.datasets.map((d) => ({ label: d.label, dash: d.borderDash ?? [], spanGaps: d.spanGaps }));
  });
  expect(datasets.find((d) => d.label === 'Social media total')).toMatchObject({ spanGaps: false });
  // Pavlodar's Telegram target is drawn in the Telegram chart under the total (small multiples)
  const telegram = await page.evaluate(() => {
    const chart = (window as unknown as { Chart: { getChart(id: string): { data: { datasets: { label: string; borderDash?: number[] }[] } } } }).Chart.getChart('mini-telegram');
    return chart.data.datasets.map((d) => ({ label: d.label, dash: d.borderDash ?? [] }));
  });
  expect(telegram.find((d) => d.label === 'target path: Telegram')!.dash).toEqual([8, 5]);
  expect(telegram.find((d) => d.label === 'forecast: Telegram')!.dash).toEqual([2, 4]);
  // Abai's Telegram channel was connected in March: before that its line is a gap, not a zero.
  const { page: abai } = await open('/org/abai?lang=en&chart=1y');
  const gap = await abai.evaluate(() => {
    const chart = (window as unknown as { Chart: { getChart(id: string): { data: { datasets: { label: string; data: { x: string; y: number | null }[] }[] } } } }).Chart.getChart('mini-telegram');
    const tg = chart.data.datasets.find((d) => d.label === 'Telegram')!;
    return { first: tg.data[0].y, nulls: tg.data.filter((p) => p.y === null).length };
  });
  expect(gap.first).toBeNull();
  expect(gap.nulls).toBeGreaterThan(50);
});

test('the language switch changes the text and is remembered', async () => {
  const { page } = await open('/');
  expect(await page.innerText('nav.mainnav')).toContain('Обзор');
  await Promise.all([page.waitForURL(/lang=kk/), page.click('a[data-lang="kk"]')]);
  expect(await page.innerText('nav.mainnav')).toContain('Шолу');
  await Promise.all([page.waitForURL(/lang=en/), page.click('a[data-lang="en"]')]);
  expect(await page.innerText('nav.mainnav')).toContain('Overview');
  await page.goto(`${base}/targets`);
  expect(await page.innerText('h1')).toBe('Targets review');
});

test('tables sort by a column, both ways, blanks last', async () => {
  const { page } = await open('/rankings?lang=en&metric=net_growth');
  const column = async (i: number) =>
    page.$$eval(`#rankings-table tbody tr td:nth-child(${i})`, (tds) => tds.map((td) => td.getAttribute('data-value') ?? ''));
  const button = '#rankings-table thead th:nth-child(8) button'; // growth %
  await page.click(button);
  let values = (await column(8)).filter((v) => v !== '').map(Number);
  expect(values).toEqual([...values].sort((a, b) => a - b));
  await page.click(button);
  values = (await column(8)).filter((v) => v !== '').map(Number);
  expect(values).toEqual([...values].sort((a, b) => b - a));
  expect(await page.getAttribute('#rankings-table thead th:nth-child(8)', 'aria-sort')).toBe('descending');
  // Text columns sort by the locale's collation.
  await page.click('#rankings-table thead th:nth-child(4) button');
  const names = await column(4);
  expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
});

test('target filters narrow the review and keep the choice in the URL', async () => {
  const { page } = await open('/targets?lang=en');
  const statuses = () => page.$$eval('#targets-table tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-status')));
  expect((await statuses()).length).toBe(10);
  await Promise.all([page.waitForURL(/status=behind/), page.check('input[name="status"][value="behind"]')]);
  expect(await statuses()).toEqual(['behind', 'behind', 'behind']);
  await Promise.all([page.waitForURL(/status=at_risk/), page.check('input[name="status"][value="at_risk"]')]);
  expect((await statuses()).sort()).toEqual(['at_risk', 'behind', 'behind', 'behind']);
  await Promise.all([page.waitForURL(/level=region/), page.selectOption('select[name="level"]', 'region')]);
  const levels = await page.$$eval('#targets-table tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-level')));
  expect(new Set(levels)).toEqual(new Set(['region']));
  await Promise.all([page.waitForURL(/parent=pavlodar/), page.selectOption('select[name="parent"]', 'pavlodar')]);
  expect(await page.$$eval('#targets-table tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-platform')))).toEqual(['telegram']);
});

test('exports download valid CSV and XLSX files with the filtered rows, in the page language', async () => {
  const { page } = await open('/targets?lang=en&status=behind');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  expect(csv.suggestedFilename()).toBe('targets-2026-11-23.csv');
  const csvPath = path.join(SHOTS, '..', csv.suggestedFilename());
  await csv.saveAs(csvPath);
  const lines = fs.readFileSync(csvPath, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(lines[0].split(',').slice(0, 3)).toEqual(['Organisation', 'Organisation code', 'Level']);
  expect(lines).toHaveLength(4);
  expect(lines.slice(1).every((l) => l.includes(',Behind,'))).toBe(true);
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
  const xlsxPath = path.join(SHOTS, '..', xlsx.suggestedFilename());
  await xlsx.saveAs(xlsxPath);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(xlsxPath);
  expect(wb.worksheets[0].rowCount).toBe(4);
  expect(wb.worksheets[0].getRow(1).getCell(1).value).toBe('Organisation');
});

test('print layout: A4 landscape report without navigation, with a dated title', async () => {
  const { page } = await open('/targets?lang=ru');
  await page.emulateMedia({ media: 'print' });
  expect(await page.isVisible('header.topbar')).toBe(false);
  expect(await page.isVisible('form.filters')).toBe(false);
  expect(await page.innerText('.print-title')).toContain('23.11.2026');
  await page.screenshot({ path: path.join(SHOTS, 'targets-print-ru.png'), fullPage: true });
  const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: false });
  fs.writeFileSync(path.join(SHOTS, '..', 'targets-report-ru.pdf'), pdf);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
});

test('on a phone, targets are cards and wide tables scroll sideways inside their box, never the page', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
  await prepareContext(phone, base, sessionCookie);
  try {
    const page = await phone.newPage();
    await page.goto(`${base}/rankings?lang=ru`);
    const { page: w, table } = await page.$eval('.table-wrap', (el) => ({ page: document.documentElement.scrollWidth, table: el.scrollWidth > el.clientWidth }));
    expect(w).toBeLessThanOrEqual(390);
    expect(table).toBe(true);
    await page.goto(`${base}/targets?lang=ru`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.$eval('#targets-table tbody tr', (tr) => getComputedStyle(tr).display)).toBe('block');
    await page.screenshot({ path: path.join(SHOTS, 'targets-phone-ru.png') });
    await page.goto(`${base}/?lang=ru`);
    await page.waitForSelector('canvas#audience-chart[data-ready="1"]');
    // readable on a phone: the plot is at least 220 px tall
    expect((await page.$eval('canvas#audience-chart', (c) => c.getBoundingClientRect().height))).toBeGreaterThanOrEqual(220);
    await page.screenshot({ path: path.join(SHOTS, 'overview-phone-ru.png') });
  } finally {
    await phone.close();
  }
});

// ---------------------------------------------------------------------------------------------------------
// The committee's meeting (issue 13), at a laptop's 1366 px and a phone's 390 px, in every language.

const CHANGED: [string, string][] = [
  ['overview', '/'],
  ['org-pavlodar', '/org/pavlodar'],
  ['targets', '/targets'],
  ['report', '/report'],
  ['rankings', '/rankings'],
];

describe.each([1366, 390])('at %i px', (width) => {
  let sized: BrowserContext;
  beforeAll(async () => {
    sized = await browser.newContext({ viewport: { width, height: 900 }, isMobile: width < 500 });
    await prepareContext(sized, base, sessionCookie);
    await sized.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  });
  afterAll(() => sized.close());

  test.each(['ru', 'kk', 'en'])('%s: the status of every target row is in view without scrolling sideways', async (lang) => {
    const page = await sized.newPage();
    await page.goto(`${base}/targets?lang=${lang}`);
    const boxes = await page.$$eval('#targets-table tbody tr .status-cell .badge', (els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right })));
    expect(boxes).toHaveLength(10);
    for (const b of boxes) {
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.right).toBeLessThanOrEqual(width);
    }
    await page.close();
  });

  const pages = ['ru', 'kk', 'en'].flatMap((lang) => CHANGED.map(([name, url]) => [lang, name, url] as const));
  test.each(pages)('%s: %s is no wider than the screen; its chart scales the y-axis to the data', async (lang, name, url) => {
    const page = await sized.newPage();
    await page.goto(`${base}${url}?lang=${lang}`);
    expect([name, await page.evaluate(() => document.documentElement.scrollWidth)]).toEqual([name, width]);
    if (await page.$('canvas#audience-chart')) {
      await page.waitForSelector('canvas#audience-chart[data-ready="1"]');
      const y = await page.evaluate(() => {
        type C = { scales: { y: { min: number } }; data: { datasets: { kind?: string; data: { y: number | null }[] }[] } };
        const chart = (window as unknown as { Chart: { getChart(id: string): C } }).Chart.getChart('audience-chart');
        const values = chart.data.datasets.filter((d) => d.kind === 'actual').flatMap((d) => d.data.map((p) => p.y)).filter((v): v is number => v !== null);
        return { min: chart.scales.y.min, dataMin: Math.min(...values) };
      });
      expect(y.dataMin).toBeGreaterThan(0);
      expect(y.min).toBeGreaterThan(0);
      expect(y.min).toBeLessThanOrEqual(y.dataMin);
    }
    if (lang !== 'en') {
      const file = path.join(SHOTS, `${name}-${lang}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (lang === 'ru') fs.copyFileSync(file, path.join(DOCS, `${name}-${width}.png`));
    }
    await page.close();
  });
});

test('the printed meeting pack: title, period and the repeated table header on every A4 page; no chart over a table', async () => {
  const { page, problems } = await open('/report?lang=ru&period=last_month');
  await page.waitForSelector('canvas#audience-chart[data-ready="1"]');
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: 1047, height: 700 }); // A4 landscape less the margins, at 96 dpi
  await page.waitForTimeout(200);
  const boxes = await page.evaluate(() => {
    const rect = (e: Element) => { const r = e.getBoundingClientRect(); return { top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, left: r.left, right: r.right }; };
    return { charts: Array.from(document.querySelectorAll('canvas'), rect), tables: Array.from(document.querySelectorAll('table'), rect) };
  });
  expect(boxes.charts.length).toBeGreaterThanOrEqual(4);
  for (const c of boxes.charts) {
    for (const t of boxes.tables) {
      const overlap = c.top < t.bottom && t.top < c.bottom && c.left < t.right && t.left < c.right;
      expect(overlap).toBe(false);
    }
  }
  const file = path.join(SHOTS, '..', 'report-ru.pdf');
  fs.writeFileSync(file, await page.pdf({ format: 'A4', landscape: true, printBackground: true, preferCSSPageSize: true }));
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]);
  expect(pages).toBeGreaterThanOrEqual(3);
  const texts = Array.from({ length: pages }, (_, i) => execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), '-layout', file, '-']).toString());
  texts.forEach((text, i) => {
    expect(text).toContain('Отчёт для заседания: Казахстанский отраслевой профсоюз');
    expect(text).toContain('период 01.10.2026 – 31.10.2026');
    expect(text).toContain(`${i + 1}/${pages}`);
  });
  // the targets table starts on page 2 and its header is repeated on every page it runs over
  const tablePages = texts.map((t, i) => [i, t] as const).filter(([, t]) => /Отстаёт|Достигнуто/.test(t) && /\n\s*\d+\s/.test(t)).map(([i]) => i);
  for (const i of tablePages.filter((i) => i > 0)) expect(texts[i]).toMatch(/№\s+Организация · Площадка\s+Статус\s+Выполнение\s+Что ещё нужно\s+Цифры/);
  expect(texts.slice(1).some((t) => t.includes('Лидеры'))).toBe(true);
  execFileSync('pdftoppm', ['-png', '-r', '60', file, path.join(SHOTS, 'report-ru-page')]);
  expect(problems).toEqual([]);
});

test('a sortable table printed over several pages repeats its column headings on each', async () => {
  const { page } = await open('/rankings?lang=ru');
  const file = path.join(SHOTS, '..', 'rankings-ru.pdf');
  fs.writeFileSync(file, await page.pdf({ format: 'A4', landscape: true, printBackground: true }));
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]);
  expect(pages).toBeGreaterThanOrEqual(2);
  for (let i = 2; i <= pages; i++) expect([i, execFileSync('pdftotext', ['-f', String(i), '-l', String(i), file, '-']).toString()]).toEqual([i, expect.stringContaining('Организация')]);
});

test('an org page prints the period, and its chart above (never over) the tables', async () => {
  const { page } = await open('/org/pavlodar?lang=ru');
  await page.waitForSelector('canvas#audience-chart[data-ready="1"]');
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: 1047, height: 700 });
  await page.waitForTimeout(200);
  expect(await page.innerText('.print-title')).toContain('период 16.11.2026 – 22.11.2026');
  const chartBottom = await page.$$eval('canvas', (cs) => Math.max(...cs.map((c) => c.getBoundingClientRect().bottom)));
  const tableTop = await page.$$eval('table', (ts) => Math.min(...ts.map((t) => t.getBoundingClientRect().top)));
  expect(chartBottom).toBeLessThanOrEqual(tableTop);
  const file = path.join(SHOTS, '..', 'org-pavlodar-ru.pdf');
  fs.writeFileSync(file, await page.pdf({ format: 'A4', landscape: true, printBackground: true }));
  expect(execFileSync('pdftotext', ['-f', '1', '-l', '1', file, '-']).toString()).toContain('период 16.11.2026 – 22.11.2026');
});
