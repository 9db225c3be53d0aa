// The pages of issue 13 in headless Chromium at 1366 and 390 px, in ru, kk and en: the overview with its short
// channel list and search, an org page, a channel page, /health with falling / not-growing lists, rankings with
// members. No page is wider than its viewport, nothing logs an error, charts draw. Screenshots at both widths in
// ru and kk go to test-artifacts/screenshots/pages; the ru ones of new pages also to docs/screenshots.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildWebFixture, ROOT, type WebFixture } from '../helpers/web-fixture';
import { launchChromium, prepareContext, sessionFor, startSite, watchProblems, type Site } from '../helpers/browser';

const SHOTS = path.join(ROOT, 'test-artifacts/screenshots/pages');
const DOCS = path.join(ROOT, 'docs/screenshots');
const WIDTHS = [1366, 390] as const;
// Full-page screenshots of six pages on a shared two-core machine take a while.
jest.setTimeout(240_000);

let f: WebFixture;
let site: Site;
let base: string;
let browser: Browser;
let sessionCookie: string;
let pages: [string, string][];

beforeAll(async () => {
  f = buildWebFixture();
  site = await startSite(f);
  base = site.base;
  sessionCookie = sessionFor(f, 'press');
  browser = await launchChromium();
  const channel = f.db.prepare("SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'atyrau' AND a.platform = 'telegram'").pluck().get() as number;
  pages = [
    ['overview', '/'],
    ['overview-all-channels', '/?accounts=all'],
    ['org-pavlodar', '/org/pavlodar'],
    ['channel', `/org/atyrau/channel/${channel}`],
    ['health', '/health'],
    ['rankings', '/rankings'],
  ];
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(DOCS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await site.close();
  f.close();
});

async function withPage<T>(width: number, fn: (page: Page, problems: string[]) => Promise<T>): Promise<T> {
  const phone = width < 600;
  const context = await browser.newContext({ viewport: { width, height: phone ? 844 : 900 }, deviceScaleFactor: phone ? 2 : 1, isMobile: phone });
  await prepareContext(context, base, sessionCookie);
  const page = await context.newPage();
  const problems = watchProblems(page);
  try {
    return await fn(page, problems);
  } finally {
    await context.close();
  }
}

describe.each(['ru', 'kk', 'en'])('in %s', (lang) => {
  test.each(WIDTHS)('at %i px every page fits its viewport, loads cleanly and draws its chart', async (width) => {
    await withPage(width, async (page, problems) => {
      for (const [name, url] of pages) {
        await page.goto(`${base}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`, { waitUntil: 'load' });
        const canvas = await page.$('canvas[id$="-chart"]');
        if (canvas) await page.waitForSelector('canvas[id$="-chart"][data-ready="1"]');
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        expect({ page: name, width: wide }).toEqual({ page: name, width: expect.any(Number) });
        if (wide > width) throw new Error(`${name} (${lang}) is ${wide} px wide at ${width} px`);
        expect(await page.innerText('body')).not.toMatch(/\?\?[a-z_.0-9]+\?\?/);
        if (lang !== 'en') {
          const file = path.join(SHOTS, `${name}-${lang}-${width}.png`);
          await page.screenshot({ path: file, fullPage: true });
          if (lang === 'ru' && name === 'channel') fs.copyFileSync(file, path.join(DOCS, `${name}${width < 600 ? '-phone' : ''}.png`));
          if (lang === 'ru' && width < 600 && (name === 'health' || name === 'overview')) fs.copyFileSync(file, path.join(DOCS, `${name}-phone.png`));
        }
      }
      expect(problems).toEqual([]);
    });
  });
});

test('the channel page draws its own line; the overview is short; the channel search narrows the full list', async () => {
  await withPage(1366, async (page, problems) => {
    await page.goto(`${base}${pages[3][1]}?lang=en`);
    await page.waitForSelector('canvas#audience-chart[data-ready="1"]');
    const points = await page.evaluate(() => {
      const chart = (window as unknown as { Chart: { getChart(id: string): { data: { datasets: { data: unknown[] }[] } } } }).Chart.getChart('audience-chart');
      return chart.data.datasets.map((d) => d.data.length);
    });
    expect(points).toEqual([365]);

    await page.goto(`${base}/?lang=en`);
    const shortHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.goto(`${base}/?lang=en&accounts=all&flags=all`);
    const fullHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(shortHeight).toBeLessThan(fullHeight * 0.75);

    const visible = () => page.$$eval('#accounts-table tbody tr', (trs) => trs.filter((tr) => !(tr as HTMLElement).hidden).length);
    const all = await visible();
    await page.fill('input[data-filter-table="accounts-table"]', 'pavlodar');
    const pavlodar = await visible();
    expect(pavlodar).toBeGreaterThan(0);
    expect(pavlodar).toBeLessThan(all / 5);
    await page.fill('input[data-filter-table="accounts-table"]', '');
    expect(await visible()).toBe(all);
    expect(problems).toEqual([]);
  });
});
