// The administration pages in headless Chromium at 1366 and 390 px, in Russian and Kazakh, for an admin
// and a regional editor: no page is wider than its viewport (a long organisation name in a select used to
// widen /admin/newspapers to 936 px on a phone and /admin/orgs/… to 1,544 px on a laptop), nothing is left
// untranslated, and the forms' defaults are the safe ones. Screenshots go to test-artifacts/screenshots
// (the ru ones at 1366 px also to docs/screenshots).
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, startSite, type Site } from '../helpers/browser';
import { importTree } from '../../src/import';
import { buildWebFixture, ROOT, type WebFixture } from '../helpers/web-fixture';
import { ensureUser, PASSWORD } from '../helpers/web-auth';

jest.setTimeout(600_000);

const SHOTS = path.join(ROOT, 'test-artifacts/screenshots');
const DOCS = path.join(ROOT, 'docs/screenshots');
const WIDTHS = [1366, 390] as const;
const LANGS = ['ru', 'kk'] as const;
/** A name as long as the longest real ones, deep in the tree: it sits in every organisation select. */
const LONG = 'Первичная профсоюзная организация работников коммунального государственного учреждения «Общеобразовательная школа-гимназия № 17 имени Абая Кунанбаева» отдела образования города Экибастуза';

let f: WebFixture;
let site: Site;
let base: string;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  f = buildWebFixture();
  importTree(f.db, { label: 'test', orgs: [{ slug: 'long-name-school', parent: 'pavlodar-city', level: 'primary', name: { ru: LONG, kk: LONG }, line: 1 }], accounts: [], targets: [] }, 'test');
  ensureUser(f.db, 'admin', 'admin');
  ensureUser(f.db, 'pavlodar-press', 'editor', 'pavlodar');
  site = await startSite(f);
  base = site.base;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site.close();
  f.close();
});

async function signedIn(login: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.close();
  return context;
}

/** How wide the page is against its viewport, and the widest elements sticking out (for the failure message). */
async function overflow(page: Page): Promise<{ scroll: number; viewport: number; culprits: string[] }> {
  return page.evaluate(() => {
    const viewport = document.documentElement.clientWidth;
    const culprits: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.right > viewport + 1 && !el.closest('.table-wrap')) culprits.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''} → ${Math.round(r.right)}`);
    }
    return { scroll: document.documentElement.scrollWidth, viewport, culprits: culprits.slice(0, 5) };
  });
}

const id = (sql: string) => String(f.db.prepare(sql).pluck().get());

describe.each([
  ['admin', 'admin'],
  ['editor', 'pavlodar-press'],
])('as %s', (who, login) => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await signedIn(login);
  });
  afterAll(async () => context?.close());

  const pages = () =>
    [
      ['admin-index', '/admin'],
      ['admin-orgs', '/admin/orgs'],
      ['admin-org', '/admin/orgs/pavlodar-city'],
      ['admin-account', `/admin/accounts/${id("SELECT a.id FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'pavlodar' AND a.platform = 'facebook'")}`],
      ['admin-targets', '/admin/targets'],
      ['admin-target', `/admin/targets/${id("SELECT t.id FROM targets t JOIN organisations o ON o.id = t.org_id WHERE o.slug = 'pavlodar' ORDER BY t.id LIMIT 1")}`],
      ['admin-newspapers', '/admin/newspapers'],
      ['admin-audit', '/admin/audit'],
      ...(who === 'admin' ? [['admin-users', '/admin/users']] : []),
    ] as [string, string][];

  test.each(WIDTHS.flatMap((w) => LANGS.map((l) => [w, l] as const)))('at %i px in %s no admin page is wider than the window, and nothing is untranslated', async (width, lang) => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    for (const [name, url] of pages()) {
      const res = await page.goto(`${base}${url}?lang=${lang}`, { waitUntil: 'load' });
      expect([url, res?.status()]).toEqual([url, 200]);
      const o = await overflow(page);
      expect([url, lang, width, o.scroll <= o.viewport ? 'fits' : o.culprits]).toEqual([url, lang, width, 'fits']);
      expect(await page.innerText('body')).not.toMatch(/\?\?[a-z_.0-9]+\?\?/);
      const file = path.join(SHOTS, `${name}-${who}-${lang}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (who === 'admin' && lang === 'ru' && width === 1366 && ['admin-newspapers', 'admin-audit', 'admin-org'].includes(name)) fs.copyFileSync(file, path.join(DOCS, `${name}.png`));
    }
    expect(problems).toEqual([]);
    await page.close();
  });
});

test('"Add user" offers the viewer role first; an editor of a region lands on its region', async () => {
  const admin = await signedIn('admin');
  const page = await admin.newPage();
  await page.goto(`${base}/admin/users?lang=ru`);
  expect(await page.$eval('form[action="/admin/users"] select[name="role"]', (s) => (s as HTMLSelectElement).value)).toBe('viewer');
  await admin.close();
  const editor = await signedIn('pavlodar-press');
  const home = await editor.newPage();
  await home.goto(`${base}/?lang=ru`);
  expect(new URL(home.url()).pathname).toBe('/org/pavlodar');
  await editor.close();
});
