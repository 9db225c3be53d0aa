// The information-work pages in Debian's headless Chromium, in ru/kk/en: the Publications page (bars and lines
// painted), the best posts page and the overview panel load with no console error and no missing text, and the
// page is never wider than the screen at 1366 px and 390 px. Screenshots go to test-artifacts/screenshots (ru
// at 1366 px also to docs/screenshots).
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, paintedPixels, prepareContext, sessionFor, startSite, watchProblems, type Site } from '../helpers/browser';
import { buildWebFixture, ROOT, TODAY, type WebFixture } from '../helpers/web-fixture';
import { addFixturePosts } from '../helpers/posts-fixture';
import { ensureUser, PASSWORD } from '../helpers/web-auth';
import { setStandards } from '../../src/publications/standards-store';

jest.setTimeout(120_000);
const SHOTS = path.join(ROOT, 'test-artifacts/screenshots');
const DOCS = path.join(ROOT, 'docs/screenshots');
const PAGES: [string, string][] = [
  ['publications-kz', '/org/kz/publications'],
  ['publications-pavlodar', '/org/pavlodar/publications?period=quarter'],
  ['best', '/best?period=quarter'],
  ['overview-info-work', '/'],
  // a region whose channels' posts were never read: "no data", not 0
  ['never-read-ulytau', '/org/ulytau/publications'],
];

let f: WebFixture;
let site: Site;
let base: string;
let browser: Browser;
let context: BrowserContext;
let sessionCookie: string;

beforeAll(async () => {
  f = buildWebFixture();
  addFixturePosts(f.db, f.config.timezone, TODAY, { silentSlug: 'akmola' });
  setStandards(
    f.db,
    [
      { level: 'region', platform: 'social', posts_per_week: 5, rubric_share: { 'legal-protection': 10, 'social-partnership': 10 }, decision: 'Постановление № 19 п. 2 от 12.10.2022' },
      { level: 'council', platform: 'social', posts_per_week: 20, active_share: 80 },
    ],
    { actor: 'test', rubrics: f.config.rubrics.map((r) => r.slug) },
  );
  site = await startSite(f);
  base = site.base;
  sessionCookie = sessionFor(f, 'press');
  browser = await launchChromium();
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(DOCS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await site.close();
  f.close();
});

async function newContext(width: number): Promise<BrowserContext> {
  const c = await browser.newContext({ viewport: { width, height: 900 } });
  await prepareContext(c, base, sessionCookie);
  return c;
}

async function open(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(base + url, { waitUntil: 'load' });
  return { page, problems };
}


describe.each([1366, 390])('at %i px', (width) => {
  beforeAll(async () => {
    context = await newContext(width);
  });
  afterAll(() => context.close());

  describe.each(['ru', 'kk', 'en'])('in %s', (lang) => {
    test.each(PAGES)('%s: no console error, no missing text, charts painted, no overflow', async (name, url) => {
      const { page, problems } = await open(`${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(await page.innerText('body')).not.toMatch(/\?\?[a-z_.0-9]+\?\?/);
      if (name.startsWith('publications')) {
        expect(await paintedPixels(page, 'canvas#posts-bars')).toBeGreaterThan(2000);
        expect(await paintedPixels(page, 'canvas#rates-lines')).toBeGreaterThan(1000);
        const height = await page.$eval('canvas#posts-bars', (c) => c.getBoundingClientRect().height);
        expect(height).toBeGreaterThanOrEqual(220);
      }
      if (name === 'best') expect(await page.$$eval('#best-posts > li', (els) => els.length)).toBeGreaterThan(5);
      if (name === 'overview-info-work') expect(await page.isVisible('#info-work')).toBe(true);
      // the page itself is never wider than the screen (wide tables scroll inside their box)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect([name, overflow]).toEqual([name, 0]);
      const file = path.join(SHOTS, `${name}-${lang}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (lang === 'ru' && width === 1366 && (name.startsWith('publications') || name === 'best')) fs.copyFileSync(file, path.join(DOCS, `${name}.png`));
      expect(problems).toEqual([]);
      await page.close();
    });
  });
});

// An admin adds a standard on the admin targets page; the Publications page's compliance view shows it. The
// changed pages (admin targets with the standards form, the channel page with the rubric form) stay within the
// screen at 1366 and 390 px in ru and kk.
describe('standards and rubric decisions in the browser', () => {
  let admin: BrowserContext;
  beforeAll(async () => {
    ensureUser(f.db, 'boss', 'admin');
    admin = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    await admin.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
    const page = await admin.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name="login"]', 'boss');
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    await page.close();
  });
  afterAll(() => admin.close());

  test('an admin adds a standard for branches; the region’s compliance view judges its branches by it', async () => {
    const page = await admin.newPage();
    await page.goto(`${base}/admin/targets?lang=ru`);
    await page.selectOption('#standard-form select[name="level"]', 'branch');
    await page.selectOption('#standard-form select[name="measure"]', 'posts_per_week');
    await page.fill('#standard-form input[name="threshold"]', '2');
    await page.fill('#standard-form input[name="decision"]', 'Постановление Президиума № 3 от 01.02.2026');
    await Promise.all([page.waitForNavigation(), page.click('#standard-form button[type="submit"]')]);
    expect(await page.innerText('.notice-ok')).toContain('Новая версия норматива сохранена');
    expect(await page.isVisible('#admin-standards-table tr[data-standard="branch/social"]')).toBe(true);
    await page.goto(`${base}/org/pavlodar/publications?lang=ru&period=quarter`);
    const level = page.locator('#compliance-levels .compliance-level[data-level="branch"]');
    expect(await level.isVisible()).toBe(true);
    expect(await level.innerText()).toContain('Публикаций в неделю ≥ 2');
    expect(await level.innerText()).toMatch(/выполняют \d+ из \d+/);
    await page.close();
  });

  test.each([1366, 390])('admin targets and the channel page with the rubric form fit %i px in ru and kk', async (width) => {
    const channel = f.db.prepare("SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'pavlodar' AND a.platform = 'telegram'").pluck().get() as number;
    const page = await admin.newPage();
    await page.setViewportSize({ width, height: 900 });
    for (const lang of ['ru', 'kk']) {
      for (const [name, url] of [
        ['admin-targets', `/admin/targets?lang=${lang}`],
        ['channel', `/org/pavlodar/channel/${channel}?lang=${lang}`],
      ]) {
        await page.goto(base + url);
        expect(await page.innerText('body')).not.toMatch(/\?\?[a-z_.0-9]+\?\?/);
        if (name === 'channel') expect(await page.locator('form.rubric-edit').count()).toBeGreaterThan(0);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect([name, lang, overflow]).toEqual([name, lang, 0]);
        await page.screenshot({ path: path.join(SHOTS, `${name}-${lang}-${width}.png`), fullPage: true });
      }
    }
    await page.close();
  });
});
